"""Reads of "my work": what waits for one person now, for the start page.

Each function returns a ``Bucket``: how many items wait and the oldest few of them, read in one query (the
total is a window count over the same rows), so the start page needs the same number of queries whatever
the size of the network. Every read starts from the scope that decides what the person may see
(``ExchangeRequest.objects.visible_to``, ``exchanges.travel.selectors.claims_visible_to``) and asks the same conditions
as the rule that offers the step on the page the item links to (``exchanges.cycle.rules``), so the start
page never points to something the person cannot do.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.utils import timezone

from cities.directory.models import User
from cities.operations.selectors import failed_tasks_open_count
from exchanges.cycle.models import (
    ExchangeRequest,
    Invitation,
    InvitationStatus,
    Meeting,
    RoutingDecision,
    Status,
    TimelineEntry,
)
from exchanges.cycle.models.requests import Direction
from exchanges.cycle.states import CLOSED_STATUSES, TRIAGE_STATUSES
from exchanges.travel.models import Booking, ClaimStatus, TravelClaim
from exchanges.travel.selectors import claims_visible_to, trips_to_approve
from exchanges.travel.services.budget import budget_position

T = TypeVar("T")

# How many of the oldest items a start page lists per kind of work (the count says how many there are).
ITEMS_SHOWN = 5
# After how long the start page stops reminding a traveller to claim: the filing deadline of the rate
# sets (six months after the trip; a later claim is still possible, flagged for finance).
CLAIM_REMINDER_DAYS = 183

# The columns of a request that the start page shows.
REQUEST_FIELDS = (
    "id",
    "reference",
    "title",
    "status",
    "requester_id",
    "requester_city_id",
    "created_at",
    "submitted_at",
    "status_changed_at",
    "contact_due_on",
    "requester__display_name",
    "requester_city__name",
)


@dataclass
class Bucket(Generic[T]):
    count: int = 0
    items: list[T] = field(default_factory=list)


def _bucket(queryset: QuerySet, limit: int = ITEMS_SHOWN) -> Bucket:
    rows = list(queryset.annotate(bucket_total=Window(Count("pk")))[:limit])
    return Bucket(rows[0].bucket_total if rows else 0, rows)


def _requests(user: User) -> QuerySet[ExchangeRequest]:
    return (
        ExchangeRequest.objects.visible_to(user)
        .select_related("requester", "requester_city")
        .only(*REQUEST_FIELDS)
    )


def _current_meeting_of(request_field: str = "pk") -> QuerySet[Meeting]:
    return Meeting.objects.filter(request_id=OuterRef(request_field), is_cancelled=False)


# --- the requester (staff) ---------------------------------------------------------------------------------
def own_requests_in(user: User, status: Status, *, oldest: str = "status_changed_at") -> Bucket:
    """The person's own requests in one state, longest waiting first."""
    return _bucket(
        _requests(user).filter(requester=user, status=status).order_by(F(oldest).asc(nulls_first=True), "pk")
    )


def drafts(user: User) -> Bucket:
    return own_requests_in(user, Status.DRAFT, oldest="created_at")


def to_confirm(user: User) -> Bucket:
    """Scheduled exchanges whose meeting has begun, for the requester and the meeting's participants: they
    confirm that it took place (the step ``mark_held`` offers them once the meeting has begun)."""
    begun = _current_meeting_of().filter(starts_at__lte=timezone.now())
    participant = Meeting.participants.through.objects.filter(
        meeting__request_id=OuterRef("pk"), meeting__is_cancelled=False, user_id=user.pk
    )
    return _bucket(
        _requests(user)
        .filter(Exists(begun), Q(requester=user) | Exists(participant), status=Status.SCHEDULED)
        .annotate(meeting_starts_at=F("meeting__starts_at"))
        .order_by("meeting__starts_at", "pk")
    )


