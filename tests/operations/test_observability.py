"""Request ids in answers, logs and tasks; JSON logs; Prometheus metrics and who may read them."""

import gzip
import io
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import redis
from django.core.management import call_command
from django.urls import reverse

from cities.directory.models import User
from cities.operations.models import FailedTask
from koopstadt.celery import app
from koopstadt.logs import ContextFilter, JsonFormatter
from koopstadt.metrics import TASK_COUNTS_KEY, count_task
from koopstadt.task_queues import route_task
from tests.cities.factories import UserFactory
from tests.conftest import wait_for
from tests.exchanges.services.test_routing import REAL_EXAMPLES, submitted_request

ROOT = Path(__file__).resolve().parents[2]


# --- request ids -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_every_answer_carries_a_request_id_and_a_proxy_id_is_kept(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-7f3a9c2e11")["X-Request-ID"] == "nginx-7f3a9c2e11"
    # Nothing that could break a log line is taken over.
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID='evil" \n{"level": "CRITICAL"}')["X-Request-ID"]
    assert len(replaced) == 32 and '"' not in replaced


@pytest.mark.django_db
def test_the_request_line_and_the_view_logs_carry_the_id(client, caplog, settings):
    caplog.set_level(logging.INFO, logger="koopstadt.requests")
    client.get(reverse("login"), HTTP_X_REQUEST_ID="abc12345-request")
    line = next(r for r in caplog.records if r.name == "koopstadt.requests")
    assert ContextFilter().filter(line)
    assert (line.request_id, line.status, line.path) == ("abc12345-request", 200, reverse("login"))
    entry = json.loads(JsonFormatter().format(line))
    assert entry["request_id"] == "abc12345-request"
    assert entry["message"] == f"GET {reverse('login')} 200"
    assert entry["level"] == "INFO" and entry["status"] == 200 and "duration_ms" in entry


def test_json_lines_include_exceptions_and_extras():
    try:
        raise ValueError("kaputt")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info(), extra={"claim_id": 7}
        )
    record.request = object()  # as Django's own lines carry the request object, query string and all
    entry = json.loads(JsonFormatter().format(record))
    assert "request" not in entry
    assert entry["message"] == "failed here"
    assert entry["claim_id"] == 7
    assert "ValueError: kaputt" in entry["exception"]


