"""The travel-cost budget of a year: what is committed, approved, booked, paid and free.

A trip whose costs the coordination confirmed commits its estimate (``Commitment``, the Obligo) on the
budget of the trip's year. The commitment counts against the budget until the trip's claim is approved
(then the claim counts, and its booking releases the commitment) or the trip ends without a claim
(refused, cancelled, claim rejected). Approving a trip's costs or a claim beyond the free budget needs
an explicit, recorded confirmation, checked under a lock on the year's budget row
(docs/travel-costs.md, "Budget").
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.directory.models import User
from cities.directory.rules import is_finance
from cities.records.versions import version_advance, version_check
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.travel.models import Budget, ClaimStatus, Commitment, TravelClaim, TripRequest
from exchanges.travel.services.travel_calculator import money
from koopstadt.errors import DomainError, NotPermitted

COUNTED_STATUSES = [ClaimStatus.APPROVED, ClaimStatus.BOOKED, ClaimStatus.PAID]


class BudgetExceeded(DomainError):
    pass


def open_commitments(*, year: int, city_id: int | None = None):
    """Commitments of ``year`` still counting against the budget: not released, and their trip's claim
    not yet approved (an approved claim counts itself until its booking releases the commitment)."""
    counted_claim = TravelClaim.objects.filter(trip_id=OuterRef("trip_id"), status__in=COUNTED_STATUSES)
    commitments = Commitment.objects.filter(year=year, released_at__isnull=True).exclude(
        Exists(counted_claim)
    )
    if city_id is not None:
        commitments = commitments.filter(trip__traveller__home_city_id=city_id)
    return commitments


def committed_total(*, year: int, city_id: int | None = None) -> Decimal:
    return money(open_commitments(year=year, city_id=city_id).aggregate(total=Sum("amount"))["total"] or 0)


def budget_position(*, year: int, city_id: int | None = None) -> dict[str, Decimal | None]:
    """Budget, used (approved claims and open commitments) and remaining (free) of ``year``."""
    claims = TravelClaim.objects.filter(decided_at__year=year, status__in=COUNTED_STATUSES)
    if city_id is not None:
        claims = claims.filter(traveller__home_city_id=city_id)
    claimed = claims.aggregate(total=Sum("calculated_total"))["total"] or Decimal("0")
    committed = committed_total(year=year, city_id=city_id)
    used = claimed + committed
    budget = Budget.objects.filter(year=year, city_id=city_id).first()
    return {
        "budget": budget.amount if budget else None,
        "committed": committed,
        "used": money(used),
        "remaining": money(budget.amount - used) if budget else None,
    }


def exceeds_budget(amount: Decimal, position: dict[str, Decimal | None]) -> bool:
    """Whether approving ``amount`` goes beyond what ``position`` (budget_position) has left; the approval
    asks for it under the budget's lock, the decision form to offer the confirmation only then."""
    return position["remaining"] is not None and amount > position["remaining"]


def budget_check_locked(*, year: int, amount: Decimal, confirmed: bool) -> bool:
    """Inside the caller's transaction: lock the year's budget row and check ``amount`` against what is
    free. Raises BudgetExceeded unless ``confirmed``; returns whether the amount goes beyond the budget.

    Every approval that counts against the budget (a claim, a trip's costs) takes this lock after its
    own row's lock, always in this order, so concurrent approvals check one after the other and none can
    deadlock. Without a budget row there is no limit and nothing is locked.
    """
    budget = Budget.objects.select_for_update().filter(year=year, city__isnull=True).first()
    position = budget_position(year=year) if budget is not None else {"remaining": None}
    over = exceeds_budget(amount, position)
    if over and not confirmed:
        raise BudgetExceeded(
            _(
                "Approving %(amount)s € would exceed the budget %(year)d (remaining %(remaining)s €). Please confirm."
            )
            % {"amount": amount, "year": year, "remaining": position["remaining"]}
        )
    return over


def commitment_make(*, trip: TripRequest) -> Commitment:
    """Commit the trip's estimate on the budget of its year (inside the caller's locked transaction)."""
    return Commitment.objects.create(
        trip=trip, year=timezone.localtime(trip.starts_at).year, amount=trip.estimated_total
    )


def commitment_release(*, trip_id: int, reason: str) -> bool:
    """Release the trip's open commitment, once. Returns whether this call released one: a second call,
    a retry or a concurrent release finds none open and changes nothing."""
    with transaction.atomic():
        commitment = (
            Commitment.objects.select_for_update().filter(trip_id=trip_id, released_at__isnull=True).first()
        )
        if commitment is None:
            return False
        commitment.released_at = timezone.now()
        commitment.release_reason = reason
        commitment.save(update_fields=["released_at", "release_reason"])
    return True


@transaction.atomic
def budget_set(*, year: int, amount: Decimal, actor: User, expected_version: int | None = None) -> Budget:
    """Set the network's budget of ``year``. ``expected_version`` is the version of that year's budget the
    person saw (0: they saw none); a budget changed (or created) meanwhile is refused as stale."""
    if not is_finance(actor):
        raise NotPermitted(_("Only finance sets the budget."))
    if amount < 0:
        raise DomainError(_("The budget cannot be negative."), field="amount")
    budget = Budget.objects.select_for_update().filter(year=year, city__isnull=True).first()
    if budget is None:
        if expected_version not in (None, 0):
            raise DomainError(_("This budget no longer exists. Please reload the page."))
        budget = Budget(year=year, city=None, amount=money(amount))
        budget.full_clean()
        budget.save()
        return budget
    version_check(budget, expected_version)
    if budget.amount != money(amount):
        budget.amount = money(amount)
        version_advance(budget, actor=actor, fields=["amount"])
        budget.full_clean()
        budget.save(update_fields=["amount", "version"])
    return budget


def budget_overview_figures(*, year: int) -> dict[str, Decimal | None]:
    """Budget, committed, approved, booked, paid, free, and the estimated costs of exchanges for which
    neither a trip's costs were confirmed nor a claim was made."""
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
    committed = committed_total(year=year)
    used = sum(sums.values(), Decimal("0")) + committed
    estimated = ExchangeRequest.objects.filter(
        status__in=[Status.AGREED, Status.SCHEDULED, Status.HELD]
    ).exclude(Exists(TravelClaim.objects.filter(exchange_id=OuterRef("pk")))).exclude(
        Exists(Commitment.objects.filter(trip__exchange_id=OuterRef("pk")))
    ).aggregate(total=Sum("estimated_costs"))["total"] or Decimal("0")
    return {
        "budget": budget.amount if budget else None,
        "committed": committed,
        "approved": sums[ClaimStatus.APPROVED],
        "booked": sums[ClaimStatus.BOOKED],
        "paid": sums[ClaimStatus.PAID],
        "remaining": money(budget.amount - used) if budget else None,
        "estimated_open": money(estimated),
    }
