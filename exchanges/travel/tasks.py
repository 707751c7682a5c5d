"""Book an approved claim, exactly once."""

from celery import shared_task

from exchanges.travel.services.claims import claim_book
from koopstadt.task_options import RETRY


@shared_task(name="exchanges.tasks.book_claim_task", **RETRY)
def book_claim_task(claim_id: int) -> bool:
    return claim_book(claim_id=claim_id)
