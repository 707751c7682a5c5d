"""What must have happened before a step of the C+R cycle may be taken (docs/workflow.md, "Facts").

Each fact reads the database and returns ``None`` when it holds, or the sentence that tells a person
what is missing. ``exchanges.cycle.workflow.TRANSITIONS`` names the facts of each step; the transition service
checks them inside the transaction that holds the request's row lock, and the pages and the API offer a
step only while its facts hold (``exchanges.cycle.rules.available_transitions``).
"""

from datetime import date
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from exchanges.cycle.models import ExchangeRequest, InvitationStatus, Meeting, Occasion, Reflection

# The fields a requester must have filled in before submitting (a draft may be saved incomplete). The
# request form marks exactly these as required for submission.
REQUIRED_FOR_SUBMISSION = (
    "title",
    "topics",
    "need",
    "occasion",
    "preferred_format",
    "direction",
    "earliest_date",
    "latest_date",
    "travellers",
)

# Of those, the fields answered by choosing an option (radio buttons or a list).
CHOSEN_FIELDS = frozenset({"occasion", "preferred_format", "direction"})

MAX_TRAVELLERS = 50


def travellers_error(travellers: int | None) -> str | None:
    """The number of travellers of a request (the form's and the API's field check, and the service's)."""
    if travellers is not None and not 1 <= travellers <= MAX_TRAVELLERS:
        return _("Please give a number between 1 and 50.")
    return None


def estimated_costs_error(costs: Any) -> str | None:
    if costs is not None and costs < 0:
        return _("The costs cannot be negative.")
    return None


def request_input_errors(data: dict[str, Any], *, today: date) -> dict[str, str]:
    """Everything wrong with what a requester typed, field by field: the draft service checks it all,
    the form and the API serializer each field as it is read (the same functions, the same messages)."""
    errors = {
        field: message
        for field, message in (
            ("travellers", travellers_error(data.get("travellers"))),
            ("estimated_costs", estimated_costs_error(data.get("estimated_costs"))),
        )
        if message
    }
    errors.update(request_period_errors(data, today=today))
    return errors


def request_period_errors(data: dict[str, Any], *, today: date) -> dict[str, str]:
    """Date problems in request data (used by the form, the API and again on submission)."""
    errors = {}
    earliest, latest, occasion_date = (
        data.get("earliest_date"),
        data.get("latest_date"),
        data.get("occasion_date"),
    )
    if earliest and earliest < today:
        errors["earliest_date"] = _("The earliest date lies in the past.")
    if latest and latest < today:
        errors["latest_date"] = _("The latest date lies in the past.")
    if earliest and latest and earliest > latest:
        errors.setdefault("latest_date", _("The latest date must not be before the earliest date."))
    if occasion_date and occasion_date < today:
        errors["occasion_date"] = _("The date of the event lies in the past.")
    return errors


def request_completeness_errors(request: ExchangeRequest, *, today: date) -> dict[str, str]:
    """What is missing or wrong before a draft may be submitted, field by field."""
    errors = {}
    for field in REQUIRED_FOR_SUBMISSION:
        if field == "topics":
            if not request.pk or not request.topics.exists():
                errors[field] = _("Please choose at least one topic.")
        elif getattr(request, field) in (None, ""):
            errors[field] = (
                _("Please choose one of the options before submitting.")
                if field in CHOSEN_FIELDS
                else _("Please fill in this field before submitting.")
            )
    if request.occasion == Occasion.EVENT and not request.occasion_date:
        errors["occasion_date"] = _("Please give the date of the event.")
    values = {name: getattr(request, name) for name in ("earliest_date", "latest_date", "occasion_date")}
    errors.update(request_period_errors(values, today=today))
    return errors


def _when(moment) -> dict[str, str]:
    local = timezone.localtime(moment)
    return {
        "date": formats.date_format(local, "SHORT_DATE_FORMAT"),
        "time": formats.time_format(local, "H:i"),
    }


def routed_department(request: ExchangeRequest) -> str | None:
    if request.routing_decisions.filter(is_routed=True).exists():
        return None
    return _("The request has not been routed to any department yet. Please correct the routing first.")


def accepted_invitation(request: ExchangeRequest) -> str | None:
    if request.invitations.filter(status=InvitationStatus.ACCEPTED).exists():
        return None
    return _(
        "No invited expert has accepted yet. The request moves on by itself when an expert accepts "
        "(an acceptance given by phone is recorded on the invitation)."
    )


def current_meeting(request: ExchangeRequest) -> Meeting | None:
    return Meeting.objects.filter(request=request, is_cancelled=False).first()


def meeting_saved(request: ExchangeRequest) -> str | None:
    meeting = current_meeting(request)
    if (
        meeting is not None
        and (meeting.address or meeting.video_link or meeting.city_id)
        and meeting.participants.exists()
    ):
        return None
    return _("Date, time, place and participants of the meeting have not been saved yet.")


def meeting_begun(request: ExchangeRequest) -> str | None:
    meeting = current_meeting(request)
    if meeting is None:
        return _("No meeting has been saved for this exchange.")
    if meeting.starts_at > timezone.now():
        return _(
            "The meeting begins on %(date)s at %(time)s. It can be confirmed as held once it has begun."
        ) % _when(meeting.starts_at)
    return None


def meeting_in_past(request: ExchangeRequest) -> str | None:
    """For recording a past exchange: its meeting has been saved, and it began before now."""
    return meeting_saved(request) or meeting_begun(request)


def requester_reflection(request: ExchangeRequest) -> str | None:
    if Reflection.objects.filter(request=request, side=Reflection.Side.REQUESTER).exists():
        return None
    return _("The requester's reflection has not been written yet.")
