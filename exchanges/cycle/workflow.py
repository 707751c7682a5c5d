"""The lifecycle of a C+R request as one table: which step leads from which states to which, who may take
it, what must have happened for it (facts), and what it causes (effects, notifications).

Every change of a request's status goes through ``exchanges.cycle.services.requests.request_transition``, which
looks the step up here and checks all of it inside the transaction that locks the request (docs/workflow.md).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from exchanges.cycle import facts
from exchanges.cycle.models import ExchangeRequest
from exchanges.cycle.states import NEXT_STEP, STATUS_BADGE, TIMELINE_TEXT, Status

__all__ = ["NEXT_STEP", "STATUS_BADGE", "TIMELINE_TEXT", "TRANSITIONS", "Actor", "Audience", "Transition"]


class Actor(StrEnum):
    """Who is acting, relative to the request (not just by role)."""

    REQUESTER = "requester"  # the person who asked
    CITY_CONTACT = "city_contact"  # a contact person of the requester's city
    COORDINATOR = "coordinator"  # koopstadt coordination (all requests; exchanges.cycle.rules.is_coordinator)
    PARTICIPANT = "participant"  # a participant of the saved meeting (e.g. an expert who was there)
    SYSTEM = "system"  # the portal itself: a Celery task, or the step caused by another fact


class Audience(StrEnum):
    """Who is told about a step (by ``exchanges.cycle.services.notifying.notify_timeline_entry``)."""

    REQUESTER = "requester"
    CITY_CONTACTS = "city_contacts"  # the contact persons of the requester's city
    COORDINATION = "coordination"  # the assigned coordinator, or all coordinators
    COORDINATION_IF_ACCEPTED = "coordination_if_accepted"  # … only when the step left an accepted request
    LIAISONS = "liaisons"  # the liaisons of the departments the request is routed to


Fact = Callable[[ExchangeRequest], str | None]


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise  # the button
    sources: frozenset[Status]
    target: Status
    actors: frozenset[Actor]
    # Facts that must hold, checked under the row lock; a step is offered only while they hold.
    requires: tuple[Fact, ...] = ()
    # Facts checked when the step is taken but not when it is offered: the page explains what is missing
    # (a draft's empty fields) instead of hiding the button.
    checks: tuple[Callable[[ExchangeRequest], None], ...] = ()
    # Non-empty: the step is never a button or an API action of its own; it happens by doing this.
    taken_by: str | Promise = ""
    # Actors who were there; anybody else taking the step must say how they know (a required comment).
    witnesses: frozenset[Actor] = frozenset()
    comment_label: str | Promise = ""  # a comment field is offered when set
    comment_required: bool = False
    public: bool = True  # the timeline entry is shown to the requester
    button_class: str = "btn-primary"
    # What the step writes on the request itself, saved with the new status: dotted paths of functions
    # (request) that set fields and return their names.
    sets: tuple[str, ...] = ()
    # What the step causes, in the same transaction: dotted paths of functions (request, actor).
    effects: tuple[str, ...] = ()
    # A Celery task (its registered name) queued with the request's id after the commit.
    follow_up: str = ""
    notify: frozenset[Audience] = frozenset()

    @property
    def is_direct(self) -> bool:
        return not self.taken_by


OPEN_BEFORE_ACCEPT = frozenset({Status.SUBMITTED, Status.RETURNED})
ACCEPTED = frozenset({Status.ROUTING, Status.MATCHING, Status.AGREED, Status.SCHEDULED})
# Closing a request ends what is still running around it.
CLOSING_EFFECTS = (
    "exchanges.cycle.services.invitations.invitations_close",
    "exchanges.cycle.services.meetings.meeting_cancel",
    "exchanges.cycle.hooks.run_closing_hooks",
)


def _submission_complete(request: ExchangeRequest) -> None:

    errors = facts.request_completeness_errors(request, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "submit",
            _("Submit request"),
            frozenset({Status.DRAFT, Status.RETURNED}),
            Status.SUBMITTED,
            frozenset({Actor.REQUESTER}),
            checks=(_submission_complete,),
            comment_label=_("Note to your contact person (optional)"),
            sets=("exchanges.cycle.services.requests.request_number_and_deadline",),
            notify=frozenset({Audience.CITY_CONTACTS}),
        ),
        Transition(
            "return_for_changes",
            _("Return for changes"),
            frozenset({Status.SUBMITTED}),
            Status.RETURNED,
            frozenset({Actor.CITY_CONTACT, Actor.COORDINATOR}),
            comment_label=_("Your question or what should change"),
            comment_required=True,
            button_class="btn-outline-primary",
            notify=frozenset({Audience.REQUESTER}),
        ),
        Transition(
            "accept",
            _("Accept and forward to the coordination"),
            frozenset({Status.SUBMITTED}),
            Status.ROUTING,
            frozenset({Actor.CITY_CONTACT, Actor.COORDINATOR}),
            comment_label=_("Note (optional)"),
            follow_up="exchanges.tasks.route_request_task",
            notify=frozenset({Audience.COORDINATION}),
        ),
        Transition(
            "start_matching",
            _("Routing done: look for experts"),
            frozenset({Status.ROUTING}),
            Status.MATCHING,
            frozenset({Actor.COORDINATOR, Actor.SYSTEM}),
            requires=(facts.routed_department,),
            notify=frozenset({Audience.LIAISONS}),
        ),
        Transition(
            "agree",
            _("An expert agreed"),
            frozenset({Status.MATCHING}),
            Status.AGREED,
            frozenset({Actor.SYSTEM}),
            requires=(facts.accepted_invitation,),
            taken_by=_("an invited expert accepting the invitation"),
        ),
        Transition(
            "schedule",
            _("Date and place are set"),
            frozenset({Status.AGREED}),
            Status.SCHEDULED,
            frozenset({Actor.REQUESTER, Actor.COORDINATOR}),
            requires=(facts.accepted_invitation, facts.meeting_saved),
            taken_by=_("saving date, time, place and participants of the meeting"),
        ),
        Transition(
            "mark_held",
            _("The exchange took place"),
            frozenset({Status.SCHEDULED}),
            Status.HELD,
            frozenset({Actor.REQUESTER, Actor.PARTICIPANT, Actor.COORDINATOR}),
            requires=(facts.meeting_saved, facts.meeting_begun),
            witnesses=frozenset({Actor.REQUESTER, Actor.PARTICIPANT}),
            comment_label=_("Who confirmed to you that it took place? (needed if you were not there)"),
            notify=frozenset({Audience.REQUESTER}),
        ),
        Transition(
            "record_past",
            _("Record an exchange that has already taken place"),
            ACCEPTED,
            Status.HELD,
            frozenset({Actor.COORDINATOR}),
            requires=(facts.accepted_invitation, facts.meeting_in_past),
            taken_by=_("the coordination's form for recording a past exchange"),
            comment_required=True,
            notify=frozenset({Audience.REQUESTER}),
        ),
        Transition(
            "complete",
            _("Complete with reflection"),
            frozenset({Status.HELD}),
            Status.COMPLETED,
            frozenset({Actor.REQUESTER}),
            requires=(facts.requester_reflection,),
            taken_by=_("the requester writing the reflection"),
        ),
        Transition(
            "withdraw",
            _("Withdraw request"),
            frozenset({Status.DRAFT}) | OPEN_BEFORE_ACCEPT | ACCEPTED,
            Status.WITHDRAWN,
            frozenset({Actor.REQUESTER}),
            comment_label=_("Reason for withdrawing"),
            comment_required=True,
            button_class="btn-outline-danger",
            effects=CLOSING_EFFECTS,
            notify=frozenset({Audience.CITY_CONTACTS, Audience.COORDINATION_IF_ACCEPTED}),
        ),
        Transition(
            "reject",
            _("Reject request"),
            OPEN_BEFORE_ACCEPT | frozenset({Status.ROUTING, Status.MATCHING}),
            Status.REJECTED,
            frozenset({Actor.COORDINATOR}),
            comment_label=_("Reason for the rejection"),
            comment_required=True,
            button_class="btn-outline-danger",
            effects=CLOSING_EFFECTS,
            notify=frozenset({Audience.REQUESTER}),
        ),
        Transition(
            "cancel",
            _("Cancel exchange"),
            ACCEPTED,
            Status.CANCELLED,
            frozenset({Actor.COORDINATOR}),
            comment_label=_("Reason for the cancellation"),
            comment_required=True,
            button_class="btn-outline-danger",
            effects=CLOSING_EFFECTS,
            notify=frozenset({Audience.REQUESTER}),
        ),
    ]
}
