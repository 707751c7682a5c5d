"""Helpers for claims on the demo's held exchange: a trip that fits its meeting, receipts by content."""

import hashlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone

from exchanges.cycle.models import ExchangeRequest, Meeting
from exchanges.travel.models import ClaimItem, Receipt
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
