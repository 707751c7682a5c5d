"""Travel claims: calculation, submission, the four-eyes decision and exactly-once booking.

Every change finance would see raises the claim's version (``koopstadt.versioning``): the trip, meals,
items, receipts, reasons, submission, return, reductions and decisions. Each service takes the version the
person's page (or API client's If-Match) started from and refuses a stale one inside the locked
transaction, so finance decides on exactly the figures it saw (docs/travel-costs.md, "Versions").
"""

import calendar
import copy
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cities.directory.models import User
from cities.directory.rules import is_coordinator
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent
from cities.records.versions import changed_fields, version_advance, version_check
from exchanges.cycle.facts import current_meeting
from exchanges.cycle.models import ExchangeRequest
from exchanges.cycle.rules import CLAIMABLE_STATUSES, may_claim
from exchanges.notifications.services import notify
from exchanges.travel.models import (
    Booking,
    BookingCounter,
    ClaimEvent,
    ClaimItem,
    ClaimStatus,
    Commitment,
    RateSet,
    Receipt,
    TravelClaim,
    TripMeans,
    TripStatus,
)
from exchanges.travel.rules import CLAIM_AHEAD, decides_claims, is_own_claim, may_decide_claim, may_edit_claim
from exchanges.travel.services.budget import budget_check_locked, commitment_release
from exchanges.travel.services.claim_nights import claim_item_night_check, claim_nights_check
from exchanges.travel.services.rates import rate_set_for
from exchanges.travel.services.travel_calculator import (
    Calculation,
    Line,
    Night,
    RailTicket,
    Trip,
    calculate,
    money,
)
from koopstadt.dispatch import enqueue_after_commit
from koopstadt.errors import DomainError, NotPermitted, StaleVersion, TransitionNotAllowed
from koopstadt.money import eur
from koopstadt.sequences import next_number
from koopstadt.uploads import RECEIPT_KINDS as RECEIPT_FILE_KINDS
from koopstadt.uploads import check_upload

# Claims shown from what finance decided on (``calculation_snapshot``), never recalculated.
DECIDED_STATUSES = frozenset(
    {ClaimStatus.APPROVED, ClaimStatus.BOOKED, ClaimStatus.PAID, ClaimStatus.REJECTED}
)
# Items the law pays only against a receipt (BRKG §§ 4, 10; a hotel night without receipt is paid as
# the flat rate instead, § 7 (1)): the claim cannot be submitted while one of them has none.
RECEIPT_KINDS = frozenset({ClaimItem.Kind.RAIL, ClaimItem.Kind.OTHER})
# Bounds that keep every stored amount inside its column (``MONEY``: max_digits=9): one amount, and the
# claim's total with all its items (a claim of many items each below the bound must still submit).
MAX_AMOUNT = Decimal("100000.00")
MAX_CLAIM_TOTAL = Decimal("1000000.00")
MAX_TRIP_DAYS = 31


def amount_error(amount: Decimal | None, *, allow_zero: bool = False) -> str | None:
    """Why an amount of an item (``allow_zero``: the local transport, 0 = none) cannot be claimed; None
    when it can. The form, the API serializer and the service all ask here."""
    if amount is None:
        return None
    if amount < 0:
        return _("The amount cannot be negative.")
    if amount == 0 and not allow_zero:
        return _("Zero cannot be claimed: please enter the amount you paid, or leave the item out.")
    if amount > MAX_AMOUNT:
        return _("Please check the amount: at most %(max)s can be claimed for one item.") % {
            "max": eur(MAX_AMOUNT)
        }
    return None


def car_km_error(km: Decimal | None) -> str | None:
    """The kilometres driven by car (the form, the API serializer and the service all ask here)."""
    if km is not None and km < 0:
        return _("The amount cannot be negative.")
    return None


MEALS = ("breakfast", "lunch", "dinner")


def claim_meals_clean(
    meals: dict[str, Any], *, trip_start: datetime, trip_end: datetime
) -> dict[str, list[str]]:
    """Meals provided free of charge per day of the trip ({"2026-03-10": ["lunch"]}), checked and in the
    stored shape; a day that is not a day of the trip is refused (ValidationError). The browser's form
    offers only the trip's days as checkboxes; the API asks here."""
    first, last = timezone.localtime(trip_start).date(), timezone.localtime(trip_end).date()
    cleaned = {}
    for day, names in meals.items():
        try:
            when = date.fromisoformat(day)
        except (TypeError, ValueError) as error:
            raise ValidationError(_("Enter a valid date.")) from error
        if not first <= when <= last:
            raise ValidationError(_("Enter a valid date."))
        if names:
            cleaned[when.isoformat()] = [meal for meal in MEALS if meal in names]
    return cleaned


