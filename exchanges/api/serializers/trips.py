"""Trip requests (Dienstreiseanträge): the plan, its estimate, the two approvals, the commitment, the events.

Shapes and types only: what may be done, and every check of the values, is the trips service's and
``exchanges.travel.rules``' (the same functions the pages ask). The supervisor's approval link's nonce is
never shown.
"""

from datetime import datetime
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cities.directory.models import User
from exchanges.api.serializers.common import PersonSerializer, RequestRefSerializer
from exchanges.travel.models import Decision, DecisionChannel, TripMeans, TripStatus
from exchanges.travel.rules import (
    TRIP_EDITABLE_STATUSES,
    may_cancel_trip,
    may_claim_from_trip,
    may_decide_as_supervisor,
    may_decide_trip_costs,
    may_edit_trip,
)
from exchanges.travel.services.trips import trip_estimate, trip_rate_set
from koopstadt.errors import DomainError

# The actions of a trip (POST /api/v1/trips/{id}/<action>/; "edit" is the PATCH of the trip itself).
TRIP_ACTIONS = ("edit", "submit", "supervisor-decision", "cost-decision", "cancel", "claim")


class TripEstimateLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    legal_basis = serializers.CharField()
    amount = serializers.DecimalField(max_digits=9, decimal_places=2)


class TripEstimateSerializer(serializers.Serializer):
    lines = TripEstimateLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=9, decimal_places=2)
    legal_basis = serializers.CharField(help_text="The law of the traveller's city's rate set.")
    snapshot = serializers.BooleanField(
        help_text="True: the estimate the approvals are given on, stored at submission; false: calculated now."
    )
    taken_at = serializers.DateTimeField(allow_null=True)


class SupervisorApprovalSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=Decision.choices, allow_blank=True, source="supervisor_decision"
    )
    decided_at = serializers.DateTimeField(allow_null=True, source="supervisor_decided_at")
    decided_by = serializers.SerializerMethodField(
        help_text="The supervisor's name (through the e-mail link: the name the link was sent to)."
    )
    channel = serializers.ChoiceField(
        choices=DecisionChannel.choices, allow_blank=True, source="supervisor_channel"
    )
    note = serializers.CharField(allow_blank=True, source="supervisor_note")

    def get_decided_by(self, trip) -> str | None:
        if not trip.supervisor_decision:
            return None
        if trip.supervisor_decided_by_id:
            return trip.supervisor_decided_by.display_name
        return trip.supervisor_name


class CostApprovalSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True, source="cost_decision")
    decided_at = serializers.DateTimeField(allow_null=True, source="cost_decided_at")
    decided_by = serializers.SerializerMethodField(help_text="The coordinator's name.")
    channel = serializers.SerializerMethodField(help_text="Always the portal: the coordination signs in.")
    note = serializers.CharField(allow_blank=True, source="cost_note")
    budget_override = serializers.BooleanField(help_text="Confirmed beyond the free budget.")

    def get_decided_by(self, trip) -> str | None:
        return trip.cost_decided_by.display_name if trip.cost_decided_by_id else None

    @extend_schema_field(serializers.ChoiceField(choices=DecisionChannel.choices, allow_blank=True))
    def get_channel(self, trip) -> str:
        return DecisionChannel.PORTAL if trip.cost_decision else ""


class TripEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    action_label = serializers.CharField()
    actor = PersonSerializer(allow_null=True)
    who = serializers.CharField(
        allow_blank=True, help_text="Who acted: the person, or the supervisor without an account."
    )
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class TripListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exchange = RequestRefSerializer()
    traveller = PersonSerializer()
    status = serializers.ChoiceField(choices=TripStatus.choices)
    purpose = serializers.CharField()
    destination = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    estimated_total = serializers.DecimalField(max_digits=9, decimal_places=2)
    supervisor_decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True)
    cost_decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)