def claims_to_file(user: User) -> Bucket:
    """Exchanges that took place in which the person travelled and for which they have no claim yet.

    Who travelled: the meeting's travellers, and the side the request's direction names (the requester when
    they travel to the partner city, the experts who accepted when they travel to the requester). They are
    all participants of the exchange, so ``may_claim`` lets them claim.
    """
    since = timezone.now() - timedelta(days=CLAIM_REMINDER_DAYS)
    travelled = Meeting.travellers.through.objects.filter(
        meeting__request_id=OuterRef("pk"), meeting__is_cancelled=False, user_id=user.pk
    )
    accepted = Invitation.objects.filter(
        request_id=OuterRef("pk"), expert__user_id=user.pk, status=InvitationStatus.ACCEPTED
    )
    claimed = TravelClaim.objects.filter(exchange_id=OuterRef("pk"), traveller_id=user.pk)
    return _bucket(
        _requests(user)
        .filter(
            Exists(_current_meeting_of().filter(ends_at__gte=since)),
            Exists(travelled)
            | Q(requester=user, direction=Direction.REQUESTER_TRAVELS)
            | (Exists(accepted) & Q(direction=Direction.EXPERT_TRAVELS)),
            status__in=[Status.HELD, Status.COMPLETED],
        )
        .exclude(Exists(claimed))
        .annotate(meeting_ends_at=F("meeting__ends_at"))
        .order_by("meeting__ends_at", "pk")
    )


def claims_to_finish(user: User) -> Bucket:
    """The person's claims still with them: drafts, and claims finance returned for changes."""
    return _bucket(
        claims_visible_to(user)
        .filter(traveller=user, status__in=[ClaimStatus.DRAFT, ClaimStatus.RETURNED])
        .select_related("exchange")
        .only("id", "status", "created_at", "decided_at", "exchange__reference", "exchange__title")
        .order_by("-status", "created_at", "pk")  # returned before drafts, then the oldest
    )


def trips_waiting(user: User) -> Bucket:
    """Submitted trip requests waiting for the person's decision (as supervisor, or on the costs)."""
    return _bucket(trips_to_approve(user))


def upcoming_meetings(user: User) -> Bucket:
    """Meetings the person takes part in that have not begun yet, the soonest first."""
    participant = Meeting.participants.through.objects.filter(
        meeting__request_id=OuterRef("pk"), meeting__is_cancelled=False, user_id=user.pk
    )
    return _bucket(
        _requests(user)
        .filter(
            Exists(participant),
            Exists(_current_meeting_of().filter(starts_at__gt=timezone.now())),
            status=Status.SCHEDULED,
        )
        .annotate(meeting_starts_at=F("meeting__starts_at"))
        .order_by("meeting__starts_at", "pk")
    )


# --- experts ----------------------------------------------------------------------------------------------
def open_invitations(user: User) -> Bucket:
    """Invitations waiting for the person's answer, the oldest first."""
    return _bucket(
        Invitation.objects.filter(expert__user=user, status=InvitationStatus.OPEN)
        .exclude(request__status__in=CLOSED_STATUSES)
        .select_related("request__requester_city")
        .only(
            "id",
            "created_at",
            "request__reference",
            "request__title",
            "request__requester_city__name",
        )
        .order_by("created_at", "pk")
    )


# --- city contacts ------------------------------------------------------------------------------------------
def city_waiting(user: User, status: Status) -> Bucket:
    """Requests of the contact's city in ``status`` (submitted: waiting for the contact; returned: waiting
    for the requester), the earliest deadline first."""
    return _bucket(
        _requests(user)
        .filter(requester_city_id=user.home_city_id, status=status)
        .order_by(F("contact_due_on").asc(nulls_last=True), "submitted_at", "pk")
    )


def city_overdue_count(user: User) -> int:
    return (
        ExchangeRequest.objects.visible_to(user)
        .filter(
            requester_city_id=user.home_city_id,
            status=Status.SUBMITTED,
            contact_due_on__lt=timezone.localdate(),
        )
        .count()
    )


