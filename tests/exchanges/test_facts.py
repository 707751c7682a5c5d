"""Steps that follow facts: for every step and every fact it needs, the step is refused with the fact
missing — through the service, the request page and the REST API — and the request is unchanged.

The findings behind this (issue "Records that tell the truth"): a coordinator could press "an expert
agreed" without any invitation, "date and place are set" without a meeting, and the requester could
confirm "it took place" two months before the meeting; the request then ended "held" with no expert and
no date. Each case below failed on that code.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from exchanges.cycle import facts
from exchanges.cycle.models import (
    ExchangeRequest,
    Invitation,
    InvitationStatus,
    Meeting,
    Status,
    TimelineEntry,
)
from exchanges.cycle.services.requests import request_transition
from exchanges.cycle.workflow import TRANSITIONS, Actor
from koopstadt.errors import TransitionNotAllowed
from tests.api.conftest import issue, token_client
from tests.exchanges.conftest import make_request
from tests.exchanges.facts_world import break_fact, make_facts_hold

pytestmark = pytest.mark.django_db

PERSON_FOR_ACTOR = {
    Actor.REQUESTER: "requester",
    Actor.CITY_CONTACT: "contact",
    Actor.COORDINATOR: "coordinator",
    Actor.PARTICIPANT: "expert",
}


def person_for(action: str) -> str:
    """Who would take the step (the coordinator for the steps only the portal takes)."""
    actors = TRANSITIONS[action].actors
    return next((PERSON_FOR_ACTOR[a] for a in sorted(actors) if a in PERSON_FOR_ACTOR), "coordinator")


MISSING = [
    (action, fact.__name__, status)
    for action, transition in TRANSITIONS.items()
    for fact in transition.requires
    for status in sorted(transition.sources)
]


def snapshot(request: ExchangeRequest) -> tuple:
    request.refresh_from_db()
    return (
        request.status,
        request.version,
        TimelineEntry.objects.filter(request=request).count(),
        Meeting.objects.filter(request=request).count(),
    )


def setup_missing(people, action: str, fact_name: str, status: Status) -> ExchangeRequest:
    request = make_request(people, status)
    make_facts_hold(request, action, people)
    break_fact(request, getattr(facts, fact_name))
    return request


@pytest.mark.parametrize(("action", "fact_name", "status"), MISSING)
def test_the_service_refuses_a_step_whose_fact_is_missing(people, action, fact_name, status):
    request = setup_missing(people, action, fact_name, status)
    before = snapshot(request)
    person = person_for(action)
    actor = None if TRANSITIONS[action].actors == {Actor.SYSTEM} else people[person]

    with pytest.raises(TransitionNotAllowed) as error:
        request_transition(
            request_id=request.pk, action=action, actor=actor, comment="Grund", from_service=True
        )

    assert getattr(facts, fact_name)(request) in error.value.message
    assert snapshot(request) == before


@pytest.mark.parametrize(("action", "fact_name", "status"), MISSING)
def test_the_request_page_neither_offers_nor_takes_the_step(client, people, action, fact_name, status):
    request = setup_missing(people, action, fact_name, status)
    before = snapshot(request)
    client.force_login(people[person_for(action)])

    page = client.get(request.get_absolute_url())
    assert reverse("exchanges:request_action", args=[request.pk, action]) not in page.content.decode()
    response = client.post(
        reverse("exchanges:request_action", args=[request.pk, action]),
        {f"{action}-expected_status": status, f"{action}-comment": "Grund"},
    )

    assert response.status_code == 200  # the page again, with the reason
    assert snapshot(request) == before


@pytest.mark.parametrize(("action", "fact_name", "status"), MISSING)
def test_the_api_refuses_the_step(people, action, fact_name, status):
    request = setup_missing(people, action, fact_name, status)
    before = snapshot(request)
    client = token_client(issue(people[person_for(action)]))

    response = client.post(
        f"/api/v1/requests/{request.pk}/actions/{action}/",
        {"expected_status": status, "comment": "Grund"},
        format="json",
    )

    assert response.status_code in {403, 409}, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert snapshot(request) == before


# --- the findings, one by one -----------------------------------------------------------------------


def test_no_agree_button_and_no_agree_step_without_an_accepted_invitation(client, people):
    matching = make_request(people, Status.MATCHING)
    assert not Invitation.objects.filter(request=matching).exists()
    client.force_login(people["coordinator"])

    page = client.get(matching.get_absolute_url()).content.decode()
    client.post(
        reverse("exchanges:request_action", args=[matching.pk, "agree"]),
        {"agree-expected_status": "matching"},
    )
    api = token_client(issue(people["coordinator"])).post(
        f"/api/v1/requests/{matching.pk}/actions/agree/", {}, format="json"
    )

    assert "Eine Expertin oder ein Experte hat zugesagt" not in page
    assert api.status_code == 409
    matching.refresh_from_db()
    assert matching.status == Status.MATCHING


def test_an_acceptance_is_what_moves_the_request_to_agreed(people):
    from exchanges.cycle.services.invitations import invitation_answer, invitations_propose

    matching = make_request(people, Status.MATCHING)
    [invitation] = invitations_propose(
        request=matching, experts=[people["expert"].expert_profile], message="", actor=people["coordinator"]
    )

    invitation_answer(invitation_id=invitation.pk, accept=True, note="", actor=people["expert"])

    matching.refresh_from_db()
    assert matching.status == Status.AGREED
    assert list(matching.timeline.values_list("action", flat=True))[-2:] == ["invitation_accepted", "agree"]


def test_no_schedule_step_without_a_meeting(client, people):
    agreed = make_request(people, Status.AGREED)
    client.force_login(people["coordinator"])

    client.post(
        reverse("exchanges:request_action", args=[agreed.pk, "schedule"]),
        {"schedule-expected_status": "agreed"},
    )
    api = token_client(issue(people["coordinator"])).post(
        f"/api/v1/requests/{agreed.pk}/actions/schedule/", {}, format="json"
    )

    assert api.status_code == 409
    agreed.refresh_from_db()
    assert agreed.status == Status.AGREED
    assert not Meeting.objects.filter(request=agreed).exists()


def test_held_cannot_be_confirmed_months_before_the_meeting(client, people):
    scheduled = make_request(people, Status.SCHEDULED)
    Meeting.objects.filter(request=scheduled).update(
        starts_at=timezone.now() + timedelta(days=60), ends_at=timezone.now() + timedelta(days=60, hours=2)
    )
    client.force_login(people["requester"])

    page = client.get(scheduled.get_absolute_url()).content.decode()
    response = client.post(
        reverse("exchanges:request_action", args=[scheduled.pk, "mark_held"]),
        {"mark_held-expected_status": "scheduled"},
        follow=True,
    )

    assert "Der Austausch hat stattgefunden" not in page
    assert "kann erst nach seinem Beginn bestätigt werden" in page
    assert "kann erst nach seinem Beginn bestätigt werden" in response.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED


def test_a_participant_who_was_there_confirms_a_coordinator_who_was_not_says_who_told_them(client, people):
    scheduled = make_request(people, Status.SCHEDULED)
    past = timezone.now() - timedelta(days=1)
    Meeting.objects.filter(request=scheduled).update(starts_at=past, ends_at=past + timedelta(hours=2))
    client.force_login(people["coordinator"])

    without = client.post(
        reverse("exchanges:request_action", args=[scheduled.pk, "mark_held"]),
        {"mark_held-expected_status": "scheduled", "mark_held-comment": ""},
    )
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED
    assert "Wer hat Ihnen bestätigt" in without.content.decode()

    client.post(
        reverse("exchanges:request_action", args=[scheduled.pk, "mark_held"]),
        {"mark_held-expected_status": "scheduled", "mark_held-comment": "Frau Schmidt am Telefon"},
    )
    scheduled.refresh_from_db()
    assert scheduled.status == Status.HELD
    entry = scheduled.timeline.get(action="mark_held")
    assert (entry.actor, entry.comment) == (people["coordinator"], "Frau Schmidt am Telefon")

    # The expert who was there confirms without a reason (tested on a second request).
    other = make_request(people, Status.SCHEDULED)
    Meeting.objects.filter(request=other).update(starts_at=past, ends_at=past + timedelta(hours=2))
    request_transition(request_id=other.pk, action="mark_held", actor=people["expert"])
    other.refresh_from_db()
    assert other.status == Status.HELD


def test_the_requester_sets_the_first_date_as_the_page_offers(client, people):
    """Page and table agree: the requester may set date and place the first time (the table refused it)."""
    agreed = make_request(people, Status.AGREED)
    client.force_login(people["requester"])
    page = client.get(agreed.get_absolute_url()).content.decode()
    assert reverse("exchanges:meeting_edit", args=[agreed.pk]) in page
    start = timezone.localtime() + timedelta(days=10)

    response = client.post(
        reverse("exchanges:meeting_edit", args=[agreed.pk]),
        {
            "starts_at": start.strftime("%d.%m.%Y 10:00"),
            "ends_at": start.strftime("%d.%m.%Y 12:00"),
            "format": "workshop",
            "address": "Rathaus",
            "participants": [people["requester"].pk, people["expert"].pk],
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    agreed.refresh_from_db()
    assert agreed.status == Status.SCHEDULED
    assert agreed.timeline.get(action="schedule").actor == people["requester"]


def test_a_coordinator_records_an_acceptance_given_by_phone_on_the_experts_behalf(client, people):
    from exchanges.cycle.services.invitations import invitations_propose

    matching = make_request(people, Status.MATCHING)
    [invitation] = invitations_propose(
        request=matching, experts=[people["expert"].expert_profile], message="", actor=people["coordinator"]
    )
    client.force_login(people["coordinator"])
    url = reverse("exchanges:invitation_record_answer", args=[matching.pk, invitation.pk])

    without_note = client.post(url, {f"answer-{invitation.pk}-answer": "accept"})
    assert "Wie und wann hat die Expertin" in without_note.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPEN

    client.post(
        url,
        {f"answer-{invitation.pk}-answer": "accept", f"answer-{invitation.pk}-note": "Telefonat am Montag"},
    )

    invitation.refresh_from_db()
    matching.refresh_from_db()
    assert (invitation.status, invitation.answer_channel, invitation.answered_by) == (
        InvitationStatus.ACCEPTED,
        "recorded",
        people["coordinator"],
    )
    assert matching.status == Status.AGREED
    entry = matching.timeline.get(action="invitation_accepted")
    assert (entry.actor, entry.on_behalf_of) == (people["coordinator"], people["expert"])
    page = client.get(matching.get_absolute_url()).content.decode()
    assert "erfasst im Auftrag von Henrik Brandt" in page


def test_an_expert_cannot_record_someone_elses_answer(people):
    from exchanges.cycle.services.invitations import invitation_answer, invitations_propose
    from koopstadt.errors import NotPermitted

    matching = make_request(people, Status.MATCHING)
    [invitation] = invitations_propose(
        request=matching, experts=[people["expert"].expert_profile], message="", actor=people["coordinator"]
    )
    for someone in (people["requester"], people["contact"], people["liaison"]):
        with pytest.raises(NotPermitted):
            invitation_answer(
                invitation_id=invitation.pk, accept=True, note="x", actor=someone, channel="recorded"
            )
    with pytest.raises(NotPermitted):  # a coordinator, too, only through the explicit record
        invitation_answer(invitation_id=invitation.pk, accept=True, note="x", actor=people["coordinator"])
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPEN


def test_a_past_exchange_is_recorded_through_its_own_audited_path(client, people):
    routing = make_request(people, Status.ROUTING)
    client.force_login(people["coordinator"])
    url = reverse("exchanges:past_exchange_record", args=[routing.pk])
    last_month = timezone.localtime() - timedelta(days=30)
    assert url in client.get(routing.get_absolute_url()).content.decode()

    future = client.post(
        url,
        {
            "experts": [people["expert"].expert_profile.pk],
            "starts_at": (timezone.localtime() + timedelta(days=3)).strftime("%d.%m.%Y 10:00"),
            "ends_at": (timezone.localtime() + timedelta(days=3)).strftime("%d.%m.%Y 12:00"),
            "format": "site_visit",
            "address": "Bahnhofsplatz 1",
            "note": "Besuch",
        },
    )
    assert "Der Beginn liegt in der Zukunft" in future.content.decode()
    response = client.post(
        url,
        {
            "experts": [people["expert"].expert_profile.pk],
            "starts_at": last_month.strftime("%d.%m.%Y 10:00"),
            "ends_at": last_month.strftime("%d.%m.%Y 14:00"),
            "format": "site_visit",
            "address": "Bahnhofsplatz 1",
            "note": "Besuch von Frau Schmidt telefonisch bestätigt",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    routing.refresh_from_db()
    assert routing.status == Status.HELD
    meeting = Meeting.objects.get(request=routing)
    assert meeting.starts_at.date() == last_month.date()
    assert set(meeting.participants.all()) == {people["requester"], people["expert"]}
    invitation = Invitation.objects.get(request=routing)
    assert (invitation.status, invitation.answer_channel) == ("accepted", "recorded")
    past = routing.timeline.get(action="record_past")
    assert (past.actor, past.from_status, past.to_status, past.comment) == (
        people["coordinator"],
        "routing",
        "held",
        "Besuch von Frau Schmidt telefonisch bestätigt",
    )
    # Only the coordination: the requester gets no such form.
    client.force_login(people["requester"])
    assert client.get(url).status_code == 404


def test_cancelling_ends_invitations_and_the_meeting_in_the_same_transaction(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    scheduled = make_request(people, Status.SCHEDULED)
    from tests.cities.factories import ExpertProfileFactory

    other = ExpertProfileFactory(user__department=people["expert"].department)
    open_invitation = Invitation.objects.create(request=scheduled, expert=other, proposed_by=None)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        request_transition(
            request_id=scheduled.pk, action="cancel", actor=people["coordinator"], comment="Kein Bedarf mehr"
        )

    open_invitation.refresh_from_db()
    meeting = Meeting.objects.get(request=scheduled)
    assert open_invitation.status == InvitationStatus.WITHDRAWN
    assert meeting.is_cancelled  # not left to a notification task
    calendar_mails = [m for m in mail.outbox if any("METHOD:CANCEL" in str(a[1]) for a in m.attachments)]
    assert {tuple(m.to) for m in calendar_mails} >= {(people["expert"].email,)}
    experts_told = {m.to[0] for m in mail.outbox if "nichts mehr zu tun" in m.subject}
    assert experts_told == {people["expert"].email, other.user.email}


def test_the_table_declares_effects_and_facts_next_to_each_step():
    assert "exchanges.cycle.services.meetings.meeting_cancel" in TRANSITIONS["cancel"].effects
    assert facts.accepted_invitation in TRANSITIONS["agree"].requires
    assert facts.meeting_saved in TRANSITIONS["schedule"].requires
    assert facts.meeting_begun in TRANSITIONS["mark_held"].requires
    assert not TRANSITIONS["agree"].is_direct and not TRANSITIONS["schedule"].is_direct


def test_one_function_decides_who_is_the_coordination(people):
    from cities.directory.rules import is_coordinator
    from tests.cities.factories import UserFactory

    admin = UserFactory(roles=[], is_superuser=True)
    inactive = UserFactory(roles=["coordinator"], is_active=False)
    assert is_coordinator(people["coordinator"]) and is_coordinator(admin)
    assert not is_coordinator(inactive) and not is_coordinator(people["contact"])
    assert admin.is_coordinator is True  # the model's property is the same answer


def test_the_requester_is_asked_for_the_reflection_when_someone_else_records_held(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    scheduled = make_request(people, Status.SCHEDULED)
    past = timezone.now() - timedelta(days=1)
    Meeting.objects.filter(request=scheduled).update(starts_at=past, ends_at=past + timedelta(hours=2))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        request_transition(
            request_id=scheduled.pk, action="mark_held", actor=people["expert"], comment="Gutes Treffen"
        )

    [message] = [m for m in mail.outbox if m.to == [people["requester"].email]]
    assert "bitte schreiben Sie Ihre Reflexion" in message.subject
    assert "Henrik Brandt hat bestätigt" in message.body
