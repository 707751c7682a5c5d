"""Prometheus metrics at /metrics, for the monitoring only (docs/handbook.md, "Monitoring").

- Web requests and their latency, per URL name, counted in each web process. Under gunicorn the worker
  processes share them through files in PROMETHEUS_MULTIPROC_DIR (an empty directory per start).
- Celery tasks by name and outcome: the workers count them in Redis (the broker), so one scrape of any
  web host shows the tasks of every worker host; failures that gave up for good are the open entries on
  the failed-task page.
- Queue lengths, read from Redis at scrape time.

The endpoint is not public: it answers only to the addresses in METRICS_ALLOWED_IPS or to a request
with ``Authorization: Bearer <METRICS_TOKEN>``; everyone else gets 404.
"""

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import redis
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from koopstadt.broker import broker_redis
from koopstadt.task_queues import TASK_QUEUES

logger = logging.getLogger(__name__)

TASK_COUNTS_KEY = "koopstadt:metrics:tasks"

HTTP_REQUESTS = Counter(
    "koopstadt_http_requests",
    "Web requests answered, by URL name, method and status code",
    ["view", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "koopstadt_http_request_duration_seconds",
    "Time from the request reaching Django to its answer, by URL name",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class MetricsMiddleware:
    """Counts every request with its latency; the label is the URL name, never the raw path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "unnamed") if match is not None else "unresolved"
        method = (
            request.method if request.method in {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE"} else "other"
        )
        HTTP_REQUESTS.labels(view, method, str(response.status_code)).inc()
        HTTP_LATENCY.labels(view, method).observe(time.perf_counter() - started)
        return response


# --- Celery: counted in Redis by the workers --------------------------------------------------------
_client: redis.Redis | None = None


def _redis() -> redis.Redis | None:
    global _client
    if _client is None:
        _client = broker_redis(settings.CELERY_BROKER_URL, timeout=1)
    return _client


def count_task(task_name: str, state: str) -> None:
    """Called by the workers after every task run (task_postrun); never fails the task."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # eager tasks belong to the web request that ran them
    client = _redis()
    if client is None:
        return
    try:
        client.hincrby(TASK_COUNTS_KEY, f"{task_name}|{state}", 1)
    except redis.RedisError as error:
        logger.warning("Could not count task %s (%s) in Redis: %s", task_name, state, error)


def on_task_postrun(task: Any = None, state: str | None = None, **_kwargs: Any) -> None:
    count_task(getattr(task, "name", "unknown"), state or "UNKNOWN")


class CeleryCollector(Collector):
    """Task counts and queue lengths, read from Redis when Prometheus scrapes."""

    def collect(self) -> Iterator[Any]:

        client = _redis()
        if client is None:
            return
        tasks = CounterMetricFamily(
            "koopstadt_celery_tasks",
            "Celery task runs by task and final state of the run",
            labels=["task", "state"],
        )
        queues = GaugeMetricFamily(
            "koopstadt_celery_queue_length", "Messages waiting in a queue", labels=["queue"]
        )
        up = GaugeMetricFamily("koopstadt_broker_up", "1 if the broker answered this scrape")
        try:
            for field, value in sorted(client.hgetall(TASK_COUNTS_KEY).items()):
                name, _, state = field.decode().rpartition("|")
                tasks.add_metric([name, state], int(value))
            for queue in sorted({settings.CELERY_TASK_DEFAULT_QUEUE, *TASK_QUEUES.values()}):
                queues.add_metric([queue], client.llen(queue))
        except redis.RedisError as error:
            logger.warning("Metrics: Redis unreachable: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield from (tasks, queues, up)


# Collectors of the domains, read when Prometheus scrapes (e.g. the failed tasks nobody has handled:
# cities/operations/metrics.py). Registered from the apps' ``ready``: the platform knows no domain.
SCRAPE_COLLECTORS: list[Collector] = []


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    return request.META.get("REMOTE_ADDR", "") in settings.METRICS_ALLOWED_IPS


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        web = CollectorRegistry()
        MultiProcessCollector(web)
    else:
        web = REGISTRY
    shared = CollectorRegistry()
    shared.register(CeleryCollector())
    for collector in SCRAPE_COLLECTORS:
        shared.register(collector)
    return HttpResponse(generate_latest(web) + generate_latest(shared), content_type=CONTENT_TYPE_LATEST)
