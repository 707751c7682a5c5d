"""Calendar files a calendar program can read, reminders, and who may use the cycle's pages."""

import re
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cities.directory.models import ExpertProfile, User
from exchanges.cycle.models import ExchangeRequest, Invitation, Meeting, Status
from exchanges.cycle.services.calendar import meeting_ics
from exchanges.cycle.services.invitations import invitations_propose, remind_open_invitations
from exchanges.cycle.services.reflections import remind_reflections
from exchanges.cycle.services.requests import request_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_all(demo_world, db):
    """The whole demo network (loaded once for this module: tests/conftest.py, demo_world)."""


def test_the_calendar_file_is_valid_icalendar_with_a_stable_uid(demo_all):
    meeting = Meeting.objects.get(request__status=Status.SCHEDULED)
    calendar = icalendar.Calendar.from_ical(meeting_ics(meeting))
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["UID"]) == f"cr-request-{meeting.request_id}@koopstadt"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert "Rathaus, Raum 101" in str(event["LOCATION"])
    assert str(calendar["METHOD"]) == "REQUEST"
    cancelled = icalendar.Calendar.from_ical(meeting_ics(meeting, cancel=True))
    assert str(cancelled["METHOD"]) == "CANCEL"
    assert str(next(iter(cancelled.walk("VEVENT")))["STATUS"]) == "CANCELLED"


def test_mailed_calendar_messages_name_organizer_and_attendees_as_rfc_5546_wants(demo_all):
    """Without ORGANIZER and ATTENDEE Outlook offers no accept/decline for METHOD:REQUEST/CANCEL."""
    meeting = Meeting.objects.get(request__status=Status.SCHEDULED)
    people = {f"mailto:{person.email}" for person in meeting.participants.all()}
    assert people

    request = icalendar.Calendar.from_ical(meeting_ics(meeting))
    event = next(iter(request.walk("VEVENT")))
    assert str(event["ORGANIZER"]) == "mailto:cr-portal@example.org"
    assert event["ORGANIZER"].params["CN"] == "koopstadt C+R"
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert {str(attendee) for attendee in attendees} == people
    for attendee in attendees:
        assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == ("NEEDS-ACTION", "TRUE")
        assert attendee.params["CN"]

    cancel = next(iter(icalendar.Calendar.from_ical(meeting_ics(meeting, cancel=True)).walk("VEVENT")))
    assert str(cancel["ORGANIZER"]) == "mailto:cr-portal@example.org"
    cancelled = cancel["ATTENDEE"] if isinstance(cancel["ATTENDEE"], list) else [cancel["ATTENDEE"]]
    assert {str(attendee) for attendee in cancelled} == people


def test_the_downloaded_calendar_file_is_published_and_asks_nobody_for_an_answer(client, demo_all):
    meeting = Meeting.objects.get(request__status=Status.SCHEDULED)
    client.force_login(meeting.request.requester)
    response = client.get(reverse("exchanges:meeting_calendar", args=[meeting.request_id]))
    calendar = icalendar.Calendar.from_ical(response.content)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert "ORGANIZER" in event and "ATTENDEE" not in event


def test_what_people_typed_cannot_break_out_of_its_calendar_property(demo_all):
    meeting = Meeting.objects.get(request__status=Status.SCHEDULED)
    ExchangeRequest.objects.filter(pk=meeting.request_id).update(
        title='Werkstatt\rBEGIN:VALARM\rTRIGGER:-PT1M\rEND:VALARM; Teil 2, "neu"\x07'
    )
    meeting.participants.update(display_name='Eve "X"\r\nATTENDEE:mailto:evil@example.org')
    meeting.refresh_from_db()
    text = meeting_ics(meeting)

    assert not re.search("\r(?!\n)", text), "a bare carriage return"
    assert "\x07" not in text
    assert not any(line.startswith(("BEGIN:VALARM", "ATTENDEE:mailto:evil")) for line in text.split("\r\n"))
    event = next(iter(icalendar.Calendar.from_ical(text).walk("VEVENT")))
    assert not list(event.walk("VALARM"))
    assert "BEGIN:VALARM" in str(event["SUMMARY"]) and 'Teil 2, "neu"' in str(event["SUMMARY"])
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert "mailto:evil@example.org" not in {str(attendee) for attendee in attendees}


def test_an_unanswered_invitation_is_reminded_once_after_three_working_days(
    demo_all, django_capture_on_commit_callbacks
):
    request = ExchangeRequest.objects.get(title="Zwischennutzung leerstehender Ladenlokale")
    expert = ExpertProfile.objects.get(user__email="leonie.scholz@example.org")
    invitations_propose(
        request=request,
        experts=[expert],
        message="",
        actor=User.objects.get(email="koordination@example.org"),
    )
    invitation = Invitation.objects.get(request=request, expert=expert)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_open_invitations(today=timezone.localdate()) == 0
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_open_invitations(today=timezone.localdate()) == 1
        assert remind_open_invitations(today=timezone.localdate()) == 0
    assert [m.to for m in mail.outbox] == [[expert.user.email]]
    assert "/einladung/" in mail.outbox[0].body


