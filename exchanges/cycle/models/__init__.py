"""The C+R cycle's models: requests, their timeline, comments and attachments, routing, invitations,
the meeting and the reflections."""

from exchanges.cycle.models.cycle import (
    AnswerChannel,
    Invitation,
    InvitationStatus,
    Meeting,
    Reflection,
    RoutingDecision,
    RoutingModel,
)
from exchanges.cycle.models.requests import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    Direction,
    ExchangeRequest,
    Format,
    Occasion,
    ReferenceCounter,
    Status,
)
from exchanges.cycle.models.timeline import Attachment, Comment, TimelineEntry

__all__ = [
    "CLOSED_STATUSES",
    "EDITABLE_STATUSES",
    "AnswerChannel",
    "Attachment",
    "Comment",
    "Direction",
    "ExchangeRequest",
    "Format",
    "Invitation",
    "InvitationStatus",
    "Meeting",
    "Occasion",
    "ReferenceCounter",
    "Reflection",
    "RoutingDecision",
    "RoutingModel",
    "Status",
    "TimelineEntry",
]
