"""The Celery application. Configuration comes from Django's settings (namespace ``CELERY``)."""

import os
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun, worker_init

from koopstadt import metrics, request_context
from koopstadt.broker import OutagePause

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koopstadt.settings")

app = Celery("koopstadt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_failure.connect(weak=False, dispatch_uid="koopstadt.failed_task_record")
def _record_failed_task(**kwargs: Any) -> None:
    """A task gave up after its last retry: keep it for the failed-task page and the daily digest."""
    from cities.services.failed_tasks import on_task_failure

    on_task_failure(**kwargs)


@worker_init.connect(weak=False, dispatch_uid="koopstadt.worker_waits_for_redis")
def _worker_waits_for_redis(**_kwargs: Any) -> None:
    """A worker tries Redis every time (koopstadt.broker.OutagePause is for web requests)."""
    OutagePause.enabled = False


# The web request's id travels with the tasks it queued, into the workers' log lines.
before_task_publish.connect(request_context.on_before_task_publish, weak=False, dispatch_uid="koopstadt.rid")
task_prerun.connect(request_context.on_task_prerun, weak=False, dispatch_uid="koopstadt.rid")
task_postrun.connect(request_context.on_task_postrun, weak=False, dispatch_uid="koopstadt.rid")
# Task counts for Prometheus (koopstadt/metrics.py).
task_postrun.connect(metrics.on_task_postrun, weak=False, dispatch_uid="koopstadt.metrics")

# Tasks with a queue of their own (docs/scaling.md); all others go to the default queue ("celery").
TASK_QUEUES = {
    "exchanges.tasks.route_request_task": "routing",
    "cities.tasks.send_email_task": "mail",
    "exchanges.tasks.book_claim_task": "finance",
}


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any) -> dict | None:
    """Celery router (CELERY_TASK_ROUTES): the task's queue, unless CELERY_SEPARATE_QUEUES is off."""
    from django.conf import settings

    queue = TASK_QUEUES.get(name) if settings.CELERY_SEPARATE_QUEUES else None
    return {"queue": queue} if queue else None
