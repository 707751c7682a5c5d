"""Fault injection: a Redis and Celery workers of the test's own, stopped, killed and cut off on purpose.

Each test starts ``redis-server`` on a free port (never the machine's shared Redis) and real worker
processes on the test database (PostgreSQL). The test process plays the web process: its Celery app and
its cache are configured exactly as koopstadt/settings.py configures a web process whose broker and
cache are that Redis (read in a process of its own), so what is tested is the web side's own
configuration. Logs: ``test-artifacts/redis-faults-*.log`` and ``test-artifacts/worker-faults-*.log``.
Run only these: ``./scripts/test -m faults``.
"""

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from redis.backoff import NoBackoff
from redis.retry import Retry

from cities.directory.models import User
from cities.mail.models import OutgoingEmail
from cities.operations.models import FailedTask
from exchanges.cycle.models import ExchangeRequest, RoutingDecision, Status, TimelineEntry
from exchanges.notifications.models import Notification
from exchanges.travel.models import Booking, ClaimStatus, TravelClaim
from tests.api.conftest import issue as issue_token
from tests.api.conftest import problem, token_client
from tests.conftest import (
    ARTIFACTS,
    ROOT,
    WorkerProcess,
    require_services,
    start_worker,
    wait_for,
    worker_database_url,
)
from tests.exchanges.services.test_routing import (
    REAL_EXAMPLES,
    accepted_request,
    draft_request,
    submitted_request,
)

