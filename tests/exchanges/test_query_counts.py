"""List pages need the same number of SQL queries for 5 and for 200 requests."""

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cities.factories import TopicFactory
from tests.exchanges.factories import ExchangeRequestFactory

pytestmark = pytest.mark.django_db


def _requests(count: int, people, status: str = "submitted") -> None:  # type: ignore[no-untyped-def]
    topics = [TopicFactory(), TopicFactory()]
    ExchangeRequestFactory.create_batch(
        count,
        requester=people["requester"],
        status=status,
        reference=factory.Sequence(lambda n: f"CR-2026-{n + 1:04d}"),
        submitted_at=timezone.now(),
        topics=topics,
    )


def _queries(client, url: str, params: dict | None = None) -> int:  # type: ignore[no-untyped-def]
    client.get(url, params or {})  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("name", "person", "params"),
    [
        ("exchanges:request_list", "requester", {}),
        ("exchanges:triage", "coordinator", {}),
        ("exchanges:triage", "coordinator", {"status": "all", "sort": "newest", "assignee": "none"}),
        ("exchanges:contact_inbox", "contact", {}),
    ],
)
def test_constant_queries_for_5_and_200_requests(client, people, name, person, params):
    client.force_login(people[person])
    _requests(5, people)
    few = _queries(client, reverse(name), params)

    _requests(195, people)
    many = _queries(client, reverse(name), params)

    assert many == few
    assert few <= 15