def trip_errors(start: datetime | None, end: datetime | None) -> dict[str, str]:
    """The trip's own checks, field by field (the form, the API and the service give the same)."""
    errors = {}
    if start and end and end <= start:
        errors["trip_end"] = _("The trip must end after it begins.")
    elif start and end and end - start > timedelta(days=MAX_TRIP_DAYS):
        errors["trip_end"] = _("A trip can last at most %(days)d days. Please check the dates.") % {
            "days": MAX_TRIP_DAYS
        }
    if start and start > timezone.now() + CLAIM_AHEAD:
        errors["trip_start"] = _("A claim is filed after the trip.")
    return errors


def claim_trip(claim: TravelClaim) -> Trip:
    """The claim as calculator input (local times)."""
    items = list(claim.items.annotate(receipt_count=Count("receipts")))
    start, end = timezone.localtime(claim.trip_start), timezone.localtime(claim.trip_end)
    trip = claim.trip
    if trip is not None:
        # BRKG § 5 (2): the higher rate only for an interest recorded on the trip approved before it began.
        interest = trip.car_interest_before_start and trip.approved_at <= claim.trip_start
        interest = bool(interest)
    else:
        interest = bool(claim.car_interest_recorded_on and claim.car_interest_recorded_on <= start.date())
    # What was approved in advance on the trip counts as an accepted reason.
    first_class_approved = trip is not None and trip.higher_class and trip.status == TripStatus.APPROVED
    hotel_approved = (
        trip is not None and bool(trip.hotel_reason.strip()) and trip.status == TripStatus.APPROVED
    )
    nights = [
        Night(
            hotel_cost=item.reduced_to if item.reduced_to is not None else item.amount,
            night_of=item.night_of,
            breakfast_included=item.breakfast_included,
            receipt=item.receipt_count > 0,
            excess_reason_accepted=item.reason_accepted or hotel_approved,
        )
        for item in items
        if item.kind == ClaimItem.Kind.HOTEL
    ] + [Night() for _night in range(claim.flat_nights)]  # undated: the nights no hotel item takes
    rail = tuple(
        RailTicket(
            price=item.reduced_to if item.reduced_to is not None else item.amount,
            higher_class=item.higher_class,
            scheduled_hours=item.scheduled_hours,
            reason_accepted=item.reason_accepted or (item.higher_class and first_class_approved),
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


@dataclass(frozen=True)
class ShownCalculation:
    """What the claim page, the PDF and the API show: lines, total, the law, and where it comes from."""

    lines: tuple[Line, ...]
    total: Decimal
    legal_basis: str
    to_be_confirmed: bool
    snapshot: bool  # True: what finance decided on, as stored; False: calculated now
    taken_at: datetime | None = None


def calculation_snapshot(claim: TravelClaim, calculation: Calculation, step: str) -> dict[str, Any]:
    rate_set = claim_rate_set(claim)
    return {
        "step": step,
        "taken_at": timezone.now().isoformat(),
        "legal_basis": rate_set.legal_basis,
        "to_be_confirmed": rate_set.to_be_confirmed,
        "total": str(calculation.total),
        "lines": [
            {
                "kind": line.kind,
                "text": line.text,
                "legal_basis": line.legal_basis,
                "amount": str(line.amount),
                "note": line.note,
            }
            for line in calculation.lines
        ],
    }


def claim_shown_calculation(claim: TravelClaim) -> ShownCalculation:
    """A decided claim (approved, booked, paid, rejected) as finance decided on it, from its snapshot:
    rules or rate sets changing later never change what the page and the PDF say was approved. Every
    other claim calculated now (a returned claim is recalculated until it is submitted again).
    Raises DomainError/ValueError as ``claim_calculate`` does when a claim cannot be calculated."""
    stored = claim.calculation_snapshot
    if claim.status in DECIDED_STATUSES and stored:
        return ShownCalculation(
            lines=tuple(
                Line(line["kind"], line["text"], line["legal_basis"], Decimal(line["amount"]), line["note"])
                for line in stored["lines"]
            ),
            total=Decimal(stored["total"]),
            legal_basis=stored["legal_basis"],
            to_be_confirmed=stored["to_be_confirmed"],
            snapshot=True,
            taken_at=datetime.fromisoformat(stored["taken_at"]),
        )
    calculation, rate_set = claim_calculate(claim), claim_rate_set(claim)
    return ShownCalculation(
        lines=calculation.lines,
        total=calculation.total,
        legal_basis=rate_set.legal_basis,
        to_be_confirmed=rate_set.to_be_confirmed,
        snapshot=False,
    )


def _bounded_total(claim: TravelClaim, field: str | None = None) -> Decimal:
    """The claim's total, refused (at ``field``) when it would not fit the stored total's column."""
    total = claim_calculate(claim).total
    if total > MAX_CLAIM_TOTAL:
        raise DomainError(
            _(
                "With this the claim would come to %(total)s; a claim can be at most %(max)s. Please check the amounts."
            )
            % {"total": eur(total), "max": eur(MAX_CLAIM_TOTAL)},
            field=field,
        )
    return total


def claim_filing_deadline(claim: TravelClaim) -> date:
    """The last day to file: the rate set's number of months after the trip's end."""
    rate_set = claim.rate_set or rate_set_for(
        city=claim.traveller.home_city, day=timezone.localtime(claim.trip_start).date()
    )
    return filing_deadline(timezone.localtime(claim.trip_end).date(), rate_set.filing_deadline_months)


def filing_deadline(end: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter): a trip's last day to file."""
    months = end.month - 1 + months
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


# --- what finance must see before deciding: receipts, duplicates, the trip's fit -------------------------


@dataclass(frozen=True)
class ClaimFlags:
    """What the traveller sees before submitting and finance on the claim page (and the queue)."""

    missing_receipts: tuple[ClaimItem, ...]
    overlapping: tuple[TravelClaim, ...]  # the traveller's other claims whose trip overlaps this one's
    shared_receipts: tuple[Receipt, ...]  # receipts on other claims with the content of one of this claim's
    trip_misfit: tuple[str, ...]  # why the trip does not fit the exchange
    # How the claim differs from its approved trip; or that it has none (a reason is then required).
    deviations: tuple["Deviation", ...] = ()
    without_trip: bool = False
    approval_missing: bool = False  # without a trip, and no approval document uploaded

    @property
    def possible_duplicate(self) -> bool:
        return bool(self.overlapping or self.shared_receipts)


def items_missing_receipts(claim: TravelClaim) -> list[ClaimItem]:
    return list(
        claim.items.filter(kind__in=RECEIPT_KINDS)
        .annotate(receipt_count=Count("receipts"))
        .filter(receipt_count=0)
    )


def overlapping_claims(claim: TravelClaim) -> QuerySet[TravelClaim]:
    """The traveller's other claims (any exchange, any state) whose trip overlaps this claim's trip."""
    return (
        TravelClaim.objects.filter(
            traveller_id=claim.traveller_id, trip_start__lt=claim.trip_end, trip_end__gt=claim.trip_start
        )
        .exclude(pk=claim.pk)
        .select_related("exchange")
        .order_by("trip_start", "pk")
    )


def shared_receipts(claim: TravelClaim) -> QuerySet[Receipt]:
    """Receipts on *other* claims whose content (SHA-256) is that of one of this claim's receipts."""
    return (
        Receipt.objects.filter(sha256__in=claim.receipts.filter(is_approval=False).values("sha256"))
        .exclude(claim_id=claim.pk)
        .exclude(is_approval=True)
        .select_related("claim__exchange", "claim__traveller")
        .order_by("pk")
    )


def _day(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def trip_misfit(claim: TravelClaim, *, at: datetime | None = None) -> list[str]:
    """Why the trip does not fit the exchange (empty: it fits). The trip must reach the meeting's days
    widened by ``CLAIM_TRIP_MARGIN_DAYS`` travel days on each side, and have ended when the claim is
    filed (``at``: the submission; not yet submitted: now)."""
    problems = []
    first, last = timezone.localtime(claim.trip_start).date(), timezone.localtime(claim.trip_end).date()
    margin = settings.CLAIM_TRIP_MARGIN_DAYS
    meeting = current_meeting(claim.exchange)
    if meeting is None:
        problems.append(_("No meeting date of the exchange is recorded to compare the trip with."))
    else:
        begins = timezone.localtime(meeting.starts_at).date()
        ends = timezone.localtime(meeting.ends_at).date()
        if last < begins - timedelta(days=margin) or first > ends + timedelta(days=margin):
            meeting_days = _day(begins) if begins == ends else f"{_day(begins)}–{_day(ends)}"
            problems.append(
                ngettext(
                    "The trip (%(trip)s) does not reach the meeting of the exchange on %(meeting)s "
                    "(allowing %(margin)d travel day before and after).",
                    "The trip (%(trip)s) does not reach the meeting of the exchange on %(meeting)s "
                    "(allowing %(margin)d travel days before and after).",
                    margin,
                )
                % {
                    "trip": _day(first) if first == last else f"{_day(first)}–{_day(last)}",
                    "meeting": meeting_days,
                    "margin": margin,
                }
            )
    moment = at or timezone.now()
    if claim.trip_end > moment:
        problems.append(
            _(
                "The trip had not ended when the claim was filed (it ends on %(end)s); a claim is filed after the trip."
            )
            % {"end": formats.date_format(timezone.localtime(claim.trip_end), "SHORT_DATETIME_FORMAT")}
        )
    return problems


@dataclass(frozen=True)
class Deviation:
    """One way the claim differs from what was approved, for finance."""

    label: str
    planned: str
    actual: str
    difference: str = ""


def _local_day(value: datetime) -> str:
    return _day(timezone.localtime(value).date())


def claim_trip_deviations(claim: TravelClaim, *, total: Decimal | None = None) -> list[Deviation]:
    """Every difference between the claim and its approved trip that finance should see: other dates, a
    total more than ``TRIP_DEVIATION_SHARE`` above the estimate, a car or a first class not approved."""
    trip = claim.trip
    if trip is None:
        return []
    deviations = []
    planned_days = (timezone.localtime(trip.starts_at).date(), timezone.localtime(trip.ends_at).date())
    actual_days = (timezone.localtime(claim.trip_start).date(), timezone.localtime(claim.trip_end).date())
    if planned_days != actual_days:
        deviations.append(
            Deviation(
                _("Other dates"),
                f"{_local_day(trip.starts_at)}–{_local_day(trip.ends_at)}",
                f"{_local_day(claim.trip_start)}–{_local_day(claim.trip_end)}",
            )
        )
    total = claim.calculated_total if total is None else total
    share = Decimal(str(settings.TRIP_DEVIATION_SHARE))
    if total is not None and total > trip.estimated_total * (1 + share):
        difference = total - trip.estimated_total
        percent = (
            (difference / trip.estimated_total * 100).quantize(Decimal("1")) if trip.estimated_total else None
        )
        deviations.append(
            Deviation(
                _("Higher costs than estimated"),
                eur(trip.estimated_total),
                eur(total),
                f"+{eur(difference)}" + (f" (+{percent} %)" if percent is not None else ""),
            )
        )
    if claim.car_km and trip.means != TripMeans.CAR:
        deviations.append(
            Deviation(
                _("Private car not approved"),
                trip.get_means_display(),
                _("%(km)s km by private car") % {"km": formats.number_format(claim.car_km, 1)},
            )
        )
    if not trip.higher_class and claim.items.filter(higher_class=True).exists():
        deviations.append(Deviation(_("First class not approved"), _("second class"), _("first class")))
    return deviations


def claim_flags(claim: TravelClaim) -> ClaimFlags:
    return ClaimFlags(
        missing_receipts=tuple(items_missing_receipts(claim)),
        overlapping=tuple(overlapping_claims(claim)),
        shared_receipts=tuple(shared_receipts(claim)),
        trip_misfit=tuple(trip_misfit(claim, at=claim.submitted_at)),
        deviations=tuple(claim_trip_deviations(claim)),
        without_trip=claim.trip_id is None,
        approval_missing=claim.trip_id is None and not claim.receipts.filter(is_approval=True).exists(),
    )


# --- the traveller's side ---------------------------------------------------------------------------------


def claim_check_allowed(*, traveller: User, exchange: ExchangeRequest) -> None:
    """Refuse, with the reason, what ``exchanges.cycle.rules.may_claim`` does not allow: the one rule of
    the request page's link, the claim form and the API."""
    if may_claim(traveller, exchange):
        return
    if exchange.status not in CLAIMABLE_STATUSES:
        raise TransitionNotAllowed(_("Travel costs can be claimed once the exchange is scheduled."))
    raise NotPermitted(_("Only participants of the exchange can claim travel costs."))


@transaction.atomic
def claim_create(
    *, exchange: ExchangeRequest, traveller: User, actor: User, data: dict[str, Any]
) -> TravelClaim:
    claim_check_allowed(traveller=traveller, exchange=exchange)
    if actor.pk != traveller.pk and not is_coordinator(actor):
        raise NotPermitted(_("You can only enter your own claim."))
    _check_trip_and_amounts(data)
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
    _bounded_total(claim, field="local_transport")  # rolls the new claim back when it would not fit
    claim_event_record(claim, actor, "create", "")
    return claim


def _check_trip_and_amounts(data: dict[str, Any], claim: TravelClaim | None = None) -> None:
    start = data.get("trip_start", claim.trip_start if claim else None)
    end = data.get("trip_end", claim.trip_end if claim else None)
    errors: dict[str, list[str]] = {field: [message] for field, message in trip_errors(start, end).items()}
    for field, message in (
        ("local_transport", amount_error(data.get("local_transport"), allow_zero=True)),
        ("car_km", car_km_error(data.get("car_km"))),
    ):
        if message:
            errors[field] = [message]
    if errors:
        raise ValidationError(errors)


def _editable_by(claim: TravelClaim, actor: User) -> None:
    """Refuse, with the reason, what ``exchanges.travel.rules.may_edit_claim`` does not allow."""
    if may_edit_claim(actor, claim):
        return
    if not is_own_claim(actor, claim):
        raise NotPermitted(_("Only the traveller changes the claim."))
    raise TransitionNotAllowed(_("A submitted claim can no longer be changed."))


def _locked_for_edit(claim_id: int, actor: User, expected_version: int | None) -> TravelClaim:
    claim = TravelClaim.objects.select_for_update().get(pk=claim_id)
    _editable_by(claim, actor)
    version_check(claim, expected_version)
    return claim


def _advance(claim: TravelClaim, actor: User | None, fields: list[str], *, save: bool = True) -> None:
    """Raise the claim's version for a change of ``fields`` (items, receipts: pseudo-fields)."""
    version_advance(claim, actor=actor, fields=fields)
    if save:
        claim.save(update_fields=["version"])


@transaction.atomic
def claim_update(
    *, claim: TravelClaim, actor: User, data: dict[str, Any], expected_version: int | None = None
) -> TravelClaim:
    claim = _locked_for_edit(claim.pk, actor, expected_version)
    _check_trip_and_amounts(data, claim)
    changed = changed_fields(claim, data)
    for name, value in data.items():
        setattr(claim, name, value)
    claim_nights_check(claim)
    claim.full_clean()
    if changed:
        version_advance(claim, actor=actor, fields=changed)
    claim.save()
    field = next((name for name in ("local_transport", "car_km") if name in changed), None)
    _bounded_total(claim, field=field)
    return claim


def claim_trip_check(*, exchange: ExchangeRequest, start: datetime, end: datetime) -> list[str]:
    """What finance would be told about a trip of this claim as it is typed (the new claim form checks it
    on leaving the dates): where it misses the exchange's meeting. Reads only; nothing is saved."""
    if trip_errors(start, end):
        return []  # the form says those next to the dates
    return trip_misfit(TravelClaim(exchange=exchange, trip_start=start, trip_end=end))


def claim_preview(*, claim: TravelClaim, actor: User, data: dict[str, Any]) -> ShownCalculation:
    """The calculation the claim would have with the trip ``data`` (the trip form's fields and ``meals``),
    for the claim page's live calculation: checked as ``claim_update`` checks it, saved nowhere (no new
    version, no event, no audit entry). The traveller keeps it with "Save and recalculate".
    Raises what ``claim_update`` raises for the same data (NotPermitted, DomainError, ValidationError)."""
    _editable_by(claim, actor)
    _check_trip_and_amounts(data, claim)
    draft = copy.copy(claim)  # the claim in memory only; its items are read, never written
    for name, value in data.items():
        setattr(draft, name, value)
    claim_nights_check(draft)
    draft.full_clean()
    field = next((name for name in ("local_transport", "car_km") if name in data), None)
    _bounded_total(draft, field=field)
    return claim_shown_calculation(draft)


def _store_receipt(
    claim: TravelClaim, item: ClaimItem | None, upload, *, field: str = "receipt", is_approval: bool = False
) -> Receipt:

    content, kind = check_upload(upload, kinds=RECEIPT_FILE_KINDS, field=field)
    receipt = Receipt(
        claim=claim,
        item=item,
        is_approval=is_approval,
        original_name=upload.name[-255:],
        content_type=kind.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    receipt.file.save(upload.name, ContentFile(content), save=False)
    receipt.save()
    return receipt


@transaction.atomic
def claim_item_add(
    *, claim: TravelClaim, actor: User, data: dict[str, Any], upload=None, expected_version: int | None = None
) -> ClaimItem:
    claim = _locked_for_edit(claim.pk, actor, expected_version)
    message = amount_error(data.get("amount"))
    if message:
        raise DomainError(message, field="amount")
    data = claim_item_night_check(claim=claim, data=data)
    item = ClaimItem(claim=claim, **data)
    item.full_clean()
    item.save()
    if upload is not None:
        _store_receipt(claim, item, upload)
    _bounded_total(claim, field="amount")
    _advance(claim, actor, ["items", "receipts"] if upload is not None else ["items"])
    return item


@transaction.atomic
def claim_receipt_add(
    *, item: ClaimItem, actor: User, upload, expected_version: int | None = None
) -> Receipt:
    """Attach a receipt to an item already on the claim (a ticket entered before its receipt was at hand)."""
    claim = _locked_for_edit(item.claim_id, actor, expected_version)
    item = ClaimItem.objects.get(pk=item.pk, claim=claim)
    receipt = _store_receipt(claim, item, upload)
    _bounded_total(claim, field="receipt")  # a hotel night with its receipt is paid at its price
    _advance(claim, actor, ["receipts"])
    return receipt


@transaction.atomic
def claim_item_remove(*, item: ClaimItem, actor: User, expected_version: int | None = None) -> None:
    claim = _locked_for_edit(item.claim_id, actor, expected_version)
    for receipt in item.receipts.all():
        stored = receipt.file
        receipt.delete()
        transaction.on_commit(lambda stored=stored: stored.storage.delete(stored.name))
    item.delete()
    _advance(claim, actor, ["items"])


def _submission_errors(
    claim: TravelClaim, flags: ClaimFlags, *, trip_fit_reason: str, duplicate_reason: str, no_trip_reason: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if flags.missing_receipts:
        errors["__all__"] = [
            _("These items are paid only against a receipt; please attach it before submitting: %(items)s.")
            % {
                "items": "; ".join(
                    f"{item.get_kind_display()} {eur(item.amount)}" for item in flags.missing_receipts
                )
            }
        ]
    if flags.possible_duplicate and not duplicate_reason:
        errors["duplicate_reason"] = [
            _(
                "This claim may claim costs a second time (see the notes above). Please explain why it is "
                "not a duplicate; finance reads your reason."
            )
        ]
    if flags.without_trip and not no_trip_reason:
        errors["no_trip_reason"] = [
            _(
                "No trip of yours was approved in the portal for this exchange. Please say how and when it was "
                "approved (e.g. on paper by your department) and upload the approval; finance reads it."
            )
        ]
    if flags.trip_misfit and not trip_fit_reason:
        errors["trip_fit_reason"] = [
            _(
                "The trip does not fit the exchange (see the notes above). Please give the reason; finance reads it."
            )
        ]
    return errors


def claim_submit(
    *,
    claim_id: int,
    actor: User,
    expected_version: int | None = None,
    trip_fit_reason: str = "",
    duplicate_reason: str = "",
    no_trip_reason: str = "",
    approval_upload=None,
) -> TravelClaim:
    """Submit (or resubmit a returned claim): receipts present, flags explained, figures stored.

    A claim without a trip approved in the portal needs ``no_trip_reason`` (how and when it was approved);
    ``approval_upload`` is that approval as a document, kept with the receipts (finance is told when none is
    there).

    Refusals come as one ValidationError naming each field (``duplicate_reason``, ``trip_fit_reason``;
    missing receipts concern the whole claim), so the page and the API show them all at once.
    """
    with transaction.atomic():
        claim = TravelClaim.objects.select_for_update().get(pk=claim_id)
        if not may_edit_claim(actor, claim):
            if not is_own_claim(actor, claim):
                raise NotPermitted(_("Only the traveller submits the claim."))
            raise TransitionNotAllowed(_("This claim has already been submitted."))
        version_check(claim, expected_version)
        from_status = claim.status
        now = timezone.now()
        if approval_upload is not None and claim.trip_id is None:
            _store_receipt(claim, None, approval_upload, field="approval", is_approval=True)
        trip_fit_reason, duplicate_reason = trip_fit_reason.strip(), duplicate_reason.strip()
        no_trip_reason = no_trip_reason.strip() or claim.no_trip_reason.strip()
        flags = ClaimFlags(
            missing_receipts=tuple(items_missing_receipts(claim)),
            overlapping=tuple(overlapping_claims(claim)),
            shared_receipts=tuple(shared_receipts(claim)),
            trip_misfit=tuple(trip_misfit(claim, at=now)),
            without_trip=claim.trip_id is None,
        )
        errors = _submission_errors(
            claim,
            flags,
            trip_fit_reason=trip_fit_reason,
            duplicate_reason=duplicate_reason,
            no_trip_reason=no_trip_reason,
        )
        if errors:
            raise ValidationError(errors)
        claim.rate_set = rate_set_for(
            city=claim.traveller.home_city, day=timezone.localtime(claim.trip_start).date()
        )
        calculation = claim_calculate(claim)
        _bounded_total(claim)
        claim.calculated_total = calculation.total
        claim.calculation_snapshot = calculation_snapshot(claim, calculation, "submit")
        claim.status = ClaimStatus.SUBMITTED
        claim.submitted_at = now
        # Lateness and the trip's fit are fixed at the moment of filing: stored, so finance filters on them.
        claim.filed_late = claim_is_late(claim)
        claim.trip_unfit = bool(flags.trip_misfit)
        claim.trip_fit_reason = trip_fit_reason if flags.trip_misfit else ""
        claim.duplicate_reason = duplicate_reason if flags.possible_duplicate else ""
        claim.no_trip_reason = no_trip_reason if claim.trip_id is None else ""
        version_advance(claim, actor=actor, fields=["status"])
        claim.full_clean()
        claim.save(
            update_fields=[
                "rate_set",
                "calculated_total",
                "calculation_snapshot",
                "status",
                "submitted_at",
                "filed_late",
                "trip_unfit",
                "trip_fit_reason",
                "duplicate_reason",
                "no_trip_reason",
                "version",
            ]
        )
        claim_event_record(claim, actor, "submit", from_status)
    return claim


# --- finance ----------------------------------------------------------------------------------------------


def _finance_decision_allowed(claim: TravelClaim, actor: User) -> None:
    """Refuse, with the reason, what ``exchanges.travel.rules.may_decide_claim`` does not allow."""
    if may_decide_claim(actor, claim):
        return
    if not decides_claims(actor):
        raise NotPermitted(_("Only finance decides on travel claims."))
    if is_own_claim(actor, claim):
        # Four-eyes principle: never approve a claim in which you travel or which you entered.
        raise NotPermitted(
            _("Four-eyes principle: you cannot decide on a claim in which you travel or which you entered.")
        )
    if claim.status != ClaimStatus.SUBMITTED:
        raise TransitionNotAllowed(
            _("The claim is '%(status)s'; only submitted claims are decided.")
            % {"status": claim.get_status_display()}
        )


def stale_claim_message(error: StaleVersion) -> str:
    """Finance's page was older than the claim: who changed what, and that nothing was decided."""
    told = [
        _("%(name)s on %(date)s at %(time)s (%(fields)s)")
        % {
            "name": change.actor_name,
            "date": formats.date_format(timezone.localtime(change.at), "SHORT_DATE_FORMAT"),
            "time": formats.time_format(timezone.localtime(change.at), "H:i"),
            "fields": ", ".join(change.labels) or _("status"),
        }
        for change in error.changes[-3:]
    ]
    return _(
        "The claim was changed after you opened the page: %(changes)s. Nothing has been decided. "
        "Please check the new amounts."
    ) % {"changes": "; ".join(told) or _("by somebody else")}


def claim_approve(
    *,
    claim_id: int,
    actor: User,
    confirm_over_budget: bool = False,
    expected_version: int | None = None,
) -> TravelClaim:
    """Approve once (row lock + state + version check); the booking task is queued after the commit.

    The budget check runs under a lock on the year's budget row, taken after the claim's own lock (always
    in this order, so approvals cannot deadlock): concurrent approvals check one after the other, each
    seeing the approvals committed before it. Without a budget row for the year there is no limit to
    pass, nothing is locked and approvals do not wait for each other (docs/travel-costs.md, "Budget").
    """
    with transaction.atomic():
        claim = TravelClaim.objects.select_for_update().get(pk=claim_id)
        _finance_decision_allowed(claim, actor)
        version_check(claim, expected_version)
        calculation = claim_calculate(claim)
        _bounded_total(claim)
        claim.calculated_total = calculation.total
        over = budget_check_locked(
            year=timezone.localdate().year,
            amount=claim.calculated_total,
            confirmed=confirm_over_budget,
        )
        claim.calculation_snapshot = calculation_snapshot(claim, calculation, "approve")
        claim.status = ClaimStatus.APPROVED
        claim.budget_override = over
        claim.decided_at = timezone.now()
        claim.decided_by = actor
        version_advance(claim, actor=actor, fields=["status"])
        claim.save(
            update_fields=[
                "calculated_total",
                "calculation_snapshot",
                "status",
                "budget_override",
                "decided_at",
                "decided_by",
                "version",
            ]
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
        enqueue_after_commit("exchanges.tasks.book_claim_task", claim.pk)
    return claim


@transaction.atomic
def claim_return_or_reject(
    *, claim_id: int, actor: User, reject: bool, reason: str, expected_version: int | None = None
) -> TravelClaim:
    claim = TravelClaim.objects.select_for_update().get(pk=claim_id)
    _finance_decision_allowed(claim, actor)
    version_check(claim, expected_version)
    if not reason.strip():
        raise DomainError(_("Please give a reason."), field="reason")
    claim.status = ClaimStatus.REJECTED if reject else ClaimStatus.RETURNED
    claim.decided_at, claim.decided_by = timezone.now(), actor
    version_advance(claim, actor=actor, fields=["status"])
    claim.save(update_fields=["status", "decided_at", "decided_by", "version"])
    claim_event_record(claim, actor, "reject" if reject else "return", ClaimStatus.SUBMITTED, reason.strip())
    if reject and claim.trip_id is not None:
        commitment_release(trip_id=claim.trip_id, reason=Commitment.Release.CLAIM_REJECTED)
    audit_record(
        kind=AuditEvent.Kind.CLAIM_DECISION,
        actor=actor,
        subject=claim.traveller,
        target=claim,
        decision="reject" if reject else "return",
    )
    return claim


@transaction.atomic
def claim_item_reduce(
    *, item_id: int, actor: User, amount: Decimal, reason: str, expected_version: int | None = None
) -> ClaimItem:
    item = ClaimItem.objects.select_related("claim").select_for_update(of=("self",)).get(pk=item_id)
    claim = TravelClaim.objects.select_for_update().get(pk=item.claim_id)
    _finance_decision_allowed(claim, actor)
    version_check(claim, expected_version)
    if not reason.strip():
        raise DomainError(_("Please give a reason for the reduction."), field="reason")
    if amount < 0 or amount > item.amount:
        raise DomainError(_("The reduced amount must be between 0 and the claimed amount."), field="amount")
    item.reduced_to, item.reduction_reason = money(amount), reason.strip()
    item.save(update_fields=["reduced_to", "reduction_reason"])
    _advance(claim, actor, ["items"])
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
        version_advance(claim, actor=None, fields=["status"])
        claim.save(update_fields=["status", "version"])
        claim_event_record(claim, None, "book", ClaimStatus.APPROVED)
        if claim.trip_id is not None:
            # The booking replaces the trip's commitment on the budget.
            commitment_release(trip_id=claim.trip_id, reason=Commitment.Release.BOOKED)
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
