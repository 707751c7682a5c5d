"""Instrumentation and baselines for ./scripts/bench (active only with KOOPSTADT_BENCH=1).

The benchmark runs the portal in production mode; these pieces let it count the SQL queries of
every request (response header ``X-Bench-Queries``) and compare each page with two baselines that
run through the same middleware: a constant string and a plain 25-row table made with one query.
They are never part of a normal deployment (``koopstadt.development.bench_urls`` is only the URL conf when the
environment variable is set).
"""

from collections.abc import Callable

from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from exchanges.cycle.models import ExchangeRequest

QUERY_HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    """Counts the SQL statements a request runs, on every database connection."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connection.execute_wrapper(counter) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response[QUERY_HEADER] = str(count)
        return response


def baseline_constant(request: HttpRequest) -> HttpResponse:
    """Baseline 1: the cost of the web stack itself."""
    return HttpResponse("ok", content_type="text/plain")


def baseline_rows(request: HttpRequest) -> HttpResponse:
    """Baseline 2: a plain Django view rendering 25 rows of the requests table with one query."""
    rows = ExchangeRequest.objects.order_by("-pk").values(
        "pk", "reference", "title", "status", "submitted_at"
    )[:25]
    return render(request, "bench/rows.html", {"rows": rows})
