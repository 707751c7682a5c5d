"""Reads of travel claims: what a person may see, the finance queue, batches and bookings."""

from datetime import timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.http import Http404
from django.utils import timezone

from cities.directory.models import User
from cities.directory.rules import is_coordinator
from exchanges.cycle.models import ExchangeRequest
from exchanges.cycle.rules import claim_participants
from exchanges.travel.models import (
    Booking,
    ClaimStatus,
    ExportBatch,
    Receipt,
    TravelClaim,
    TripRequest,
    TripStatus,
)
from exchanges.travel.rules import sees_all_claims


def claims_visible_to(user: User) -> QuerySet[TravelClaim]:
    """The claims a person may see: every claim for finance and the coordination
    (``exchanges.travel.rules.sees_all_claims``), otherwise their own."""
    if not user.is_authenticated:
        return TravelClaim.objects.none()
    if sees_all_claims(user):
        return TravelClaim.objects.all()
    return claims_of(user)


def claims_of(user: User) -> QuerySet[TravelClaim]:
    """The claims a person travels in or entered ("Meine Abrechnungen")."""
    return TravelClaim.objects.filter(Q(traveller=user) | Q(submitted_by=user))


def claim_get_for_user(*, user: User, pk: int, own_only: bool = False) -> TravelClaim:
    """The claim if ``user`` may see it (``own_only``: only among their own); 404 for missing and
    forbidden alike."""
    claim = (
        (claims_of(user) if own_only else claims_visible_to(user))
        .select_related("exchange", "traveller__home_city", "submitted_by", "rate_set", "decided_by", "trip")
        .prefetch_related("items__receipts", "events__actor")
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


def possible_duplicate_filter() -> ExpressionWrapper:
    """For querysets of claims (the finance queue): an overlapping trip of the same traveller, or a
    receipt whose content is on another claim — the same test as ``ClaimFlags.possible_duplicate``."""
    overlap = Exists(
        TravelClaim.objects.filter(
            traveller_id=OuterRef("traveller_id"),
            trip_start__lt=OuterRef("trip_end"),
            trip_end__gt=OuterRef("trip_start"),
        ).exclude(pk=OuterRef("pk"))
    )
    same_content = Exists(
        Receipt.objects.filter(claim_id=OuterRef("pk")).filter(
            Exists(Receipt.objects.filter(sha256=OuterRef("sha256")).exclude(claim_id=OuterRef("claim_id")))
        )
    )
    return ExpressionWrapper(overlap | same_content, output_field=BooleanField())


def finance_queue(*, user: User, filters: dict[str, Any]) -> QuerySet[TravelClaim]:
    """The finance queue with its filters (``FinanceQueueFilterForm``): submitted claims by default."""
    claims = (
        claims_visible_to(user)
        .select_related("exchange", "traveller__home_city", "rate_set")
        .annotate(possible_duplicate=possible_duplicate_filter())
    )
    status = filters.get("status") or ""
    if status == "":
        claims = claims.filter(status=ClaimStatus.SUBMITTED)
    elif status != "all":
        claims = claims.filter(status=status)
    if filters.get("city"):
        claims = claims.filter(traveller__home_city=filters["city"])
    if filters.get("reference"):
        claims = claims.filter(exchange__reference__iexact=filters["reference"].strip())
    if filters.get("min_amount") is not None:
        claims = claims.filter(calculated_total__gte=filters["min_amount"])
    if filters.get("min_age") is not None:
        claims = claims.filter(submitted_at__lte=timezone.now() - timedelta(days=filters["min_age"]))
    if filters.get("late"):
        claims = claims.filter(filed_late=True)
    if filters.get("duplicates"):
        claims = claims.filter(possible_duplicate=True)
    if filters.get("trip_unfit"):
        claims = claims.filter(trip_unfit=True)
    return claims.order_by("submitted_at", "pk")


def export_batches() -> QuerySet[ExportBatch]:
    """Export batches, newest first, with the sum and number of their bookings."""
    return ExportBatch.objects.annotate(total=Sum("bookings__amount"), count=Count("bookings")).order_by(
        "-created_at"
    )


def bookings_for_finance(*, filters: dict[str, Any]) -> QuerySet[Booking]:
    """Bookings (one per approved claim) for the accounting system, optionally by year, batch or unbatched."""
    bookings = Booking.objects.select_related("claim__exchange", "claim__traveller", "batch")
    if filters.get("budget_year"):
        bookings = bookings.filter(budget_year=filters["budget_year"])
    if filters.get("batch"):
        bookings = bookings.filter(batch=filters["batch"])
    if filters.get("unbatched"):
        bookings = bookings.filter(batch__isnull=True)
    return bookings


def booking_number(*, claim_id: int) -> str | None:
    """The booking number of a claim, or None while it is not booked (yet)."""
    return Booking.objects.filter(claim_id=claim_id).values_list("number", flat=True).first()


# --- trip requests ----------------------------------------------------------------------------------------


def trips_visible_to(user: User) -> QuerySet[TripRequest]:
    """The trip requests a person may see (``exchanges.travel.rules.sees_trip``, read by the database): all
    for the coordination and finance; otherwise those they travel on, entered, or approve as supervisor."""
    if not user.is_authenticated:
        return TripRequest.objects.none()
    if sees_all_claims(user):
        return TripRequest.objects.all()
    return TripRequest.objects.filter(
        Q(traveller=user) | Q(filed_by=user) | Q(supervisor=user) | Q(supervisor_email__iexact=user.email)
    )


def trips_of(user: User) -> QuerySet[TripRequest]:
    """The person's own trip requests ("My business trips"): those they travel on or entered."""
    if not user.is_authenticated:
        return TripRequest.objects.none()
    return (
        TripRequest.objects.filter(Q(traveller=user) | Q(filed_by=user))
        .select_related("exchange", "traveller")
        .order_by("-starts_at", "-pk")
    )


def trip_travellers(exchange: ExchangeRequest) -> QuerySet[User]:
    """Who may travel for the exchange (``rules.may_travel_for``): whom the coordination files a trip for."""
    return User.objects.filter(pk__in=claim_participants(exchange), is_active=True).order_by(
        "display_name", "pk"
    )


def trip_get_for_user(*, user: User, pk: int) -> TripRequest:
    """The trip request if ``user`` may see it; 404 for missing and foreign ones alike."""
    trip = (
        trips_visible_to(user)
        .select_related(
            "exchange",
            "traveller__home_city",
            "filed_by",
            "supervisor",
            "supervisor_decided_by",
            "cost_decided_by",
        )
        .prefetch_related("events__actor")
        .filter(pk=pk)
        .first()
    )
    if trip is None:
        raise Http404
    return trip


def trips_to_approve(user: User) -> QuerySet[TripRequest]:
    """The submitted trips waiting for this person's decision: as supervisor, or (coordination) on costs."""
    waiting = TripRequest.objects.filter(status=TripStatus.SUBMITTED)
    mine = Q(supervisor_decision="") & (Q(supervisor=user) | Q(supervisor_email__iexact=user.email))
    if is_coordinator(user):
        mine |= Q(cost_decision="")
    return (
        waiting.filter(mine)
        .exclude(Q(traveller=user) | Q(filed_by=user))
        .select_related("exchange", "traveller")
        .order_by("submitted_at", "pk")
    )
