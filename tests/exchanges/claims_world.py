"""Helpers for claims on the demo's held exchange: a trip that fits its meeting, receipts by content."""

import hashlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone

from exchanges.cycle.models import ExchangeRequest, Meeting
from exchanges.travel.models import ClaimItem, Receipt, TravelClaim
from exchanges.travel.services.claims import claim_create
from koopstadt.development.demo_exchanges import DEMO_HELD_TITLE

BERLIN = ZoneInfo("Europe/Berlin")


def held_exchange() -> ExchangeRequest:
    """The demo's held exchange (Petra Neumann, Leipzig, visited Bremen twelve days ago; Gesa Lüders)."""
    return ExchangeRequest.objects.get(title=DEMO_HELD_TITLE)


def meeting_day(exchange: ExchangeRequest) -> date:
    return timezone.localtime(Meeting.objects.get(request=exchange).starts_at).date()


def at(day: date, clock: str, days: int = 0) -> datetime:
    """``day`` + ``days`` at ``clock`` ("06:30") in Berlin."""
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime.combine(day + timedelta(days=days), time(hour, minute), tzinfo=BERLIN)


def attach_receipt(item: ClaimItem, content: bytes | None = None, name: str = "beleg.pdf") -> Receipt:
    """A stored receipt for ``item`` (content unique to the item unless given)."""
    content = content or f"%PDF-1.4 receipt of item {item.pk}".encode()
    return Receipt.objects.create(
        claim_id=item.claim_id,
        item=item,
        file=ContentFile(content, name=name),
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def day_trip_draft(exchange: ExchangeRequest) -> TravelClaim:
    """The requester's draft claim for a day trip Leipzig–Bremen to the exchange's meeting, 07:00–18:00
    (14 € allowance, no items yet)."""
    requester = exchange.requester
    day = meeting_day(exchange)
    return claim_create(
        exchange=exchange,
        traveller=requester,
        actor=requester,
        data={
            "trip_start": at(day, "07:00"),
            "trip_end": at(day, "18:00"),
            "origin": "Leipzig",
            "destination": "Bremen",
        },
    )
