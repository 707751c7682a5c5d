"""Trip requests in the data protection tools: a person's data export lists their trips (as traveller and as
supervisor), and anonymising removes what they wrote and, for a supervisor without an account, their name
and address on the trips they were asked to approve."""

from datetime import timedelta
from decimal import Decimal as D

import pytest

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest, Meeting
from exchanges.privacy.people import REDACTED, person_anonymise, person_data
from exchanges.travel.models import TripRequest
from exchanges.travel.services.trips import trip_create, trip_submit
from tests.cities.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trip(demo_world) -> TripRequest:
    exchange = ExchangeRequest.objects.get(title="Schulcampus und Ganztag")
    petra = User.objects.get(email="petra.neumann@example.org")
    boss = UserFactory(email="ines.vogt@example.org", display_name="Ines Vogt", home_city=petra.home_city)
    meeting = Meeting.objects.get(request=exchange)
    trip = trip_create(
        exchange=exchange,
        traveller=petra,
        actor=petra,
        data={
            "starts_at": meeting.starts_at - timedelta(hours=3),
            "ends_at": meeting.ends_at + timedelta(hours=3),
            "destination": "Nürnberg, Bildungscampus Süd",
            "fare": D("99.00"),
            "higher_class": True,
            "higher_class_reason": "Arbeit an der Präsentation während der Fahrt",
            "supervisor": boss,
        },
    )
    return trip_submit(trip_id=trip.pk, actor=petra)


def _section(person: User, key: str):
    return next(section for section in person_data(person=person) if section.key == key)


def test_the_data_export_lists_the_trips_of_the_traveller_and_of_the_supervisor(trip):
    for person in (trip.traveller, User.objects.get(email="ines.vogt@example.org")):
        rows = _section(person, "trip_requests").rows
        assert "Nürnberg, Bildungscampus Süd" in [row["destination"] for row in rows]


def test_anonymising_the_traveller_removes_what_they_wrote_and_keeps_the_figures(trip):
    admin = User.objects.filter(is_superuser=True).first() or UserFactory(is_superuser=True, is_staff=True)
    person_anonymise(actor=admin, person=trip.traveller)
    trip.refresh_from_db()
    assert trip.destination == REDACTED and trip.higher_class_reason == REDACTED
    assert trip.estimated_total > 0  # figures stay for the budget


def test_anonymising_the_supervisor_removes_their_name_and_address_from_the_trips(trip):
    admin = User.objects.filter(is_superuser=True).first() or UserFactory(is_superuser=True, is_staff=True)
    person_anonymise(actor=admin, person=User.objects.get(email="ines.vogt@example.org"))
    trip.refresh_from_db()
    assert "Vogt" not in trip.supervisor_name and "vogt" not in trip.supervisor_email
