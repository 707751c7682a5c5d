"""Travel claims: calculation, submission, the four-eyes decision and exactly-once booking."""

import calendar
import hashlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.models import AuditEvent, User
from cities.roles import Role
from cities.rules import is_coordinator
from cities.services.audit import audit_record
from exchanges.errors import DomainError, NotPermitted, TransitionNotAllowed
from exchanges.models import (
    Booking,
    BookingCounter,
    Budget,
    ClaimEvent,
    ClaimItem,
    ClaimStatus,
    ExchangeRequest,
    InvitationStatus,
    RateSet,
    Status,
    TravelClaim,
)
from exchanges.services.claim_nights import claim_item_night_check, claim_nights_check
from exchanges.services.rates import rate_set_for
from exchanges.services.sequences import next_number
from exchanges.services.travel_calculator import Calculation, Night, RailTicket, Trip, calculate, money
from koopstadt.dispatch import enqueue_after_commit

CLAIMABLE_STATUSES = {Status.SCHEDULED, Status.HELD, Status.COMPLETED}
COUNTED_STATUSES = [ClaimStatus.APPROVED, ClaimStatus.BOOKED, ClaimStatus.PAID]


class BudgetExceeded(DomainError):
    pass


def participants_of(exchange: ExchangeRequest) -> list[User]:
    """The requester side and the expert side of an exchange: the people who may claim travel costs."""
    experts = [
        invitation.expert.user
        for invitation in exchange.invitations.filter(status=InvitationStatus.ACCEPTED).select_related(
            "expert__user"
        )
    ]
    meeting_people = list(exchange.meeting.participants.all()) if hasattr(exchange, "meeting") else []
    people = {user.pk: user for user in [exchange.requester, *experts, *meeting_people]}
    return list(people.values())


def claim_trip(claim: TravelClaim) -> Trip:
    """The claim as calculator input (local times)."""
    items = list(claim.items.annotate(receipt_count=Count("receipts")))
    start, end = timezone.localtime(claim.trip_start), timezone.localtime(claim.trip_end)
    nights = [
        Night(
            hotel_cost=item.reduced_to if item.reduced_to is not None else item.amount,
            night_of=item.night_of,
            breakfast_included=item.breakfast_included,
            receipt=item.receipt_count > 0,
            excess_reason_accepted=item.reason_accepted,
        )
        for item in items
        if item.kind == ClaimItem.Kind.HOTEL
    ] + [Night() for _night in range(claim.flat_nights)]  # undated: the nights no hotel item takes
    rail = tuple(
        RailTicket(
            price=item.reduced_to if item.reduced_to is not None else item.amount,
            higher_class=item.higher_class,
            scheduled_hours=item.scheduled_hours,
            reason_accepted=item.reason_accepted,
        )
        for item in items
        if item.kind == ClaimItem.Kind.RAIL
    )
    other = tuple(
        (item.explanation, item.reduced_to if item.reduced_to is not None else item.amount)
        for item in items
        if item.kind == ClaimItem.Kind.OTHER
    )
    meals = {date.fromisoformat(day): frozenset(names) for day, names in (claim.meals or {}).items()}
    interest = bool(claim.car_interest_recorded_on and claim.car_interest_recorded_on <= start.date())
    return Trip(
        start=start,
        end=end,
        nights=tuple(nights),
        meals=meals,
        rail=rail,
        car_km=claim.car_km,
        car_interest_recorded=interest,
        local_transport=claim.local_transport,
        other=other,
    )


def claim_rate_set(claim: TravelClaim) -> RateSet:
    """The rate set the claim is computed by: fixed on submission; before that (a draft, a returned claim
    not yet resubmitted) the traveller's home city's set valid on the trip's first day."""
    return claim.rate_set or rate_set_for(
        city=claim.traveller.home_city, day=timezone.localtime(claim.trip_start).date()
    )


def claim_calculate(claim: TravelClaim) -> Calculation:
    return calculate(claim_trip(claim), claim_rate_set(claim).to_rates())


def claim_filing_deadline(claim: TravelClaim) -> date:
    """The last day to file: the rate set's number of months after the trip's end."""
    rate_set = claim.rate_set or rate_set_for(
        city=claim.traveller.home_city, day=timezone.localtime(claim.trip_start).date()
    )
    end = timezone.localtime(claim.trip_end).date()
    months = end.month - 1 + rate_set.filing_deadline_months
    year, month = end.year + months // 12, months % 12 + 1
    return date(year, month, min(end.day, calendar.monthrange(year, month)[1]))


