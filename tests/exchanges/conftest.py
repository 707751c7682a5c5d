import pytest

from cities.roles import Role
from exchanges.models import ExchangeRequest, Status
from exchanges.services.requests import request_transition
from tests.cities.factories import CityFactory, DepartmentFactory, UserFactory
from tests.exchanges.factories import ExchangeRequestFactory


@pytest.fixture
def city(db):  # type: ignore[no-untyped-def]
    return CityFactory(name="Leipzig", slug="leipzig", federal_state="SN")


@pytest.fixture
def other_city(db):  # type: ignore[no-untyped-def]
    return CityFactory(name="Bremen", slug="bremen", federal_state="HB")


@pytest.fixture
def people(city, other_city):  # type: ignore[no-untyped-def]
    """One person per role in the requester's city, plus outsiders in another city."""
    home = DepartmentFactory(city=city)
    away = DepartmentFactory(city=other_city)
    return {
        "requester": UserFactory(department=home, roles=[Role.STAFF], display_name="Anna Schmidt"),
        "colleague": UserFactory(department=home, roles=[Role.STAFF]),
        "contact": UserFactory(
            department=home, roles=[Role.CITY_CONTACT, Role.STAFF], display_name="Martin Richter"
        ),
        "foreign_contact": UserFactory(department=away, roles=[Role.CITY_CONTACT, Role.STAFF]),
        "coordinator": UserFactory(department=away, roles=[Role.COORDINATOR], display_name="Sabine Lorenz"),
        "liaison": UserFactory(department=home, roles=[Role.DEPARTMENT_LIAISON]),
        "expert": UserFactory(department=away, roles=[Role.EXPERT]),
        "finance": UserFactory(department=home, roles=[Role.FINANCE]),
    }


def make_request(people, status: Status = Status.DRAFT) -> ExchangeRequest:  # type: ignore[no-untyped-def]
    """A request of the requester brought to ``status`` through the real transitions."""
    request = ExchangeRequestFactory(requester=people["requester"])
    path = {
        Status.DRAFT: [],
        Status.SUBMITTED: [("submit", "requester")],
        Status.RETURNED: [("submit", "requester"), ("return_for_changes", "contact")],
        Status.ROUTING: [("submit", "requester"), ("accept", "contact")],
        Status.MATCHING: [("submit", "requester"), ("accept", "contact"), ("start_matching", "coordinator")],
        Status.AGREED: [
            ("submit", "requester"),
            ("accept", "contact"),
            ("start_matching", "coordinator"),
            ("agree", "coordinator"),
        ],
        Status.SCHEDULED: [
            ("submit", "requester"),
            ("accept", "contact"),
            ("start_matching", "coordinator"),
            ("agree", "coordinator"),
            ("schedule", "coordinator"),
        ],
        Status.HELD: [
            ("submit", "requester"),
            ("accept", "contact"),
            ("start_matching", "coordinator"),
            ("agree", "coordinator"),
            ("schedule", "coordinator"),
            ("mark_held", "requester"),
        ],
        Status.COMPLETED: [
            ("submit", "requester"),
            ("accept", "contact"),
            ("start_matching", "coordinator"),
            ("agree", "coordinator"),
            ("schedule", "coordinator"),
            ("mark_held", "requester"),
            ("complete", "requester"),
        ],
        Status.WITHDRAWN: [("submit", "requester"), ("withdraw", "requester")],
        Status.REJECTED: [("submit", "requester"), ("reject", "coordinator")],
        Status.CANCELLED: [("submit", "requester"), ("accept", "contact"), ("cancel", "coordinator")],
    }[status]
    for action, who in path:
        request_transition(request_id=request.pk, action=action, actor=people[who], comment="Grund")
    request.refresh_from_db()
    assert request.status == status
    return request


@pytest.fixture
def request_in(people):  # type: ignore[no-untyped-def]
    return lambda status=Status.DRAFT: make_request(people, status)