class TripDetailSerializer(TripListSerializer):
    filed_by = PersonSerializer()
    origin = serializers.CharField()
    means = serializers.ChoiceField(choices=TripMeans.choices)
    means_note = serializers.CharField(allow_blank=True)
    fare = serializers.DecimalField(max_digits=9, decimal_places=2)
    higher_class = serializers.BooleanField()
    scheduled_hours = serializers.DecimalField(max_digits=4, decimal_places=1)
    higher_class_reason = serializers.CharField(allow_blank=True)
    car_km = serializers.DecimalField(max_digits=7, decimal_places=1)
    car_interest = serializers.BooleanField()
    car_interest_reason = serializers.CharField(allow_blank=True)
    hotel_nights = serializers.IntegerField()
    hotel_price = serializers.DecimalField(max_digits=9, decimal_places=2)
    hotel_reason = serializers.CharField(allow_blank=True)
    other_costs = serializers.DecimalField(max_digits=9, decimal_places=2)
    other_costs_note = serializers.CharField(allow_blank=True)
    cost_centre = serializers.CharField(allow_blank=True)
    supervisor = PersonSerializer(allow_null=True, help_text="The supervisor in the directory, if any.")
    supervisor_name = serializers.CharField(allow_blank=True)
    supervisor_email = serializers.EmailField(allow_blank=True)
    estimate = serializers.SerializerMethodField(help_text="The estimate line by line, with the legal basis.")
    supervisor_approval = serializers.SerializerMethodField(
        help_text="The supervisor approves the business trip (BRKG § 2 (1))."
    )
    cost_approval = serializers.SerializerMethodField(
        help_text="koopstadt's coordination confirms that koopstadt covers the costs."
    )
    open_commitment = serializers.SerializerMethodField(
        help_text="The estimate committed on the budget and not yet released; null when none is open."
    )
    created_at = serializers.DateTimeField()
    events = TripEventSerializer(many=True, source="events.all")
    actions = serializers.SerializerMethodField(
        help_text="What the caller may do now: 'edit' (PATCH) and the actions POST …/<action>/."
    )
    version = serializers.IntegerField(help_text="Also in the ETag header; send it back in If-Match.")

    @extend_schema_field(TripEstimateSerializer(allow_null=True))
    def get_estimate(self, trip) -> dict | None:
        stored = trip.estimate_snapshot
        if stored and trip.status not in TRIP_EDITABLE_STATUSES:
            return TripEstimateSerializer(
                {
                    "lines": stored["lines"],
                    "total": Decimal(stored["total"]),
                    "legal_basis": stored["legal_basis"],
                    "snapshot": True,
                    "taken_at": datetime.fromisoformat(stored["taken_at"]),
                }
            ).data
        try:
            calculation, rate_set = trip_estimate(trip), trip_rate_set(trip)
        except (DomainError, ValueError):
            return None
        return TripEstimateSerializer(
            {
                "lines": calculation.lines,
                "total": calculation.total,
                "legal_basis": rate_set.legal_basis,
                "snapshot": False,
                "taken_at": None,
            }
        ).data

    @extend_schema_field(SupervisorApprovalSerializer)
    def get_supervisor_approval(self, trip) -> dict:
        return SupervisorApprovalSerializer(trip).data

    @extend_schema_field(CostApprovalSerializer)
    def get_cost_approval(self, trip) -> dict:
        return CostApprovalSerializer(trip).data

    @extend_schema_field(serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True))
    def get_open_commitment(self, trip) -> str | None:
        commitment = trip.commitments.filter(released_at__isnull=True).first()
        return None if commitment is None else str(commitment.amount)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=TRIP_ACTIONS)))
    def get_actions(self, trip) -> list[str]:
        user = self.context["request"].user
        allowed = {
            "edit": may_edit_trip(user, trip),
            "submit": may_edit_trip(user, trip),
            "supervisor-decision": may_decide_as_supervisor(user, trip),
            "cost-decision": may_decide_trip_costs(user, trip),
            "cancel": may_cancel_trip(user, trip),
            "claim": may_claim_from_trip(user, trip),
        }
        return [action for action in TRIP_ACTIONS if allowed[action]]


# --- input ------------------------------------------------------------------------------------------------


class TripFieldsSerializer(serializers.Serializer):
    """The plan as the traveller enters it (``exchanges.travel.services.trips.TRIP_FIELDS``); the service
    checks the values and what the submission needs, with the form's messages."""

    purpose = serializers.CharField(max_length=300, required=False, allow_blank=True)
    origin = serializers.CharField(max_length=200, required=False, allow_blank=True)
    destination = serializers.CharField(max_length=200, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    means = serializers.ChoiceField(choices=TripMeans.choices, required=False)
    means_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    fare = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, help_text="Return journey, in euros."
    )
    higher_class = serializers.BooleanField(required=False)
    scheduled_hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, min_value=Decimal("0")
    )
    higher_class_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    car_km = serializers.DecimalField(max_digits=7, decimal_places=1, required=False)
    car_interest = serializers.BooleanField(
        required=False, help_text="BRKG § 5 (2), recorded before the trip."
    )
    car_interest_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    hotel_nights = serializers.IntegerField(min_value=0, max_value=366, required=False)
    hotel_price = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, help_text="Per night, without breakfast."
    )
    hotel_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    other_costs = serializers.DecimalField(max_digits=9, decimal_places=2, required=False)
    other_costs_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    cost_centre = serializers.CharField(max_length=40, required=False, allow_blank=True)
    supervisor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="id of the supervisor in the directory (brings their name and address); or give "
        "supervisor_name and supervisor_email.",
    )
    supervisor_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    supervisor_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)


class TripCreateSerializer(TripFieldsSerializer):
    exchange = serializers.IntegerField(min_value=1, help_text="id of the exchange (request) travelled for")
    traveller = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="The coordination may enter a trip for a traveller; default: the caller.",
    )


class TripFilterSerializer(serializers.Serializer):
    exchange = serializers.IntegerField(min_value=1, required=False, help_text="id of the exchange")
    status = serializers.ChoiceField(
        choices=TripStatus.choices, required=False, allow_blank=True, help_text="empty: every state"
    )


class TripSupervisorDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="Required to return or refuse."
    )


class TripCostDecisionSerializer(TripSupervisorDecisionSerializer):
    confirm_over_budget = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirm beyond the free budget of the trip's year (recorded).",
    )


class TripCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Required once the trip was submitted: the supervisor and the coordination read it.",
    )
