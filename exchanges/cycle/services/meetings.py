"""Date, place and participants of an exchange, with calendar files for everyone taking part; and the
coordination's record of an exchange that took place before it was entered in the portal."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.directory.models import City, ExpertProfile, User
from cities.directory.rules import is_coordinator
from cities.records.versions import changed_fields, version_advance, version_check
from exchanges.cycle.models import (
    AnswerChannel,
    ExchangeRequest,
    Invitation,
    InvitationStatus,
    Meeting,
    Status,
    TimelineEntry,
)
from exchanges.cycle.rules import MEETING_STATUSES, may_record_past_exchange, may_set_meeting
from exchanges.cycle.services.calendar import meeting_ics
from exchanges.cycle.services.notifying import coordinators_for
from exchanges.cycle.services.requests import request_transition
from exchanges.notifications.services import notify
from koopstadt.errors import DomainError, NotPermitted, TransitionNotAllowed

MEETING_FIELDS = ("starts_at", "ends_at", "format", "city", "address", "video_link")


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


def _check_place(values: dict[str, Any]) -> None:
    if values["ends_at"] <= values["starts_at"]:
        raise DomainError(_("The end must be after the beginning."), field="ends_at")
    if not (values["video_link"] or values["address"] or values["city"]):
        raise DomainError(_("Please give a place or a video link."), field="address")


def _meeting_store(
    request: ExchangeRequest,
    *,
    actor: User,
    values: dict[str, Any],
    participants: Iterable[User],
    travellers: Iterable[User],
    expected_version: int | None,
) -> tuple[Meeting, bool]:
    """Create or change the request's meeting (the request row is locked by the caller).

    Returns the meeting and whether anything changed. A change on top of a newer version is refused.
    """
    allowed = {user.pk for user in meeting_participant_choices(request)}
    participants = [user for user in participants if user.pk in allowed]
    if not participants:
        raise DomainError(_("Please choose who takes part."), field="participants")
    travellers = [user for user in travellers if user.pk in allowed]
    meeting = Meeting.objects.select_for_update().filter(request=request).first()
    if meeting is None:
        meeting = Meeting(request=request, **values)
        meeting.full_clean()
        meeting.save()
        changed = True
    else:
        version_check(meeting, expected_version)
        fields = changed_fields(meeting, {**values, "participants": participants, "travellers": travellers})
        if meeting.is_cancelled:
            fields.append("is_cancelled")
        changed = bool(fields)
        if changed:
            for name, value in values.items():
                setattr(meeting, name, value)
            meeting.is_cancelled = False
            meeting.sequence += 1
            meeting.held_reminder_sent = False
            version_advance(meeting, actor=actor, fields=fields)
            meeting.full_clean()
            meeting.save()
    meeting.participants.set(participants)
    meeting.travellers.set(travellers)
    return meeting, changed


def meeting_check_allowed(*, actor: User, request: ExchangeRequest) -> None:
    """Refuse, with the reason, what ``exchanges.cycle.rules.may_set_meeting`` does not allow."""
    if not may_set_meeting(actor, request):
        if request.status not in MEETING_STATUSES:
            raise TransitionNotAllowed(_("Date and place can be set once an expert has agreed."))
        raise NotPermitted(_("Only the requester or the coordination sets date and place."))


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
    expected_version: int | None = None,
) -> Meeting:
    """Set (or change) date and place. Saving the first meeting is the fact that schedules the request."""

    request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
    meeting_check_allowed(actor=actor, request=request)
    values = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "format": format,
        "city": city,
        "address": address,
        "video_link": video_link,
    }
    _check_place(values)
    if starts_at < timezone.now() - timedelta(minutes=5):
        raise DomainError(
            _(
                "The beginning lies in the past. If the exchange has already taken place, the coordination "
                "records it as a past exchange."
            ),
            field="starts_at",
        )
    meeting, changed = _meeting_store(
        request,
        actor=actor,
        values=values,
        participants=participants,
        travellers=travellers,
        expected_version=expected_version,
    )
    if request.status == Status.AGREED:
        request_transition(
            request_id=request.pk,
            action="schedule",
            actor=actor,
            expected_status=Status.AGREED,
            from_service=True,
        )
    elif changed:
        TimelineEntry.objects.create(
            request=request,
            actor=actor,
            action="meeting_changed",
            from_status=request.status,
            to_status=request.status,
        )
    if changed:
        _send_calendar(meeting)
    return meeting


def past_exchange_check_allowed(*, actor: User, request: ExchangeRequest) -> None:
    """Refuse, with the reason, what ``exchanges.cycle.rules.may_record_past_exchange`` does not allow:
    who (403 in the API) before when (409)."""
    if may_record_past_exchange(actor, request):
        return
    if not is_coordinator(actor):
        raise NotPermitted(_("Only the coordination records a past exchange."))
    raise TransitionNotAllowed(
        _("A past exchange can be recorded for an accepted request that is not closed yet.")
    )


@transaction.atomic
def exchange_record_past(
    *,
    request: ExchangeRequest,
    actor: User,
    experts: Iterable[ExpertProfile],
    starts_at: datetime,
    ends_at: datetime,
    format: str,
    city: City | None,
    address: str,
    video_link: str,
    travellers: Iterable[User] = (),
    note: str,
) -> ExchangeRequest:
    """The coordination records an exchange that took place before it was entered (e.g. last month's
    visit): the experts' acceptance on their behalf, the meeting as it was, and the step to ``held`` —
    each recorded with who recorded it, and the note that says how the coordination knows."""

    request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
    past_exchange_check_allowed(actor=actor, request=request)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Please say how you know that the exchange took place."), field="note")
    experts = [expert for expert in experts if expert.user_id != request.requester_id]
    if not experts:
        raise DomainError(_("Please choose the expert(s) who took part."), field="experts")
    values = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "format": format,
        "city": city,
        "address": address,
        "video_link": video_link,
    }
    _check_place(values)
    if starts_at > timezone.now():
        raise DomainError(
            _("The beginning lies in the future: set date and place as usual instead."), field="starts_at"
        )
    now = timezone.now()
    for expert in experts:
        invitation = (
            Invitation.objects.select_for_update()
            .filter(
                request=request, expert=expert, status__in=[InvitationStatus.OPEN, InvitationStatus.ACCEPTED]
            )
            .first()
        )
        if invitation is not None and invitation.status == InvitationStatus.ACCEPTED:
            continue
        if invitation is None:
            invitation = Invitation(request=request, expert=expert, proposed_by=actor)
        invitation.status = InvitationStatus.ACCEPTED
        invitation.answer_note = note
        invitation.answered_at = now
        invitation.answer_channel = AnswerChannel.RECORDED
        invitation.answered_by = actor
        invitation.full_clean()
        invitation.save()
        TimelineEntry.objects.create(
            request=request,
            actor=actor,
            on_behalf_of=expert.user,
            action="invitation_accepted",
            from_status=request.status,
            to_status=request.status,
            comment=note,
        )
    chosen = {expert.user_id for expert in experts}
    people = [
        request.requester,
        *(user for user in meeting_participant_choices(request) if user.pk in chosen),
    ]
    _meeting_store(
        request,
        actor=actor,
        values=values,
        participants=people,
        travellers=travellers,
        expected_version=None,
    )
    return request_transition(
        request_id=request.pk, action="record_past", actor=actor, comment=note, from_service=True
    )


def meeting_cancel(*, request: ExchangeRequest, actor: User | None = None) -> None:
    """Effect of closing a request: tell the participants' calendars that the meeting is off."""
    meeting = Meeting.objects.select_for_update().filter(request=request, is_cancelled=False).first()
    if meeting is None:
        return
    meeting.is_cancelled = True
    meeting.sequence += 1
    version_advance(meeting, actor=actor, fields=["is_cancelled"])
    meeting.save(update_fields=["is_cancelled", "sequence", "version"])
    if meeting.ends_at > timezone.now():
        _send_calendar(meeting, cancel=True)


def remind_held(*, today) -> int:
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
