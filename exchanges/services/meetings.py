"""Date, place and participants of an exchange, with calendar files for everyone taking part."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.models import City, User
from exchanges.errors import DomainError, TransitionNotAllowed
from exchanges.models import ExchangeRequest, InvitationStatus, Meeting, Status
from exchanges.rules import Actor, actors_for
from exchanges.services.calendar import meeting_ics
from exchanges.services.notifications import coordinators_for, notify


def meeting_participant_choices(request: ExchangeRequest) -> list[User]:
    """The requester and the experts who accepted: the people who can take part."""
    experts = [
        invitation.expert.user
        for invitation in request.invitations.filter(status=InvitationStatus.ACCEPTED).select_related(
            "expert__user"
        )
    ]
    return [request.requester, *experts]


def _send_calendar(meeting: Meeting, *, cancel: bool = False) -> None:
    ics = meeting_ics(meeting, cancel=cancel)
    notify(
        key=f"meeting:{meeting.pk}:{meeting.sequence}:{'cancel' if cancel else 'request'}",
        recipients=meeting.participants.all(),
        template="meeting_cancelled" if cancel else "meeting",
        request=meeting.request,
        context={"meeting": meeting, "update": meeting.sequence > 0},
        attachment=(
            f"cr-{meeting.request.reference}.ics",
            ics,
            "text/calendar; method=" + ("CANCEL" if cancel else "REQUEST"),
        ),
        immediate=True,
    )


@transaction.atomic
def meeting_schedule(
    *,
    request: ExchangeRequest,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    format: str,
    city: City | None,
    address: str,
    video_link: str,
    participants: Iterable[User],
    travellers: Iterable[User],
) -> Meeting:
    """Set (or change) date and place. The first time moves the request to ``scheduled``."""
    from exchanges.services.requests import request_transition

    request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
    if not actors_for(actor, request) & {Actor.REQUESTER, Actor.COORDINATOR}:
        raise TransitionNotAllowed(_("Only the requester or the coordination sets date and place."))
    if request.status not in {Status.AGREED, Status.SCHEDULED}:
        raise TransitionNotAllowed(_("Date and place can be set once an expert has agreed."))
    if ends_at <= starts_at:
        raise DomainError(_("The end must be after the beginning."), field="ends_at")
    if starts_at < timezone.now() - timedelta(minutes=5):
        raise DomainError(_("The beginning lies in the past."), field="starts_at")
    if not (video_link or address or city):
        raise DomainError(_("Please give a place or a video link."), field="address")
    allowed = {user.pk for user in meeting_participant_choices(request)}
    participants = [user for user in participants if user.pk in allowed]
    if not participants:
        raise DomainError(_("Please choose who takes part."), field="participants")
    meeting = Meeting.objects.filter(request=request).first()
    values = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "format": format,
        "city": city,
        "address": address,
        "video_link": video_link,
        "is_cancelled": False,
    }
    if meeting is None:
        meeting = Meeting(request=request, **values)
        meeting.full_clean()
        meeting.save()
    else:
        for name, value in values.items():
            setattr(meeting, name, value)
        meeting.sequence += 1
        meeting.held_reminder_sent = False
        meeting.full_clean()
        meeting.save()
    meeting.participants.set(participants)
    meeting.travellers.set([user for user in travellers if user.pk in allowed])
    if request.status == Status.AGREED:
        request_transition(
            request_id=request.pk, action="schedule", actor=actor, expected_status=Status.AGREED
        )
    _send_calendar(meeting)
    return meeting


def meeting_cancel(*, request: ExchangeRequest) -> None:
    """Tell the participants' calendars that the meeting is off (after the request was cancelled)."""
    meeting = Meeting.objects.filter(request=request, is_cancelled=False).first()
    if meeting is None:
        return
    meeting.is_cancelled = True
    meeting.sequence += 1
    meeting.save(update_fields=["is_cancelled", "sequence"])
    _send_calendar(meeting, cancel=True)


def remind_held(*, today) -> int:  # type: ignore[no-untyped-def]
    """The day after the meeting, ask the requester (and coordination) to confirm it took place."""
    sent = 0
    due = Meeting.objects.filter(
        request__status=Status.SCHEDULED,
        is_cancelled=False,
        held_reminder_sent=False,
        ends_at__date__lt=today,
    ).select_related("request__requester", "request__assignee")
    for meeting in due:
        request = meeting.request
        sent += notify(
            key=f"held-reminder:{meeting.pk}:{meeting.sequence}",
            recipients=[request.requester, *coordinators_for(request)],
            template="held_reminder",
            request=request,
            context={"meeting": meeting},
        )
        Meeting.objects.filter(pk=meeting.pk).update(held_reminder_sent=True)
    return sent
