"""Where a request stands (issue 20, part 2): the progress indicator of the C+R cycle, who acts next said to
the person looking, one primary button that is their next step; and success messages that say what happened
for the person who acted (part 3)."""

import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from exchanges.cycle.models import ExchangeRequest, Status
from tests.exchanges.conftest import make_request

pytestmark = pytest.mark.django_db

STEPS = ["eingereicht", "angenommen", "zugeordnet", "Expertin/Experte zugesagt", "Termin", "stattgefunden"]
ALL_STEPS = [*STEPS, "Reflexion"]


def page(client, user, exchange: ExchangeRequest) -> str:
    client.force_login(user)
    response = client.get(exchange.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def stepper(html: str) -> list[tuple[str, str, bool]]:
    """(label, state, current) for each step of the indicator, as the list says it."""
    listing = html[html.index('<ol class="cr-stepper">') : html.index("</ol>", html.index("cr-stepper"))]
    steps = []
    for state, attributes, body in re.findall(
        r'<li class="cr-step cr-step-(\w+)"([^>]*)>(.*?)</li>', listing, re.S
    ):
        label = text(re.search(r'<span class="cr-step-label">(.*?)</span>', body, re.S).group(1))
        steps.append((label, state, 'aria-current="step"' in attributes))
    return steps


def next_text(html: str) -> str:
    return text(re.search(r'<p class="cr-next mb-0">(.*?)</p>', html, re.S).group(1))


def primary_buttons(html: str) -> list[str]:
    main = html[html.index("<main") : html.index("</main>")]
    return [
        text(label) for label in re.findall(r'class="btn btn-primary"[^>]*>(.*?)</(?:a|button)>', main, re.S)
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.DRAFT, [("Entwurf, noch nicht eingereicht", "current")] + [(s, "todo") for s in ALL_STEPS]),
        (Status.SUBMITTED, [("eingereicht", "current")] + [(s, "todo") for s in ALL_STEPS[1:]]),
        (Status.RETURNED, [("eingereicht", "current")] + [(s, "todo") for s in ALL_STEPS[1:]]),
        (
            Status.ROUTING,
            [("eingereicht", "done"), ("angenommen", "current")] + [(s, "todo") for s in ALL_STEPS[2:]],
        ),
        (
            Status.MATCHING,
            [(s, "done") for s in STEPS[:2]]
            + [("zugeordnet", "current")]
            + [(s, "todo") for s in ALL_STEPS[3:]],
        ),
        (
            Status.AGREED,
            [(s, "done") for s in STEPS[:3]]
            + [("Expertin/Experte zugesagt", "current")]
            + [(s, "todo") for s in ALL_STEPS[4:]],
        ),
        (
            Status.SCHEDULED,
            [(s, "done") for s in STEPS[:4]]
            + [("Termin", "current"), ("stattgefunden", "todo"), ("Reflexion", "todo")],
        ),
        (
            Status.HELD,
            [(s, "done") for s in STEPS[:5]] + [("stattgefunden", "current"), ("Reflexion", "todo")],
        ),
        (Status.COMPLETED, [(s, "done") for s in STEPS] + [("Reflexion", "current")]),
        # Closed early: the steps reached, then the end; nothing after it.
        (Status.WITHDRAWN, [("eingereicht", "done"), ("zurückgezogen", "ended")]),
        (Status.REJECTED, [("eingereicht", "done"), ("abgelehnt", "ended")]),
        (Status.CANCELLED, [("eingereicht", "done"), ("angenommen", "done"), ("abgesagt", "ended")]),
    ],
)
def test_the_indicator_shows_the_cycle_up_to_where_the_request_stands(client, people, status, expected):
    exchange = make_request(people, status)
    steps = stepper(page(client, people["coordinator"], exchange))

    assert [(label, state) for label, state, _current in steps] == expected
    # exactly one step is the current one, and the list says which (aria-current), not only a colour
    assert [current for _label, _state, current in steps].count(True) == 1
    assert [label for label, _state, current in steps if current] == [
        label for label, state in expected if state in {"current", "ended"}
    ]