# --- department liaisons -------------------------------------------------------------------------------------
def _routed_to_department(user: User) -> QuerySet[ExchangeRequest]:
    routed = RoutingDecision.objects.filter(
        request_id=OuterRef("pk"), department_id=user.department_id, is_routed=True
    )
    return _requests(user).filter(Exists(routed))


def _asked(request_field: str = "pk") -> Exists:
    return Exists(
        Invitation.objects.filter(
            request_id=OuterRef(request_field),
            status__in=[InvitationStatus.OPEN, InvitationStatus.ACCEPTED],
        )
    )


def experts_to_nominate(user: User) -> Bucket:
    """Requests routed to the liaison's department for which nobody is asked yet (or everybody declined)."""
    return _bucket(
        _routed_to_department(user)
        .filter(status=Status.MATCHING)
        .exclude(_asked())
        .order_by(F("status_changed_at").asc(nulls_first=True), "pk")
    )


def routed_in_progress(user: User) -> Bucket:
    """The other open requests routed to the liaison's department, to follow them."""
    return _bucket(
        _routed_to_department(user)
        .exclude(status__in=CLOSED_STATUSES)
        .exclude(Q(status=Status.MATCHING) & ~_asked())
        .order_by(F("status_changed_at").asc(nulls_first=True), "pk")
    )


# --- coordinators -----------------------------------------------------------------------------------------------
def triage_counts() -> dict[str, int]:
    """How many requests wait in each state of the triage."""
    rows = (
        ExchangeRequest.objects.filter(status__in=TRIAGE_STATUSES)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts = {row["status"]: row["n"] for row in rows}
    return {status: counts.get(status, 0) for status in Status if status in TRIAGE_STATUSES}  # cycle order


def overdue_requests(user: User) -> Bucket:
    """Submitted requests whose city contact's deadline has passed, the longest overdue first."""
    return _bucket(
        _requests(user)
        .filter(status=Status.SUBMITTED, contact_due_on__lt=timezone.localdate())
        .order_by("contact_due_on", "submitted_at", "pk")
    )


def unassigned_requests(user: User) -> Bucket:
    return _bucket(
        _requests(user)
        .filter(status__in=TRIAGE_STATUSES, assignee__isnull=True)
        .order_by("submitted_at", "pk")
    )


def assigned_requests(user: User) -> Bucket:
    return _bucket(
        _requests(user).filter(status__in=TRIAGE_STATUSES, assignee=user).order_by("submitted_at", "pk")
    )


def routing_to_complete(user: User) -> Bucket:
    """Accepted requests the routing could not place: the coordination routes them by hand."""
    failed = TimelineEntry.objects.filter(request_id=OuterRef("pk"), action="routing_failed")
    return _bucket(
        _requests(user)
        .filter(Exists(failed), status=Status.ROUTING)
        .order_by(F("status_changed_at").asc(nulls_first=True), "pk")
    )


def failed_tasks() -> int:
    return failed_tasks_open_count()


# --- finance -----------------------------------------------------------------------------------------------------
def claims_to_decide(user: User) -> Bucket:
    """Submitted claims this finance person may decide (never one they travel in or entered: four-eyes
    principle), the longest waiting first."""
    return _bucket(
        claims_visible_to(user)
        .filter(status=ClaimStatus.SUBMITTED)
        .exclude(Q(traveller=user) | Q(submitted_by=user))
        .select_related("exchange", "traveller")
        .only(
            "id",
            "submitted_at",
            "calculated_total",
            "filed_late",
            "exchange__reference",
            "exchange__title",
            "traveller__display_name",
        )
        .order_by("submitted_at", "pk")
    )


def finance_figures() -> dict[str, Any]:
    """The year's budget use and the bookings not yet in an export batch."""
    year = timezone.localdate().year
    position = budget_position(year=year)
    share = None
    if position["budget"]:
        share = round(position["used"] * 100 / position["budget"])
    return {
        "year": year,
        **position,
        "share": share,
        "unbatched": Booking.objects.filter(batch__isnull=True).count(),
    }
