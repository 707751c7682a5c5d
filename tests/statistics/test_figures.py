"""Every table of the statistics on the fixed network of ``conftest.py``, with the values counted by hand."""

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from exchanges.statistics.figures import TABLE_KEYS, completed_exchanges, default_period, statistics_for
from exchanges.statistics.tables import Period, StatTable
from exchanges.travel.models import Commitment, TripRequest, TripStatus
from tests.statistics.conftest import YEAR_2025

BERLIN = ZoneInfo("Europe/Berlin")

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
HELD_CORNER = "Requester city (rows) / expert city (columns)"
REQUESTS_CORNER = "Requester city (rows) / routed to city (columns)"


@pytest.fixture
def network(world):
    return statistics_for(user=world.people["coordinator"], period=YEAR_2025)


def test_default_period_is_the_calendar_year():
    assert default_period(date(2026, 11, 22)) == Period(date(2026, 1, 1), date(2026, 12, 31))


def test_every_table_is_there_and_well_formed(network):
    assert list(network) == list(TABLE_KEYS)
    for key, table in network.items():
        assert isinstance(table, StatTable)
        assert table.key == key
        assert table.title and table.summary
        for row in table.rows:
            assert len(row) == len(table.columns), key
        if table.totals is not None:
            assert len(table.totals) == len(table.columns), key


def test_key_figures(network):
    assert network["key_figures"].chart == "none"
    assert network["key_figures"].rows == [
        ["Requests submitted", 8],
        ["Exchanges held", 3],
        ["Held exchanges completed with a reflection (%)", D("66.7")],
        ["Answered invitations accepted (%)", D("85.7")],
        ["People taking part (requesters and experts)", 6],
        ["Median days from submission to routing", D("3.0")],
        ["Median days from submission to agreement", D("8.0")],
        ["Median days from submission to the exchange", D("30.5")],
        ["Overdue requests (city contact's deadline passed)", 1],
        ["Overdue invitations (no answer within the reminder period)", 1],
        ["Requests withdrawn", 1],
        ["Requests cancelled", 1],
    ]


def test_requests_by_state(network):
    table = network["requests_by_state"]
    assert table.rows == [
        ["Submitted", 1],
        ["Returned for changes", 0],
        ["Being routed", 0],
        ["Finding experts", 1],
        ["Expert agreed", 0],
        ["Scheduled", 0],
        ["Held", 2],
        ["Completed", 2],
        ["Withdrawn", 1],
        ["Rejected", 0],
        ["Cancelled", 1],
    ]
    assert table.totals == ["Total", 8]


def test_requests_by_topic_format_and_city(network):
    assert network["requests_by_topic"].rows == [["Wohnen", 5], ["Mobilität", 4]]
    assert network["requests_by_format"].rows == [
        ["Bilateral meeting", 1],
        ["Workshop", 4],
        ["Public event", 0],
        ["Site visit", 1],
        ["Video call", 1],
        ["not given", 1],
    ]
    assert network["requests_by_format"].totals == ["Total", 8]
    assert network["requests_by_city"].rows == [["Bremen", 3], ["Leipzig", 3], ["Nürnberg", 2]]


def test_held_per_year_covers_all_years(network):
    table = network["held_per_year"]
    assert table.chart == "line"
    assert table.rows == [[2024, 1], [2025, 3], [2026, 1]]
    assert table.totals == ["Total", 5]


def test_city_matrix_of_exchanges_held(network):
    table = network["city_matrix_held"]
    assert table.chart == "matrix"
    assert table.columns == [HELD_CORNER, "Bremen", "Leipzig", "Nürnberg", "Total"]
    assert table.rows == [
        ["Bremen", 0, 1, 0, 1],
        ["Leipzig", 1, 0, 1, 1],
        ["Nürnberg", 1, 0, 0, 1],
    ]
    assert table.totals == ["Total", 2, 1, 1, 3]


def test_city_matrix_of_requests(network):
    table = network["city_matrix_requests"]
    assert table.columns == [REQUESTS_CORNER, "Bremen", "Leipzig", "Nürnberg", "Total"]
    assert table.rows == [
        ["Bremen", 0, 1, 1, 3],
        ["Leipzig", 2, 0, 1, 3],
        ["Nürnberg", 2, 1, 0, 2],
    ]
    assert table.totals == ["Total", 4, 2, 2, 8]


def test_city_balance(network):
    table = network["city_balance"]
    assert table.chart == "stacked"
    assert table.columns == ["City", "Given", "Received"]
    assert table.rows == [["Bremen", 2, 1], ["Leipzig", 1, 1], ["Nürnberg", 1, 1]]


def test_costs_by_year_month_city_topic(network):
    assert network["costs_by_year"].rows == [[2024, D("300.00")], [2025, D("430.00")], [2026, D("80.00")]]
    assert network["costs_by_year"].totals == ["Total", D("810.00")]
    assert network["costs_by_year"].money_columns == frozenset({1})

    expected_months = {"February": D("180.00"), "April": D("250.00")}
    assert network["costs_by_month"].rows == [
        [f"{month} 2025", expected_months.get(month, D("0.00"))] for month in MONTHS
    ]
    assert network["costs_by_month"].totals == ["Total", D("430.00")]

    assert network["costs_by_city"].rows == [["Bremen", D("180.00")], ["Leipzig", D("250.00")]]
    assert network["costs_by_city"].totals == ["Total", D("430.00")]
    assert network["costs_by_topic"].rows == [["Wohnen", D("430.00")], ["Mobilität", D("250.00")]]
    for key in ("costs_by_year", "costs_by_month", "costs_by_city", "costs_by_topic"):
        assert "booked amount" in network[key].note
        assert all(isinstance(row[1], D) for row in network[key].rows)


