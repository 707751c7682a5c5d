"""The ``exchanges`` app's model registry for Django (app loading, migrations, the admin).

Code imports models from their domain package (``exchanges.cycle.models``, ``exchanges.travel.models``,
``exchanges.notifications.models``); this module only gathers them (docs/architecture.md).
"""

from exchanges.cycle.models import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    AnswerChannel,
    Attachment,
    Comment,
    Direction,
    ExchangeRequest,
    Format,
    Invitation,
    InvitationStatus,
    Meeting,
    Occasion,
    ReferenceCounter,
    Reflection,
    RoutingDecision,
    Status,
    TimelineEntry,
)
from exchanges.notifications.models import Notification
from exchanges.travel.models import (
    Booking,
    BookingCounter,
    Budget,
    ClaimEvent,
    ClaimItem,
    ClaimStatus,
    ExportBatch,
    RateSet,
    Receipt,
    TravelClaim,
)

__all__ = [
    "CLOSED_STATUSES",
    "EDITABLE_STATUSES",
    "AnswerChannel",
    "Attachment",
    "Booking",
    "BookingCounter",
    "Budget",
    "ClaimEvent",
    "ClaimItem",
    "ClaimStatus",
    "Comment",
    "Direction",
    "ExchangeRequest",
    "ExportBatch",
    "Format",
    "Invitation",
    "InvitationStatus",
    "Meeting",
    "Notification",
    "Occasion",
    "RateSet",
    "Receipt",
    "ReferenceCounter",
    "Reflection",
    "RoutingDecision",
    "Status",
    "TimelineEntry",
    "TravelClaim",
]
