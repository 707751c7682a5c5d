"""JSON nested absurdly deep: every API endpoint that takes a body answers 400 problem+json, never 500.

Python's json module parses nesting recursively, so a thousand ``[`` raised RecursionError inside DRF's
parser (a 500). The endpoints are taken from the API permission matrix, each called by a role that may
use it, so that the body is really read.
"""

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from exchanges.api.parsers import MAX_DEPTH
from tests.api.conftest import problem
from tests.security.attack_world import ROLES, world_fixture  # noqa: F401
from tests.security.test_api_permission_matrix import API_EXPECTATIONS, tokens  # noqa: F401

pytestmark = [pytest.mark.security, pytest.mark.django_db]

BODIES = {
    "a thousand levels": "[" * 1000 + "]" * 1000,
    "a hundred thousand levels": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "one level too many": "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
}
UNSAFE = ("post", "put", "patch")


def _endpoints(world):
    """(URL, method, role) for every unsafe API call some role may make on the own side."""
    for name, cases in API_EXPECTATIONS.items():
        for case in cases:
            kwargs = case.kwargs(world, "own")
            if kwargs is None:
                continue
            for method in UNSAFE:
                rule = getattr(case, method)
                role = next((r for r in ROLES if rule and rule(r, "own") in (200, 201, 204)), None)
                if role is not None and role != "anonymous":
                    yield reverse(name, kwargs=kwargs), method, role


@pytest.mark.parametrize("shape", BODIES)
def test_deeply_nested_json_is_a_400_problem_everywhere(world, tokens, shape):  # noqa: F811
    parsed, answers = 0, []
    with override_settings(API_THROTTLE_RATE="100000/hour"):
        for url, method, role in _endpoints(world):
            with transaction.atomic():
                client = APIClient()
                client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[role]}")
                response = getattr(client, method)(url, BODIES[shape], content_type="application/json")
                transaction.set_rollback(True)
            answers.append((method, url, response.status_code))
            assert response.status_code != 500, f"{method.upper()} {url}"
            if response.status_code == 400:
                body = problem(response)
                assert body["type"].endswith("/api/problems/parse-error"), (url, body)
                assert "zu tief verschachtelt" in body["detail"]
                parsed += 1
    # most endpoints read their body; the few that do not (actions without input) answer as usual
    assert parsed >= 10, answers


def test_json_within_the_limit_still_reaches_the_validation(world, tokens):  # noqa: F811
    deep_but_allowed = {"title": "x", "topics": [[[[1]]]]}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['staff']}")
    response = client.post("/api/v1/requests/", deep_but_allowed, format="json")
    assert response.status_code == 400
    assert problem(response)["type"].endswith("/api/problems/validation-error")
