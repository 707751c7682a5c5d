from exchanges.models.cycle import Invitation, InvitationStatus, Meeting, Reflection, RoutingDecision
from exchanges.models.requests import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    Direction,
    ExchangeRequest,
    Format,
    Occasion,
    ReferenceCounter,
    Status,
)
from exchanges.models.timeline import Attachment, Comment, Notification, TimelineEntry

__all__ = [
    "CLOSED_STATUSES",
    "EDITABLE_STATUSES",
    "Attachment",
    "Comment",
    "Direction",
    "ExchangeRequest",
    "Format",
    "Invitation",
    "InvitationStatus",
    "Meeting",
    "Notification",
    "Occasion",
    "ReferenceCounter",
    "Reflection",
    "RoutingDecision",
    "Status",
    "TimelineEntry",
]
