"""iCalendar files (RFC 5545) for meetings, written with the ``icalendar`` package.

One event with a stable UID: a changed meeting keeps its UID and raises SEQUENCE, so calendar programs
update the entry instead of adding a second one. What is mailed to the participants is a scheduling
message (RFC 5546, iTIP): ``METHOD:REQUEST`` for a new or changed meeting and ``METHOD:CANCEL`` with
``STATUS:CANCELLED`` for a cancelled one, both with the ORGANIZER (the portal's sender address) and every
participant as ATTENDEE — without them Outlook shows no accept/decline buttons and may refuse the
update. The file offered for download on the request page is ``METHOD:PUBLISH``: a copy for one's own
calendar that asks nobody for an answer (no ATTENDEE, as RFC 5546 wants for PUBLISH).

The package escapes text and folds lines; what people typed (a title with a bare carriage return, a
semicolon, a name with quotes) cannot break out of its property.
"""

import re
from datetime import UTC, datetime
from email.utils import parseaddr

import icalendar
from django.conf import settings

from exchanges.cycle.models import Meeting

PRODID = "-//koopstadt//C+R portal//DE"
# Control characters are not allowed in iCalendar text (RFC 5545 3.3.11); line breaks are escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: str) -> str:
    return _CONTROL.sub("", value)


def _address(email: str, name: str, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    address.params["CN"] = _text(name or email)
    address.params.update(params)
    return address


def organizer() -> icalendar.vCalAddress:
    """The portal's sender address (``DEFAULT_FROM_EMAIL``), which sends every calendar message."""
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return _address(email, name or settings.PORTAL_NAME)


def meeting_ics(
    meeting: Meeting, *, cancel: bool = False, publish: bool = False, now: datetime | None = None
) -> str:
    """The meeting as an iCalendar file: a REQUEST (or CANCEL) to its participants, or with
    ``publish`` a PUBLISH copy for downloading."""
    request = meeting.request
    method = "PUBLISH" if publish else "CANCEL" if cancel else "REQUEST"
    location = meeting.video_link or ", ".join(
        part for part in [meeting.address, meeting.city.name if meeting.city else ""] if part
    )
    link = settings.SITE_URL + request.get_absolute_url()

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = icalendar.Event()
    event.add("uid", meeting.calendar_uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (now or datetime.now(tz=UTC)).astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", _text(f"C+R {request.reference}: {request.title}"))
    event.add("location", _text(location))
    event.add("description", link)
    event.add("url", link)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("organizer", organizer())
    if not publish:
        answer = {} if cancel else {"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"}
        for person in meeting.participants.order_by("pk"):
            event.add("attendee", _address(person.email, person.display_name, **answer))
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
