"""Who sees which figures: the network for the coordination, one's own city for a city contact, nothing else."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from cities.directory.roles import Role
from exchanges.statistics.figures import completed_exchanges, may_see_statistics, statistics_for
from exchanges.statistics.tables import Period
from tests.cities.factories import UserFactory
from tests.statistics.conftest import YEAR_2025

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def rows(tables, key):
    return tables[key].rows


def test_city_contact_sees_only_the_figures_of_their_city(world):
    tables = statistics_for(user=world.people["contact_bremen"], period=YEAR_2025)

    assert rows(tables, "key_figures") == [
        ["Requests submitted", 3],
        ["Exchanges held", 3],
        ["Held exchanges completed with a reflection (%)", D("66.7")],
        ["Answered invitations accepted (%)", D("80.0")],
        ["People taking part (requesters and experts)", 6],
        ["Median days from submission to routing", D("3.0")],
        ["Median days from submission to agreement", D("7.0")],
        ["Median days from submission to the exchange", D("30.0")],
        ["Overdue requests (city contact's deadline passed)", 1],
        ["Overdue invitations (no answer within the reminder period)", 0],
        ["Requests withdrawn", 0],
        ["Requests cancelled", 1],
    ]
    assert rows(tables, "requests_by_city") == [["Bremen", 3]]
    assert rows(tables, "requests_by_topic") == [["Wohnen", 3]]
    assert rows(tables, "held_per_year") == [[2024, 1], [2025, 3]]
    # Only the pairs Bremen is part of: Leipzig's experts in R2 from Nürnberg are not Bremen's business.
    assert tables["city_matrix_held"].columns[1:] == ["Bremen", "Leipzig", "Total"]
    assert rows(tables, "city_matrix_held") == [
        ["Bremen", 0, 1, 1],
        ["Leipzig", 1, 0, 1],
        ["Nürnberg", 1, 0, 1],
    ]
    assert tables["city_matrix_held"].totals == ["Total", 2, 1, 3]
    assert rows(tables, "city_balance") == [["Bremen", 2, 1]]
    assert rows(tables, "city_matrix_requests") == [
        ["Bremen", 0, 1, 1, 3],
        ["Leipzig", 2, 0, 0, 2],
        ["Nürnberg", 2, 0, 0, 2],
    ]
    assert tables["city_matrix_requests"].totals == ["Total", 4, 1, 1, 7]
    # R10 (Leipzig asked, Nürnberg coached) is not Bremen's: its 80 EUR in 2026 are left out.
    assert rows(tables, "costs_by_year") == [[2024, D("300.00")], [2025, D("430.00")]]
    assert rows(tables, "costs_by_city") == [["Bremen", D("180.00")], ["Leipzig", D("250.00")]]
    assert {row[4] for row in rows(tables, "budget_use")} == {D("400.00")}


def test_a_city_contact_cannot_ask_for_another_city(world):
    contact = world.people["contact_bremen"]
    own = statistics_for(user=contact, period=YEAR_2025)
    asked_for_leipzig = statistics_for(user=contact, period=YEAR_2025, city_id=world.cities["leipzig"].pk)

    assert asked_for_leipzig == own
    assert rows(asked_for_leipzig, "requests_by_city") == [["Bremen", 3]]


def test_coordinators_can_limit_the_figures_to_one_city(world):
    coordinator = world.people["coordinator"]
    leipzig = statistics_for(user=coordinator, period=YEAR_2025, city_id=world.cities["leipzig"].pk)
    contact_view = statistics_for(user=world.people["contact_leipzig"], period=YEAR_2025)

    assert leipzig == contact_view
    assert rows(leipzig, "requests_by_city") == [["Leipzig", 3]]
    assert rows(leipzig, "city_balance") == [["Leipzig", 1, 1]]
    # No city budget for Leipzig: the budget column stays empty rather than showing the network's.
    assert {row[4] for row in rows(leipzig, "budget_use")} == {None}


def test_completed_exchanges_are_scoped_like_the_figures(world):
    contact = world.people["contact_leipzig"]
    exchanges = completed_exchanges(user=contact, period=YEAR_2025, city_id=world.cities["nuernberg"].pk)

    # R1 (Bremen asked, a Leipzig expert coached) only; R3 (Nürnberg ← Bremen) is not Leipzig's.
    assert [e["title"] for e in exchanges] == ["Request R1"]


@pytest.mark.parametrize(
    "roles", [[Role.STAFF], [Role.FINANCE], [Role.EXPERT, Role.STAFF], [Role.DEPARTMENT_LIAISON], []]
)
def test_other_roles_are_refused(world, roles):
    person = UserFactory(department=world.departments["bremen"], roles=roles)

    assert may_see_statistics(person) is False
    with pytest.raises(PermissionDenied):
        statistics_for(user=person, period=YEAR_2025)
    with pytest.raises(PermissionDenied):
        completed_exchanges(user=person, period=YEAR_2025)


def test_who_may_see_statistics(world):
    assert may_see_statistics(AnonymousUser()) is False
    assert may_see_statistics(world.people["coordinator"]) is True
    assert may_see_statistics(world.people["contact_bremen"]) is True
    assert may_see_statistics(UserFactory(is_superuser=True)) is True


def test_a_superuser_sees_the_network(world):
    admin = UserFactory(is_superuser=True)
    tables = statistics_for(user=admin, period=YEAR_2025)

    assert rows(tables, "requests_by_city") == [["Bremen", 3], ["Leipzig", 3], ["Nürnberg", 2]]


def test_city_contact_without_a_home_city_is_refused(world):
    contact = UserFactory(roles=[Role.CITY_CONTACT], home_city=None)

    with pytest.raises(PermissionDenied):
        statistics_for(user=contact, period=YEAR_2025)


def test_the_period_decides_what_counts(world):
    first_half = statistics_for(
        user=world.people["coordinator"], period=Period(date(2025, 1, 1), date(2025, 6, 30))
    )

    assert rows(first_half, "key_figures")[0] == ["Requests submitted", 4]
    assert rows(first_half, "key_figures")[1] == ["Exchanges held", 3]
