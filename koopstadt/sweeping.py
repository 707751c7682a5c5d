"""Find work that was recorded in the database but never done, and queue it again.

Tasks are queued after the commit; if the broker was down at that moment the row is saved but the
message is lost. Every kind of follow-up work leaves a state that says "not yet done", so this periodic
sweeper (celery beat, every few minutes) can find it. The tasks are idempotent, so a task that was only
slow and gets queued a second time changes nothing.

Each domain registers what to look for (``register``) from its app's ``ready``: the platform knows no
domain, the domains know the platform.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from koopstadt.celery import app

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class Sweep:
    kind: str  # the count it adds to: routing, emails, bookings, notifications
    task_name: str  # the Celery task that does the work, given the row's id
    waiting: Callable[[datetime], Iterable[int]]  # ids of rows waiting since before the cutoff


SWEEPS: dict[str, Sweep] = {}


def register(kind: str, task_name: str, waiting: Callable[[datetime], Iterable[int]]) -> None:
    """Add a kind of work to look for (idempotent: registering the same task twice keeps one)."""
    SWEEPS[task_name] = Sweep(kind, task_name, waiting)


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Queue again what has waited longer than ``SWEEPER_GRACE_SECONDS``. Returns counts per kind."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.SWEEPER_GRACE_SECONDS)
    counts = {"routing": 0, "emails": 0, "bookings": 0, "notifications": 0}
    for item in SWEEPS.values():
        for pk in list(item.waiting(cutoff))[:BATCH]:
            app.signature(item.task_name).delay(pk)
            counts[item.kind] = counts.get(item.kind, 0) + 1
    if any(counts.values()):
        logger.warning("Sweeper queued work that was never done: %s", counts)
    return counts