def test_a_returned_request_is_shown_honestly_as_returned_at_the_submitted_step(client, people):
    exchange = make_request(people, Status.RETURNED)
    html = page(client, people["requester"], exchange)
    current = html[html.index('aria-current="step"') : html.index("</li>", html.index('aria-current="step"'))]
    assert "zur Überarbeitung zurückgegeben" in text(current)


def test_who_acts_next_is_said_to_the_person_looking(client, people):
    submitted = make_request(people, Status.SUBMITTED)
    due = submitted.contact_due_on.strftime("%d.%m.%Y")
    assert next_text(page(client, people["requester"], submitted)) == (
        f"Als Nächstes: Die Ansprechperson in Leipzig nimmt die Anfrage an oder gibt sie mit einer Frage "
        f"zurück (bis zum {due})."
    )
    assert next_text(page(client, people["contact"], submitted)) == (
        f"Als Nächstes: Sie nehmen die Anfrage an oder geben sie mit einer Frage zurück, bitte bis zum {due}."
    )

    returned = make_request(people, Status.RETURNED)
    assert next_text(page(client, people["requester"], returned)) == (
        "Als Nächstes: Sie beantworten die Frage Ihrer Ansprechperson und reichen die Anfrage erneut ein."
    )
    contact_page = page(client, people["contact"], returned)
    assert next_text(contact_page) == (
        "Als Nächstes: Anna Schmidt beantwortet die Rückfrage und reicht die Anfrage erneut ein."
    )
    # the contact is no longer shown the requester's instruction
    assert "Bitte beantworten Sie die Frage Ihrer Ansprechperson" not in contact_page


def test_the_next_step_after_the_expert_agreed_and_after_the_exchange(client, people):
    agreed = make_request(people, Status.AGREED)
    assert next_text(page(client, people["requester"], agreed)).startswith(
        "Als Nächstes: Sie legen mit der Expertin oder dem Experten Termin und Ort fest"
    )
    assert next_text(page(client, people["expert"], agreed)) == (
        "Als Nächstes: Anna Schmidt oder die Koordination legt Termin und Ort fest."
    )
    held = make_request(people, Status.HELD)
    assert next_text(page(client, people["expert"], held)) == (
        "Als Nächstes: Anna Schmidt schreibt die Reflexion; damit ist der Austausch abgeschlossen."
    )
    cancelled = make_request(people, Status.CANCELLED)
    assert next_text(page(client, people["requester"], cancelled)) == (
        "Abgeschlossen: Die Koordination hat den Austausch abgesagt."
    )


@pytest.mark.parametrize(
    ("status", "who", "primary"),
    [
        (Status.DRAFT, "requester", ["Anfrage einreichen"]),
        (Status.SUBMITTED, "contact", ["Annehmen und an die Koordination weiterleiten"]),
        (Status.SUBMITTED, "requester", []),
        (Status.RETURNED, "requester", ["Antworten und Anfrage bearbeiten"]),
        (Status.RETURNED, "contact", []),
        (Status.AGREED, "requester", ["Termin und Ort festlegen"]),
        (Status.AGREED, "coordinator", ["Termin und Ort festlegen"]),
        (Status.SCHEDULED, "requester", []),  # the meeting lies ahead: nothing to do yet
        (Status.HELD, "requester", ["Reflexion schreiben"]),
        (Status.COMPLETED, "requester", []),
    ],
)
def test_the_primary_button_is_the_persons_next_step_and_there_is_at_most_one(
    client, people, status, who, primary
):
    html = page(client, people[who], make_request(people, status))
    assert primary_buttons(html) == primary


def test_the_other_steps_stay_as_secondary_buttons(client, people):
    html = page(client, people["requester"], make_request(people, Status.RETURNED))
    assert re.search(r'class="btn btn-outline-primary">\s*Anfrage einreichen', html)
    assert re.search(r'class="btn btn-outline-danger">\s*Anfrage zurückziehen', html)
    html = page(client, people["contact"], make_request(people, Status.SUBMITTED))
    assert re.search(r'class="btn btn-outline-primary">\s*Zur Überarbeitung zurückgeben', html)


