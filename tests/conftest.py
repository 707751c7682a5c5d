import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cities.roles import Role
from tests.cities.factories import PASSWORD, DepartmentFactory, UserFactory

# Playwright's sync API runs an event loop in the main thread; the ORM calls in browser tests are
# still synchronous and safe (RECIPES.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
REQUIRE_SERVICES = os.environ.get("KOOPSTADT_REQUIRE_SERVICES") == "1"


# --- people ----------------------------------------------------------------------------------------
@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def staff_user(db):  # type: ignore[no-untyped-def]
    return UserFactory(department=DepartmentFactory(), roles=[Role.STAFF])


@pytest.fixture
def coordinator(db):  # type: ignore[no-untyped-def]
    return UserFactory(department=DepartmentFactory(), roles=[Role.COORDINATOR])


@pytest.fixture
def demo(db) -> None:  # type: ignore[no-untyped-def]
    from cities.services.demo import demo_load

    demo_load()


# --- browser ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
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
def browser_context_args(browser_context_args):  # type: ignore[no-untyped-def]
    # An English browser: the portal must still answer in German unless English is chosen.
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 900}}


# --- a real Celery worker --------------------------------------------------------------------------
class WorkerProcess:
    def __init__(self, queue: str, log_path: Path, mail_dir: Path) -> None:
        self.queue = queue
        self.log_path = log_path
        self.mail_dir = mail_dir

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def services_available() -> bool:
    return bool(settings.CELERY_BROKER_URL) and connection.vendor == "postgresql"


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path: Path) -> Iterator[WorkerProcess]:  # type: ignore[no-untyped-def]
    """Start ``celery worker`` as its own process on the test database and a queue of its own."""
    if not services_available():
        message = "needs PostgreSQL and Redis (CELERY_BROKER_URL)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)

    from koopstadt.celery import app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    db = settings.DATABASES["default"]
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    if db.get("PASSWORD"):
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"worker-{queue}.log"
    name = f"{queue}@localhost"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "koopstadt",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                name,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(queue, log_path, mail_dir)
    previous = {
        "task_always_eager": app.conf.task_always_eager,
        "task_default_queue": app.conf.task_default_queue,
    }
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 60
        while "ready." not in worker.log():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The Celery worker did not start:\n{worker.log()}")
            time.sleep(0.2)
        yield worker
    finally:
        app.conf.update(previous)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition, timeout: float = 30.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout} s")
