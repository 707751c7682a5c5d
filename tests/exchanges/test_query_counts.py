"""List pages need the same number of SQL queries for 5 and for 200 requests; start pages the same for few
and for many items of work."""

import re
from datetime import timedelta
from decimal import Decimal

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exchanges.cycle.models import Invitation, Meeting, RoutingDecision
from exchanges.travel.models import ClaimStatus, TravelClaim
from tests.cities.factories import TopicFactory
from tests.exchanges.factories import ExchangeRequestFactory

pytestmark = pytest.mark.django_db


def _requests(count: int, people, status: str = "submitted") -> None:
    topics = [TopicFactory(), TopicFactory()]
    ExchangeRequestFactory.create_batch(
        count,
        requester=people["requester"],
        status=status,
        reference=factory.Sequence(lambda n: f"CR-2026-{n + 1:04d}"),
        submitted_at=timezone.now(),
        topics=topics,
    )


def _queries(client, url: str, params: dict | None = None) -> int:
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


# --- start pages (issue 20): the same number of queries whatever waits for the person ----------------------
def _work(people, count: int) -> None:
    """``count`` items of every kind of work for every role of ``people``."""
    now = timezone.now()
    requester, expert = people["requester"], people["expert"]

    def requests(status: str, **fields) -> list:
        return ExchangeRequestFactory.create_batch(
            count,
            requester=requester,
            status=status,
            reference=factory.Sequence(lambda n: f"CR-2025-{n + 1:04d}"),
            submitted_at=now - timedelta(days=3),
            status_changed_at=now - timedelta(days=2),
            **fields,
        )

    ExchangeRequestFactory.create_batch(count, requester=requester)  # drafts
    requests("returned")
    requests("agreed")
    requests("submitted", contact_due_on=timezone.localdate() - timedelta(days=1))  # overdue
    for exchange in requests("matching"):
        RoutingDecision.objects.create(
            request=exchange, department=people["liaison"].department, is_routed=True
        )
        Invitation.objects.create(request=exchange, expert=expert.expert_profile)
    for status, start in (("scheduled", now + timedelta(days=5)), ("held", now - timedelta(days=5))):
        for exchange in requests(status, direction="requester_travels"):
            meeting = Meeting.objects.create(
                request=exchange, starts_at=start, ends_at=start + timedelta(hours=2), format="workshop"
            )
            meeting.participants.set([requester, expert])
            TravelClaim.objects.create(
                exchange=exchange,
                traveller=expert,
                submitted_by=expert,
                status=ClaimStatus.SUBMITTED,
                trip_start=start,
                trip_end=start + timedelta(hours=8),
                origin="Bremen",
                destination="Leipzig",
                purpose="Werkstatt",
                calculated_total=Decimal("50.00"),
                submitted_at=now,
            )


@pytest.mark.parametrize("person", ["requester", "contact", "coordinator", "liaison", "expert", "finance"])
def test_start_pages_need_the_same_queries_for_2_and_12_items_of_each_kind(client, people, person):
    client.force_login(people[person])
    _work(people, 2)
    few = _queries(client, reverse("home"))

    _work(people, 10)
    many = _queries(client, reverse("home"))

    assert many == few
    assert few <= 25
    counts = re.findall(r'work-count">(\d+)<', client.get(reverse("home")).content.decode())
    assert max(int(count) for count in counts) >= 12  # the page did list the work
