"""The daily digest of notifications."""

from celery import shared_task
from django.utils import timezone

from exchanges.notifications.services import send_digests
from koopstadt.task_options import RETRY


@shared_task(name="exchanges.tasks.send_digests_task", **RETRY)
def send_digests_task() -> int:
    return send_digests(today=timezone.localdate())
