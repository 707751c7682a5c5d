"""iCalendar (RFC 5545) files for meetings, written by hand: one event with a stable UID.

A changed meeting keeps its UID and raises SEQUENCE, so calendar programs update the entry instead of
adding a second one; a cancellation sends METHOD:CANCEL with STATUS:CANCELLED.
"""

from datetime import UTC, datetime

from django.conf import settings

from exchanges.models import Meeting


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold lines longer than 75 octets (RFC 5545 §3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_ics(meeting: Meeting, *, cancel: bool = False, now: datetime | None = None) -> str:
    request = meeting.request
    location = meeting.video_link or ", ".join(
        part for part in [meeting.address, meeting.city.name if meeting.city else ""] if part
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//koopstadt//C+R portal//DE",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancel else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{meeting.calendar_uid}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{_utc(now or datetime.now(tz=UTC))}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.ends_at)}",
        f"SUMMARY:{_escape(f'C+R {request.reference}: {request.title}')}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(settings.SITE_URL + request.get_absolute_url())}",
        f"URL:{settings.SITE_URL}{request.get_absolute_url()}",
        f"STATUS:{'CANCELLED' if cancel else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