def claim_is_late(claim: TravelClaim, *, on: date | None = None) -> bool:
    """Filed (or, not yet filed, as of ``on``/today) after the filing deadline: flagged for finance."""
    filed = (
        timezone.localtime(claim.submitted_at).date() if claim.submitted_at else (on or timezone.localdate())
    )
    return filed > claim_filing_deadline(claim)


# Steps the traveller is told about by e-mail (every decision of finance, the booking, the payment).
DECISIONS_MAILED = {"approve", "return", "reject", "reduce", "book", "paid"}


def claim_event_record(
    claim: TravelClaim, actor: User | None, action: str, from_status: str, comment: str = ""
) -> None:
    """Append to the claim's timeline; decisions are also mailed to the traveller."""
    from exchanges.services.notifications import notify

    event = ClaimEvent.objects.create(
        claim=claim,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=claim.status,
        comment=comment,
    )
    if action in DECISIONS_MAILED:
        notify(
            key=f"claim-event:{event.pk}",
            recipients=[claim.traveller],
            template="claim_decision",
            request=claim.exchange,
            context={"claim": claim, "event": event},
        )


@transaction.atomic
def claim_create(
    *, exchange: ExchangeRequest, traveller: User, actor: User, data: dict[str, Any]
) -> TravelClaim:
    if exchange.status not in CLAIMABLE_STATUSES:
        raise TransitionNotAllowed(_("Travel costs can be claimed once the exchange is scheduled."))
    participants = {user.pk for user in participants_of(exchange)}
    if traveller.pk not in participants:
        raise DomainError(_("Only participants of the exchange can claim travel costs."), field="traveller")
    if actor.pk != traveller.pk and not is_coordinator(actor):
        raise NotPermitted(_("You can only enter your own claim."))
    claim = TravelClaim(
        exchange=exchange,
        traveller=traveller,
        submitted_by=actor,
        purpose=data.get("purpose") or exchange.title,
        **{k: v for k, v in data.items() if k != "purpose"},
    )
    claim_nights_check(claim)
    claim.full_clean()
    claim.save()
    claim_event_record(claim, actor, "create", "")
    return claim


def claim_submit(*, claim_id: int, actor: User) -> TravelClaim:
    with transaction.atomic():
        claim = TravelClaim.objects.select_for_update().get(pk=claim_id)
        if actor.pk not in {claim.traveller_id, claim.submitted_by_id}:
            raise NotPermitted(_("Only the traveller submits the claim."))
        if claim.status not in {ClaimStatus.DRAFT, ClaimStatus.RETURNED}:
            raise TransitionNotAllowed(_("This claim has already been submitted."))
        from_status = claim.status
        claim.rate_set = rate_set_for(
            city=claim.traveller.home_city, day=timezone.localtime(claim.trip_start).date()
        )
        claim.calculated_total = claim_calculate(claim).total
        claim.status = ClaimStatus.SUBMITTED
        claim.submitted_at = timezone.now()
        # Lateness is fixed at the moment of filing: stored, so finance filters on it in the database.
        claim.filed_late = claim_is_late(claim)
        claim.save(update_fields=["rate_set", "calculated_total", "status", "submitted_at", "filed_late"])
        claim_event_record(claim, actor, "submit", from_status)
    return claim


def _finance_decision_allowed(claim: TravelClaim, actor: User) -> None:
    if not actor.has_role(Role.FINANCE):
        raise NotPermitted(_("Only finance decides on travel claims."))
    if actor.pk in {claim.traveller_id, claim.submitted_by_id}:
        # Four-eyes principle: never approve a claim in which you travel or which you entered.
        raise NotPermitted(
            _("Four-eyes principle: you cannot decide on a claim in which you travel or which you entered.")
        )
    if claim.status != ClaimStatus.SUBMITTED:
        raise TransitionNotAllowed(
            _("The claim is '%(status)s'; only submitted claims are decided.")
            % {"status": claim.get_status_display()}
        )


def budget_position(*, year: int, city_id: int | None = None) -> dict[str, Decimal | None]:
    claims = TravelClaim.objects.filter(decided_at__year=year, status__in=COUNTED_STATUSES)
    if city_id is not None:
        claims = claims.filter(traveller__home_city_id=city_id)
    used = claims.aggregate(total=Sum("calculated_total"))["total"] or Decimal("0")
    budget = Budget.objects.filter(year=year, city_id=city_id).first()
    return {
        "budget": budget.amount if budget else None,
        "used": money(used),
        "remaining": money(budget.amount - used) if budget else None,
    }


