"""The benchmark's work inside Django (called by scripts/lib/bench.py; never on a real database).

  prepare OUT.json       pick the pages' subjects, give four load-data accounts a password, add a
                         long timeline to one request and create submitted requests for the Celery
                         figures (identical at every scale: same seed, same texts)
  route-timing IDS.json  time the routing service on each request, in this process
  route-throughput IDS.json
                         put the requests in "routing", queue one routing task each and wait until
                         the running worker has routed them all; prints requests per second

Each prints one JSON object on stdout.
"""

import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koopstadt.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cities.directory.models import City, Topic, TopicKeyword, User  # noqa: E402
from cities.directory.roles import Role  # noqa: E402
from exchanges.cycle.models import Comment, ExchangeRequest, Status, TimelineEntry  # noqa: E402
from exchanges.cycle.services.requests import request_save_draft, request_transition  # noqa: E402
from exchanges.cycle.services.routing import request_route  # noqa: E402
from koopstadt.development.load_data import EMAIL_DOMAIN, TITLE_PATTERNS  # noqa: E402

LONG_TIMELINE = 120  # comments and timeline notes added to the detail page's request, at every scale


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _new_requests(rng: random.Random, count: int, cities: list[City], keywords: dict) -> list[int]:
    """Submitted requests made through the services, as city staff would (texts from the seed)."""
    ids = []
    all_cities = list(City.objects.filter(is_network_member=True).order_by("pk"))
    for _ in range(count):
        city = rng.choice(cities)
        requester = (
            User.objects.with_role(Role.STAFF)
            .filter(home_city=city, department__isnull=False, is_active=True)
            .exclude(email__startswith="kontakt")
            .order_by("pk")
            .first()
        )
        topics = rng.sample(sorted(keywords), rng.choice([1, 1, 2, 2, 3]))
        keyword = rng.choice(keywords[topics[0]])
        partners = []
        if rng.random() < 0.4:
            partners = [c for c in rng.sample(all_cities, 2) if c.pk != city.pk]
        today = timezone.localdate()
        draft = request_save_draft(
            requester=requester,
            data={
                "title": rng.choice(TITLE_PATTERNS).format(k=keyword),
                "need": f"Wir suchen Austausch zu {keyword} mit Kolleginnen und Kollegen aus anderen Städten.",
                "occasion": "question",
                "preferred_format": "workshop",
                "direction": "expert_travels",
                "earliest_date": today + timedelta(days=30),
                "latest_date": today + timedelta(days=90),
                "travellers": 1,
            },
            topics=Topic.objects.filter(pk__in=topics),
            partner_cities=partners,
        )
        request_transition(request_id=draft.pk, action="submit", actor=requester)
        ids.append(draft.pk)
    return ids


