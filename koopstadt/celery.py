"""The Celery application. Configuration comes from Django's settings (namespace ``CELERY``)."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_failure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koopstadt.settings")

app = Celery("koopstadt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_failure.connect(weak=False, dispatch_uid="koopstadt.failed_task_record")
def _record_failed_task(**kwargs: Any) -> None:
    """A task gave up after its last retry: keep it for the failed-task page and the daily digest."""
    from cities.services.failed_tasks import on_task_failure

    on_task_failure(**kwargs)