def claim_approve(*, claim_id: int, actor: User, confirm_over_budget: bool = False) -> TravelClaim:
    """Approve once (row lock + state check); the booking task is queued after the commit."""
    from exchanges.tasks import book_claim_task

    with transaction.atomic():
        claim = TravelClaim.objects.select_for_update().get(pk=claim_id)
        _finance_decision_allowed(claim, actor)
        claim.calculated_total = claim_calculate(claim).total
        year = timezone.localdate().year
        position = budget_position(year=year)
        over = position["remaining"] is not None and claim.calculated_total > position["remaining"]
        if over and not confirm_over_budget:
            raise BudgetExceeded(
                _(
                    "Approving %(amount)s € would exceed the budget %(year)d (remaining %(remaining)s €). Please confirm."
                )
                % {"amount": claim.calculated_total, "year": year, "remaining": position["remaining"]}
            )
        claim.status = ClaimStatus.APPROVED
        claim.budget_override = over
        claim.decided_at = timezone.now()
        claim.decided_by = actor
        claim.save(
            update_fields=["calculated_total", "status", "budget_override", "decided_at", "decided_by"]
        )
        claim_event_record(
            claim, actor, "approve", ClaimStatus.SUBMITTED, _("beyond the budget, confirmed") if over else ""
        )
        audit_record(
            kind=AuditEvent.Kind.CLAIM_DECISION,
            actor=actor,
            subject=claim.traveller,
            target=claim,
            decision="approve",
            amount=str(claim.calculated_total),
            over_budget=over,
        )
        enqueue_after_commit(book_claim_task, claim.pk)
    return claim


@transaction.atomic
def claim_return_or_reject(*, claim_id: int, actor: User, reject: bool, reason: str) -> TravelClaim:
    claim = TravelClaim.objects.select_for_update().get(pk=claim_id)
    _finance_decision_allowed(claim, actor)
    if not reason.strip():
        raise DomainError(_("Please give a reason."), field="reason")
    claim.status = ClaimStatus.REJECTED if reject else ClaimStatus.RETURNED
    claim.decided_at, claim.decided_by = timezone.now(), actor
    claim.save(update_fields=["status", "decided_at", "decided_by"])
    claim_event_record(claim, actor, "reject" if reject else "return", ClaimStatus.SUBMITTED, reason.strip())
    audit_record(
        kind=AuditEvent.Kind.CLAIM_DECISION,
        actor=actor,
        subject=claim.traveller,
        target=claim,
        decision="reject" if reject else "return",
    )
    return claim


@transaction.atomic
def claim_item_reduce(*, item_id: int, actor: User, amount: Decimal, reason: str) -> ClaimItem:
    item = ClaimItem.objects.select_related("claim").select_for_update(of=("self",)).get(pk=item_id)
    claim = TravelClaim.objects.select_for_update().get(pk=item.claim_id)
    _finance_decision_allowed(claim, actor)
    if not reason.strip():
        raise DomainError(_("Please give a reason for the reduction."), field="reason")
    if amount < 0 or amount > item.amount:
        raise DomainError(_("The reduced amount must be between 0 and the claimed amount."), field="amount")
    item.reduced_to, item.reduction_reason = money(amount), reason.strip()
    item.save(update_fields=["reduced_to", "reduction_reason"])
    claim_event_record(
        claim, actor, "reduce", claim.status, f"{item}: {item.reduced_to} € – {item.reduction_reason}"
    )
    audit_record(
        kind=AuditEvent.Kind.CLAIM_DECISION,
        actor=actor,
        subject=claim.traveller,
        target=claim,
        decision="reduce",
        item=item.pk,
        amount=str(item.reduced_to),
    )
    return item


def _next_booking_number(year: int) -> str:
    return f"RK-{year}-{next_number(BookingCounter, year):05d}"


def claim_book(*, claim_id: int) -> bool:
    """Record the reimbursement of an approved claim exactly once. Returns whether this call booked it.

    The claim row is locked, its state re-checked, and the one-to-one key of ``Booking`` makes a
    second booking impossible even if everything else failed: a rerun, a retry, a redelivered message
    or two workers at once all end with one booking.
    """
    with transaction.atomic():
        claim = TravelClaim.objects.select_for_update().filter(pk=claim_id).first()
        if (
            claim is None
            or claim.status != ClaimStatus.APPROVED
            or Booking.objects.filter(claim_id=claim_id).exists()
        ):
            return False
        year = timezone.localtime(claim.decided_at or timezone.now()).year
        Booking.objects.create(
            claim=claim,
            number=_next_booking_number(year),
            budget_year=year,
            cost_centre=settings.TRAVEL_COST_CENTRE,
            payee=claim.traveller.display_name,
            amount=claim.calculated_total,
        )
        claim.status = ClaimStatus.BOOKED
        claim.save(update_fields=["status"])
        claim_event_record(claim, None, "book", ClaimStatus.APPROVED)
        # The background task books what a person approved: the approving person is the actor.
        audit_record(
            kind=AuditEvent.Kind.CLAIM_DECISION,
            actor=claim.decided_by,
            subject=claim.traveller,
            target=claim,
            decision="book",
            amount=str(claim.calculated_total),
        )
    return True


