"""Forms that guide (issue 20, part 3): fields required for submission are marked, the error summary names
each field and links to it, one message per field next to it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exchanges.cycle.facts import REQUIRED_FOR_SUBMISSION
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.cycle.services.requests import request_save_draft
from tests.cities.factories import TopicFactory

pytestmark = pytest.mark.django_db

MARK = '<span class="required-mark">(Pflichtfeld für das Einreichen)</span>'
# What a draft with only a title lacks, with the message next to each field.
MISSING = {
    "topics": "Bitte wählen Sie mindestens ein Thema.",
    "need": "Bitte füllen Sie dieses Feld vor dem Einreichen aus.",
    "occasion": "Bitte wählen Sie vor dem Einreichen eine der Möglichkeiten.",
    "preferred_format": "Bitte wählen Sie vor dem Einreichen eine der Möglichkeiten.",
    "direction": "Bitte wählen Sie vor dem Einreichen eine der Möglichkeiten.",
    "earliest_date": "Bitte füllen Sie dieses Feld vor dem Einreichen aus.",
    "latest_date": "Bitte füllen Sie dieses Feld vor dem Einreichen aus.",
    "travellers": "Bitte füllen Sie dieses Feld vor dem Einreichen aus.",
}
# Groups of radio buttons or checkboxes: the summary links to their first box.
GROUPS = {"topics", "occasion", "direction"}


def field_block(html: str, name: str) -> str:
    """What crispy-forms renders for one field: its wrapper up to the next field's."""
    start = html.index(f'id="div_id_{name}"')
    following = html.find('id="div_id_', start + 1)
    return html[start : following if following != -1 else len(html)]


def summary(html: str) -> str:
    match = re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, re.S)
    assert match, "no error summary"
    return match.group(0)


def summary_links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', summary(html))


def title_only_draft(requester) -> ExchangeRequest:
    return request_save_draft(requester=requester, data={"title": "Nur ein Titel"})


def test_every_field_required_for_submission_is_marked_and_no_other(client, people):
    client.force_login(people["requester"])

    html = client.get(reverse("exchanges:request_create")).content.decode()

    assert "title" in REQUIRED_FOR_SUBMISSION and "topics" in REQUIRED_FOR_SUBMISSION
    for name in REQUIRED_FOR_SUBMISSION:
        assert MARK in field_block(html, name), name
    assert html.count(MARK) == len(REQUIRED_FOR_SUBMISSION)  # estimated costs, partner cities … are not
    assert "„(Pflichtfeld für das Einreichen)“ dürfen im Entwurf leer bleiben" in html


def test_submitting_an_incomplete_draft_from_its_page_marks_each_missing_field(client, people):
    requester = people["requester"]
    draft = title_only_draft(requester)
    TopicFactory()  # the group of topic checkboxes has a box
    client.force_login(requester)

    response = client.post(
        reverse("exchanges:request_action", args=[draft.pk, "submit"]),
        {"submit-comment": "Bitte bald ansehen", "submit-expected_status": "draft"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    # No box per problem that names no field: one summary, and one message next to each missing field.
    assert html.count("alert-danger") == 1
    assert html.count('class="invalid-feedback"') == len(MISSING)
    for name, message in MISSING.items():
        block = field_block(html, name)
        assert f'id="id_{name}_error"' in block and message in block, name
    # The summary names each field with its message and links to it, in the order of the page.
    labels = {"need": "Ihr Anliegen", "travellers": "Anzahl der Reisenden", "topics": "Themen"}
    links = summary_links(html)
    assert [target for target, _text in links] == [
        f"id_{name}_0" if name in GROUPS else f"id_{name}" for name in MISSING
    ]
    for (_target, text), (name, message) in zip(links, MISSING.items(), strict=True):
        assert text.endswith(f": {message}")
        assert "Pflichtfeld" not in text  # the label's mark is not repeated in the summary
        if name in labels:
            assert text.startswith(labels[name])
    # The summary can take the focus, and the page loads the script that gives it (no inline script).
    assert 'tabindex="-1" id="error-summary"' in html
    assert '<script src="/static/js/error-summary.js" defer></script>' in html
    # What was typed on the request page is kept, in the note that goes with the submission.
    assert "Bitte bald ansehen</textarea>" in html


def test_every_summary_link_leads_to_an_element_of_the_page(client, people):
    requester = people["requester"]
    draft = title_only_draft(requester)
    TopicFactory()  # the group of topic checkboxes has a box
    client.force_login(requester)

    html = client.post(
        reverse("exchanges:request_action", args=[draft.pk, "submit"]), {"submit-expected_status": "draft"}
    ).content.decode()

    targets = [target for target, _text in summary_links(html)]
    assert "id_topics_0" in targets
    for target in targets:
        assert f'id="{target}"' in html, target


def test_after_a_refused_submission_the_completed_form_submits_without_a_conflict(client, people):
    requester = people["requester"]
    draft = title_only_draft(requester)
    client.force_login(requester)
    edit = reverse("exchanges:request_edit", args=[draft.pk])

    # given a submission refused for what is missing (the draft was saved: its version moved on)
    first = client.post(edit, {"title": "Ein neuer Titel", "version": draft.version, "submit": "1"})
    assert first.status_code == 200 and "kann aber noch nicht eingereicht werden" in first.content.decode()
    version = re.search(r'name="version" value="(\d+)"', first.content.decode()).group(1)

    # when the person completes the form the page gave back and submits again
    second = client.post(edit, complete_data(draft, version=version, title="Ein neuer Titel", submit="1"))

    # then it is submitted, not refused as somebody else's change
    assert second.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def complete_data(request: ExchangeRequest, **overrides) -> dict:
    """The edit form of ``request`` as its page fills it in, completed."""
    today = timezone.localdate()
    topics = list(request.topics.values_list("pk", flat=True))
    if not topics:
        topics = [TopicFactory().pk]
    data = {
        "title": request.title,
        "topics": topics,
        "need": request.need or "Wir suchen Erfahrung mit Beteiligung im Quartier.",
        "occasion": "question",
        "preferred_format": "workshop",
        "direction": "expert_travels",
        "earliest_date": (today + timedelta(days=20)).strftime("%d.%m.%Y"),
        "latest_date": (today + timedelta(days=60)).strftime("%d.%m.%Y"),
        "travellers": "1",
        "version": str(request.version),
    }
    data.update(overrides)
    return data
