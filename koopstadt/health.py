"""Health endpoints for load balancers, systemd, containers and monitoring (docs/handbook.md).

``/healthz`` (liveness): the process answers and reaches its database – restart it if not.
``/readyz`` (readiness): the database answers and is fully migrated, the message broker answers and at
least one Celery worker answers a ping – send it no traffic (and alert) if not. Both answer JSON.
"""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from koopstadt.celery import app

logger = logging.getLogger(__name__)

OK, ERROR, NOT_CONFIGURED, UNKNOWN = "ok", "error", "not configured", "unknown"
# Seconds /readyz waits for a worker's answer to its ping.
WORKER_PING_TIMEOUT = 1.0

# Once a process has seen every migration applied it stays so (migrations are never unapplied while the
# same code runs), so the migration graph is read only until then.
_migrated = False


def check_database() -> str:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.error("Health check: database unreachable: %s", exc)
        return ERROR
    return OK


def check_migrations() -> str:
    global _migrated
    if _migrated:
        return OK
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        logger.error("Health check: cannot read the migrations: %s", exc)
        return ERROR
    if pending:
        logger.error("Health check: %d migrations not applied (run ./scripts/release)", len(pending))
        return "pending"
    _migrated = True
    return OK


def check_broker_and_workers() -> tuple[str, str]:
    """Does the broker answer, and does at least one Celery worker answer a ping through it?

    One connection for both; the workers are "not configured" when tasks run inside the web process.
    """
    if not settings.CELERY_BROKER_URL:
        return NOT_CONFIGURED, NOT_CONFIGURED

    # One attempt of at most REDIS_TIMEOUT (also the connection's own timeout, from the Celery settings).
    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        try:
            conn.ensure_connection(
                max_retries=0, interval_start=0, interval_step=0, timeout=settings.REDIS_TIMEOUT
            )
        except Exception as exc:
            logger.error("Health check: broker unreachable: %s", exc)
            return ERROR, UNKNOWN
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return OK, NOT_CONFIGURED
        try:
            replies = app.control.ping(timeout=WORKER_PING_TIMEOUT, limit=1, connection=conn)
        except Exception as exc:
            logger.error("Health check: cannot ping the workers: %s", exc)
            return OK, ERROR
    if not replies:
        logger.error("Health check: no Celery worker answered within %.1f s", WORKER_PING_TIMEOUT)
        return OK, ERROR
    return OK, OK


def _answer(checks: dict[str, str], good: str) -> JsonResponse:
    healthy = all(value in {OK, NOT_CONFIGURED} for value in checks.values())
    response = JsonResponse(
        {"status": good if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
    # The failed check is logged above; Django's own "Service Unavailable" error would also mail the
    # administrators at every poll of a monitor while, say, a worker is down.
    response._has_been_logged = True
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return _answer({"database": check_database()}, "ok")


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    broker, workers = check_broker_and_workers()
    checks = {
        "database": database,
        "migrations": check_migrations() if database == OK else UNKNOWN,
        "broker": broker,
        "workers": workers,
    }
    return _answer(checks, "ready")
