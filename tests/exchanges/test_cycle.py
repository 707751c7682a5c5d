"""Routing → proposal → answer (portal or signed link) → schedule → held → reflection → knowledge base."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cities.directory.models import ExpertProfile, User
from exchanges.cycle.models import Invitation, Meeting, Status
from exchanges.cycle.selectors import expert_suggestions
from exchanges.cycle.services.invitations import LINK_SALT
from exchanges.cycle.services.requests import request_transition
from exchanges.cycle.services.routing import request_route
from tests.exchanges.services.test_routing import REAL_EXAMPLES, accepted_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def matching(demo_world, db):
    """The Nürnberg mobility-station request, routed and looking for experts."""
    request = accepted_request(*REAL_EXAMPLES[1][:4])
    request_route(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.MATCHING
    return request


def people(*emails: str) -> list[User]:
    return [User.objects.get(email=email) for email in emails]


def propose(client, request, expert_email: str, actor_email: str = "koordination@example.org"):
    client.force_login(User.objects.get(email=actor_email))
    expert = ExpertProfile.objects.get(user__email=expert_email)
    return client.post(
        reverse("exchanges:propose_experts", args=[request.pk]),
        {"experts": [expert.pk], "message": "Hättest du Zeit?"},
    )


def link_from(outbox) -> str:
    return re.search(r"http://127\.0\.0\.1:8000(/einladung/\S+/)", outbox[-1].body).group(1)


def test_suggestions_rank_experts_of_routed_departments_first_with_reasons(client, matching):
    first, second = expert_suggestions(request=matching)
    names = [s.expert.user.display_name for s in first]
    # Bremen's mobility-station expert and Leipzig's mobility planner (who has a past exchange) lead.
    assert set(names[:2]) == {"Henrik Brandt", "Robert Schulze"}
    robert = next(s for s in first if s.expert.user.display_name == "Robert Schulze")
    assert any("frühere Austausche" in reason for reason in robert.reasons)
    assert any("Thema Mobilität" in reason for reason in first[0].reasons)
    assert all(s.expert.user.home_city.name != "Nürnberg" for s in first + second)
    client.force_login(User.objects.get(email="koordination@example.org"))
    page = client.get(matching.get_absolute_url()).content.decode()
    assert "Henrik Brandt" in page and "Vorgeschlagene Expertinnen und Experten" in page


def test_the_suggestion_list_needs_the_same_queries_for_a_small_and_a_large_pool(matching):
    from tests.cities.factories import ExpertProfileFactory

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            expert_suggestions(request=matching)
        return len(captured)

    few = count()
    mobility = matching.topics.first()
    bremen_department = matching.routing_decisions.filter(is_routed=True).first().department
    ExpertProfileFactory.create_batch(30, user__department=bremen_department, topics=[mobility])
    assert count() == few


def test_a_liaison_of_a_routed_department_sees_the_request_and_proposes(
    client, matching, django_capture_on_commit_callbacks
):
    liaison = User.objects.get(email="ressort.bremen@example.org")
    client.force_login(liaison)
    assert client.get(matching.get_absolute_url()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = propose(client, matching, "henrik.brandt@example.org", actor_email=liaison.email)
    assert response.status_code == 302
    assert Invitation.objects.get(request=matching).proposed_by == liaison
    # a liaison of a department the request was not routed to sees nothing
    client.force_login(User.objects.get(email="ressort.leipzig-schule@example.org"))
    assert client.get(matching.get_absolute_url()).status_code == 404


def test_the_expert_accepts_by_the_signed_link_once(client, matching, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        propose(client, matching, "henrik.brandt@example.org")
    expert = User.objects.get(email="henrik.brandt@example.org")
    assert mail.outbox[-1].to == [expert.email]
    link = link_from(mail.outbox)
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert matching.title in html and "Antwort senden" in html
    assert "lukas.meyer@example.org" not in html  # only the public part of the request

    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(link, {"answer": "accept", "note": "Im Februar gut möglich."})
    assert answered.status_code == 200
    matching.refresh_from_db()
    assert matching.status == Status.AGREED
    assert Invitation.objects.get(request=matching).status == "accepted"
    assert mail.outbox[-1].to == ["koordination@example.org"]  # the proposer hears of the answer

    reused = client.get(link)
    assert reused.status_code == 410
    again = client.post(link, {"answer": "decline", "note": "doch nicht"})
    assert "bereits beantwortet" in again.content.decode()
    assert Invitation.objects.get(request=matching).status == "accepted"


def test_a_tampered_or_expired_link_is_refused_and_changes_nothing(
    client, matching, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        propose(client, matching, "henrik.brandt@example.org")
    link = link_from(mail.outbox)
    client.logout()
    token = link.split("/")[2]

    tampered = client.post(
        link.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB")), {"answer": "accept"}
    )
    assert tampered.status_code == 400
    assert "nicht gültig" in tampered.content.decode()

    invitation = Invitation.objects.get(request=matching)
    old = signing.TimestampSigner(salt=LINK_SALT)
    expired_token = signing.dumps({"invitation": invitation.pk}, salt=LINK_SALT)
    import time as time_module

    real_time = time_module.time
    try:
        time_module.time = lambda: real_time() + 15 * 24 * 3600
        expired = client.post(
            reverse("exchanges:invitation_answer_link", args=[expired_token]), {"answer": "accept"}
        )
    finally:
        time_module.time = real_time
    assert expired.status_code == 400
    assert "abgelaufen" in expired.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "open" and old


def test_an_expert_sees_only_requests_they_were_asked_for(client, matching, request_in=None):
    expert = User.objects.get(email="henrik.brandt@example.org")
    client.force_login(expert)
    assert client.get(matching.get_absolute_url()).status_code == 404
    propose(client, matching, "henrik.brandt@example.org")
    client.force_login(expert)
    assert client.get(matching.get_absolute_url()).status_code == 200
    assert matching.reference in client.get(reverse("exchanges:my_invitations")).content.decode()
    other = User.objects.get(email="stefan.weber@example.org")
    client.force_login(other)
    assert client.get(matching.get_absolute_url()).status_code == 404


def test_declining_needs_a_reason_and_is_answered_in_the_portal(client, matching):
    propose(client, matching, "henrik.brandt@example.org")
    invitation = Invitation.objects.get(request=matching)
    client.force_login(User.objects.get(email="henrik.brandt@example.org"))
    url = reverse("exchanges:invitation_answer", args=[invitation.pk])
    without = client.post(url, {"answer": "decline", "note": ""})
    assert "Bitte korrigieren Sie" in without.content.decode()
    client.post(url, {"answer": "decline", "note": "Bin im Urlaub."})
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    matching.refresh_from_db()
    assert matching.status == Status.MATCHING


def _agreed(client, matching) -> None:
    propose(client, matching, "henrik.brandt@example.org")
    client.force_login(User.objects.get(email="henrik.brandt@example.org"))
    invitation = Invitation.objects.get(request=matching)
    client.post(
        reverse("exchanges:invitation_answer", args=[invitation.pk]), {"answer": "accept", "note": ""}
    )
    matching.refresh_from_db()
    assert matching.status == Status.AGREED


def _meeting_data(days: int = 20, hour: int = 10) -> dict:
    start = timezone.localtime() + timedelta(days=days)
    requester = User.objects.get(email="lukas.meyer@example.org")
    expert = User.objects.get(email="henrik.brandt@example.org")
    return {
        "starts_at": start.replace(hour=hour, minute=0).strftime("%d.%m.%Y %H:%M"),
        "ends_at": start.replace(hour=hour + 3, minute=0).strftime("%d.%m.%Y %H:%M"),
        "format": "workshop",
        "city": User.objects.get(email="lukas.meyer@example.org").home_city_id,
        "address": "Bauhof 1",
        "video_link": "",
        "participants": [requester.pk, expert.pk],
        "travellers": [expert.pk],
    }


def test_scheduling_sends_calendar_files_with_a_stable_uid(
    client, matching, django_capture_on_commit_callbacks
):
    _agreed(client, matching)
    client.force_login(User.objects.get(email="koordination@example.org"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchanges:meeting_edit", args=[matching.pk]), _meeting_data())
    assert response.status_code == 302
    matching.refresh_from_db()
    assert matching.status == Status.SCHEDULED
    first = [m for m in mail.outbox if m.attachments]
    assert {m.to[0] for m in first} == {"lukas.meyer@example.org", "henrik.brandt@example.org"}
    ics = first[0].attachments[0][1]
    uid = re.search(r"UID:(\S+)", ics).group(1)
    assert "SEQUENCE:0" in ics and "METHOD:REQUEST" in ics

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchanges:meeting_edit", args=[matching.pk]), _meeting_data(days=25))
    update = next(m for m in mail.outbox if m.attachments).attachments[0][1]
    assert f"UID:{uid}" in update and "SEQUENCE:1" in update
    assert Meeting.objects.filter(request=matching).count() == 1

    calendar = client.get(reverse("exchanges:meeting_calendar", args=[matching.pk]))
    assert calendar["Content-Type"].startswith("text/calendar")
    assert f"UID:{uid}" in calendar.content.decode()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request_transition(
            request_id=matching.pk,
            action="cancel",
            actor=User.objects.get(email="koordination@example.org"),
            comment="Krankheit",
        )
    cancel = next(m for m in mail.outbox if m.attachments).attachments[0][1]
    assert "METHOD:CANCEL" in cancel and f"UID:{uid}" in cancel and "STATUS:CANCELLED" in cancel


def test_a_meeting_in_the_past_or_ending_before_it_begins_is_explained(client, matching):
    _agreed(client, matching)
    client.force_login(User.objects.get(email="koordination@example.org"))
    data = _meeting_data()
    data["ends_at"] = data["starts_at"]
    response = client.post(reverse("exchanges:meeting_edit", args=[matching.pk]), data)
    assert "Bitte korrigieren Sie" in response.content.decode()
    assert 'value="Bauhof 1"' in response.content.decode()
    matching.refresh_from_db()
    assert matching.status == Status.AGREED


def test_held_reflection_completed_and_found_in_the_knowledge_base(
    client, matching, django_capture_on_commit_callbacks
):
    _agreed(client, matching)
    coordinator = User.objects.get(email="koordination@example.org")
    client.force_login(coordinator)
    client.post(reverse("exchanges:meeting_edit", args=[matching.pk]), _meeting_data())
    requester = User.objects.get(email="lukas.meyer@example.org")
    Meeting.objects.filter(request=matching).update(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=3),
    )
    from exchanges.cycle.services.meetings import remind_held

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_held(today=timezone.localdate()) >= 1
        assert remind_held(today=timezone.localdate()) == 0
    assert requester.email in [m.to[0] for m in mail.outbox]

    client.force_login(requester)
    client.post(
        reverse("exchanges:request_action", args=[matching.pk, "mark_held"]),
        {"mark_held-expected_status": "scheduled"},
    )
    matching.refresh_from_db()
    assert matching.status == Status.HELD

    response = client.post(
        reverse("exchanges:reflection_create", args=[matching.pk]),
        {
            "takeaway": "Die Mobilitätsstation mit der Wohnungsbaugesellschaft zusammen planen",
            "question": "Wie planen wir die erste Mobilitätsstation?",
            "learnt": "Früh die Wohnungsunternehmen einbinden; Standorte sichtbar machen.",
            "worked": "Werkstatt vor Ort",
            "did_not_work": "",
            "follow_ups": "Rückbesuch in Bremen",
            "would_recommend": "on",
        },
    )
    assert response.status_code == 302
    matching.refresh_from_db()
    assert matching.status == Status.COMPLETED

    client.force_login(User.objects.get(email="anna.schmidt@example.org"))
    found = client.get(reverse("exchanges:knowledge_base"), {"q": "Mobilitätsstationen"})
    assert "Die Mobilitätsstation mit der Wohnungsbaugesellschaft zusammen planen" in found.content.decode()
    nothing = client.get(reverse("exchanges:knowledge_base"), {"q": "Hitzeaktionsplan"})
    assert "Die Mobilitätsstation" not in nothing.content.decode()

    # the expert may add theirs afterwards
    client.force_login(User.objects.get(email="henrik.brandt@example.org"))
    assert client.get(reverse("exchanges:reflection_create", args=[matching.pk])).status_code == 200


def test_internal_reflections_stay_out_of_the_knowledge_base(client, matching):
    from exchanges.cycle.models import Reflection

    Reflection.objects.create(
        request=matching,
        author=matching.requester,
        side="requester",
        takeaway="Geheim",
        question="q",
        learnt="Mobilitätsstation intern",
        is_internal=True,
    )
    matching.status = Status.COMPLETED
    matching.save(update_fields=["status"])
    client.force_login(User.objects.get(email="anna.schmidt@example.org"))
    assert (
        "Geheim"
        not in client.get(reverse("exchanges:knowledge_base"), {"q": "Mobilitätsstation"}).content.decode()
    )


def test_the_knowledge_base_needs_the_same_queries_for_few_and_many_reflections(client, matching):
    from exchanges.cycle.models import Reflection
    from tests.exchanges.factories import ExchangeRequestFactory

    client.force_login(User.objects.get(email="anna.schmidt@example.org"))

    def add(count: int) -> None:
        for index in range(count):
            request = ExchangeRequestFactory(
                status=Status.COMPLETED, reference=f"CR-2020-{index + 100 * count:04d}"
            )
            Reflection.objects.create(
                request=request,
                author=request.requester,
                side="requester",
                takeaway=f"Erkenntnis {index}",
                question="q",
                learnt="Quartier",
            )

    def count() -> int:
        client.get(reverse("exchanges:knowledge_base"), {"q": "Quartier"})
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("exchanges:knowledge_base"), {"q": "Quartier"})
        return len(captured)

    add(3)
    few = count()
    add(20)
    assert count() == few
