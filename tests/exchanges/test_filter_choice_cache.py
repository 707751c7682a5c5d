"""The filter forms' option lists (cities, topics, coordinators) come from the cache, and a change shows at once.

The triage inbox offers every active city twice, every active topic and every coordinator; they are
kept in the cache (cities/directory/choices.py) and renewed when a city, a topic or a person changes.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cities.directory import choices
from cities.directory.roles import Role
from cities.directory.services.users import user_set_roles
from tests.cities.factories import CityFactory, DepartmentFactory, TopicFactory, UserFactory
from tests.exchanges.factories import ExchangeRequestFactory

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))


def _assignees(html: str) -> list[str]:
    """The people of the assignment form below the list (the filter form has an "assignee" too)."""
    form = re.search(r'<form method="post" id="assign-form".*?</form>', html, re.S)
    assert form, "no assignment form"
    return _options(form.group(0), "assignee")[1:]  # after "nobody"


def _triage(client) -> str:
    response = client.get(reverse("exchanges:triage"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def coordination(client, coordinator):
    """A coordinator's browser, with one open request in the triage (the assignment form shows then)."""
    ExchangeRequestFactory(
        status="submitted", submitted_at=timezone.now(), reference="CR-2026-0001", topics=[]
    )
    client.force_login(coordinator)
    return client


def test_a_new_renamed_or_retired_city_shows_at_once(coordination):
    bremen = CityFactory(name="Bremen")
    assert "Bremen" in _options(_triage(coordination), "requester_city")  # the list is now cached

    CityFactory(name="Neustadt")
    page = _triage(coordination)
    assert "Neustadt" in _options(page, "requester_city")
    assert "Neustadt" in _options(page, "partner_city")

    bremen.name = "Freie Hansestadt Bremen"
    bremen.save()
    assert "Freie Hansestadt Bremen" in _options(_triage(coordination), "requester_city")

    bremen.is_active = False
    bremen.save()
    cities = _options(_triage(coordination), "partner_city")
    assert "Neustadt" in cities and not any("Bremen" in city for city in cities)


def test_a_new_or_deleted_topic_shows_at_once(coordination):
    TopicFactory(name="Mobilität")
    assert _options(_triage(coordination), "topic") == ["alle", "Mobilität"]

    wohnen = TopicFactory(name="Wohnen")
    assert _options(_triage(coordination), "topic") == ["alle", "Mobilität", "Wohnen"]

    wohnen.delete()
    assert _options(_triage(coordination), "topic") == ["alle", "Mobilität"]


def test_a_new_coordinator_or_a_lost_role_shows_at_once_in_the_assignment_form(coordination, coordinator):
    assert _assignees(_triage(coordination)) == [coordinator.display_name]

    colleague = UserFactory(department=DepartmentFactory(), display_name="Aaron Neu", roles=[Role.STAFF])
    assert _assignees(_triage(coordination)) == [coordinator.display_name]
    user_set_roles(user=colleague, roles=[Role.STAFF, Role.COORDINATOR])
    assert _assignees(_triage(coordination)) == ["Aaron Neu", coordinator.display_name]

    colleague.display_name = "Aaron Neumann"
    colleague.save()
    assert _assignees(_triage(coordination)) == ["Aaron Neumann", coordinator.display_name]

    user_set_roles(user=colleague, roles=[Role.STAFF])
    assert _assignees(_triage(coordination)) == [coordinator.display_name]


def test_signing_in_does_not_renew_the_lists(client, coordinator):
    client.force_login(coordinator)
    _triage(client)
    token = choices.cache.get("directory:choices:coordinators:token")

    client.logout()
    client.force_login(coordinator)  # saves last_login only
    _triage(client)

    assert choices.cache.get("directory:choices:coordinators:token") == token


def test_the_lists_are_read_from_the_cache_not_the_database(coordination):
    CityFactory.create_batch(3)
    TopicFactory.create_batch(3)
    _triage(coordination)
    with CaptureQueriesContext(connection) as warm:
        _triage(coordination)

    choices.lists_changed(choices.CITIES, choices.TOPICS, choices.COORDINATORS)
    with CaptureQueriesContext(connection) as cold:
        _triage(coordination)

    # Cities (read once for both selects), topics and the coordination (role holders and administrators,
    # one query: User.objects.coordinators()).
    assert len(cold) - len(warm) == 3
    lists = (
        'FROM "cities_city" WHERE "cities_city"."is_active"',
        'FROM "cities_topic" WHERE "cities_topic"."is_active"',
        'WHERE "auth_group"."name" =',
    )
    assert [q["sql"] for q in cold if any(sql in q["sql"] for sql in lists)] != []
    assert [q["sql"] for q in warm if any(sql in q["sql"] for sql in lists)] == []


def test_the_triage_page_costs_the_same_queries_for_3_and_40_cities_topics_and_coordinators(coordination):
    def queries() -> int:
        _triage(coordination)
        with CaptureQueriesContext(connection) as captured:
            _triage(coordination)
        return len(captured)

    CityFactory.create_batch(3)
    TopicFactory.create_batch(3)
    few = queries()
    CityFactory.create_batch(37)
    TopicFactory.create_batch(37)
    for _ in range(37):
        UserFactory(department=DepartmentFactory(), roles=[Role.COORDINATOR])
    many = queries()

    assert many == few
    assert few <= 8


def test_a_list_read_before_the_commit_is_not_served_after_it(
    django_capture_on_commit_callbacks, monkeypatch
):
    """A page that read the database while a change was not yet committed cannot keep the old list."""
    CityFactory(name="Altstadt")
    with django_capture_on_commit_callbacks(execute=True):
        CityFactory(name="Neustadt")
        # What another process reading before the commit would have found and stored:
        monkeypatch.setitem(choices.LOADERS, choices.CITIES, lambda: [(0, "Altstadt")])
        assert choices.choice_list(choices.CITIES) == [(0, "Altstadt")]
        monkeypatch.undo()

    assert [label for _, label in choices.choice_list(choices.CITIES)] == ["Altstadt", "Neustadt"]


def test_a_stale_list_never_makes_an_unknown_city_a_valid_filter(coordination):
    city = CityFactory(name="Bremen")
    _triage(coordination)
    city.is_active = False
    city.save()

    response = coordination.get(reverse("exchanges:triage"), {"requester_city": city.pk})

    assert response.status_code == 200
    assert response.context["form"].errors["requester_city"]
