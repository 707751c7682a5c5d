"""Travel claims through the API: the traveller's side, the finance queue and decisions, bookings and
export batches (finance scope), statistics. The same access helpers and services as the pages."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from cities.models import ApiScope
from exchanges.api.parsers import BoundedJSONParser
from exchanges.api.permissions import FinancePermission, token_scopes
from exchanges.api.schema import form_parameters
from exchanges.api.serializers.travel import (
    BookingSerializer,
    ClaimCreateSerializer,
    ClaimDetailSerializer,
    ClaimItemInputSerializer,
    ClaimItemSerializer,
    ClaimListSerializer,
    ClaimUpdateSerializer,
    DecisionSerializer,
    ExportBatchDetailSerializer,
    ExportBatchSerializer,
    ReductionSerializer,
    StatisticsSerializer,
)
from exchanges.api.views.base import ApiListView, ApiView, filters_from, invalid_form
from exchanges.errors import DomainError
from exchanges.forms import BookingFilterForm, FinanceQueueFilterForm
from exchanges.models import TravelClaim
from exchanges.selectors import (
    bookings_for_finance,
    claim_get_for_user,
    claims_of,
    export_batches,
    finance_queue,
    request_get_for_user,
)
from exchanges.services.claims import (
    BudgetExceeded,
    claim_approve,
    claim_create,
    claim_item_add,
    claim_item_reduce,
    claim_item_remove,
    claim_return_or_reject,
    claim_submit,
    claim_update,
    participants_of,
)
from exchanges.statistics import figures
from exchanges.statistics.selection import statistics_selection

CLAIM = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the claim")
ITEM = OpenApiParameter("item_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the item")


def claim_for(request: Request, pk: int) -> TravelClaim:
    """The claim as the browser would show it to the person – but a token without the finance scope reads
    only the person's own claims: other people's claims are finance data."""
    scopes = token_scopes(request)
    own_only = scopes is not None and ApiScope.FINANCE not in scopes
    return claim_get_for_user(user=request.user, pk=pk, own_only=own_only)


def claim_detail(request: Request, pk: int) -> dict:
    claim = claim_for(request, pk)
    return ClaimDetailSerializer(claim, context={"request": request}).data


def item_of(claim: TravelClaim, item_pk: int):  # type: ignore[no-untyped-def]
    item = claim.items.filter(pk=item_pk).first()
    if item is None:
        raise exceptions.NotFound
    return item


class FinanceOnly:
    """Finance endpoints: the finance permission (as in the browser) and, for tokens, the finance scope."""

    finance_endpoint = True
    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, FinancePermission]


class ClaimListView(ApiListView):
    """The caller's own claims (as traveller or as the one who entered them), newest first."""

    serializer_class = ClaimListSerializer
    cursor_ordering = ("-id",)

    @extend_schema(summary="My travel claims", tags=["travel costs"])
    def get(self, request: Request) -> Response:
        return self.list_page(claims_of(request.user).select_related("exchange", "traveller"))

    @extend_schema(
        summary="Claim travel costs for an exchange (participants)",
        request=ClaimCreateSerializer,
        responses={201: ClaimDetailSerializer},
        tags=["travel costs"],
    )
    def post(self, request: Request) -> Response:
        data = dict(self.validated(ClaimCreateSerializer))
        exchange = request_get_for_user(user=request.user, pk=data.pop("exchange"))
        if request.user.pk not in {person.pk for person in participants_of(exchange)}:
            raise exceptions.PermissionDenied(_("Only participants of the exchange can claim travel costs."))
        claim = claim_create(exchange=exchange, traveller=request.user, actor=request.user, data=data)
        return Response(claim_detail(request, claim.pk), status=status.HTTP_201_CREATED)