@pytest.mark.django_db(transaction=True)
def test_an_eager_task_logs_with_the_request_id_of_its_request(client, caplog):
    """A city contact's accept queues the routing; the task's log lines carry the request's id."""
    call_command("load_demo", stdout=io.StringIO())
    caplog.set_level(logging.INFO, logger="koopstadt.tasks")
    email, title, need, topics, _expected = REAL_EXAMPLES[0]
    request = submitted_request(email, title, need, topics)
    client.force_login(User.objects.city_contacts(request.requester_city_id).get())
    caplog.clear()
    response = client.post(
        reverse("exchanges:request_action", args=[request.pk, "accept"]),
        {"accept-expected_status": request.status},
        HTTP_X_REQUEST_ID="accept-4711-abcdef",
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "matching"
    started = [r for r in caplog.records if r.name == "koopstadt.tasks" and "started" in r.getMessage()]
    assert any("route_request_task" in r.getMessage() for r in started)
    for record in started:
        ContextFilter().filter(record)
        assert record.request_id == "accept-4711-abcdef"


def test_a_queued_task_carries_the_request_id_in_its_message(settings):
    """What the worker reads: the message header set while a request id is bound."""
    from koopstadt import request_context

    headers: dict = {}
    token = request_context.request_id_var.set("web-123456789")
    try:
        request_context.on_before_task_publish(headers=headers)
    finally:
        request_context.request_id_var.reset(token)
    assert headers == {"request_id": "web-123456789"}


# --- queues ----------------------------------------------------------------------------------------
def test_tasks_go_to_the_queue_of_their_kind(settings):
    settings.CELERY_SEPARATE_QUEUES = True
    assert route_task("exchanges.tasks.route_request_task", (), {}, {}) == {"queue": "routing"}
    assert route_task("cities.tasks.send_email_task", (), {}, {}) == {"queue": "mail"}
    assert route_task("exchanges.tasks.book_claim_task", (), {}, {}) == {"queue": "finance"}
    assert route_task("exchanges.tasks.sweep_lost_work_task", (), {}, {}) is None
    # Celery's own router gives the same answer.
    assert app.amqp.router.route({}, "cities.tasks.send_email_task")["queue"].name == "mail"
    settings.CELERY_SEPARATE_QUEUES = False
    assert route_task("cities.tasks.send_email_task", (), {}, {}) is None


# --- metrics ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_metrics_are_not_public(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.9"]
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 200
    # Logged-in people are no exception, not even coordinators.
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_metrics_count_requests_tasks_queues_and_failed_tasks(client, settings):
    if not settings.CELERY_BROKER_URL:
        pytest.skip("needs Redis (CELERY_BROKER_URL)")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(TASK_COUNTS_KEY, "mail")
    broker.rpush("mail", "m1", "m2", "m3")
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in a worker
    count_task("cities.tasks.send_email_task", "SUCCESS")
    count_task("cities.tasks.send_email_task", "SUCCESS")
    count_task("exchanges.tasks.book_claim_task", "FAILURE")
    FailedTask.objects.create(task_id="t-1", task_name="exchanges.tasks.book_claim_task")
    for _ in range(3):
        client.get(reverse("login"))
    try:
        text = client.get("/metrics").content.decode()
    finally:
        broker.delete(TASK_COUNTS_KEY, "mail")
    assert 'koopstadt_http_requests_total{method="GET",status="200",view="login"}' in text
    assert 'koopstadt_http_request_duration_seconds_count{method="GET",view="login"}' in text
    assert 'koopstadt_celery_tasks_total{state="SUCCESS",task="cities.tasks.send_email_task"} 2.0' in text
    assert 'koopstadt_celery_tasks_total{state="FAILURE",task="exchanges.tasks.book_claim_task"} 1.0' in text
    assert 'koopstadt_celery_queue_length{queue="mail"} 3.0' in text
    assert 'koopstadt_celery_queue_length{queue="routing"} 0.0' in text
    assert "koopstadt_broker_up 1.0" in text
    assert "koopstadt_failed_tasks_open 1.0" in text


# --- Sentry ----------------------------------------------------------------------------------------
class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # the SDK prefers brotli when the package is installed (WeasyPrint's fonts)
            import brotli

            body = brotli.decompress(body)
        _Receiver.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def test_errors_reach_sentry_when_a_dsn_is_set():
    """A real HTTP receiver on loopback stands in for the Sentry server; the portal's own process sends."""
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.received.clear()
    script = (
        "import django; django.setup()\n"
        "import sentry_sdk\n"
        "try:\n    raise RuntimeError('Probe für Sentry')\n"
        "except RuntimeError as e:\n    sentry_sdk.capture_exception(e)\n"
        "sentry_sdk.flush(5)\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SENTRY")},
        "DJANGO_SETTINGS_MODULE": "koopstadt.settings",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/42",
        "SENTRY_ENVIRONMENT": "ci",
    }
    try:
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        wait_for(lambda: _Receiver.received, timeout=10)
    finally:
        server.shutdown()
    path, body = _Receiver.received[0]
    assert path == "/api/42/envelope/"
    # An envelope: a header line, then item header and item lines, each JSON.
    event = next(item for item in map(json.loads, body.decode().splitlines()[1:]) if "exception" in item)
    (exception,) = event["exception"]["values"]
    assert (exception["type"], exception["value"]) == ("RuntimeError", "Probe für Sentry")
    assert event["environment"] == "ci"
    assert "user" not in event  # send_default_pii=False


@pytest.mark.django_db
def test_djangos_own_lines_about_a_request_carry_its_id_and_then_it_is_forgotten(client, caplog):
    from koopstadt.request_context import current_request_id

    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.get("/gibt-es-nicht/?suche=Frau+Mustermann", HTTP_X_REQUEST_ID="not-found-12345")
    assert response.status_code == 404
    (line,) = [r for r in caplog.records if r.name == "django.request"]
    ContextFilter().filter(line)
    assert line.request_id == "not-found-12345"
    assert "Mustermann" not in JsonFormatter().format(line)  # the query string stays out of the logs
    assert current_request_id() is None


@pytest.mark.django_db
def test_an_unready_portal_does_not_mail_the_administrators_at_every_poll(client, settings, mailoutbox):
    settings.ADMINS = [("Betrieb", "it@example.org")]
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    for _ in range(3):
        assert client.get("/readyz").status_code == 503
    assert mailoutbox == []


def _gunicorn_config(monkeypatch, **env: str) -> dict:
    import runpy

    for name in ("GUNICORN_ACCESS_LOG", "LOG_FORMAT", "DJANGO_ENV"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "koopstadt" / "gunicorn.conf.py"))


def test_gunicorn_logs_json_and_its_access_log_only_when_asked(monkeypatch):
    production = _gunicorn_config(monkeypatch, DJANGO_ENV="production")
    assert production["accesslog"] is None
    assert production["logconfig_dict"]["formatters"]["json"] == {"()": "koopstadt.logs.JsonFormatter"}
    assert production["logconfig_dict"]["loggers"]["gunicorn.access"]["handlers"] == []
    asked = _gunicorn_config(monkeypatch, DJANGO_ENV="production", GUNICORN_ACCESS_LOG="-")
    assert asked["logconfig_dict"]["loggers"]["gunicorn.access"]["handlers"] == ["console"]
    assert "logconfig_dict" not in _gunicorn_config(monkeypatch, DJANGO_ENV="production", LOG_FORMAT="plain")
