"""The benchmark's instrumentation (KOOPSTADT_BENCH=1): query counting and the two baselines."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from koopstadt.development.bench import QUERY_HEADER
from tests.exchanges.factories import ExchangeRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_mode(settings):
    settings.ROOT_URLCONF = "koopstadt.development.bench_urls"
    settings.MIDDLEWARE = ["koopstadt.development.bench.QueryCountMiddleware", *settings.MIDDLEWARE]


def test_baselines_and_their_query_counts(client, bench_mode):
    ExchangeRequestFactory.create_batch(30)  # drafts

    constant = client.get("/bench/constant/")
    rows = client.get("/bench/rows/")

    assert constant.status_code == 200 and constant.content == b"ok"
    assert constant[QUERY_HEADER] == "0"
    assert rows.status_code == 200 and rows[QUERY_HEADER] == "1"
    assert rows.content.decode().count("<tr><td>") == 25


def test_the_header_counts_what_the_page_ran(client, bench_mode, coordinator):
    client.force_login(coordinator)
    client.get("/triage/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/triage/")
    assert response.status_code == 200
    assert int(response[QUERY_HEADER]) == len(captured) > 0


def test_the_baselines_are_not_part_of_the_portal(client):
    assert client.get("/bench/constant/").status_code == 404
