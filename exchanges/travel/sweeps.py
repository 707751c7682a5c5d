"""Approved claims whose booking was never made (its message lost in a broker outage)."""

from exchanges.travel.models import Booking, ClaimStatus, TravelClaim
from koopstadt.sweeping import register

register(
    "bookings",
    "exchanges.tasks.book_claim_task",
    lambda cutoff: (
        TravelClaim.objects.filter(status=ClaimStatus.APPROVED, decided_at__lt=cutoff)
        .exclude(pk__in=Booking.objects.values("claim_id"))
        .values_list("pk", flat=True)
    ),
)