def test_an_invited_expert_is_offered_to_answer_the_invitation(client, people):
    from exchanges.cycle.services.invitations import invitations_propose

    exchange = make_request(people, Status.MATCHING)
    invitation = invitations_propose(
        request=exchange, experts=[people["expert"].expert_profile], message="", actor=people["coordinator"]
    )[0]
    html = page(client, people["expert"], exchange)
    assert next_text(html) == "Als Nächstes: Sie sagen zu oder ab."
    assert primary_buttons(html) == ["Einladung beantworten"]
    assert f'href="{reverse("exchanges:invitation_answer", args=[invitation.pk])}"' in html
    assert next_text(page(client, people["requester"], exchange)) == (
        "Als Nächstes: Die angefragte Expertin oder der angefragte Experte antwortet (1 Einladung offen)."
    )


# --- success messages ---------------------------------------------------------------------------------------
def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def act(client, user, exchange: ExchangeRequest, action: str, comment: str = "") -> list[str]:
    client.force_login(user)
    response = client.post(
        reverse("exchanges:request_action", args=[exchange.pk, action]),
        {f"{action}-expected_status": exchange.status, f"{action}-comment": comment},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return messages_of(response)[-1:]  # the message of this step (earlier unread ones are still queued)


def test_submitting_names_the_reference_and_who_checks_it(client, people):
    draft = make_request(people, Status.DRAFT)
    said = act(client, people["requester"], draft, "submit")
    draft.refresh_from_db()
    assert said == [
        f"Ihre Anfrage {draft.reference} wurde eingereicht. Die Ansprechperson in Leipzig prüft sie."
    ]


def test_the_form_submission_says_the_same(client, people):
    client.force_login(people["requester"])
    draft = make_request(people, Status.DRAFT)
    form = client.get(reverse("exchanges:request_edit", args=[draft.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, "")}
    data.update(
        {
            "topics": [t.pk for t in draft.topics.all()],
            "earliest_date": draft.earliest_date.strftime("%d.%m.%Y"),
            "latest_date": draft.latest_date.strftime("%d.%m.%Y"),
            "version": draft.version,
            "submit": "1",
        }
    )
    data.pop("preferred_partner_cities", None)
    response = client.post(reverse("exchanges:request_edit", args=[draft.pk]), data)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED, response.content.decode()[:3000]
    assert messages_of(response) == [
        f"Ihre Anfrage {draft.reference} wurde eingereicht. Die Ansprechperson in Leipzig prüft sie."
    ]


def test_each_step_tells_the_person_who_took_it_what_happened(client, people):
    submitted = make_request(people, Status.SUBMITTED)
    ref = submitted.reference
    said = act(client, people["contact"], submitted, "return_for_changes", "Welche Standorte?")
    assert said == [
        f"{ref} wurde mit Ihrer Frage an Anna Schmidt zurückgegeben; Anna Schmidt wird per E-Mail benachrichtigt."
    ]
    assert not any(message.startswith("Erledigt") for message in said)

    accepted = make_request(people, Status.SUBMITTED)
    said = act(client, people["contact"], accepted, "accept")
    assert said[0].startswith(
        f"Sie haben {accepted.reference} angenommen und an die Koordination weitergeleitet."
    )

    withdrawn = make_request(people, Status.SUBMITTED)
    said = act(client, people["requester"], withdrawn, "withdraw", "Hat sich erledigt")
    assert said[0].startswith(f"Sie haben {withdrawn.reference} zurückgezogen.")

    cancelled = make_request(people, Status.ROUTING)
    said = act(client, people["coordinator"], cancelled, "cancel", "Kein Bedarf mehr")
    assert said[0].startswith(f"Der Austausch zu {cancelled.reference} wurde abgesagt")
