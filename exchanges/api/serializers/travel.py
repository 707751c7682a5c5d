"""Travel claims, their items and receipts, finance decisions, bookings, export batches, statistics."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exchanges.api.serializers.common import (
    CityRefSerializer,
    PersonSerializer,
    RequestRefSerializer,
    field_check,
)
from exchanges.travel.models import ClaimItem, ClaimStatus
from exchanges.travel.services.claims import (
    MEALS,
    amount_error,
    car_km_error,
    claim_flags,
    claim_meals_clean,
    claim_shown_calculation,
    trip_errors,
)
from koopstadt.errors import DomainError


class ClaimItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ClaimItem.Kind.choices)
    amount = serializers.DecimalField(max_digits=9, decimal_places=2)
    night_of = serializers.DateField(
        allow_null=True, help_text="Hotel items: the evening the night begins (the night to the next day)."
    )
    explanation = serializers.CharField(allow_blank=True)
    higher_class = serializers.BooleanField()
    scheduled_hours = serializers.DecimalField(max_digits=4, decimal_places=1)
    breakfast_included = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    reason_accepted = serializers.BooleanField()
    reduced_to = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    reduction_reason = serializers.CharField(allow_blank=True)


class ReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id", allow_null=True)
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class ClaimEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField()
    actor = PersonSerializer(allow_null=True)
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class CalculationLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    legal_basis = serializers.CharField()
    amount = serializers.DecimalField(max_digits=9, decimal_places=2)
    note = serializers.CharField(allow_blank=True)


class CalculationSerializer(serializers.Serializer):
    lines = CalculationLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=9, decimal_places=2)
    legal_basis = serializers.CharField(
        help_text="The rate set's law (a draft's too: its traveller's city's)."
    )
    to_be_confirmed = serializers.BooleanField(
        help_text="The rate set's figures are still to be confirmed by finance."
    )
    snapshot = serializers.BooleanField(
        help_text="True: the figures finance decided on, as stored at submission or approval (decided "
        "claims); false: calculated now."
    )


class BookingRefSerializer(serializers.Serializer):
    number = serializers.CharField()
    budget_year = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=9, decimal_places=2)


class ClaimListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exchange = RequestRefSerializer()
    traveller = PersonSerializer()
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    trip_start = serializers.DateTimeField()
    trip_end = serializers.DateTimeField()
    calculated_total = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    filed_late = serializers.BooleanField()
    trip_unfit = serializers.BooleanField(
        help_text="Set at submission: the trip misses the meeting's date or had not ended."
    )
    possible_duplicate = serializers.BooleanField(
        help_text="An overlapping trip of the same traveller, or a receipt whose content is on another claim."
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    trip = serializers.IntegerField(
        source="trip_id",
        allow_null=True,
        help_text="id of the approved trip request the claim follows (GET /api/v1/trips/{id}/); null: none.",
    )


class OtherClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exchange = RequestRefSerializer()
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    trip_start = serializers.DateTimeField()
    trip_end = serializers.DateTimeField()


class DeviationSerializer(serializers.Serializer):
    label = serializers.CharField()
    planned = serializers.CharField()
    actual = serializers.CharField()
    difference = serializers.CharField(allow_blank=True)


class FlagsSerializer(serializers.Serializer):
    missing_receipts = serializers.SerializerMethodField(help_text="Items that need their receipt.")
    overlapping_claims = serializers.SerializerMethodField(
        help_text="The traveller's other claims with an overlapping trip (ids, for finance and the traveller)."
    )
    shared_receipts = serializers.SerializerMethodField(
        help_text="Claims holding a receipt with the content of one of this claim's receipts."
    )
    trip_misfit = serializers.ListField(child=serializers.CharField())
    possible_duplicate = serializers.BooleanField()
    without_trip = serializers.BooleanField(
        help_text="No trip was approved in the portal: submitting needs 'no_trip_reason'."
    )
    approval_missing = serializers.BooleanField(
        help_text="Without an approved trip, and no approval document uploaded ('approval' on submitting)."
    )

    def get_missing_receipts(self, flags) -> list[int]:
        return [item.pk for item in flags.missing_receipts]

    @extend_schema_field(OtherClaimSerializer(many=True))
    def get_overlapping_claims(self, flags) -> list[dict]:
        return OtherClaimSerializer(flags.overlapping, many=True).data

    def get_shared_receipts(self, flags) -> list[int]:
        return sorted({receipt.claim_id for receipt in flags.shared_receipts})


class ClaimDetailSerializer(ClaimListSerializer):
    submitted_by = PersonSerializer()
    origin = serializers.CharField()
    destination = serializers.CharField()
    purpose = serializers.CharField()
    meals = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    flat_nights = serializers.IntegerField()
    car_km = serializers.DecimalField(max_digits=7, decimal_places=1)
    car_interest_recorded_on = serializers.DateField(allow_null=True)
    local_transport = serializers.DecimalField(max_digits=9, decimal_places=2)
    budget_override = serializers.BooleanField()
    version = serializers.IntegerField(help_text="Also in the ETag header; send it back in If-Match.")
    possible_duplicate = serializers.SerializerMethodField(
        help_text="An overlapping trip of the same traveller, or a receipt whose content is on another claim."
    )
    flags = serializers.SerializerMethodField(
        help_text="What the traveller must fix or explain before submitting, and finance sees."
    )
    duplicate_reason = serializers.CharField(allow_blank=True)
    trip_fit_reason = serializers.CharField(allow_blank=True)
    no_trip_reason = serializers.CharField(
        allow_blank=True, help_text="Why no trip was approved in the portal (claims without 'trip')."
    )
    deviations = serializers.SerializerMethodField(
        help_text="How the claim differs from its approved trip (dates, costs above the estimate, a car or "
        "a first class not approved), for finance; empty without a trip."
    )
    items = ClaimItemSerializer(many=True, source="items.all")
    receipts = ReceiptSerializer(many=True, source="receipts.all")
    events = ClaimEventSerializer(many=True, source="events.all")
    calculation = serializers.SerializerMethodField(help_text="Line by line, with the legal basis of each.")
    booking = serializers.SerializerMethodField()

    def _flags(self, claim):
        if not hasattr(self, "_flags_of"):
            self._flags_of = {}
        if claim.pk not in self._flags_of:
            self._flags_of[claim.pk] = claim_flags(claim)
        return self._flags_of[claim.pk]

    def get_possible_duplicate(self, claim) -> bool:
        return self._flags(claim).possible_duplicate

    @extend_schema_field(FlagsSerializer)
    def get_flags(self, claim) -> dict:
        return FlagsSerializer(self._flags(claim)).data

    @extend_schema_field(DeviationSerializer(many=True))
    def get_deviations(self, claim) -> list[dict]:
        return DeviationSerializer(self._flags(claim).deviations, many=True).data

    @extend_schema_field(CalculationSerializer(allow_null=True))
    def get_calculation(self, claim) -> dict | None:
        try:
            shown = claim_shown_calculation(claim)
        except (DomainError, ValueError):
            return None
        return CalculationSerializer(shown).data

    @extend_schema_field(BookingRefSerializer(allow_null=True))
    def get_booking(self, claim) -> dict | None:
        booking = getattr(claim, "booking", None)
        return BookingRefSerializer(booking).data if booking else None


class ClaimTripSerializer(serializers.Serializer):
    trip_start = serializers.DateTimeField()
    trip_end = serializers.DateTimeField()
    origin = serializers.CharField(max_length=200)
    destination = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=300, required=False, allow_blank=True)
    flat_nights = serializers.IntegerField(min_value=0, max_value=366, required=False)
    car_km = serializers.DecimalField(max_digits=7, decimal_places=1, required=False)
    car_interest_recorded_on = serializers.DateField(required=False, allow_null=True)
    local_transport = serializers.DecimalField(max_digits=9, decimal_places=2, required=False)

    # The checks of the browser's ClaimForm and of the claims service: the same functions and messages.
    validate_car_km = staticmethod(field_check(car_km_error))
    validate_local_transport = staticmethod(field_check(lambda value: amount_error(value, allow_zero=True)))

    def validate(self, data: dict) -> dict:
        claim = self.context.get("claim")
        start = data.get("trip_start", claim.trip_start if claim else None)
        end = data.get("trip_end", claim.trip_end if claim else None)
        errors = trip_errors(start, end)
        if errors:
            raise serializers.ValidationError(errors)
        return data


class ClaimCreateSerializer(ClaimTripSerializer):
    exchange = serializers.IntegerField(min_value=1, help_text="id of the exchange (request) travelled for")


class ClaimUpdateSerializer(ClaimTripSerializer):
    meals = serializers.DictField(
        child=serializers.ListField(child=serializers.ChoiceField(choices=MEALS)),
        required=False,
        help_text="Meals provided per day of the trip: {'2026-03-10': ['lunch']}.",
    )

    def validate_meals(self, meals: dict) -> dict:
        claim = self.context["claim"]
        try:
            return claim_meals_clean(meals, trip_start=claim.trip_start, trip_end=claim.trip_end)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class ClaimItemInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ClaimItem.Kind.choices)
    amount = serializers.DecimalField(max_digits=9, decimal_places=2)
    night_of = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Required for hotel items: the evening the night begins, within the trip, one item per "
        "night (checked by the claims service, as in the browser). Ignored for other kinds.",
    )
    explanation = serializers.CharField(max_length=300, required=False, allow_blank=True)
    higher_class = serializers.BooleanField(required=False)
    scheduled_hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, min_value=Decimal("0")
    )
    breakfast_included = serializers.BooleanField(required=False)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    receipt = serializers.FileField(required=False, help_text="PDF, JPEG or PNG (multipart/form-data).")

    validate_amount = staticmethod(field_check(amount_error))  # the browser's ClaimItemForm.clean_amount


class ReceiptInputSerializer(serializers.Serializer):
    receipt = serializers.FileField(help_text="PDF, JPEG or PNG (multipart/form-data).")


class SubmitSerializer(serializers.Serializer):
    duplicate_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Needed when the claim is a possible duplicate (flags.possible_duplicate).",
    )
    trip_fit_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Needed when the trip does not fit the exchange (flags.trip_misfit).",
    )
    no_trip_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Needed when no trip was approved in the portal (flags.without_trip): how and when it "
        "was approved.",
    )
    approval = serializers.FileField(
        required=False,
        help_text="Without an approved trip: the approval given outside the portal (PDF, JPEG, PNG; "
        "multipart/form-data). Kept with the receipts; finance is told when none was uploaded.",
    )


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("approve", "approve"), ("return", "return"), ("reject", "reject")]
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    confirm_over_budget = serializers.BooleanField(required=False, default=False)


class ReductionSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=Decimal("0"))
    reason = serializers.CharField(max_length=300)


class BatchRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class BookingClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exchange = RequestRefSerializer()
    trip_start = serializers.DateTimeField()


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    budget_year = serializers.IntegerField()
    cost_centre = serializers.CharField()
    payee = serializers.CharField()
    amount = serializers.DecimalField(max_digits=9, decimal_places=2)
    created_at = serializers.DateTimeField()
    batch = BatchRefSerializer(allow_null=True)
    claim = BookingClaimSerializer()


class ExportBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    created_by = PersonSerializer()
    created_at = serializers.DateTimeField()
    exported_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()


class ExportBatchDetailSerializer(ExportBatchSerializer):
    bookings = serializers.SerializerMethodField()

    @extend_schema_field(BookingSerializer(many=True))
    def get_bookings(self, batch) -> list[dict]:
        bookings = batch.bookings.select_related("claim__exchange", "batch").order_by("number")
        return BookingSerializer(bookings, many=True).data


def _cell(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


CELLS = {"type": "array", "items": {"type": "array", "items": {}}}


class StatTableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.SerializerMethodField(
        help_text="Cells: text, whole numbers, amounts as decimal strings, dates."
    )
    totals = serializers.SerializerMethodField()

    @extend_schema_field(CELLS)
    def get_rows(self, table) -> list:
        return [[_cell(cell) for cell in row] for row in table.rows]

    @extend_schema_field({"type": "array", "items": {}, "nullable": True})
    def get_totals(self, table) -> list | None:
        return [_cell(cell) for cell in table.totals] if table.totals else None


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class StatisticsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    city = CityRefSerializer(
        allow_null=True, help_text="The city the figures are limited to; null: the network."
    )
    computed_at = serializers.DateTimeField()
    tables = StatTableSerializer(many=True)