def prepare(out: Path, password: str, route_count: int, throughput_count: int, e2e_count: int) -> None:
    rng = random.Random(20261201)  # noqa: S311 - reproducible test data, not secrets
    coordinator = User.objects.get(email=f"koordination@{EMAIL_DOMAIN}")
    contact = User.objects.get(email=f"kontakt@{EMAIL_DOMAIN}")
    finance = User.objects.get(email=f"finanzen@{EMAIL_DOMAIN}")
    home = contact.home_city
    # "Meine Anfragen": the staff member of the first city who asked most often.
    staff = (
        User.objects.with_role(Role.STAFF)
        .filter(home_city=home)
        .exclude(pk__in=[coordinator.pk, contact.pk])
        .annotate(asked=Count("exchange_requests"))
        .order_by("-asked", "pk")
        .first()
    )
    for person in (coordinator, contact, finance, staff):
        person.set_password(password)
        person.save(update_fields=["password"])

    # The detail page: a completed request of the first city with a long timeline (same length at
    # every scale, so the figure compares the cost of the page, not of a longer history).
    detail = (
        ExchangeRequest.objects.filter(requester_city=home, status=Status.COMPLETED).order_by("pk").first()
    )
    if not detail.comments.filter(body__startswith="Bench:").exists():
        Comment.objects.bulk_create(
            Comment(
                request=detail,
                author=coordinator if i % 2 else detail.requester,
                body=f"Bench: Rückfrage und Antwort Nummer {i} zum Austausch.",
                is_internal=i % 5 == 0,
            )
            for i in range(LONG_TIMELINE)
        )
        TimelineEntry.objects.bulk_create(
            TimelineEntry(
                request=detail,
                actor=coordinator,
                action="note",
                from_status=detail.status,
                to_status=detail.status,
                comment=f"Bench: Vermerk {i}",
                is_public=i % 3 != 0,
            )
            for i in range(LONG_TIMELINE)
        )

    keywords: dict[int, list[str]] = {}
    for keyword in TopicKeyword.objects.filter(topic__is_active=True).order_by("topic_id", "term"):
        keywords.setdefault(keyword.topic_id, []).append(keyword.term)
    topic = Topic.objects.filter(pk__in=keywords).order_by("name").first()
    cities = list(City.objects.filter(is_network_member=True).order_by("pk"))
    result = {
        "accounts": {
            "coordinator": coordinator.email,
            "contact": contact.email,
            "finance": finance.email,
            "staff": staff.email,
        },
        "detail_request": detail.pk,
        "city": home.pk,
        "topic": topic.pk,
        "search_word": keywords[topic.pk][0],
        # The expert pool's text search finds the topic's name in every expert with that topic.
        "topic_name": topic.name,
        "export_year": timezone.localdate().year - 1,
        "route_sample": _new_requests(rng, route_count, cities, keywords),
        "throughput_sample": _new_requests(rng, throughput_count, cities, keywords),
        "e2e_sample": _new_requests(rng, e2e_count, [home], keywords),
        "requests_total": ExchangeRequest.objects.count(),
        "departments_total": home.departments.model.objects.count(),
    }
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if not k.endswith("_sample")}))


def _to_routing(ids: list[int]) -> None:
    ExchangeRequest.objects.filter(pk__in=ids, status=Status.SUBMITTED).update(status=Status.ROUTING)


def route_timing(ids: list[int]) -> None:
    _to_routing(ids)
    seconds, queries = [], []
    for request_id in ids:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            routed = request_route(request_id=request_id)
            seconds.append(time.perf_counter() - started)
        queries.append(len(captured))
        assert routed, f"request {request_id} was not routed"
    print(
        json.dumps(
            {
                "count": len(ids),
                "median_ms": statistics.median(seconds) * 1000,
                "p95_ms": _percentile(seconds, 0.95) * 1000,
                "queries_median": statistics.median(queries),
                "queries_max": max(queries),
                # The raw figures: ./scripts/bench times the sample in slices and puts them together.
                "seconds": seconds,
                "queries": queries,
            }
        )
    )


def route_throughput(ids: list[int], timeout: float = 600.0) -> None:
    from exchanges.cycle.tasks import route_request_task

    _to_routing(ids)
    started = time.perf_counter()
    for request_id in ids:
        route_request_task.delay(request_id)
    waiting = len(ids)
    while waiting and time.perf_counter() - started < timeout:
        time.sleep(0.05)
        waiting = ExchangeRequest.objects.filter(pk__in=ids, status=Status.ROUTING).count()
    elapsed = time.perf_counter() - started
    done = len(ids) - waiting
    print(json.dumps({"count": len(ids), "routed": done, "seconds": elapsed, "per_second": done / elapsed}))


def main() -> None:
    command = sys.argv[1]
    if command == "prepare":
        counts = [int(value) for value in sys.argv[4:7]]
        prepare(Path(sys.argv[2]), sys.argv[3], *counts)
    elif command == "route-timing":
        route_timing(json.loads(Path(sys.argv[2]).read_text()))
    elif command == "route-throughput":
        route_throughput(json.loads(Path(sys.argv[2]).read_text()))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