class ClaimDetailView(ApiView):
    serializer_class = ClaimDetailSerializer

    @extend_schema(summary="A travel claim with its calculation", parameters=[CLAIM], tags=["travel costs"])
    def get(self, request: Request, pk: int) -> Response:
        return Response(claim_detail(request, pk))

    @extend_schema(
        summary="Change the trip or the meals provided (the traveller, while draft or returned)",
        parameters=[CLAIM],
        request=ClaimUpdateSerializer,
        responses={200: ClaimDetailSerializer},
        tags=["travel costs"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        claim = claim_for(request, pk)
        data = self.validated(ClaimUpdateSerializer, partial=True, claim=claim)
        claim_update(claim=claim, actor=request.user, data=dict(data))
        return Response(claim_detail(request, pk))


class ClaimItemListView(ApiView):
    serializer_class = ClaimDetailSerializer
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(
        summary="Add an item, with a receipt as multipart/form-data",
        parameters=[CLAIM],
        request=ClaimItemInputSerializer,
        responses={201: ClaimDetailSerializer},
        tags=["travel costs"],
    )
    def post(self, request: Request, pk: int) -> Response:
        claim = claim_for(request, pk)
        data = dict(self.validated(ClaimItemInputSerializer))
        upload = data.pop("receipt", None)
        claim_item_add(claim=claim, actor=request.user, data=data, upload=upload)
        return Response(claim_detail(request, pk), status=status.HTTP_201_CREATED)


class ClaimItemDetailView(ApiView):
    serializer_class = ClaimItemSerializer

    @extend_schema(summary="An item of a claim", parameters=[CLAIM, ITEM], tags=["travel costs"])
    def get(self, request: Request, pk: int, item_pk: int) -> Response:
        claim = claim_for(request, pk)
        return Response(ClaimItemSerializer(item_of(claim, item_pk)).data)

    @extend_schema(
        summary="Remove an item (and its receipts)", parameters=[CLAIM, ITEM], tags=["travel costs"]
    )
    def delete(self, request: Request, pk: int, item_pk: int) -> Response:
        claim = claim_for(request, pk)
        claim_item_remove(item=item_of(claim, item_pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClaimSubmitView(ApiView):
    serializer_class = ClaimDetailSerializer

    @extend_schema(
        summary="Submit the claim to finance", parameters=[CLAIM], request=None, tags=["travel costs"]
    )
    def post(self, request: Request, pk: int) -> Response:
        claim = claim_for(request, pk)
        claim_submit(claim_id=claim.pk, actor=request.user)
        return Response(claim_detail(request, pk))


class ClaimDecisionView(FinanceOnly, ApiView):
    """Approve, return or reject (finance; four-eyes principle; budget confirmation)."""

    serializer_class = ClaimDetailSerializer

    @extend_schema(
        summary="Decide on a submitted claim (finance)",
        parameters=[CLAIM],
        request=DecisionSerializer,
        responses={200: ClaimDetailSerializer},
        tags=["finance"],
    )
    def post(self, request: Request, pk: int) -> Response:
        claim = claim_for(request, pk)
        data = self.validated(DecisionSerializer)
        try:
            if data["decision"] == "approve":
                claim_approve(
                    claim_id=claim.pk, actor=request.user, confirm_over_budget=data["confirm_over_budget"]
                )
            else:
                claim_return_or_reject(
                    claim_id=claim.pk,
                    actor=request.user,
                    reject=data["decision"] == "reject",
                    reason=data.get("reason", ""),
                )
        except BudgetExceeded as error:
            raise DomainError(error.message, field="confirm_over_budget") from error
        return Response(claim_detail(request, pk))


class ClaimItemReductionView(FinanceOnly, ApiView):
    serializer_class = ClaimDetailSerializer

    @extend_schema(
        summary="Reduce an item with a reason (finance)",
        parameters=[CLAIM, ITEM],
        request=ReductionSerializer,
        responses={200: ClaimDetailSerializer},
        tags=["finance"],
    )
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        claim = claim_for(request, pk)
        item = item_of(claim, item_pk)
        data = self.validated(ReductionSerializer)
        claim_item_reduce(
            item_id=item.pk, actor=request.user, amount=Decimal(data["amount"]), reason=data["reason"]
        )
        return Response(claim_detail(request, pk))


class FinanceQueueView(FinanceOnly, ApiListView):
    """The finance queue with its filters: submitted claims by default, oldest first."""

    serializer_class = ClaimListSerializer

    @extend_schema(
        summary="The finance queue", parameters=form_parameters(FinanceQueueFilterForm), tags=["finance"]
    )
    def get(self, request: Request) -> Response:
        filters = filters_from(FinanceQueueFilterForm, request)
        return self.list_page(finance_queue(user=request.user, filters=filters))


class BookingListView(FinanceOnly, ApiListView):
    """Bookings (one per approved claim), oldest first: what a finance system pulls."""

    serializer_class = BookingSerializer

    @extend_schema(summary="Bookings", parameters=form_parameters(BookingFilterForm), tags=["finance"])
    def get(self, request: Request) -> Response:
        return self.list_page(bookings_for_finance(filters=filters_from(BookingFilterForm, request)))


class ExportBatchListView(FinanceOnly, ApiListView):
    serializer_class = ExportBatchSerializer
    cursor_ordering = ("-id",)

    @extend_schema(summary="Export batches, newest first", tags=["finance"])
    def get(self, request: Request) -> Response:
        return self.list_page(export_batches().select_related("created_by"))


class ExportBatchDetailView(FinanceOnly, ApiView):
    serializer_class = ExportBatchDetailSerializer

    @extend_schema(
        summary="An export batch with its bookings",
        parameters=[
            OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the batch")
        ],
        tags=["finance"],
    )
    def get(self, request: Request, pk: int) -> Response:
        batch = export_batches().select_related("created_by").filter(pk=pk).first()
        if batch is None:
            raise exceptions.NotFound
        return Response(ExportBatchDetailSerializer(batch).data)


class StatisticsView(ApiView):
    """The statistics' tables for the coordination (the network, or a city) and city contacts (their city)."""

    serializer_class = StatisticsSerializer
    pagination_class = None

    @extend_schema(
        summary="Statistics",
        parameters=[
            OpenApiParameter("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, required=False),
            OpenApiParameter("start", OpenApiTypes.DATE, required=False, description="with end: a period"),
            OpenApiParameter("end", OpenApiTypes.DATE, required=False),
            OpenApiParameter("city", OpenApiTypes.INT, required=False, description="the coordination only"),
        ],
        tags=["statistics"],
    )
    def get(self, request: Request) -> Response:
        selection = statistics_selection(user=request.user, params=request.query_params)
        if selection.form.is_bound and not selection.form.is_valid():
            raise invalid_form(selection.form)
        computed = figures.cached_statistics_for(
            user=request.user, period=selection.period, city_id=selection.city_id, fold=False
        )
        data = {
            "period": {"start": selection.period.start, "end": selection.period.end},
            "city": selection.city,
            "computed_at": computed.computed_at,
            "tables": list(computed.tables.values()),
        }
        return Response(StatisticsSerializer(data).data)