pytestmark = [pytest.mark.faults, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Seconds after which Redis hands an unacknowledged message of a dead worker to another worker.
VISIBILITY_TIMEOUT = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throw-away ``redis-server`` without persistence, started and stopped by its own PID."""

    def __init__(self, port: int, directory: Path, log_path: Path) -> None:
        self.port = port
        self.directory = directory
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def cache_url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/1"

    def ping(self) -> bool:
        try:
            client = redis.Redis(
                port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5, retry=Retry(NoBackoff(), 0)
            )
            return bool(client.ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.log_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for(self.ping, timeout=10, interval=0.05)

    def stop(self) -> None:
        """Take Redis away at once, as a crash or a network cut would (SIGTERM takes seconds here)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.resume()
        self.process.kill()
        self.process.wait(timeout=10)
        assert not self.ping()

    def hang(self) -> None:
        """Freeze Redis (SIGSTOP): connections are still accepted by the kernel, but nothing answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        assert not self.ping()

    def resume(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)


class Faults:
    def __init__(self, redis_server: RedisServer, queue: str, mail_dir: Path) -> None:
        self.redis = redis_server
        self.queue = queue
        self.mail_dir = mail_dir
        self.workers: list[WorkerProcess] = []

    def start_worker(self, *, wait: bool = True, **extra_env: str) -> WorkerProcess:
        worker = start_worker(
            broker_url=self.redis.url,
            queue=self.queue,
            mail_dir=self.mail_dir,
            name=f"{self.queue}-{len(self.workers) + 1}",
            extra_env={
                "CACHE_URL": self.redis.cache_url,
                "CELERY_RETRY_BACKOFF": "1",  # first retry after at most a second
                **extra_env,
            },
            wait=wait,
        )
        self.workers.append(worker)
        return worker

    def wait_until_idle(self) -> None:
        """Until every task the workers received has ended, and a moment for its acknowledgement: an outage
        that starts while a worker acknowledges a message of the setup leaves that worker's connection
        broken for the rest of the test (what this test is not about)."""

        def idle() -> bool:
            logs = [worker.log() for worker in self.workers]
            return sum(log.count("] received") for log in logs) == sum(log.count(" ended: ") for log in logs)

        wait_for(idle, timeout=30)
        time.sleep(1.0)

    def task_log(self, task: str, event: str) -> int:
        """How often all workers logged ``event`` ("received", "succeeded", "retry") for ``task``."""
        return sum(
            line.count(f"{task}[")
            for worker in self.workers
            for line in worker.log().splitlines()
            if event in line
        )


def _reset_producers(app) -> None:
    """Forget pooled broker connections and the result store, so that the next message goes to the
    current ``broker_url`` and the result store (if any) is made from the current configuration."""
    from kombu import pools

    from koopstadt.broker import OutagePause

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    OutagePause.reset_all()


def web_configuration(broker_url: str, cache_url: str) -> tuple[dict, dict]:
    """The Celery settings (those of them JSON can carry) and CACHES that koopstadt/settings.py gives a
    web process with these two environment variables, read in a fresh interpreter."""
    script = (
        "import json, koopstadt.settings as s\n"
        "def ok(value):\n"
        "    try:\n"
        "        json.dumps(value)\n"
        "    except TypeError:\n"
        "        return False\n"
        "    return True\n"
        "celery = {k: v for k, v in vars(s).items() if k.startswith('CELERY_') and ok(v)}\n"
        "print(json.dumps({'celery': celery, 'caches': s.CACHES}))\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "CACHE_"))},
        "DJANGO_ENV": "test",
        "CELERY_BROKER_URL": broker_url,
        "CACHE_URL": cache_url,
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return found["celery"], found["caches"]


@pytest.fixture
def faults(transactional_db, tmp_path: Path, monkeypatch, settings) -> Iterator[Faults]:
    require_services(
        connection.vendor == "postgresql" and shutil.which("redis-server") is not None,
        "needs PostgreSQL and the redis-server binary",
    )
    from koopstadt.celery import app

    queue = f"faults-{uuid.uuid4().hex[:8]}"
    ARTIFACTS.mkdir(exist_ok=True)
    server = RedisServer(free_port(), tmp_path, ARTIFACTS / f"redis-{queue}.log")
    server.start()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    # Celery prefers the environment variable to the configuration for the broker address.
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    # The test's workers consume only the test's queue, so every task goes there.
    settings.CELERY_SEPARATE_QUEUES = False
    # The web process's own configuration for this Redis: result store, timeouts, retries, cache.
    celery, caches = web_configuration(server.url, server.cache_url)
    web = {name.removeprefix("CELERY_").lower(): value for name, value in celery.items()}
    web = {name: value for name, value in web.items() if name in app.conf and not name.startswith("beat_")}
    previous = {name: app.conf[name] for name in web} | {
        "broker_url": app.conf.broker_url,
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.update(web)
    app.conf.update(broker_url=server.url, task_always_eager=False, task_default_queue=queue)
    settings.CACHES = caches
    _reset_producers(app)
    faults = Faults(server, queue, mail_dir)
    try:
        yield faults
    finally:
        for worker in faults.workers:  # all at once: a warm shutdown takes a moment
            if worker.process is not None and worker.process.poll() is None:
                worker.process.terminate()
        for worker in faults.workers:
            worker.stop()
        app.conf.update(previous)
        monkeypatch.undo()
        _reset_producers(app)
        server.stop()


@pytest.fixture
def demo_network(transactional_db) -> None:
    """The demo network, loaded before ``faults`` switches the tasks to the test's own Redis and workers."""
    call_command("load_demo", stdout=io.StringIO())


@contextmanager
def row_locked(table: str, pk: int) -> Iterator[psycopg.Connection]:
    """Hold ``SELECT ... FOR UPDATE`` on one row from a connection of its own, until the block ends."""
    with psycopg.connect(worker_database_url(), connect_timeout=5) as other:
        other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])
        yield other
        other.rollback()


