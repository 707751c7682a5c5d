"""Periodic operations work: the failed-task digest, and the sweeper that queues lost work again."""

from celery import shared_task
from django.db import OperationalError

from cities.operations.failed_tasks import failed_tasks_digest
from koopstadt.sweeping import sweep
from koopstadt.task_options import RETRY


@shared_task(
    name="cities.tasks.failed_tasks_digest_task",
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
)
def failed_tasks_digest_task() -> int:
    return failed_tasks_digest()


@shared_task(name="exchanges.tasks.sweep_lost_work_task", **RETRY)
def sweep_lost_work_task() -> dict[str, int]:
    return sweep()
