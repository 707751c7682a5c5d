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
    "Notification",
    "Occasion",
    "ReferenceCounter",
    "Status",
    "TimelineEntry",
]
