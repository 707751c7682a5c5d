"""The signed-in person is read with their roles in one query; a change of roles counts from the next page on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cities.directory.roles import Role
from cities.directory.services.users import user_set_roles

pytestmark = pytest.mark.django_db

ROLES_ALONE = 'FROM "auth_group" INNER JOIN "cities_user_groups"'


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the roles come with the person on PostgreSQL")
def test_a_page_reads_the_person_and_their_roles_in_one_query(client, coordinator):
    client.force_login(coordinator)
    client.get(reverse("exchanges:triage"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("exchanges:triage")).status_code == 200

    people = [q["sql"] for q in captured if q["sql"].startswith('SELECT "cities_user"."id"')]
    assert len(people) == 1 and "auth_group" in people[0]
    assert [q["sql"] for q in captured if q["sql"].startswith("SELECT") and ROLES_ALONE in q["sql"]] == []


def test_a_role_taken_away_or_given_counts_from_the_next_page_on(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("exchanges:triage")).status_code == 200

    user_set_roles(user=coordinator, roles=[Role.STAFF])
    assert client.get(reverse("exchanges:triage")).status_code == 403

    user_set_roles(user=coordinator, roles=[Role.STAFF, Role.COORDINATOR])
    assert client.get(reverse("exchanges:triage")).status_code == 200
