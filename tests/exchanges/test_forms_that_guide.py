"""Forms that guide (issue 20, part 3): fields required for submission are marked, the error summary names
each field and links to it, one message per field next to it, and a returned request's edit page shows the
contact person's question and takes the answer into the timeline."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from exchanges.cycle.facts import REQUIRED_FOR_SUBMISSION
from exchanges.cycle.models import ExchangeRequest, Status, TimelineEntry
from exchanges.cycle.services.requests import request_save_draft, request_transition
from tests.cities.factories import TopicFactory

pytestmark = pytest.mark.django_db

MARK = '<span class="required-mark">(Pflichtfeld für das Einreichen)</span>'
QUESTION = "Welche Quartiere sind gemeint?"
ANSWER = "Gemeint sind Gröpelingen und die Neue Vahr."
# What a draft with only a title lacks, with the message next to each field.
MISSING = {  # in the order of the page: the need before the topics, which are suggested from it
    "need": "Bitte füllen Sie dieses Feld vor dem Einreichen aus.",
    "topics": "Bitte wählen Sie mindestens ein Thema.",
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


# --- returned for changes -----------------------------------------------------------------------------------
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


@pytest.fixture
def returned(people, request_in):
    request = request_in(Status.SUBMITTED)
    request_transition(
        request_id=request.pk, action="return_for_changes", actor=people["contact"], comment=QUESTION
    )
    request.refresh_from_db()
    assert request.status == Status.RETURNED
    return request


def test_the_edit_page_of_a_returned_request_shows_the_question_and_an_answer_field(client, people, returned):
    client.force_login(people["requester"])

    html = client.get(reverse("exchanges:request_edit", args=[returned.pk])).content.decode()

    assert "Die Frage Ihrer Ansprechperson" in html
    assert "Martin Richter hat die Anfrage am" in html and "mit dieser Frage zurückgegeben:" in html
    assert QUESTION in html
    assert re.search(r'<label\s+for="id_note"[^>]*>\s*Ihre Antwort auf die Frage', html)
    assert '<textarea name="note"' in html
    # the question and the answer come before the rest of the form
    assert html.index(QUESTION) < html.index('id="id_note"') < html.index('id="id_title"')


def test_the_answer_goes_into_the_timeline_and_to_the_contact_person(
    client, people, returned, django_capture_on_commit_callbacks
):
    requester, contact = people["requester"], people["contact"]
    client.force_login(requester)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exchanges:request_edit", args=[returned.pk]),
            complete_data(returned, note=ANSWER, submit="1"),
        )

    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.status == Status.SUBMITTED
    entry = TimelineEntry.objects.filter(request=returned).order_by("-pk").first()
    assert (entry.action, entry.from_status, entry.actor, entry.comment, entry.is_public) == (
        "submit",
        Status.RETURNED,
        requester,
        ANSWER,
        True,
    )
    # the contact person is told as on every resubmission, with the answer
    assert [message.to for message in mail.outbox] == [[contact.email]]
    assert f"Antwort auf Ihre Frage: {ANSWER}" in mail.outbox[0].body
    # and sees it on the request page, after the question
    client.force_login(contact)
    page = client.get(returned.get_absolute_url()).content.decode()
    assert page.index(QUESTION) < page.index(ANSWER)


def test_saving_a_returned_request_keeps_the_answer_without_sending_it(client, people, returned):
    client.force_login(people["requester"])

    response = client.post(
        reverse("exchanges:request_edit", args=[returned.pk]),
        complete_data(returned, need="Geändert.", note=ANSWER, save="1"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    returned.refresh_from_db()
    assert returned.status == Status.RETURNED and returned.need == "Geändert."
    assert not TimelineEntry.objects.filter(request=returned, comment=ANSWER).exists()
    assert "Ihre Antwort wurde noch nicht gesendet" in html
    assert f"{ANSWER}</textarea>" in html
    assert f'name="version" value="{returned.version}"' in html  # the next save starts from this one


def test_an_answer_from_an_outdated_page_is_refused_and_kept(client, people, returned):
    client.force_login(people["requester"])
    opened_at = returned.version
    edit = reverse("exchanges:request_edit", args=[returned.pk])
    client.post(edit, complete_data(returned, need="In einem anderen Tab geändert.", save="1"))

    response = client.post(edit, complete_data(returned, version=opened_at, note=ANSWER, submit="1"))

    assert response.status_code == 409
    returned.refresh_from_db()
    assert returned.status == Status.RETURNED
    assert not TimelineEntry.objects.filter(request=returned, comment=ANSWER).exists()
    assert f"{ANSWER}</textarea>" in response.content.decode()


def test_the_request_page_offers_the_answer_with_submitting_again(client, people, returned):
    client.force_login(people["requester"])

    html = client.get(returned.get_absolute_url()).content.decode()

    assert re.search(r'<label\s+for="id_submit-comment"[^>]*>\s*Ihre Antwort auf die Frage', html)