def test_a_missing_reflection_is_reminded_after_ten_working_days(
    demo_all, django_capture_on_commit_callbacks
):
    request = ExchangeRequest.objects.get(status=Status.SCHEDULED)
    # The meeting has taken place (moved into the past: test data).
    past = timezone.now() - timedelta(days=1)
    Meeting.objects.filter(request=request).update(starts_at=past, ends_at=past + timedelta(hours=2))
    request_transition(request_id=request.pk, action="mark_held", actor=request.requester)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_reflections(today=timezone.localdate()) == 0
        ExchangeRequest.objects.filter(pk=request.pk).update(
            status_changed_at=timezone.now() - timedelta(days=20)
        )
        assert remind_reflections(today=timezone.localdate()) == 1
        assert remind_reflections(today=timezone.localdate()) == 0
    assert [m.to for m in mail.outbox] == [[request.requester.email]]


PEOPLE = ["anonymous", "requester", "coordinator", "expert", "other_expert", "liaison", "other_staff"]
EMAILS = {
    "requester": "petra.neumann@example.org",
    "coordinator": "koordination@example.org",
    "expert": "andreas.roth@example.org",
    "other_expert": "henrik.brandt@example.org",
    "liaison": "ressort.nuernberg@example.org",  # a liaison of a department the request was NOT routed to
    "other_staff": "anna.schmidt@example.org",
}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(
    ("name", "readers"),
    [
        ("exchanges:request_detail", {"requester", "coordinator", "expert"}),
        ("exchanges:meeting_calendar", {"requester", "coordinator", "expert"}),
        ("exchanges:meeting_edit", {"requester", "coordinator"}),
        ("exchanges:reflection_create", set()),  # not held yet: nobody may write one
    ],
)
def test_cycle_pages_of_a_scheduled_request(client, demo_all, person, name, readers):
    request = ExchangeRequest.objects.get(title="Schulcampus und Ganztag")
    if person != "anonymous":
        client.force_login(User.objects.get(email=EMAILS[person]))
    response = client.get(reverse(name, args=[request.pk]))
    if person == "anonymous":
        assert response.status_code == 302
    elif name == "exchanges:reflection_create":
        # The requester and the accepted expert are sent back with the reason: the service would refuse
        # a reflection before the exchange took place, so the form is not offered (it was, before).
        assert response.status_code == (302 if person in {"requester", "expert"} else 404)
    elif name == "exchanges:meeting_edit" and person == "expert":
        assert response.status_code == 302  # sees the request, may not set the date
    else:
        assert response.status_code == (200 if person in readers else 404)
        if response.status_code == 404:
            assert request.title.encode() not in response.content


@pytest.mark.parametrize("person", PEOPLE)
def test_only_coordinators_correct_routing_and_propose(client, demo_all, person):
    request = ExchangeRequest.objects.get(title="Zwischennutzung leerstehender Ladenlokale")
    if person != "anonymous":
        client.force_login(User.objects.get(email=EMAILS[person]))
    expert = ExpertProfile.objects.get(user__email="leonie.scholz@example.org")
    client.post(reverse("exchanges:propose_experts", args=[request.pk]), {"experts": [expert.pk]})
    assert Invitation.objects.filter(request=request, expert=expert).exists() is (person == "coordinator")


def test_knowledge_base_and_invitations_need_a_log_in(client):
    for name in ["exchanges:knowledge_base", "exchanges:my_invitations"]:
        assert client.get(reverse(name)).status_code == 302


def test_someone_elses_invitation_is_not_found(client, demo_all):
    invitation = Invitation.objects.filter(expert__user__email="andreas.roth@example.org").first()
    client.force_login(User.objects.get(email="henrik.brandt@example.org"))
    assert client.get(reverse("exchanges:invitation_answer", args=[invitation.pk])).status_code == 404


def test_the_knowledge_base_finds_word_forms_without_postgresql_too(demo_all, monkeypatch):
    from types import SimpleNamespace

    from exchanges.cycle.selectors import knowledge_base

    monkeypatch.setattr("exchanges.cycle.selectors.connection", SimpleNamespace(vendor="sqlite"))
    assert knowledge_base(text="Mobilitätsstationen").count() == 1
    assert knowledge_base(text="Radabstellanlagen").count() == 1
    assert knowledge_base(text="Hitzeaktionsplan").count() == 0
