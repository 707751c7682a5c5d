"""Where a request stands, for the person looking at it: the progress indicator of the C+R cycle, who acts
next (in words, addressed to that person), the one step the page offers as its primary button, and what a
person is told after taking a step.

The pages ask here; nothing here decides who may do what (that is ``exchanges.cycle.rules``): the texts only
follow the rules' answers, so a page never tells somebody to do what it does not offer them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest, Meeting, Status
from exchanges.cycle.rules import actors_for
from exchanges.cycle.states import CYCLE_NOTE, CYCLE_STEPS, STEP_REACHED
from exchanges.cycle.workflow import Actor

DONE, CURRENT, TODO, ENDED = "done", "current", "todo", "ended"
CLOSED_EARLY = frozenset({Status.WITHDRAWN, Status.REJECTED, Status.CANCELLED})


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # done, current (the step the request stands at), todo, ended (the cycle was closed here)
    note: str = ""

    @property
    def is_current(self) -> bool:
        return self.state in {CURRENT, ENDED}


def cycle_steps(request: ExchangeRequest, *, closed_from: str | None = None) -> list[Step]:
    """The steps of the cycle with how far ``request`` has come.

    A returned request stands at "submitted" with a note; a draft before the first step. A withdrawn,
    rejected or cancelled request ends the indicator: the steps it had reached (``closed_from``: the state it
    was closed from), then the end, and no steps after it.
    """
    status = Status(request.status)
    if status in CLOSED_EARLY:
        reached = STEP_REACHED.get(Status(closed_from), -1) if closed_from else -1
        steps = [Step(str(label), DONE) for _state, label in CYCLE_STEPS[: reached + 1]]
        return [*steps, Step(str(CYCLE_NOTE[status]), ENDED)]
    reached = STEP_REACHED[status]
    steps = []
    if status == Status.DRAFT:
        steps.append(Step(str(CYCLE_NOTE[status]), CURRENT))
    for index, (_state, label) in enumerate(CYCLE_STEPS):
        state = DONE if index < reached else CURRENT if index == reached else TODO
        note = str(CYCLE_NOTE[status]) if index == reached and status in CYCLE_NOTE else ""
        steps.append(Step(str(label), state, note))
    return steps


def _day(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def who_acts_next(
    user: User,
    request: ExchangeRequest,
    *,
    meeting: Meeting | None = None,
    open_invitations: int = 0,
    own_open_invitation: bool = False,
    may_propose: bool = False,
) -> str:
    """Who acts next on ``request``, said to ``user`` ("Next: you …" or "Next: the contact person …")."""
    actors = actors_for(user, request)
    status = Status(request.status)
    name = request.requester.display_name
    is_requester = Actor.REQUESTER in actors
    if status == Status.DRAFT:
        if is_requester:
            return _("Next: you complete the request and submit it to your city's koopstadt contact person.")
        return _("Next: %(name)s completes the draft and submits it.") % {"name": name}
    if status == Status.SUBMITTED:
        due_on = request.contact_due_on
        due = {"date": formats.date_format(due_on, "SHORT_DATE_FORMAT") if due_on else ""}
        if Actor.CITY_CONTACT in actors:
            if request.contact_due_on:
                return _("Next: you accept the request or return it with a question, by %(date)s.") % due
            return _("Next: you accept the request or return it with a question.")
        city = {"city": request.requester_city.name}
        if request.contact_due_on:
            return _(
                "Next: the contact person in %(city)s accepts the request or returns it with a question (by %(date)s)."
            ) % {**city, **due}
        return (
            _("Next: the contact person in %(city)s accepts the request or returns it with a question.")
            % city
        )
    if status == Status.RETURNED:
        if is_requester:
            return _("Next: you answer the question of your contact person and submit the request again.")
        return _("Next: %(name)s answers the question and submits the request again.") % {"name": name}
    if status == Status.ROUTING:
        return _(
            "Next: the portal routes the request to the fitting departments of the partner cities; if none "
            "fits, the coordination routes it by hand."
        )
    if status == Status.MATCHING:
        if own_open_invitation:
            return _("Next: you accept or decline the invitation.")
        if open_invitations:
            return ngettext(
                "Next: the invited expert answers (%(count)d invitation open).",
                "Next: the invited experts answer (%(count)d invitations open).",
                open_invitations,
            ) % {"count": open_invitations}
        if may_propose and Actor.COORDINATOR in actors:
            return _("Next: you or a liaison of the routed departments propose experts.")
        if may_propose:
            return _("Next: you or the coordination propose experts of your department.")
        return _("Next: the coordination and the routed departments propose experts.")
    if status == Status.AGREED:
        if is_requester:
            return _("Next: you set date and place with the expert (the coordination can too).")
        if Actor.COORDINATOR in actors:
            return _("Next: you or %(name)s set date and place.") % {"name": name}
        return _("Next: %(name)s or the coordination sets date and place.") % {"name": name}
    if status == Status.SCHEDULED:
        begun = meeting is not None and meeting.starts_at <= timezone.now()
        if not begun:
            when = {"date": _day(meeting.starts_at)} if meeting is not None else {"date": "–"}
            return (
                _("Next: the exchange on %(date)s. Afterwards a participant confirms that it took place.")
                % when
            )
        if actors & {Actor.REQUESTER, Actor.PARTICIPANT}:
            return _("Next: you confirm that the exchange took place.")
        return _("Next: %(name)s or another participant confirms that the exchange took place.") % {
            "name": name
        }
    if status == Status.HELD:
        if is_requester:
            return _("Next: you write the reflection; that completes the exchange.")
        return _("Next: %(name)s writes the reflection; that completes the exchange.") % {"name": name}
    if status == Status.COMPLETED:
        return _("The exchange is completed; nobody needs to do anything more.")
    if status == Status.WITHDRAWN:
        return _("Closed: %(name)s withdrew the request.") % {"name": name}
    if status == Status.REJECTED:
        return _("Closed: the coordination rejected the request.")
    return _("Closed: the coordination cancelled the exchange.")


def primary_step(
    request: ExchangeRequest,
    *,
    transitions: set[str],
    may_edit: bool,
    submission_complete: bool,
    may_schedule: bool,
    meeting: Meeting | None,
    may_reflect: bool,
    may_propose: bool,
    open_invitations: int,
    own_open_invitation: bool,
) -> str:
    """The one step the request page offers this person as its primary button ("" when none is theirs).

    The others stay on the page as secondary buttons: returning, withdrawing, rejecting and cancelling are
    never the primary step.
    """
    status = Status(request.status)
    if own_open_invitation:
        return "answer_invitation"
    if "accept" in transitions:
        return "accept"
    if may_edit and status == Status.RETURNED:
        return "edit"
    if may_edit and status == Status.DRAFT:
        return "submit" if submission_complete and "submit" in transitions else "edit"
    if "start_matching" in transitions:
        return "start_matching"
    if may_schedule and (meeting is None or meeting.is_cancelled):
        return "schedule"
    if "mark_held" in transitions:
        return "mark_held"
    if may_reflect and status == Status.HELD:
        return "reflect"
    if may_propose and status == Status.MATCHING and not open_invitations:
        return "propose"
    return ""


def done_message(action: str, request: ExchangeRequest, actor: User) -> str:
    """What the person who took ``action`` on ``request`` is told afterwards, in words for them."""
    values = {
        "reference": request.reference or _("your draft"),
        "name": request.requester.display_name,
        "city": request.requester_city.name,
    }
    is_requester = actor.pk == request.requester_id
    if action == "submit":
        return (
            _("Your request %(reference)s has been submitted. The contact person in %(city)s checks it.")
            % values
        )
    if action == "return_for_changes":
        return (
            _("%(reference)s has been returned to %(name)s with your question; %(name)s is told by e-mail.")
            % values
        )
    if action == "accept":
        return (
            _(
                "You accepted %(reference)s and forwarded it to the coordination. The portal now routes it to "
                "the fitting departments of the partner cities."
            )
            % values
        )
    if action == "start_matching":
        return (
            _(
                "The routing of %(reference)s is done; the liaisons of the routed departments are told and "
                "experts can be proposed."
            )
            % values
        )
    if action == "mark_held":
        if is_requester:
            return (
                _(
                    "You confirmed that the exchange of %(reference)s took place. Please write your reflection now."
                )
                % values
            )
        return (
            _(
                "You confirmed that the exchange of %(reference)s took place. %(name)s is asked for the reflection."
            )
            % values
        )
    if action == "withdraw":
        return (
            _("You withdrew %(reference)s. Everybody who was working on it is told; nothing more is needed.")
            % values
        )
    if action == "reject":
        return _("%(reference)s has been rejected; %(name)s is told your reason.") % values
    if action == "cancel":
        return (
            _(
                "The exchange of %(reference)s has been cancelled; %(name)s and the experts are told, and a "
                "date already set is cancelled in their calendars."
            )
            % values
        )
    return _("%(reference)s: done.") % values
