import io
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from cities.directory.roles import Role
from tests.cities.factories import PASSWORD, DepartmentFactory, UserFactory
from tests.module_db import rolled_back_after_module

# Playwright's sync API runs an event loop in the main thread; the ORM calls in browser tests are
# still synchronous and safe (RECIPES.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
REQUIRE_SERVICES = os.environ.get("KOOPSTADT_REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache: API throttling and the log-in delay per account count there,
    and the tests' memory cache would otherwise carry one test's failed log-ins into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _join_allowed() -> None:
    """Celery keeps "a task is running, do not wait for results" in one process-wide flag that each eager
    task sets and restores. Tests whose threads run eager tasks at the same moment can restore it in the
    wrong order and leave it set, so a later test's ``.get()`` in the same process would be refused."""
    from celery.result import _set_task_join_will_block

    _set_task_join_will_block(False)


# --- people ----------------------------------------------------------------------------------------
@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def staff_user(db):
    return UserFactory(department=DepartmentFactory(), roles=[Role.STAFF])


@pytest.fixture
def coordinator(db):
    return UserFactory(department=DepartmentFactory(), roles=[Role.COORDINATOR])


# Tests that start processes, servers or Celery workers of their own, or share the one Redis broker, run
# one after the other on one pytest-xdist worker (group "serial") while the other workers run the rest
# module by module (a module's demo network is built once). The fault tests, which also check that pages
# answer at once while Redis is gone, run after all of that, alone (scripts/test).
SERIAL_PATHS = (
    "tests/integration/",
    "tests/reliability/test_faults.py",
    "tests/reliability/test_backup.py",
    "tests/operations/test_production_stack.py",
    "tests/operations/test_upload_limit_stack.py",
    "tests/operations/test_beat.py",
    "tests/operations/test_observability.py",
    "tests/operations/test_demo_script.py",
    "tests/operations/test_health.py",
    "tests/security/test_redis_outage.py",
    "tests/sso/",
)
SERIAL_MARKERS = {"integration", "faults", "sso"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if path.startswith(SERIAL_PATHS) or SERIAL_MARKERS & {mark.name for mark in item.iter_markers()}:
            item.add_marker(pytest.mark.serial)
            item.add_marker(pytest.mark.xdist_group("serial"))
        else:
            item.add_marker(pytest.mark.xdist_group(path))


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The whole demo network (``load_demo``), loaded once for a test module.

    It is loaded inside a transaction that stays open while the module's tests run and is rolled back
    after the last one; each test's own transaction (the ``db`` fixture) is a savepoint inside it, so
    what a test changes is gone before the next test. Modules with tests that need real commits
    (``transaction=True``, threads, other processes) load the demo per test instead.
    """
    with rolled_back_after_module(django_db_blocker):
        call_command("load_demo", stdout=io.StringIO())
        yield


@pytest.fixture
def demo(db) -> None:
    from koopstadt.development.demo_directory import demo_load

    demo_load()


# --- browser ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # An English browser: the portal must still answer in German unless English is chosen.
    # Reduced motion: Bootstrap's and our transitions are off, so axe never measures a colour halfway
    # through one (a button just pressed read 2.5:1 for a moment).
    return {
        **browser_context_args,
        "locale": "en-US",
        "viewport": {"width": 1280, "height": 900},
        "reduced_motion": "reduce",
    }


# --- a real Celery worker --------------------------------------------------------------------------
class WorkerProcess:
    def __init__(
        self, queue: str, log_path: Path, mail_dir: Path, process: subprocess.Popen | None = None
    ) -> None:
        self.queue = queue
        self.log_path = log_path
        self.mail_dir = mail_dir
        self.process = process

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_ready(self, timeout: float = 60) -> "WorkerProcess":
        deadline = time.monotonic() + timeout
        while "ready." not in self.log():
            if self.process is None or self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The Celery worker did not start:\n{self.log()}")
            time.sleep(0.2)
        return self

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a crashing machine would: no clean-up at all."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def services_available() -> bool:
    return bool(settings.CELERY_BROKER_URL) and connection.vendor == "postgresql"


def require_services(available: bool, message: str) -> None:
    """Skip a test that needs real services, or fail it when ``KOOPSTADT_REQUIRE_SERVICES=1``."""
    if not available:
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


def worker_database_url() -> str:
    db = settings.DATABASES["default"]
    credentials = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(
    *,
    broker_url: str,
    queue: str,
    mail_dir: Path,
    pool: str = "solo",
    name: str = "",
    extra_env: dict[str, str] | None = None,
    wait: bool = True,
) -> WorkerProcess:
    """Start ``celery worker`` as its own process on the test database, consuming only ``queue``.

    Its log goes to ``test-artifacts/worker-<name>.log``; e-mails are written as files to ``mail_dir``.
    """
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        # The test's worker consumes only its own queue, so every task goes there.
        "CELERY_SEPARATE_QUEUES": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        **(extra_env or {}),
    }
    name = name or queue
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"worker-{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "koopstadt",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                f"{name}@localhost",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(queue, log_path, mail_dir, process)
    if wait:
        try:
            worker.wait_until_ready()
        except BaseException:
            worker.stop()
            raise
    return worker


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path: Path) -> Iterator[WorkerProcess]:
    """Start ``celery worker`` as its own process on the test database and a queue of its own."""
    require_services(services_available(), "needs PostgreSQL and Redis (CELERY_BROKER_URL)")

    from koopstadt.celery import app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = start_worker(broker_url=settings.CELERY_BROKER_URL, queue=queue, mail_dir=mail_dir)
    previous = {
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        with override_settings(CELERY_SEPARATE_QUEUES=False):
            yield worker
    finally:
        app.conf.update(previous)
        worker.stop()


def wait_for(condition, timeout: float = 30.0, interval: float = 0.2):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout} s")


def twice_at_once(monkeypatch, owner: object, name: str, action):
    """Run ``action`` in two threads, each with its own database connection, that pass ``owner.name``
    only together: both have read, neither has written yet – the race of two concurrent requests or
    tasks. Returns what each run returned or raised (PostgreSQL; the test needs transaction=True)."""
    both_there = threading.Barrier(2, timeout=10)
    real = getattr(owner, name)

    def held(*args, **kwargs):
        both_there.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    results: list[object] = []

    def run() -> None:
        try:
            results.append(action())
        except Exception as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
