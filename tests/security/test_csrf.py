"""Every view that takes a POST refuses it without a CSRF token (403) and changes nothing in the database.

The list of POST views comes from the permission matrix, which is itself checked against the URL conf,
so a new POST view is covered as soon as it has its expectation there.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.security.attack_world import LOGIN, World, database_fingerprint, run, world_fixture  # noqa: F401
from tests.security.test_permission_matrix import EXPECTATIONS

pytestmark = [pytest.mark.security, pytest.mark.django_db]

PREFERRED_ROLES = [
    "superuser",
    "anonymous",
    "staff",
    "expert",
    "finance",
    "coordinator",
    "contact",
    "liaison",
]


def post_cases() -> list[tuple[str, int]]:
    return [
        (name, index)
        for name, cases in sorted(EXPECTATIONS.items())
        for index, case in enumerate(cases)
        if case.post is not None
    ]


POST_CASES = post_cases()


def acting_role(case, side: str = "own") -> str | None:
    """A role for which the POST reaches the view (not stopped by log-in, permission or visibility)."""
    for role in PREFERRED_ROLES:
        expected = case.post(role, side)
        if expected not in {403, 404, 405} and not (expected == LOGIN and role == "anonymous"):
            return role
    return None


def test_the_matrix_has_post_views():
    names = {name for name, _index in POST_CASES}
    assert {"exchanges:request_action", "exchanges:claim_decide", "logout", "language_switch"} <= names


@pytest.mark.parametrize(("name", "index"), POST_CASES, ids=[f"{n}-{i}" for n, i in POST_CASES])
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(world, name, index):
    case = EXPECTATIONS[name][index]
    role = acting_role(case)
    assert role is not None, f"{name}: no role reaches the view; the CSRF check would prove nothing"
    url = reverse(name, kwargs=case.kwargs(world, "own"))
    data = case.data(world, "own")

    # given: with a valid token the POST reaches the view (so the refusal below is the CSRF check's)
    with_token, _content = run(world, role, "post", url, data)
    assert with_token not in {403, 500}, f"{name} as {role} with a token: {with_token}"

    with transaction.atomic():
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if role != "anonymous":
            client.force_login(world.users[role])
        before = database_fingerprint()  # after the log-in's own writes
        response = client.post(url, data)
        after = database_fingerprint()
        transaction.set_rollback(True)

    assert response.status_code == 403, f"{name} as {role} without a token: {response.status_code}"
    changed = sorted(table for table in before if before[table] != after.get(table))
    assert not changed, f"{name} without a token changed {changed}"


def test_a_wrong_csrf_token_is_refused_too(world):
    exchange = world["own"].requests["submitted"]
    with transaction.atomic():
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        client.force_login(world.users["contact"])
        client.cookies["csrftoken"] = "a" * 32
        response = client.post(
            reverse("exchanges:request_action", kwargs={"pk": exchange.pk, "action": "accept"}),
            {"accept-expected_status": "submitted", "csrfmiddlewaretoken": "b" * 32},
        )
        exchange.refresh_from_db()
        transaction.set_rollback(True)
    assert response.status_code == 403
    assert exchange.status == "submitted"
