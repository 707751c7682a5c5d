"""The demo network's city matrix, checked against a count done by hand."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from cities.directory.models import User
from exchanges.cycle.models import RoutingDecision
from exchanges.statistics.figures import completed_exchanges, statistics_for
from exchanges.statistics.tables import Period
from koopstadt.development.demo_exchanges import DEMO_REFLECTION

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def demo_network(demo_world, db):
    today = timezone.localdate()
    # The demo's one exchange took place about 60 days ago; every demo request was submitted today.
    return Period(today - timedelta(days=365), today)


def test_demo_city_matrix_of_exchanges_held(demo_network):
    coordinator = User.objects.get(email="koordination@example.org")
    tables = statistics_for(user=coordinator, period=demo_network)

    # By hand: the demo holds two exchanges. "Radverkehr und Mobilitätsstation am Bahnhof": Jonas Fischer
    # (Bremen) asked, Robert Schulze (Leipzig) coached; "Bildungs- und Quartierszentren in Bremen
    # besichtigen": Petra Neumann (Leipzig) asked, Gesa Lüders (Bremen) coached.
    matrix = tables["city_matrix_held"]
    assert matrix.columns[1:] == ["Bremen", "Leipzig", "Total"]
    assert matrix.rows == [["Bremen", 0, 1, 1], ["Leipzig", 1, 0, 1]]
    assert matrix.totals == ["Total", 1, 1, 2]
    assert tables["city_balance"].rows == [["Bremen", 1, 1], ["Leipzig", 1, 1]]
    key = dict(tables["key_figures"].rows)
    assert key["Exchanges held"] == 2
    assert key["People taking part (requesters and experts)"] == 4
    assert key["Requests withdrawn"] == 1
    # Leipzig: Anna Schmidt 2, Petra Neumann 3; Nürnberg: Lukas Meyer 2; Bremen: Jonas Fischer 2 (his
    # third request is a draft and never counts).
    assert tables["requests_by_city"].rows == [["Bremen", 2], ["Leipzig", 5], ["Nürnberg", 2]]
    (exchange,) = completed_exchanges(user=coordinator, period=demo_network)
    assert exchange["reference"].startswith("CR-")
    assert exchange["title"] == "Radverkehr und Mobilitätsstation am Bahnhof"
    assert (exchange["requester_city"], exchange["expert_cities"]) == ("Bremen", ["Leipzig"])
    assert exchange["meeting_date"] == timezone.localdate() - timedelta(days=60)
    assert exchange["takeaways"] == [DEMO_REFLECTION["takeaway"]]


def test_demo_city_matrix_of_requests_matches_a_count_by_hand(demo_network):
    coordinator = User.objects.get(email="koordination@example.org")
    tables = statistics_for(user=coordinator, period=demo_network)

    # Count by hand: walk through every routing decision once.
    cells: Counter = Counter()
    per_column: dict[str, set[int]] = {}
    for decision in RoutingDecision.objects.filter(is_routed=True).select_related(
        "request__requester_city", "department__city"
    ):
        pair = (decision.request.requester_city.name, decision.department.city.name)
        cells[pair] += 1
        per_column.setdefault(pair[1], set()).add(decision.request_id)
    assert cells, "the demo routes some requests"

    matrix = tables["city_matrix_requests"]
    columns = matrix.columns[1:-1]
    assert columns == sorted(per_column)
    found = {(row[0], column): row[1 + i] for row in matrix.rows for i, column in enumerate(columns)}
    assert {pair: n for pair, n in found.items() if n} == dict(cells)
    assert matrix.totals[1:-1] == [len(per_column[c]) for c in columns]
    assert [row[-1] for row in matrix.rows] == [2, 5, 2]
    assert matrix.totals[-1] == 9


def test_demo_city_contact_sees_bremen_only(demo_network):
    contact = User.objects.get(email="kontakt.bremen@example.org")
    tables = statistics_for(user=contact, period=demo_network)

    assert tables["requests_by_city"].rows == [["Bremen", 2]]
    assert tables["city_balance"].rows == [["Bremen", 1, 1]]
