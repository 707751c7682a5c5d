"""/readyz: database, migrations, broker and a Celery worker – with a Redis and a worker of the test's own."""

import json
import shutil
import uuid
from pathlib import Path

import pytest
from django.db import connection

from koopstadt import health
from tests.conftest import ARTIFACTS, require_services, start_worker, wait_for
from tests.reliability.test_faults import RedisServer, _reset_producers, free_port


def ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_readyz_with_tasks_run_in_the_web_process(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_BROKER_URL = ""
    status, body = ready(client)
    assert status == 200
    assert body == {
        "status": "ready",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "broker": "not configured",
            "workers": "not configured",
        },
    }
    assert client.get("/readyz")["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_is_503_while_migrations_are_pending(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        lambda self, targets: [("exchanges", "9999_not_applied")],
    )
    status, body = ready(client)
    assert status == 503
    assert body["status"] == "error"
    assert body["checks"]["migrations"] == "pending"


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["broker"] == "error"
    assert body["checks"]["workers"] == "unknown"


@pytest.mark.integration
@pytest.mark.faults
@pytest.mark.django_db(transaction=True)
def test_readyz_follows_the_broker_and_the_workers(client, settings, tmp_path: Path, monkeypatch):
    """200 with a worker; 503 without one; 200 again; 503 with Redis gone; 200 once it is back."""
    require_services(
        connection.vendor == "postgresql" and shutil.which("redis-server") is not None,
        "needs PostgreSQL and the redis-server binary",
    )
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    server = RedisServer(port, tmp_path, ARTIFACTS / f"redis-readyz-{port}.log")
    server.start()
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)  # Celery prefers it to the configuration
    settings.CELERY_BROKER_URL = server.url
    # The ping is published through the app's producer pool: point it at this Redis.
    from koopstadt.celery import app

    previous_broker = app.conf.broker_url
    app.conf.broker_url = server.url
    _reset_producers(app)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queue = f"readyz-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()

    workers = []

    def worker():
        workers.append(
            start_worker(
                broker_url=server.url, queue=queue, mail_dir=mail_dir, name=f"{queue}-{len(workers)}"
            )
        )
        return workers[-1]

    first = worker()
    try:
        assert ready(client) == (
            200,
            {
                "status": "ready",
                "checks": {"database": "ok", "migrations": "ok", "broker": "ok", "workers": "ok"},
            },
        )
        first.stop()
        status, body = ready(client)
        assert (status, body["checks"]["broker"], body["checks"]["workers"]) == (503, "ok", "error")

        worker()
        assert ready(client)[0] == 200
        server.stop()
        status, body = ready(client)
        assert (status, body["checks"]["broker"], body["checks"]["workers"]) == (503, "error", "unknown")

        server.start()
        # The worker reconnects by itself; the portal is ready again once it answers.
        wait_for(lambda: ready(client)[0] == 200, timeout=60, interval=1)
        assert ready(client)[1]["checks"]["workers"] == "ok"
    finally:
        for started in workers:
            started.stop()
        server.stop()
        app.conf.broker_url = previous_broker
        monkeypatch.undo()
        _reset_producers(app)
