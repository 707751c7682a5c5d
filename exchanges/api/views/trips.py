"""Trip requests (Dienstreiseanträge) through the API: file, change, submit, the supervisor's and the
coordination's approvals, cancel, and the claim that follows. The same access helpers (``trips_visible_to``,
``trip_get_for_user``: 404 for missing and foreign alike), rules and services as the pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from cities.directory.models import User
from exchanges.api.serializers.travel import ClaimDetailSerializer
from exchanges.api.serializers.trips import (
    TripCancelSerializer,
    TripCostDecisionSerializer,
    TripCreateSerializer,
    TripDetailSerializer,
    TripFieldsSerializer,
    TripFilterSerializer,
    TripListSerializer,
    TripSupervisorDecisionSerializer,
)
from exchanges.api.versions import if_match_version, with_etag
from exchanges.api.views.base import ApiListView, ApiView
from exchanges.api.views.requests import IF_MATCH
from exchanges.api.views.travel import budget_problem, claim_detail
from exchanges.cycle.selectors import request_get_for_user
from exchanges.travel.models import TripRequest
from exchanges.travel.selectors import trip_get_for_user, trips_visible_to
from exchanges.travel.services.budget import BudgetExceeded
from exchanges.travel.services.trips import (
    claim_from_trip,
    trip_cancel,
    trip_cost_decide,
    trip_create,
    trip_submit,
    trip_supervisor_decide,
    trip_update,
)

TRIP = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the trip request")
TAGS = ["trip requests"]


def trip_detail(request: Request, pk: int, *, status_code: int = 200) -> Response:
    """The trip as the caller now sees it (read again after a change), with its ETag."""
    trip = trip_get_for_user(user=request.user, pk=pk)
    response = Response(TripDetailSerializer(trip, context={"request": request}).data, status=status_code)
    return with_etag(response, trip)


def trip_and_version(request: Request, pk: int) -> tuple[TripRequest, int | None]:
    """The trip if the caller may see it (404 otherwise), and the version If-Match names (412 if none)."""
    trip = trip_get_for_user(user=request.user, pk=pk)
    return trip, if_match_version(request, trip)


class TripListView(ApiListView):
    """The trip requests the caller may see (as on the pages), newest first."""

    serializer_class = TripListSerializer
    cursor_ordering = ("-id",)

    @extend_schema(
        summary="Trip requests the caller may see",
        description=(
            "The traveller's own and those they entered, those awaiting the caller as supervisor; "
            "every trip for the coordination and finance."
        ),
        parameters=[TripFilterSerializer],
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = TripFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        trips = trips_visible_to(request.user).select_related("exchange", "traveller")
        if filters.validated_data.get("exchange"):
            trips = trips.filter(exchange_id=filters.validated_data["exchange"])
        if filters.validated_data.get("status"):
            trips = trips.filter(status=filters.validated_data["status"])
        return self.list_page(trips)

    @extend_schema(
        summary="Request a business trip for an exchange (its travellers; the coordination for a traveller)",
        request=TripCreateSerializer,
        responses={201: TripDetailSerializer},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = dict(self.validated(TripCreateSerializer))
        exchange = request_get_for_user(user=request.user, pk=data.pop("exchange"))
        traveller: User = data.pop("traveller", None) or request.user
        trip = trip_create(exchange=exchange, traveller=traveller, actor=request.user, data=data)
        return trip_detail(request, trip.pk, status_code=status.HTTP_201_CREATED)


class TripDetailView(ApiView):
    serializer_class = TripDetailSerializer

    @extend_schema(
        summary="A trip request with its estimate, approvals and events (and its ETag)",
        parameters=[TRIP],
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return trip_detail(request, pk)

    @extend_schema(
        summary="Change the plan (the traveller or who entered it, while draft or returned); "
        "If-Match: the trip's ETag",
        parameters=[TRIP, IF_MATCH],
        request=TripFieldsSerializer,
        responses={200: TripDetailSerializer},
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        trip, expected = trip_and_version(request, pk)
        data = self.validated(TripFieldsSerializer, partial=True)
        trip_update(trip=trip, actor=request.user, data=dict(data), expected_version=expected)
        return trip_detail(request, pk)


class TripSubmitView(ApiView):
    serializer_class = TripDetailSerializer

    @extend_schema(
        summary="Submit the trip for both approvals (again after a return); If-Match: the trip's ETag",
        description=(
            "Refused (400, field by field) while something the approvals need is missing, e.g. the "
            "reasons the rate set asks for. The supervisor is sent the approval link."
        ),
        parameters=[TRIP, IF_MATCH],
        request=None,
        responses={200: TripDetailSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        trip, expected = trip_and_version(request, pk)
        trip_submit(trip_id=trip.pk, actor=request.user, expected_version=expected)
        return trip_detail(request, pk)


class TripSupervisorDecisionView(ApiView):
    serializer_class = TripDetailSerializer

    @extend_schema(
        summary="The supervisor approves, returns or refuses the business trip (once; never their own "
        "trip); If-Match: the trip's ETag",
        parameters=[TRIP, IF_MATCH],
        request=TripSupervisorDecisionSerializer,
        responses={200: TripDetailSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        trip, expected = trip_and_version(request, pk)
        data = self.validated(TripSupervisorDecisionSerializer)
        trip_supervisor_decide(
            trip_id=trip.pk,
            decision=data["decision"],
            note=data.get("note", ""),
            actor=request.user,
            expected_version=expected,
        )
        return trip_detail(request, pk)


class TripCostDecisionView(ApiView):
    serializer_class = TripDetailSerializer

    @extend_schema(
        summary="The coordination confirms, returns or refuses the costs (once; four eyes); "
        "If-Match: the trip's ETag",
        description=(
            "Confirming commits the estimate on the budget of the trip's year. Beyond the free budget it "
            "is refused (400 rule-violation on 'confirm_over_budget', as a claim's approval) until sent "
            "again with confirm_over_budget=true, which is recorded."
        ),
        parameters=[TRIP, IF_MATCH],
        request=TripCostDecisionSerializer,
        responses={200: TripDetailSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        trip, expected = trip_and_version(request, pk)
        data = self.validated(TripCostDecisionSerializer)
        try:
            trip_cost_decide(
                trip_id=trip.pk,
                decision=data["decision"],
                note=data.get("note", ""),
                actor=request.user,
                confirm_over_budget=data["confirm_over_budget"],
                expected_version=expected,
            )
        except BudgetExceeded as error:
            raise budget_problem(error) from error
        return trip_detail(request, pk)


class TripCancelView(ApiView):
    serializer_class = TripDetailSerializer

    @extend_schema(
        summary="Cancel the trip (the traveller or the coordination, before it is claimed); "
        "If-Match: the trip's ETag",
        parameters=[TRIP, IF_MATCH],
        request=TripCancelSerializer,
        responses={200: TripDetailSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        trip, expected = trip_and_version(request, pk)
        data = self.validated(TripCancelSerializer)
        trip_cancel(
            trip_id=trip.pk, actor=request.user, reason=data.get("reason", ""), expected_version=expected
        )
        return trip_detail(request, pk)


class TripClaimView(ApiView):
    serializer_class = ClaimDetailSerializer

    @extend_schema(
        summary="Claim the costs of the approved trip (the traveller, once the exchange is scheduled): "
        "creates the draft claim from the trip",
        parameters=[TRIP],
        request=None,
        responses={201: ClaimDetailSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        trip = trip_get_for_user(user=request.user, pk=pk)
        claim = claim_from_trip(trip_id=trip.pk, actor=request.user)
        return claim_detail(request, claim.pk, status_code=status.HTTP_201_CREATED)
