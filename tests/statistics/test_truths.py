"""Figures stay true: closed requests are never held, anonymised people still count, the cost of the
statistics does not grow with the data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cities.directory.models import User
from exchanges.cycle.models import InvitationStatus, Reflection, Status
from exchanges.privacy.people import person_anonymise
from exchanges.statistics.figures import completed_exchanges, statistics_for
from exchanges.travel.models import ClaimStatus
from tests.cities.factories import UserFactory
from tests.statistics.conftest import YEAR_2025, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HELD_KEYS = ("city_matrix_held", "city_balance", "held_per_year", "cost_per_exchange")


def figure(tables, label):
    return dict(tables["key_figures"].rows)[label]


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.WITHDRAWN])
def test_cancelled_and_withdrawn_requests_are_never_held(world, status):
    coordinator = world.people["coordinator"]
    before = statistics_for(user=coordinator, period=YEAR_2025)
    # A request closed after everything was arranged: expert agreed, meeting in the period, even a claim.
    closed = world.request("closed", "leipzig", status, at(2025, 2, 1), ["wohnen"], "workshop")
    world.invite(closed, "bremen", InvitationStatus.ACCEPTED, at(2025, 2, 3), at(2025, 2, 2))
    world.meet(closed, at(2025, 3, 1), "workshop")

    after = statistics_for(user=coordinator, period=YEAR_2025)

    assert figure(after, "Exchanges held") == 3
    assert figure(after, "People taking part (requesters and experts)") == 6
    for key in HELD_KEYS:
        assert after[key] == before[key], key
    label = "Requests withdrawn" if status == Status.WITHDRAWN else "Requests cancelled"
    assert figure(after, label) == figure(before, label) + 1
    assert figure(after, "Requests submitted") == 9
    assert [e["title"] for e in completed_exchanges(user=coordinator, period=YEAR_2025)] == [
        "Request R1",
        "Request R3",
    ]


def test_anonymised_people_still_count(world):
    coordinator = world.people["coordinator"]
    before = statistics_for(user=coordinator, period=YEAR_2025)
    admin = UserFactory(is_superuser=True)

    # The Nürnberg expert of the fixture is anonymised already; now the Nürnberg requester asks too.
    person_anonymise(actor=admin, person=world.people["requester_nuernberg"])
    assert User.objects.filter(anonymised_at__isnull=False).count() == 2

    after = statistics_for(user=coordinator, period=YEAR_2025)
    assert figure(after, "People taking part (requesters and experts)") == 6
    assert after == before


def test_the_requester_is_counted_once_however_many_exchanges(world):
    coordinator = world.people["coordinator"]
    # Bremen's requester has a second exchange held in 2025, with the same Leipzig expert.
    again = world.request("again", "bremen", Status.HELD, at(2025, 8, 1), ["wohnen"], "workshop")
    world.invite(again, "leipzig", InvitationStatus.ACCEPTED, at(2025, 8, 3), at(2025, 8, 2))
    world.meet(again, at(2025, 9, 1), "workshop")

    tables = statistics_for(user=coordinator, period=YEAR_2025)

    assert figure(tables, "Exchanges held") == 4
    assert figure(tables, "People taking part (requesters and experts)") == 6
    assert tables["city_matrix_held"].rows[0] == ["Bremen", 0, 2, 0, 2]


def _grow(world, count: int) -> None:
    """``count`` more requests of every kind: held with claims and reflections, open, closed."""
    kinds = [Status.COMPLETED, Status.HELD, Status.MATCHING, Status.SUBMITTED, Status.CANCELLED]
    cities = ["bremen", "leipzig", "nuernberg"]
    for n in range(count):
        status = kinds[n % len(kinds)]
        city, other = cities[n % 3], cities[(n + 1) % 3]
        day = at(2025, 1 + n % 12, 1 + n % 27)
        request = world.request(f"G{n}", city, status, day, ["wohnen", "mobil"], "workshop")
        world.routed_on(request, day + timedelta(days=1))
        world.route(request, other)
        if status in (Status.COMPLETED, Status.HELD, Status.CANCELLED):
            world.invite(request, other, InvitationStatus.ACCEPTED, day + timedelta(days=2), day)
            world.meet(request, day + timedelta(days=20), "workshop")
            world.claim(
                request,
                world.experts[other].user,
                ClaimStatus.BOOKED,
                day + timedelta(days=20),
                "10.00",
                day + timedelta(days=25),
                ("10.00", day + timedelta(days=26)),
            )
        else:
            world.invite(request, other, InvitationStatus.OPEN, None, day)
        if status == Status.COMPLETED:
            world.reflect(request, request.requester, Reflection.Side.REQUESTER, f"Takeaway {n}")


def _queries(user_pk: int) -> tuple[int, dict]:
    user = User.objects.get(pk=user_pk)  # fresh: the role lookup is part of the cost
    with CaptureQueriesContext(connection) as captured:
        tables = statistics_for(user=user, period=YEAR_2025)
    return len(captured), tables


@pytest.mark.parametrize("person", ["coordinator", "contact_bremen"])
def test_constant_number_of_queries_for_10_and_200_requests(world, person):
    user_pk = world.people[person].pk
    _grow(world, 10)
    few, few_tables = _queries(user_pk)

    _grow(world, 190)
    many, many_tables = _queries(user_pk)

    assert many == few
    assert few <= (25 if connection.vendor == "postgresql" else 28)
    # The figures did grow: the queries are not constant because they miss the new rows.
    assert figure(many_tables, "Requests submitted") > figure(few_tables, "Requests submitted") + 50
    assert many_tables["costs_by_year"].totals[1] > few_tables["costs_by_year"].totals[1] + Decimal("300")
