from datetime import timedelta

import pytest
from django.utils import timezone

from cities.directory.roles import Role
from exchanges.cycle.models import ExchangeRequest, Invitation, Meeting, Status
from exchanges.cycle.services.invitations import invitation_answer, invitations_propose
from exchanges.cycle.services.meetings import meeting_participant_choices, meeting_schedule
from exchanges.cycle.services.reflections import reflection_submit
from exchanges.cycle.services.requests import request_transition
from exchanges.cycle.services.routing import routing_correct
from tests.cities.factories import CityFactory, DepartmentFactory, ExpertProfileFactory, UserFactory
from tests.exchanges.factories import ExchangeRequestFactory

REFLECTION = {
    "takeaway": "Früh beteiligen",
    "question": "Wie beteiligen wir die Nachbarschaft?",
    "learnt": "Mit einer offenen Werkstatt vor Ort.",
}


@pytest.fixture
def city(db):
    return CityFactory(name="Leipzig", slug="leipzig", federal_state="SN")


@pytest.fixture
def other_city(db):
    return CityFactory(name="Bremen", slug="bremen", federal_state="HB")


@pytest.fixture
def people(city, other_city):
    """One person per role in the requester's city, plus outsiders in another city."""
    return make_people(city, other_city)


def make_people(city, other_city) -> dict:
    """The ``people`` of the fixture, for fixtures of a wider scope."""
    home = DepartmentFactory(city=city)
    away = DepartmentFactory(city=other_city)
    expert = UserFactory(department=away, roles=[Role.EXPERT, Role.STAFF], display_name="Henrik Brandt")
    ExpertProfileFactory(user=expert)
    return {
        "requester": UserFactory(department=home, roles=[Role.STAFF], display_name="Anna Schmidt"),
        "colleague": UserFactory(department=home, roles=[Role.STAFF]),
        "contact": UserFactory(
            department=home, roles=[Role.CITY_CONTACT, Role.STAFF], display_name="Martin Richter"
        ),
        "foreign_contact": UserFactory(department=away, roles=[Role.CITY_CONTACT, Role.STAFF]),
        "coordinator": UserFactory(department=away, roles=[Role.COORDINATOR], display_name="Sabine Lorenz"),
        "liaison": UserFactory(department=home, roles=[Role.DEPARTMENT_LIAISON]),
        "expert": expert,
        "finance": UserFactory(department=home, roles=[Role.FINANCE]),
    }


def bring_to(request: ExchangeRequest, people, status: Status) -> ExchangeRequest:
    """Take ``request`` (a draft) to ``status`` the way people do: every step through its service, every
    fact made true on the way (routed department, an accepted invitation, a saved meeting that has
    begun, the requester's reflection)."""
    order = [
        Status.SUBMITTED,
        Status.ROUTING,
        Status.MATCHING,
        Status.AGREED,
        Status.SCHEDULED,
        Status.HELD,
        Status.COMPLETED,
    ]
    closing = {
        Status.RETURNED: (Status.SUBMITTED, "return_for_changes", "contact"),
        Status.WITHDRAWN: (Status.SUBMITTED, "withdraw", "requester"),
        Status.REJECTED: (Status.SUBMITTED, "reject", "coordinator"),
        Status.CANCELLED: (Status.ROUTING, "cancel", "coordinator"),
    }
    if status in closing:
        before, action, who = closing[status]
        bring_to(request, people, before)
        request_transition(request_id=request.pk, action=action, actor=people[who], comment="Grund")
        request.refresh_from_db()
        return request
    coordinator, expert = people["coordinator"], people["expert"]
    for step in order[: order.index(status) + 1] if status in order else []:
        if step == Status.SUBMITTED:
            request_transition(request_id=request.pk, action="submit", actor=request.requester)
        elif step == Status.ROUTING:
            request_transition(request_id=request.pk, action="accept", actor=people["contact"])
        elif step == Status.MATCHING:
            routing_correct(
                request=request,
                department=expert.department,
                routed=True,
                note="Passt fachlich",
                actor=coordinator,
            )
        elif step == Status.AGREED:
            invitations_propose(
                request=request, experts=[expert.expert_profile], message="", actor=coordinator
            )
            invitation = Invitation.objects.get(request=request, expert__user=expert, status="open")
            invitation_answer(invitation_id=invitation.pk, accept=True, note="Gern", actor=expert)
        elif step == Status.SCHEDULED:
            start = timezone.now() + timedelta(days=7)
            people_ = meeting_participant_choices(request)
            meeting_schedule(
                request=request,
                actor=coordinator,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                format="workshop",
                city=expert.home_city,
                address="Rathaus, Raum 1",
                video_link="",
                participants=people_,
                travellers=people_[1:],
            )
        elif step == Status.HELD:
            # The meeting has taken place (a week ago): test data, not a path through the portal.
            past = timezone.now() - timedelta(days=7)
            Meeting.objects.filter(request=request).update(starts_at=past, ends_at=past + timedelta(hours=3))
            request_transition(request_id=request.pk, action="mark_held", actor=request.requester)
        elif step == Status.COMPLETED:
            reflection_submit(request=request, author=request.requester, data=REFLECTION)
    request.refresh_from_db()
    return request


def make_request(people, status: Status = Status.DRAFT) -> ExchangeRequest:
    """A request of the requester brought to ``status`` through the real services."""
    request = ExchangeRequestFactory(requester=people["requester"])
    bring_to(request, people, status)
    assert request.status == status
    return request


@pytest.fixture
def request_in(people):
    return lambda status=Status.DRAFT: make_request(people, status)