# --- the traveller's side: items and receipts --------------------------------------------------------


def _editable_by(claim: TravelClaim, actor: User) -> None:
    if actor.pk not in {claim.traveller_id, claim.submitted_by_id}:
        raise NotPermitted(_("Only the traveller changes the claim."))
    if claim.status not in {ClaimStatus.DRAFT, ClaimStatus.RETURNED}:
        raise TransitionNotAllowed(_("A submitted claim can no longer be changed."))


@transaction.atomic
def claim_update(*, claim: TravelClaim, actor: User, data: dict[str, Any]) -> TravelClaim:
    claim = TravelClaim.objects.select_for_update().get(pk=claim.pk)
    _editable_by(claim, actor)
    for name, value in data.items():
        setattr(claim, name, value)
    claim_nights_check(claim)
    claim.full_clean()
    claim.save()
    return claim


@transaction.atomic
def claim_item_add(*, claim: TravelClaim, actor: User, data: dict[str, Any], upload=None) -> ClaimItem:  # type: ignore[no-untyped-def]
    from django.core.files.base import ContentFile

    from exchanges.models import Receipt
    from exchanges.services.uploads import RECEIPT_KINDS, check_upload

    claim = TravelClaim.objects.select_for_update().get(pk=claim.pk)
    _editable_by(claim, actor)
    data = claim_item_night_check(claim=claim, data=data)
    item = ClaimItem(claim=claim, **data)
    item.full_clean()
    item.save()
    if upload is not None:
        content, kind = check_upload(upload, kinds=RECEIPT_KINDS, field="receipt")
        receipt = Receipt(
            claim=claim,
            item=item,
            original_name=upload.name[-255:],
            content_type=kind.content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        receipt.file.save(upload.name, ContentFile(content), save=False)
        receipt.save()
    return item


@transaction.atomic
def claim_item_remove(*, item: ClaimItem, actor: User) -> None:
    claim = TravelClaim.objects.select_for_update().get(pk=item.claim_id)
    _editable_by(claim, actor)
    for receipt in item.receipts.all():
        stored = receipt.file
        receipt.delete()
        transaction.on_commit(lambda stored=stored: stored.storage.delete(stored.name))
    item.delete()


# --- budget ---------------------------------------------------------------------------------------------


@transaction.atomic
def budget_set(*, year: int, amount: Decimal, actor: User) -> Budget:
    if not (actor.is_superuser or actor.has_role(Role.FINANCE)):
        raise TransitionNotAllowed(_("Only finance sets the budget."))
    if amount < 0:
        raise DomainError(_("The budget cannot be negative."), field="amount")
    budget, _created = Budget.objects.update_or_create(
        year=year, city=None, defaults={"amount": money(amount)}
    )
    return budget


def budget_overview_figures(*, year: int) -> dict[str, Decimal | None]:
    """Budget, approved, booked, paid, remaining, and the estimated costs of exchanges not yet claimed."""
    sums = {
        status: money(
            TravelClaim.objects.filter(decided_at__year=year, status=status).aggregate(
                total=Sum("calculated_total")
            )["total"]
            or 0
        )
        for status in COUNTED_STATUSES
    }
    budget = Budget.objects.filter(year=year, city__isnull=True).first()
    committed = sum(sums.values(), Decimal("0"))
    estimated = ExchangeRequest.objects.filter(
        status__in=[Status.AGREED, Status.SCHEDULED, Status.HELD], claims__isnull=True
    ).aggregate(total=Sum("estimated_costs"))["total"] or Decimal("0")
    return {
        "budget": budget.amount if budget else None,
        "approved": sums[ClaimStatus.APPROVED],
        "booked": sums[ClaimStatus.BOOKED],
        "paid": sums[ClaimStatus.PAID],
        "remaining": money(budget.amount - committed) if budget else None,
        "estimated_open": money(estimated),
    }
