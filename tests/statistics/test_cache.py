"""The statistics are computed once per scope, period, language and day, and then shared for a while."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cities.directory.roles import Role
from exchanges.cycle.models import Status
from exchanges.statistics.figures import cached_statistics_for
from tests.cities.factories import UserFactory
from tests.statistics.conftest import YEAR_2025, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.STATISTICS_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _submitted(tables) -> int:
    return tables["key_figures"].rows[0][1]


def test_figures_are_shared_until_the_cache_ends(world, cached):
    coordinator = world.people["coordinator"]
    first = cached_statistics_for(user=coordinator, period=YEAR_2025)
    world.request("R11", "bremen", Status.SUBMITTED, at(2025, 11, 1), ["wohnen"], "workshop")

    again = cached_statistics_for(user=coordinator, period=YEAR_2025)
    assert again.computed_at == first.computed_at
    assert _submitted(again.tables) == _submitted(first.tables)

    cache.clear()
    fresh = cached_statistics_for(user=coordinator, period=YEAR_2025)
    assert _submitted(fresh.tables) == _submitted(first.tables) + 1


def test_without_cache_every_call_computes(world, settings):
    settings.STATISTICS_CACHE_SECONDS = 0
    coordinator = world.people["coordinator"]
    first = cached_statistics_for(user=coordinator, period=YEAR_2025)
    world.request("R11", "bremen", Status.SUBMITTED, at(2025, 11, 1), ["wohnen"], "workshop")
    assert _submitted(cached_statistics_for(user=coordinator, period=YEAR_2025).tables) == (
        _submitted(first.tables) + 1
    )


def test_a_city_contact_never_gets_the_networks_cached_figures(world, cached):
    network = cached_statistics_for(user=world.people["coordinator"], period=YEAR_2025)
    bremen = cached_statistics_for(user=world.people["contact_bremen"], period=YEAR_2025)
    asked_for_all = cached_statistics_for(
        user=world.people["contact_leipzig"], period=YEAR_2025, city_id=None
    )

    assert network.tables["requests_by_city"].rows != bremen.tables["requests_by_city"].rows
    assert [row[0] for row in bremen.tables["requests_by_city"].rows] == ["Bremen"]
    assert [row[0] for row in asked_for_all.tables["requests_by_city"].rows] == ["Leipzig"]


def test_pages_in_both_languages_and_scopes_from_the_cache(client, world, cached):
    coordinator = world.people["coordinator"]
    client.force_login(coordinator)
    german = client.get(reverse("exchanges:statistics"), {"year": 2025}).content.decode()
    assert "Berechnet am" in german and "spätestens nach 5 Minuten" in german
    assert "Anfragen nach Status" in german

    coordinator.preferred_language = "en"
    coordinator.save(update_fields=["preferred_language"])
    english = client.get(reverse("exchanges:statistics"), {"year": 2025}).content.decode()
    assert "Requests by state" in english and "Anfragen nach Status" not in english

    contact = world.people["contact_bremen"]
    client.force_login(contact)
    own = client.get(reverse("exchanges:statistics_cities"), {"year": 2025}).content.decode()
    assert "Zahlen für Bremen" in own


def test_only_people_with_statistics_rights_reach_the_cache(world, cached):
    from django.core.exceptions import PermissionDenied

    staff = UserFactory(department=world.departments["bremen"], roles=[Role.STAFF])
    cached_statistics_for(user=world.people["coordinator"], period=YEAR_2025)
    with pytest.raises(PermissionDenied):
        cached_statistics_for(user=staff, period=YEAR_2025)
