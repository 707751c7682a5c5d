"""In a network of many cities the matrices keep the busiest cities and add up the others."""

import pytest
from django.urls import reverse

from exchanges.statistics.figures import statistics_for
from tests.statistics.conftest import YEAR_2025

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize("key", ["city_matrix_held", "city_matrix_requests"])
def test_the_other_cities_are_added_up_and_nothing_is_lost(world, settings, key):
    coordinator = world.people["coordinator"]
    full = statistics_for(user=coordinator, period=YEAR_2025)[key]
    settings.STATISTICS_MATRIX_CITIES = 1
    folded = statistics_for(user=coordinator, period=YEAR_2025)[key]

    assert len(full.rows) == 3  # Bremen, Leipzig, Nürnberg
    assert len(folded.rows) == 2
    assert folded.rows[-1][0] == "Other cities (2)"
    assert folded.columns[-2].startswith("Other cities (")
    assert folded.totals[-1] == full.totals[-1]  # the grand total
    # Nothing is lost: the row totals, the column totals and every cell add up to the same sums.
    assert sum(row[-1] for row in folded.rows) == sum(row[-1] for row in full.rows)
    assert sum(folded.totals[1:-1]) == sum(full.totals[1:-1])
    assert sum(sum(row[1:-1]) for row in folded.rows) == sum(sum(row[1:-1]) for row in full.rows)
    assert "added up" in folded.note
    # The city kept is the one with the most exchanges as requester.
    busiest = max(full.rows, key=lambda row: row[-1])
    assert folded.rows[0][0] == busiest[0] and folded.rows[0][-1] == busiest[-1]


def test_downloads_and_the_api_get_every_city(world, settings, client):
    from exchanges.statistics.figures import cached_statistics_for

    settings.STATISTICS_MATRIX_CITIES = 1
    coordinator = world.people["coordinator"]
    unfolded = statistics_for(user=coordinator, period=YEAR_2025, fold=False)["city_matrix_held"]
    assert len(unfolded.rows) == 3 and "Other cities" not in str(unfolded.rows)
    assert len(cached_statistics_for(user=coordinator, period=YEAR_2025).tables["city_matrix_held"].rows) == 2

    client.force_login(coordinator)
    url = reverse("exchanges:statistics_export", kwargs={"key": "city_matrix_held", "file_format": "csv"})
    response = client.get(url, {"year": 2025})
    assert response.status_code == 200
    csv = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    assert "Bremen" in csv and "Leipzig" in csv and "Nürnberg" in csv
    assert "Weitere Städte" not in csv and "Other cities" not in csv
