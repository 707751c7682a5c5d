"""Retention: anonymise or delete what has passed its retention period."""

from dataclasses import asdict

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from exchanges.privacy.people import retention_apply


@shared_task(
    name="cities.tasks.retention_apply_task",
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=900,
)
def retention_apply_task() -> dict:
    """Daily: anonymise or delete what is past its retention period (idempotent, no arguments)."""
    return asdict(retention_apply(today=timezone.localdate()))