def lock_waiter() -> int | None:
    """The PID of the database session (a worker's) that waits for a row lock, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def assert_routed_once(request: ExchangeRequest) -> None:
    decisions = RoutingDecision.objects.filter(request=request)
    assert decisions.count() == decisions.values("department").distinct().count() > 0
    assert decisions.filter(is_routed=True).exists()
    assert TimelineEntry.objects.filter(request=request, action="start_matching").count() == 1
    assert ExchangeRequest.objects.get(pk=request.pk).status == Status.MATCHING


# --- (a) Redis is gone or hangs when the city contact accepts and a requester submits ----------------
# Answers within this many seconds although Redis does not answer (REDIS_TIMEOUT is one second).
PROMPT = 3.0


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.parametrize("outage", ["killed", "hanging"])
def test_accept_and_submit_while_redis_is_out_answer_at_once_and_are_done_once_when_it_is_back(
    demo_network, faults, client, settings, caplog, outage
):
    from cities.operations.tasks import sweep_lost_work_task

    worker = faults.start_worker()
    request = submitted_request(*REAL_EXAMPLES[0][:4])
    contact = User.objects.city_contacts(request.requester_city_id).get()
    draft = draft_request(*REAL_EXAMPLES[1][:4])
    draft_contact = User.objects.city_contacts(draft.requester_city_id).get()
    requester_api = token_client(issue_token(draft.requester))
    client.force_login(contact)
    faults.wait_until_idle()

    # given: Redis is gone (killed), or hangs (stopped: connections are accepted, nothing answers)
    if outage == "killed":
        faults.redis.stop()
    else:
        faults.redis.hang()
    # when: the city contact accepts on the page, and a requester submits through the API (throttled in
    # the cache, which is the same Redis)
    accepted, accept_took = timed(
        lambda: client.post(
            reverse("exchanges:request_action", args=[request.pk, "accept"]),
            {"accept-expected_status": "submitted"},
        )
    )
    submitted, submit_took = timed(
        lambda: requester_api.post(
            f"/api/v1/requests/{draft.pk}/actions/submit/", {"expected_status": "draft"}, format="json"
        )
    )
    # then: both answer success at once, and what they changed is saved
    assert accepted.status_code == 302, accepted.content[:500]
    assert submitted.status_code == 200, submitted.content[:500]
    assert accept_took < PROMPT and submit_took < PROMPT, (accept_took, submit_took)
    assert "Could not queue exchanges.tasks.route_request_task" in caplog.text  # it really tried
    request.refresh_from_db()
    assert request.status == Status.ROUTING
    assert not RoutingDecision.objects.filter(request=request).exists()
    assert ExchangeRequest.objects.get(pk=draft.pk).status == Status.SUBMITTED
    # a retry of the same step is refused as "already done" (409), not another 500
    again = requester_api.post(
        f"/api/v1/requests/{draft.pk}/actions/submit/", {"expected_status": "draft"}, format="json"
    )
    assert again.status_code == 409 and problem(again)["status"] == 409

    # Redis is back; the sweeper (celery beat) finds the work and queues it, twice in a row
    if outage == "killed":
        faults.redis.start()
    else:
        faults.redis.resume()
    settings.SWEEPER_GRACE_SECONDS = 0
    first = sweep_lost_work_task.apply().result
    sweep_lost_work_task.apply()
    if outage == "killed":
        assert first["routing"] == 1
    # (a hanging Redis may still carry out the message it received before it froze: routed all the same)

    # A process that met the outage skips Redis for a few seconds (OutagePause), so a sweep right after it
    # returns may still leave the work for the next one: sweep again, as beat does, until it is routed.
    def routed_after_another_sweep() -> bool:
        if ExchangeRequest.objects.get(pk=request.pk).status == Status.MATCHING:
            return True
        sweep_lost_work_task.apply()
        return False

    wait_for(routed_after_another_sweep, timeout=45, interval=1.0)
    wait_for(lambda: faults.task_log("route_request_task", "succeeded") >= 1, timeout=30)
    assert_routed_once(request)
    # the submitted request's contact is told once
    wait_for(lambda: Notification.objects.filter(request=draft, recipient=draft_contact).exists(), timeout=45)
    wait_for(lambda: not OutgoingEmail.objects.pending().exists(), timeout=45)
    assert Notification.objects.filter(request=draft, recipient=draft_contact).count() == 1
    assert "route_request_task" in worker.log()
    assert not FailedTask.objects.exists()


# --- (b) the worker is killed in the middle of a booking ---------------------------------------------
def test_a_worker_killed_during_a_booking_leaves_exactly_one_booking(demo_network, faults):
    from exchanges.travel.services.claims import claim_approve, claim_submit
    from tests.exchanges.claims_world import held_exchange
    from tests.exchanges.services.test_claims import _claim_a

    claim = _claim_a(held_exchange())
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller)
    bookings_before = set(Booking.objects.values_list("number", flat=True))
    # approving queues the booking; no worker runs yet
    claim_approve(claim_id=claim.pk, actor=User.objects.get(email="finanzen@example.org"))
    timeout_env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}

    with row_locked(TravelClaim._meta.db_table, claim.pk):
        # the task starts and blocks inside claim_book on the row lock
        first = faults.start_worker(**timeout_env)
        wait_for(lambda: faults.task_log("book_claim_task", "received") == 1, timeout=30)
        received_at = time.time()
        wait_for(lock_waiter, timeout=30)
        # when: the worker dies without any clean-up
        first.kill()
    assert not Booking.objects.filter(claim=claim).exists()

    # A new worker gets the unacknowledged message back once the visibility timeout has passed.
    time.sleep(max(0.0, received_at + VISIBILITY_TIMEOUT + 0.5 - time.time()))
    second = faults.start_worker(**timeout_env)
    wait_for(lambda: Booking.objects.filter(claim=claim).exists(), timeout=45)
    wait_for(
        lambda: "book_claim_task" in second.log() and faults.task_log("book_claim_task", "succeeded"),
        timeout=30,
    )

    booking = Booking.objects.get(claim=claim)
    assert Booking.objects.count() == len(bookings_before) + 1
    assert booking.number not in bookings_before
    assert TravelClaim.objects.get(pk=claim.pk).status == ClaimStatus.BOOKED
    assert faults.task_log("book_claim_task", "received") == 2  # delivered twice, booked once


# --- (c) the database connection drops while a task waits ---------------------------------------------
def test_a_dropped_database_connection_makes_the_task_retry_and_succeed(demo_network, faults):
    request = accepted_request(*REAL_EXAMPLES[1][:4])  # queues the routing; no worker runs yet

    with row_locked(ExchangeRequest._meta.db_table, request.pk) as other:
        worker = faults.start_worker()

        def cut_off_waiting_sessions() -> bool:
            # Tasks touching the request (its notifications, the routing) wait for the row in turn;
            # when: the database ends each waiting session (restart, failover, network cut).
            pid = lock_waiter()
            if pid is not None:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
            return faults.task_log("route_request_task", "retry:") >= 1

        wait_for(cut_off_waiting_sessions, timeout=45)

    wait_for(lambda: ExchangeRequest.objects.get(pk=request.pk).status == Status.MATCHING, timeout=45)
    wait_for(lambda: faults.task_log("route_request_task", "succeeded") == 1, timeout=30)
    assert_routed_once(request)
    retried = [
        line for line in worker.log().splitlines() if "route_request_task[" in line and "retry:" in line
    ]
    assert "OperationalError('terminating connection due to administrator command" in retried[0]
    # the notifications of the accept were cut off as well and are sent once all the same
    wait_for(lambda: not OutgoingEmail.objects.pending().exists(), timeout=30)
    assert not FailedTask.objects.exists()


# --- (d) the same e-mail task delivered twice ----------------------------------------------------------
def test_the_same_email_task_delivered_twice_sends_one_email(faults):
    from cities.mail.services import email_queue
    from cities.mail.tasks import send_email_task

    email = email_queue(key="faults:twice", to_address="twice@example.org", subject="Zweimal", body="Text")
    send_email_task.delay(email.pk)  # a redelivery of the same message

    # two workers, so that both deliveries can run at the same time
    workers = [faults.start_worker(wait=False), faults.start_worker(wait=False)]
    for worker in workers:
        worker.wait_until_ready()

    wait_for(lambda: faults.task_log("send_email_task", "succeeded") == 2, timeout=45)
    sent = OutgoingEmail.objects.get(pk=email.pk)
    assert (sent.state, sent.attempts) == ("sent", 1)
    files = list(faults.mail_dir.iterdir())
    assert len(files) == 1
    assert "twice@example.org" in files[0].read_text()
