from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from exchanges.services import notifications

TRANSIENT_ERRORS = (OperationalError,)
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": settings.TASK_RETRY_BACKOFF,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
    "soft_time_limit": 120,
    "time_limit": 180,
}


@shared_task(**RETRY)
def notify_timeline_entry_task(entry_id: int) -> int:
    return notifications.notify_timeline_entry(entry_id=entry_id)


@shared_task(**RETRY)
def notify_comment_task(comment_id: int) -> int:
    return notifications.notify_comment(comment_id=comment_id)


@shared_task(**RETRY)
def remind_overdue_requests_task() -> int:
    return notifications.remind_overdue(today=timezone.localdate())


@shared_task(**RETRY)
def send_digests_task() -> int:
    return notifications.send_digests(today=timezone.localdate())


@shared_task(**RETRY)
def route_request_task(request_id: int) -> bool:
    from exchanges.services.routing import request_route

    return request_route(request_id=request_id)


@shared_task(**RETRY)
def remind_open_invitations_task() -> int:
    from exchanges.services.invitations import remind_open_invitations

    return remind_open_invitations(today=timezone.localdate())


@shared_task(**RETRY)
def remind_held_task() -> int:
    from exchanges.services.meetings import remind_held

    return remind_held(today=timezone.localdate())


@shared_task(**RETRY)
def remind_reflections_task() -> int:
    from exchanges.services.reflections import remind_reflections

    return remind_reflections(today=timezone.localdate())


@shared_task(**RETRY)
def book_claim_task(claim_id: int) -> bool:
    from exchanges.services.claims import claim_book

    return claim_book(claim_id=claim_id)


@shared_task(**RETRY)
def sweep_lost_work_task() -> dict[str, int]:
    from exchanges.services.sweeper import sweep

    return sweep()
