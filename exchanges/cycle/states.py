"""The states of a C+R request and the words that go with them (what happens next, badges, the timeline).

No model lives here: models, the transition table (``exchanges.cycle.workflow``) and templates all read
these, and this module reads none of them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    """States of a C+R request. ``exchanges.cycle.workflow.TRANSITIONS`` says how one leads to another."""

    DRAFT = "draft", _("Draft")  # being written by the requester; only they see it
    SUBMITTED = "submitted", _("Submitted")  # waiting for the city contact of the requester's city
    RETURNED = "returned", _("Returned for changes")  # the city contact asked a question; the requester edits
    ROUTING = "routing", _("Being routed")  # accepted; the portal looks for the right departments
    MATCHING = "matching", _("Finding experts")  # departments found; experts are proposed and asked
    AGREED = "agreed", _("Expert agreed")  # an expert accepted; date and place to be set
    SCHEDULED = "scheduled", _("Scheduled")  # date and place are set
    HELD = "held", _("Held")  # the exchange took place; the reflection is due
    COMPLETED = "completed", _("Completed")  # the requester's reflection is in
    WITHDRAWN = "withdrawn", _("Withdrawn")  # closed by the requester
    REJECTED = "rejected", _("Rejected")  # closed by the coordination, with a reason
    CANCELLED = "cancelled", _("Cancelled")  # closed after acceptance, e.g. no expert available


CLOSED_STATUSES = frozenset({Status.COMPLETED, Status.WITHDRAWN, Status.REJECTED, Status.CANCELLED})
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})


# Submitted and not closed: what the triage inbox lists by default (in a fixed order, so that the SQL
# of the query and of the partial index below are the same and PostgreSQL uses the index).
TRIAGE_STATUSES = sorted(set(Status) - CLOSED_STATUSES - {Status.DRAFT})


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

# The C+R cycle as the progress indicator on a request page shows it: each step with the state that
# reaches it (exchanges.cycle.progress turns this into the indicator for one request and one person).
CYCLE_STEPS = (
    (Status.SUBMITTED, pgettext_lazy("cycle step", "submitted")),
    (Status.ROUTING, pgettext_lazy("cycle step", "accepted")),
    (Status.MATCHING, pgettext_lazy("cycle step", "routed")),
    (Status.AGREED, pgettext_lazy("cycle step", "expert agreed")),
    (Status.SCHEDULED, pgettext_lazy("cycle step", "date set")),
    (Status.HELD, pgettext_lazy("cycle step", "took place")),
    (Status.COMPLETED, pgettext_lazy("cycle step", "reflection")),
)

# How far along the cycle each open state is: the index in CYCLE_STEPS of the last step reached (-1: none
# yet). A closed state (withdrawn, rejected, cancelled) ends the cycle at the step its request had reached.
STEP_REACHED = {
    Status.DRAFT: -1,
    Status.SUBMITTED: 0,
    Status.RETURNED: 0,  # submitted once, now back with the requester: shown as a note at "submitted"
    Status.ROUTING: 1,
    Status.MATCHING: 2,
    Status.AGREED: 3,
    Status.SCHEDULED: 4,
    Status.HELD: 5,
    Status.COMPLETED: 6,
}

# What the indicator says where the cycle was interrupted (returned) or ended early (the closed states).
CYCLE_NOTE = {
    Status.DRAFT: pgettext_lazy("cycle step", "draft, not submitted yet"),
    Status.RETURNED: pgettext_lazy("cycle step", "returned for changes"),
    Status.WITHDRAWN: pgettext_lazy("cycle step", "withdrawn"),
    Status.REJECTED: pgettext_lazy("cycle step", "rejected"),
    Status.CANCELLED: pgettext_lazy("cycle step", "cancelled"),
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
    "agree": _("recorded that an invited expert accepted"),
    "schedule": _("set date and place"),
    "meeting_changed": _("changed date or place"),
    "mark_held": _("confirmed that the exchange took place"),
    "record_past": _("recorded an exchange that took place before it was entered in the portal"),
    "complete": _("completed the request"),
    "withdraw": _("withdrew the request"),
    "reject": _("rejected the request"),
    "cancel": _("cancelled the exchange"),
    "assign": _("assigned the request"),
    "routing_failed": _("found no fitting department; the coordination completes the routing"),
    "routing_added": _("added a department to the routing"),
    "routing_removed": _("removed a department from the routing"),
    "routing_term_added": _("added a term that routing counts for the department from now on"),
    "invite": _("proposed an expert"),
    "invitation_withdrawn": _("withdrew an invitation"),
    "invitation_accepted": _("accepted the invitation"),
    "invitation_declined": _("declined the invitation"),
}
