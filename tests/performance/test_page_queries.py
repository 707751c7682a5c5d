"""Query-count pins for every page ./scripts/bench measures (docs/performance.md).

Each page is requested in a small load-data network and again after a second, larger network has
been added: the number of SQL queries must be the same, and at most 15. A change that adds a query
per row, or a query that depends on the data's size, fails here before it reaches the benchmark.
"""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cities.directory.models import TopicKeyword, User
from cities.directory.roles import Role
from exchanges.cycle.models import Comment, ExchangeRequest, Status

MAX_QUERIES = 15


def _network() -> dict:
    """A small load-data network and the subjects of the pages in it."""
    call_command("generate_load_data", "--scale", "0.01", "--seed", "5", stdout=io.StringIO())
    contact = User.objects.get(email="kontakt@load.example.org")
    staff = (
        User.objects.with_role(Role.STAFF)
        .filter(home_city=contact.home_city)
        .exclude(pk=contact.pk)
        .annotate(asked=Count("exchange_requests"))
        .order_by("-asked", "pk")
        .first()
    )
    detail = (
        ExchangeRequest.objects.filter(requester_city=contact.home_city, status=Status.COMPLETED)
        .order_by("pk")
        .first()
    )
    Comment.objects.bulk_create(
        Comment(request=detail, author=staff, body=f"Rückfrage {i}", is_internal=i % 3 == 0)
        for i in range(30)
    )
    keyword = TopicKeyword.objects.order_by("topic__name", "term").first()
    return {
        "coordinator": "koordination@load.example.org",
        "finance": "finanzen@load.example.org",
        "staff": staff.email,
        "detail": detail.pk,
        "city": contact.home_city_id,
        "topic": keyword.topic_id,
        "word": keyword.term,
        "year": timezone.localdate().year - 1,
    }


PAGES = [
    ("triage inbox", "coordinator", "/triage/"),
    (
        "triage inbox, filtered",
        "coordinator",
        "/triage/?status=all&requester_city={city}&topic={topic}&sort=newest",
    ),
    ("Meine Anfragen", "staff", "/anfragen/"),
    ("request detail, long timeline", "coordinator", "/anfragen/{detail}/"),
    ("request detail, whole timeline", "coordinator", "/anfragen/{detail}/?timeline=all&comments=all"),
    ("expert search", "coordinator", "/expertenpool/?q={word}&topic={topic}"),
    ("knowledge base search", "staff", "/wissen/?q={word}"),
    ("knowledge base", "staff", "/wissen/"),
    ("finance queue", "finance", "/finanzen/"),
    ("dashboard", "coordinator", "/statistik/"),
    ("city matrix", "coordinator", "/statistik/staedte/"),
    ("costs", "coordinator", "/statistik/kosten/"),
    ("CSV export of a year", "coordinator", "/statistik/export/requests_by_city.csv?year={year}"),
]
STATISTICS = {"dashboard", "city matrix", "costs", "CSV export of a year"}


def _queries(subjects: dict, account: str, path: str) -> int:
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(User.objects.get(email=subjects[account]))
    url = path.format(**subjects)
    assert client.get(url).status_code == 200  # warms the statistics cache where it is on
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.django_db
def test_every_benchmarked_page_costs_the_same_queries_in_a_larger_network(settings):
    subjects = _network()
    settings.STATISTICS_CACHE_SECONDS = 300  # as in production
    cache.clear()
    small = {name: _queries(subjects, account, path) for name, account, path in PAGES}
    call_command("generate_load_data", "--scale", "0.04", "--seed", "6", "--force", stdout=io.StringIO())
    cache.clear()
    large = {name: _queries(subjects, account, path) for name, account, path in PAGES}

    assert ExchangeRequest.objects.count() >= 5 * 24  # the second network is larger than the first
    assert large == small
    assert {name: count for name, count in large.items() if count > MAX_QUERIES} == {}


@pytest.mark.django_db
def test_statistics_computed_afresh_also_cost_a_fixed_number_of_queries(settings):
    """Without the cache (STATISTICS_CACHE_SECONDS = 0) the figures are aggregates: still constant."""
    subjects = _network()
    settings.STATISTICS_CACHE_SECONDS = 0
    counts = {name: _queries(subjects, account, path) for name, account, path in PAGES if name in STATISTICS}
    assert counts["dashboard"] == counts["city matrix"] == counts["costs"]
    assert all(count > MAX_QUERIES for count in counts.values())  # the cache is what brings them down
