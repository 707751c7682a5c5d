"""Find work that was recorded in the database but never done, and queue it again.

Tasks are queued after the commit; if the broker was down at that moment the row is saved but the
message is lost. Every kind of follow-up work leaves a state that says "not yet done", so this periodic
sweeper (celery beat, every few minutes) can find it. The tasks are idempotent, so a task that was only
slow and gets queued a second time changes nothing.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from cities.models import OutgoingEmail
from exchanges.models import (
    Booking,
    ClaimStatus,
    Comment,
    ExchangeRequest,
    Status,
    TimelineEntry,
    TravelClaim,
)

logger = logging.getLogger(__name__)


def sweep(*, now=None) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Queue again what has waited longer than ``SWEEPER_GRACE_SECONDS``. Returns counts per kind."""
    from cities.tasks import send_email_task
    from exchanges.tasks import (
        book_claim_task,
        notify_comment_task,
        notify_timeline_entry_task,
        route_request_task,
    )

    cutoff = (now or timezone.now()) - timedelta(seconds=settings.SWEEPER_GRACE_SECONDS)
    unrouted = ExchangeRequest.objects.filter(
        status=Status.ROUTING, status_changed_at__lt=cutoff, routing_decisions__isnull=True
    ).values_list("pk", flat=True)
    unsent = OutgoingEmail.objects.pending().filter(created_at__lt=cutoff).values_list("pk", flat=True)
    unbooked = (
        TravelClaim.objects.filter(status=ClaimStatus.APPROVED, decided_at__lt=cutoff)
        .exclude(pk__in=Booking.objects.values("claim_id"))
        .values_list("pk", flat=True)
    )
    unnotified_entries = TimelineEntry.objects.filter(
        notification_pending=True, created_at__lt=cutoff
    ).values_list("pk", flat=True)
    unnotified_comments = Comment.objects.filter(
        notification_pending=True, created_at__lt=cutoff
    ).values_list("pk", flat=True)
    counts = {"routing": 0, "emails": 0, "bookings": 0, "notifications": 0}
    for pk in unrouted[:500]:
        route_request_task.delay(pk)
        counts["routing"] += 1
    for pk in unsent[:500]:
        send_email_task.delay(pk)
        counts["emails"] += 1
    for pk in unbooked[:500]:
        book_claim_task.delay(pk)
        counts["bookings"] += 1
    for pk in unnotified_entries[:500]:
        notify_timeline_entry_task.delay(pk)
        counts["notifications"] += 1
    for pk in unnotified_comments[:500]:
        notify_comment_task.delay(pk)
        counts["notifications"] += 1
    if any(counts.values()):
        logger.warning("Sweeper queued work that was never done: %s", counts)
    return counts
