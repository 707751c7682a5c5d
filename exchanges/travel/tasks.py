"""Book an approved claim, exactly once; remind supervisors of trips awaiting their approval."""

from celery import shared_task
from django.utils import timezone

from exchanges.travel.services.claims import claim_book
from exchanges.travel.services.trips import commitments_expire, remind_pending_trips
from koopstadt.task_options import RETRY


@shared_task(name="exchanges.tasks.book_claim_task", **RETRY)
def book_claim_task(claim_id: int) -> bool:
    return claim_book(claim_id=claim_id)


@shared_task(name="exchanges.tasks.remind_pending_trips_task", **RETRY)
def remind_pending_trips_task() -> int:
    return remind_pending_trips(today=timezone.localdate())


@shared_task(name="exchanges.tasks.commitments_expire_task", **RETRY)
def commitments_expire_task() -> int:
    return commitments_expire(today=timezone.localdate())