def test_budget_use_runs_up_over_the_year(network):
    table = network["budget_use"]
    assert table.chart == "line"
    assert table.columns == ["Month", "Approved", "Booked", "Paid", "Budget", "Committed", "Free"]
    assert table.money_columns == frozenset({1, 2, 3, 4, 5, 6})
    approved = ["0.00", "180.00", "180.00"] + ["430.00"] * 9
    booked = ["0.00", "180.00", "180.00"] + ["330.00"] * 9
    paid = ["300.00", "300.00"] + ["480.00"] * 10
    assert table.rows == [
        [
            f"{month} 2025",
            D(approved[i]),
            D(booked[i]),
            D(paid[i]),
            D("1000.00"),
            D("0.00"),
            D("1000.00") - D(approved[i]),
        ]
        for i, month in enumerate(MONTHS)
    ]


def test_budget_use_counts_the_commitments_open_at_each_months_end(world):
    """A trip committed in April and released when its claim was booked in June counts as committed at the
    end of April and May only; the free budget falls by it meanwhile."""
    request = world.requests["R2"]
    traveller = world.people["requester_leipzig"]
    trip = TripRequest.objects.create(
        exchange=request,
        traveller=traveller,
        filed_by=traveller,
        status=TripStatus.APPROVED,
        purpose="C+R",
        origin="Leipzig",
        destination="Bremen",
        starts_at=datetime(2025, 5, 20, 7, tzinfo=BERLIN),
        ends_at=datetime(2025, 5, 20, 19, tzinfo=BERLIN),
        means="rail",
        cost_centre="KS-1",
        supervisor_name="Vorgesetzte",
        supervisor_email="chefin@example.org",
        estimated_total=D("150.00"),
    )
    commitment = Commitment.objects.create(trip=trip, year=2025, amount=D("150.00"))
    Commitment.objects.filter(pk=commitment.pk).update(
        created_at=datetime(2025, 4, 10, tzinfo=BERLIN),
        released_at=datetime(2025, 6, 3, tzinfo=BERLIN),
    )

    table = statistics_for(user=world.people["coordinator"], period=YEAR_2025)["budget_use"]

    committed = [row[5] for row in table.rows]
    assert committed == [D("0.00")] * 3 + [D("150.00")] * 2 + [D("0.00")] * 7
    assert table.rows[3][6] == D("1000.00") - table.rows[3][1] - D("150.00")


def test_cost_per_exchange_by_format(network):
    table = network["cost_per_exchange"]
    assert table.columns == ["Format", "Exchanges held", "Travel costs", "Average per exchange"]
    assert table.money_columns == frozenset({2, 3})
    assert table.rows == [
        ["Bilateral meeting", 0, D("0.00"), None],
        ["Workshop", 1, D("180.00"), D("180.00")],
        ["Public event", 0, D("0.00"), None],
        ["Site visit", 1, D("250.00"), D("250.00")],
        ["Video call", 1, D("0.00"), D("0.00")],
    ]
    assert table.totals == ["All formats", 3, D("430.00"), D("143.33")]


def test_completed_exchanges_list_only_public_takeaways(world):
    exchanges = completed_exchanges(user=world.people["coordinator"], period=YEAR_2025)
    assert exchanges == [
        {
            "reference": world.requests["R1"].reference,
            "title": "Request R1",
            "requester_city": "Bremen",
            "expert_cities": ["Leipzig"],
            "meeting_date": date(2025, 2, 9),
            "takeaways": ["T1 public"],
        },
        {
            "reference": world.requests["R3"].reference,
            "title": "Request R3",
            "requester_city": "Nürnberg",
            "expert_cities": ["Bremen"],
            "meeting_date": date(2025, 6, 10),
            "takeaways": ["T3"],
        },
    ]


def test_a_period_without_data_gives_empty_but_valid_tables(world):
    tables = statistics_for(
        user=world.people["coordinator"], period=Period(date(2030, 1, 1), date(2030, 3, 31))
    )
    assert tables["key_figures"].rows[0] == ["Requests submitted", 0]
    assert tables["key_figures"].rows[2] == ["Held exchanges completed with a reflection (%)", None]
    assert tables["key_figures"].rows[5] == ["Median days from submission to routing", None]
    assert tables["city_matrix_held"].rows == []
    assert tables["city_matrix_held"].totals == ["Total", 0]
    assert [row[0] for row in tables["costs_by_month"].rows] == [
        "January 2030",
        "February 2030",
        "March 2030",
    ]
    assert tables["budget_use"].rows[0] == [
        "January 2030",
        D("0.00"),
        D("0.00"),
        D("0.00"),
        None,
        D("0.00"),
        None,
    ]
    # All years stay in the yearly tables.
    assert tables["held_per_year"].rows == [[2024, 1], [2025, 3], [2026, 1]]


def test_summaries_write_money_in_the_active_language(world):
    with translation.override("de"):
        tables = statistics_for(user=world.people["coordinator"], period=YEAR_2025)

    assert "430,00 €" in tables["costs_by_month"].summary
    assert "1.000,00 €" in tables["budget_use"].summary
    assert tables["costs_by_month"].rows[1][0] == "Februar 2025"
