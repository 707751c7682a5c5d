"""The Celery application. Configuration comes from Django's settings (namespace ``CELERY``)."""

import os
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_init

from koopstadt import metrics, request_context
from koopstadt.broker import OutagePause

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koopstadt.settings")

app = Celery("koopstadt")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The tasks are registered by the apps (their ``ready`` imports each domain package's tasks module), in
# the web processes as in the workers, which set Django up before they consume. A task failing for good is
# recorded by cities/operations (connected in its app's ``ready``).


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
