"""Rate sets of the travel-expenses laws, as data with a validity period (SPEC §6)."""

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from exchanges.travel.services.travel_calculator import Rates
from koopstadt.versioning import Versioned

MONEY = {"max_digits": 9, "decimal_places": 2}


class RateSetQuerySet(models.QuerySet):
    def valid_on(self, day) -> "RateSetQuerySet":
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class RateSet(Versioned):
    """The figures of one travel-expenses law for a period. A change is a new row, never an overwrite.

    Starting a new period ends this row (``valid_to``): that change raises its version, so two finance
    people starting a period of the same set at once cannot both succeed unseen.
    """

    code = models.CharField(
        _("law"), max_length=10, help_text=_("BRKG, SN, BY, HB – the code cities point to.")
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    legal_bases = models.JSONField(
        _("legal basis of each line"),
        default=dict,
        blank=True,
        help_text=_("How finance cites the law per kind of line, e.g. {'allowance': '§ 6 Abs. 1 BRKG'}."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    to_be_confirmed = models.BooleanField(
        _("to be confirmed by finance"),
        default=False,
        help_text=_("Shown on every claim that uses this rate set."),
    )
    full_day = models.DecimalField(_("allowance for a full day"), **MONEY, default=Decimal("28.00"))
    partial_day = models.DecimalField(
        _("allowance for arrival, departure or a day over 8 h"), **MONEY, default=Decimal("14.00")
    )
    min_hours_one_day = models.PositiveSmallIntegerField(_("hours a one-day trip must exceed"), default=8)
    breakfast_share = models.DecimalField(
        _("breakfast reduction (share of a full day)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.20"),
    )
    lunch_share = models.DecimalField(
        _("lunch reduction (share of a full day)"), max_digits=4, decimal_places=2, default=Decimal("0.40")
    )
    dinner_share = models.DecimalField(
        _("dinner reduction (share of a full day)"), max_digits=4, decimal_places=2, default=Decimal("0.40")
    )
    km_rate = models.DecimalField(
        _("private car per km"), max_digits=5, decimal_places=2, default=Decimal("0.20")
    )
    km_rate_higher = models.DecimalField(
        _("private car per km with official interest or reason"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.30"),
    )
    km_cap = models.DecimalField(_("private car cap per trip"), **MONEY, null=True, blank=True)
    overnight_flat = models.DecimalField(
        _("overnight flat rate without receipt"), **MONEY, default=Decimal("20.00")
    )
    hotel_limit = models.DecimalField(
        _("hotel per night without justification"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("Empty: necessary costs."),
    )
    higher_class_min_hours = models.DecimalField(
        _("higher rail class from a scheduled journey of (hours)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Empty: a higher class only with an accepted reason."),
    )
    breakfast_from_hotel = models.BooleanField(
        _("breakfast taken off the hotel price"),
        default=False,
        help_text=_(
            "Saxony and Bavaria: a hotel price that includes breakfast is reduced by the breakfast share "
            "beforehand and the allowance is not cut. Otherwise (BRKG) the next morning's allowance is cut."
        ),
    )
    filing_deadline_months = models.PositiveSmallIntegerField(
        _("filing deadline in months after the trip"), default=6
    )

    objects = RateSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("rate set")
        verbose_name_plural = _("rate sets")
        ordering = ["code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="rate_set_code_from_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="rate_set_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        until = f"{self.valid_to:%d.%m.%Y}" if self.valid_to else "…"
        return f"{self.legal_basis} ({self.valid_from:%d.%m.%Y}–{until})"

    def to_rates(self):

        return Rates(
            label=(self.legal_bases or {}).get("law") or self.code,
            legal_bases=dict(self.legal_bases or {}),
            full_day=self.full_day,
            partial_day=self.partial_day,
            min_hours_one_day=self.min_hours_one_day,
            breakfast_share=self.breakfast_share,
            lunch_share=self.lunch_share,
            dinner_share=self.dinner_share,
            km_rate=self.km_rate,
            km_rate_higher=self.km_rate_higher,
            km_cap=self.km_cap,
            overnight_flat=self.overnight_flat,
            hotel_limit=self.hotel_limit,
            higher_class_min_hours=self.higher_class_min_hours,
            breakfast_from_hotel=self.breakfast_from_hotel,
        )


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # the traveller is still entering it
    SUBMITTED = "submitted", _("Submitted")  # waiting for finance
    RETURNED = "returned", _("Returned")  # finance asked for changes; the traveller edits and submits again
    REJECTED = "rejected", _("Rejected")  # closed by finance, with a reason
    APPROVED = "approved", _("Approved")  # finance approved; the booking follows
    BOOKED = "booked", _("Booked")  # recorded once in the budget (booking number)
    PAID = "paid", _("Paid")  # in an export batch marked paid


class TravelClaim(Versioned):
    """One traveller's claim for one exchange.

    The version rises with every change finance would see: the trip, meals, items, receipts, reasons,
    submission, return, reductions and decisions (``exchanges.travel.services.claims``).
    """

    VERSION_LABELS = {
        "meals": _("meals provided"),
        "items": _("items"),
        "receipts": _("receipts"),
        "decision": _("decision"),
    }

    exchange = models.ForeignKey("exchanges.ExchangeRequest", on_delete=models.PROTECT, related_name="claims")
    traveller = models.ForeignKey(
        "cities.User", on_delete=models.PROTECT, related_name="travel_claims", verbose_name=_("traveller")
    )
    submitted_by = models.ForeignKey(
        "cities.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT
    )
    trip_start = models.DateTimeField(_("trip begins"), db_index=True)
    trip_end = models.DateTimeField(_("trip ends"))
    origin = models.CharField(_("from"), max_length=200)
    destination = models.CharField(_("to"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)
    meals = models.JSONField(
        _("meals provided"), default=dict, blank=True, help_text="{'2026-03-10': ['lunch']}"
    )
    flat_nights = models.PositiveSmallIntegerField(_("nights without a hotel receipt"), default=0)
    car_km = models.DecimalField(
        _("kilometres by private car"), max_digits=7, decimal_places=1, default=Decimal("0")
    )
    car_interest_recorded_on = models.DateField(
        _("significant official interest recorded on"),
        null=True,
        blank=True,
        help_text=_("Only a record made before the trip allows the higher kilometre rate."),
    )
    local_transport = models.DecimalField(_("local transport"), **MONEY, default=Decimal("0"))
    rate_set = models.ForeignKey(RateSet, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    trip = models.ForeignKey(
        "exchanges.TripRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("approved trip"),
    )
    no_trip_reason = models.TextField(
        _("why there is no trip approved in the portal"),
        blank=True,
        max_length=2000,
        help_text=_("E.g. approved on paper by the department; the approval is uploaded with it."),
    )
    calculated_total = models.DecimalField(_("calculated total"), **MONEY, null=True, blank=True)
    budget_override = models.BooleanField(_("approved beyond the budget"), default=False)
    filed_late = models.BooleanField(
        _("filed after the deadline"), default=False, help_text=_("Set when the claim is submitted.")
    )
    trip_unfit = models.BooleanField(
        _("trip does not fit the exchange"),
        default=False,
        help_text=_("Set when the claim is submitted: the trip misses the meeting's date or had not ended."),
    )
    trip_fit_reason = models.TextField(
        _("reason for a trip that does not fit the exchange"), blank=True, max_length=2000
    )
    duplicate_reason = models.TextField(_("reason for a possible duplicate"), blank=True, max_length=2000)
    calculation_snapshot = models.JSONField(
        _("calculation finance decided on"),
        null=True,
        blank=True,
        editable=False,
        help_text="The lines and total as shown at submission and again at approval; decided claims are "
        "shown from it, never recalculated.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(
        "cities.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("travel claim")
        verbose_name_plural = _("travel claims")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(trip_end__gt=F("trip_start")), name="claim_trip_in_order"),
            models.CheckConstraint(
                condition=Q(car_km__gte=0) & Q(local_transport__gte=0), name="claim_amounts_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="claim_status_idx")]

    def __str__(self) -> str:
        return f"{self.traveller} – {self.exchange}"


class ClaimItem(models.Model):
    class Kind(models.TextChoices):
        RAIL = "rail", _("rail or bus ticket")
        HOTEL = "hotel", _("hotel night with receipt")
        OTHER = "other", _("other costs")

    claim = models.ForeignKey(TravelClaim, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    night_of = models.DateField(
        _("night of"),
        null=True,
        blank=True,
        help_text=_(
            "Hotel nights only: the date of the evening the night begins (the night to the next day). "
            "Format: DD.MM.YYYY"
        ),
    )
    explanation = models.CharField(_("explanation"), max_length=300, blank=True)
    higher_class = models.BooleanField(_("higher class"), default=False)
    scheduled_hours = models.DecimalField(
        _("scheduled one-way journey (hours)"), max_digits=4, decimal_places=1, default=Decimal("0")
    )
    breakfast_included = models.BooleanField(_("breakfast included"), default=False)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("For a higher class or a hotel above the limit.")
    )
    reason_accepted = models.BooleanField(_("reason accepted by finance"), default=False)
    reduced_to = models.DecimalField(_("reduced by finance to"), **MONEY, null=True, blank=True)
    reduction_reason = models.CharField(_("reason for the reduction"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("claim item")
        verbose_name_plural = _("claim items")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="claim_item_amount_not_negative"),
            # A night is paid once: one hotel item per night of a claim.
            models.UniqueConstraint(
                fields=["claim", "night_of"], condition=Q(kind="hotel"), name="claim_item_one_hotel_per_night"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"


CLAIM_ACTIONS = {
    "create": _("created the claim"),
    "submit": _("submitted the claim"),
    "approve": _("approved the claim"),
    "return": _("returned the claim for changes"),
    "reject": _("rejected the claim"),
    "reduce": _("reduced an item"),
    "book": _("booked the claim"),
    "paid": _("marked the claim paid"),
}


class ClaimEvent(models.Model):
    """The claim's timeline: appended, never edited."""

    claim = models.ForeignKey(TravelClaim, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey("cities.User", on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"

    @property
    def action_label(self) -> str:
        return str(CLAIM_ACTIONS.get(self.action, self.action))


class ExportBatch(models.Model):
    """Booked claims handed to the accounting system together. Once exported it is frozen."""

    number = models.CharField(_("batch number"), max_length=20, unique=True)
    created_by = models.ForeignKey("cities.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    exported_at = models.DateTimeField(_("exported"), null=True, blank=True)
    exported_by = models.ForeignKey(
        "cities.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    paid_by = models.ForeignKey(
        "cities.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("export batch")
        verbose_name_plural = _("export batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class Booking(models.Model):
    """The one reimbursement record of an approved claim. The one-to-one key makes a second impossible."""

    claim = models.OneToOneField(TravelClaim, on_delete=models.PROTECT, related_name="booking")
    number = models.CharField(_("booking number"), max_length=20, unique=True)
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    cost_centre = models.CharField(_("cost centre"), max_length=40)
    payee = models.CharField(_("payee"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    batch = models.ForeignKey(
        ExportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class BookingCounter(models.Model):
    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Budget(Versioned):
    """The travel-cost budget of a year. Approvals lock this row while they check it."""

    year = models.PositiveSmallIntegerField(_("year"))
    city = models.ForeignKey("cities.City", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount = models.DecimalField(_("budget"), max_digits=11, decimal_places=2)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(city__isnull=True), name="budget_one_per_year"
            ),
            models.UniqueConstraint(fields=["year", "city"], name="budget_one_per_year_and_city"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


def receipt_path(instance: "Receipt", filename: str) -> str:

    return f"receipts/{instance.claim_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class Receipt(models.Model):
    claim = models.ForeignKey(TravelClaim, on_delete=models.CASCADE, related_name="receipts")
    item = models.ForeignKey(
        ClaimItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="receipts"
    )
    file = models.FileField(_("file"), upload_to=receipt_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    # Indexed: the same content on another claim flags a possible duplicate (claims.shared_receipts).
    sha256 = models.CharField(max_length=64, db_index=True)
    is_approval = models.BooleanField(
        _("approval of the trip"),
        default=False,
        help_text=_("The trip's approval given outside the portal, for a claim without an approved trip."),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


# --- business trips approved before they happen (docs/travel-costs.md, "Trip request") ---------------------


class TripStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # the traveller is still entering it
    SUBMITTED = "submitted", _("Awaiting approval")  # the supervisor and the coordination decide
    RETURNED = "returned", _("Returned")  # one of them asked for changes; submitted again afterwards
    APPROVED = "approved", _("Approved")  # both approved: the trip may take place, koopstadt pays
    REFUSED = "refused", _("Refused")  # closed by the supervisor or the coordination, with a reason
    CANCELLED = "cancelled", _("Cancelled")  # withdrawn by the traveller, or the exchange was closed


class TripMeans(models.TextChoices):
    RAIL = "rail", _("train or bus")
    CAR = "car", _("private car")
    OFFICIAL_CAR = "official_car", _("official car")
    OTHER = "other", _("other (explain)")


class Decision(models.TextChoices):
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned for changes")
    REFUSED = "refused", _("refused")


class DecisionChannel(models.TextChoices):
    PORTAL = "portal", _("in the portal")
    LINK = "link", _("through the e-mail link, without an account")


class TripRequest(Versioned):
    """A traveller's request to make a business trip for an exchange (Dienstreiseantrag).

    Two approvals, both recorded here: the traveller's supervisor approves the trip as a business trip
    (BRKG § 2 (1)), koopstadt's coordination confirms that koopstadt covers the costs (the estimate then
    becomes a ``Commitment`` on the budget). The trip is approved when both have approved. The claim after
    the trip is created from it (``TravelClaim.trip``).
    """

    VERSION_LABELS = {"decision": _("decision")}

    exchange = models.ForeignKey(
        "exchanges.ExchangeRequest", on_delete=models.PROTECT, related_name="trip_requests"
    )
    traveller = models.ForeignKey(
        "cities.User", on_delete=models.PROTECT, related_name="trip_requests", verbose_name=_("traveller")
    )
    filed_by = models.ForeignKey(
        "cities.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TripStatus.choices, default=TripStatus.DRAFT
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    origin = models.CharField(_("from"), max_length=200)
    destination = models.CharField(_("to"), max_length=200)
    starts_at = models.DateTimeField(_("trip begins"))
    ends_at = models.DateTimeField(_("trip ends"))
    means = models.CharField(_("means of transport"), max_length=15, choices=TripMeans.choices)
    means_note = models.CharField(_("explanation of the means of transport"), max_length=300, blank=True)
    fare = models.DecimalField(
        _("estimated fares (train, bus, other)"),
        **MONEY,
        default=Decimal("0"),
        help_text=_("Return journey, in euros."),
    )
    higher_class = models.BooleanField(_("first class"), default=False)
    scheduled_hours = models.DecimalField(
        _("scheduled one-way journey (hours)"), max_digits=4, decimal_places=1, default=Decimal("0")
    )
    higher_class_reason = models.TextField(_("reason for the first class"), blank=True, max_length=2000)
    car_km = models.DecimalField(
        _("kilometres by private car (return journey)"), max_digits=7, decimal_places=1, default=Decimal("0")
    )
    car_interest = models.BooleanField(
        _("significant official interest in using the car"),
        default=False,
        help_text=_("BRKG § 5 (2): recorded before the trip, it allows the higher kilometre rate."),
    )
    car_interest_reason = models.TextField(_("reason for the official interest"), blank=True, max_length=2000)
    hotel_nights = models.PositiveSmallIntegerField(_("hotel nights"), default=0)
    hotel_price = models.DecimalField(
        _("estimated hotel price per night"),
        **MONEY,
        default=Decimal("0"),
        help_text=_("Without breakfast, in euros."),
    )
    hotel_reason = models.TextField(_("reason for a hotel above the limit"), blank=True, max_length=2000)
    other_costs = models.DecimalField(_("other estimated costs"), **MONEY, default=Decimal("0"))
    other_costs_note = models.CharField(_("what the other costs are"), max_length=300, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=40)
    estimated_total = models.DecimalField(_("estimated costs"), **MONEY, default=Decimal("0"))
    estimate_snapshot = models.JSONField(
        _("estimate the approvals were given on"), null=True, blank=True, editable=False
    )
    # The supervisor: a person of the directory, or only a name and an address (no account).
    supervisor = models.ForeignKey(
        "cities.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trips_to_approve",
        verbose_name=_("supervisor"),
    )
    supervisor_name = models.CharField(_("supervisor's name"), max_length=150)
    supervisor_email = models.EmailField(_("supervisor's e-mail address"))
    # Changed whenever a new approval link is sent: an older link, or a used one, is refused.
    link_nonce = models.CharField(max_length=32, blank=True, editable=False)
    supervisor_decision = models.CharField(
        _("supervisor's decision"), max_length=10, choices=Decision.choices, blank=True
    )
    supervisor_decided_at = models.DateTimeField(_("supervisor decided"), null=True, blank=True)
    supervisor_decided_by = models.ForeignKey(
        "cities.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supervisor_channel = models.CharField(max_length=10, choices=DecisionChannel.choices, blank=True)
    supervisor_note = models.TextField(_("supervisor's note"), blank=True, max_length=2000)
    cost_decision = models.CharField(
        _("decision on the costs"), max_length=10, choices=Decision.choices, blank=True
    )
    cost_decided_at = models.DateTimeField(_("costs decided"), null=True, blank=True)
    cost_decided_by = models.ForeignKey(
        "cities.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cost_note = models.TextField(_("note on the costs"), blank=True, max_length=2000)
    budget_override = models.BooleanField(_("confirmed beyond the budget"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("trip request")
        verbose_name_plural = _("trip requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="trip_in_order"),
            models.CheckConstraint(
                condition=Q(fare__gte=0)
                & Q(car_km__gte=0)
                & Q(hotel_price__gte=0)
                & Q(other_costs__gte=0)
                & Q(scheduled_hours__gte=0),
                name="trip_amounts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="trip_status_idx")]

    def __str__(self) -> str:
        return f"{self.traveller} – {self.destination} ({self.starts_at:%d.%m.%Y})"

    @property
    def car_interest_before_start(self) -> bool:
        """The official interest in the car was part of a trip approved before it began (BRKG § 5 (2))."""
        return bool(
            self.car_interest
            and self.means == TripMeans.CAR
            and self.status == TripStatus.APPROVED
            and self.approved_at is not None
            and self.approved_at <= self.starts_at
        )


TRIP_ACTIONS = {
    "create": _("created the trip request"),
    "submit": _("submitted the trip request for approval"),
    "supervisor_approved": _("approved the business trip"),
    "supervisor_returned": _("returned the trip request for changes"),
    "supervisor_refused": _("refused the business trip"),
    "cost_approved": _("confirmed that koopstadt covers the costs"),
    "cost_returned": _("returned the trip request for changes"),
    "cost_refused": _("refused to cover the costs"),
    "approved": _("The trip is approved."),
    "cancel": _("cancelled the trip request"),
    "link_sent": _("sent the approval link to the supervisor"),
    "reminder": _("reminded the supervisor"),
}


class TripEvent(models.Model):
    """The trip request's timeline: appended, never edited."""

    trip = models.ForeignKey(TripRequest, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey("cities.User", on_delete=models.SET_NULL, null=True, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, help_text="Who acted without an account.")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"

    @property
    def action_label(self) -> str:
        return str(TRIP_ACTIONS.get(self.action, self.action))

    @property
    def who(self) -> str:
        return self.actor_name or (str(self.actor) if self.actor_id else "")


class Commitment(models.Model):
    """koopstadt's commitment (Obligo) to pay an approved trip's estimated costs, on the budget of the trip's
    year. Made once when the coordination confirms the costs; released once — when the trip's claim is
    booked (the booking replaces it), rejected, or the trip or the exchange is cancelled."""

    class Release(models.TextChoices):
        BOOKED = "booked", _("replaced by the booking")
        CLAIM_REJECTED = "claim_rejected", _("claim rejected")
        REFUSED = "refused", _("trip refused")
        CANCELLED = "cancelled", _("trip cancelled")
        RETURNED = "returned", _("trip returned for changes")
        EXPIRED = "expired", _("not claimed within the filing deadline")

    trip = models.ForeignKey("exchanges.TripRequest", on_delete=models.PROTECT, related_name="commitments")
    year = models.PositiveSmallIntegerField(_("budget year"), db_index=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    created_at = models.DateTimeField(_("committed"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_reason = models.CharField(
        _("released because"), max_length=20, choices=Release.choices, blank=True
    )

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="commitment_not_negative"),
            # One open commitment per trip: a trip returned and approved again is committed anew.
            models.UniqueConstraint(
                fields=["trip"], condition=Q(released_at__isnull=True), name="commitment_one_open_per_trip"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"

    @property
    def is_open(self) -> bool:
        return self.released_at is None
