"""The lifecycle of a C+R request as one table: which action leads from which states to which, and who may take it.

Every change of a request's status goes through ``exchanges.services.requests.request_transition``,
which looks the action up here.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from exchanges.models import Status


class Actor(StrEnum):
    """Who is acting, relative to the request (not just by role)."""

    REQUESTER = "requester"  # the person who asked
    CITY_CONTACT = "city_contact"  # a contact person of the requester's city
    COORDINATOR = "coordinator"  # koopstadt coordination (all requests)
    SYSTEM = "system"  # the portal itself (Celery tasks)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str  # the button
    sources: frozenset[Status]
    target: Status
    actors: frozenset[Actor]
    comment_label: str = ""  # a comment field is offered when set
    comment_required: bool = False
    public: bool = True  # the timeline entry is shown to the requester
    button_class: str = "btn-primary"
    follow_up: str = ""  # a Celery task (dotted path) queued with the request's id after commit


OPEN_BEFORE_ACCEPT = frozenset({Status.SUBMITTED, Status.RETURNED})
ACCEPTED = frozenset({Status.ROUTING, Status.MATCHING, Status.AGREED, Status.SCHEDULED})

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "submit",
            _("Submit request"),
            frozenset({Status.DRAFT, Status.RETURNED}),
            Status.SUBMITTED,
            frozenset({Actor.REQUESTER}),
            comment_label=_("Note to your contact person (optional)"),
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
        ),
        Transition(
            "accept",
            _("Accept and forward to the coordination"),
            frozenset({Status.SUBMITTED}),
            Status.ROUTING,
            frozenset({Actor.CITY_CONTACT, Actor.COORDINATOR}),
            comment_label=_("Note (optional)"),
            follow_up="exchanges.tasks.route_request_task",
        ),
        Transition(
            "start_matching",
            _("Routing done: look for experts"),
            frozenset({Status.ROUTING}),
            Status.MATCHING,
            frozenset({Actor.COORDINATOR, Actor.SYSTEM}),
        ),
        Transition(
            "agree",
            _("An expert agreed"),
            frozenset({Status.MATCHING}),
            Status.AGREED,
            frozenset({Actor.COORDINATOR, Actor.SYSTEM}),
        ),
        Transition(
            "schedule",
            _("Date and place are set"),
            frozenset({Status.AGREED}),
            Status.SCHEDULED,
            frozenset({Actor.COORDINATOR}),
        ),
        Transition(
            "mark_held",
            _("The exchange took place"),
            frozenset({Status.SCHEDULED}),
            Status.HELD,
            frozenset({Actor.REQUESTER, Actor.COORDINATOR, Actor.SYSTEM}),
        ),
        Transition(
            "complete",
            _("Complete with reflection"),
            frozenset({Status.HELD}),
            Status.COMPLETED,
            frozenset({Actor.REQUESTER, Actor.COORDINATOR}),
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
        ),
    ]
}

# What the requester reads next to each state: what happens next.
NEXT_STEP = {
    Status.DRAFT: _("Complete the request and submit it."),
    Status.SUBMITTED: _("Your city's koopstadt contact person checks the request."),
    Status.RETURNED: _("Please answer the question of your contact person and submit again."),
    Status.ROUTING: _("The portal looks for the right departments in the partner cities."),
    Status.MATCHING: _("Experts of the partner cities are being asked."),
    Status.AGREED: _("An expert has agreed; date and place are being set."),
    Status.SCHEDULED: _("The exchange is scheduled. Afterwards, confirm that it took place."),
    Status.HELD: _("Write the reflection to complete the exchange."),
    Status.COMPLETED: _("Completed. Thank you for your reflection."),
    Status.WITHDRAWN: _("Withdrawn."),
    Status.REJECTED: _("Rejected by the coordination."),
    Status.CANCELLED: _("Cancelled."),
}

STATUS_BADGE = {
    Status.DRAFT: "text-bg-secondary",
    Status.SUBMITTED: "text-bg-primary",
    Status.RETURNED: "text-bg-warning",
    Status.ROUTING: "text-bg-info",
    Status.MATCHING: "text-bg-info",
    Status.AGREED: "text-bg-success",
    Status.SCHEDULED: "text-bg-success",
    Status.HELD: "text-bg-success",
    Status.COMPLETED: "text-bg-dark",
    Status.WITHDRAWN: "text-bg-light",
    Status.REJECTED: "text-bg-danger",
    Status.CANCELLED: "text-bg-light",
}

# How the timeline tells each step.
TIMELINE_TEXT = {
    "submit": _("submitted the request"),
    "return_for_changes": _("returned the request for changes"),
    "accept": _("accepted the request and forwarded it to the coordination"),
    "start_matching": _("finished the routing; experts are being looked for"),
    "agree": _("recorded that an expert agreed"),
    "schedule": _("set date and place"),
    "mark_held": _("confirmed that the exchange took place"),
    "complete": _("completed the request"),
    "withdraw": _("withdrew the request"),
    "reject": _("rejected the request"),
    "cancel": _("cancelled the exchange"),
    "assign": _("assigned the request"),
    "routing_failed": _("found no fitting department; the coordination completes the routing"),
    "routing_added": _("added a department to the routing"),
    "routing_removed": _("removed a department from the routing"),
    "invite": _("proposed an expert"),
    "invitation_withdrawn": _("withdrew an invitation"),
    "invitation_accepted": _("accepted the invitation"),
    "invitation_declined": _("declined the invitation"),
}
