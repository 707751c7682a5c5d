"""Travel claims through the API: the traveller's side, the finance queue and decisions, bookings and
export batches (finance scope), statistics. The same access helpers and services as the pages."""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from cities.accounts.models import ApiScope
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
    ReceiptInputSerializer,
    ReductionSerializer,
    StatisticsSerializer,
    SubmitSerializer,
)
from exchanges.api.versions import if_match_version, with_etag
from exchanges.api.views.base import ApiListView, ApiView, filters_from, invalid_form
from exchanges.api.views.requests import IF_MATCH
from exchanges.cycle.selectors import request_get_for_user
from exchanges.statistics.selection import statistics_selection
from exchanges.statistics.services import statistics_tables_export
from exchanges.travel.forms import BookingFilterForm, FinanceQueueFilterForm
from exchanges.travel.models import TravelClaim
from exchanges.travel.selectors import (
    bookings_for_finance,
    claim_get_for_user,
    claims_of,
    export_batches,
    finance_queue,
    possible_duplicate_filter,
)
from exchanges.travel.services.budget import BudgetExceeded
from exchanges.travel.services.claims import (
    claim_approve,
    claim_check_allowed,
    claim_create,
    claim_item_add,
    claim_item_reduce,
    claim_item_remove,
    claim_receipt_add,
    claim_return_or_reject,
    claim_submit,
    claim_update,
)
from exchanges.travel.services.exports import bookings_export_record
from koopstadt.errors import DomainError

CLAIM = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the claim")
ITEM = OpenApiParameter("item_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the item")


def claim_for(request: Request, pk: int) -> TravelClaim:
    """The claim as the browser would show it to the person – but a token without the finance scope reads
    only the person's own claims: other people's claims are finance data."""
    scopes = token_scopes(request)
    own_only = scopes is not None and ApiScope.FINANCE not in scopes
    return claim_get_for_user(user=request.user, pk=pk, own_only=own_only)


def claim_detail(request: Request, pk: int, *, status_code: int = 200) -> Response:
    """The claim as the caller now sees it (read again after a change), with its ETag."""
    claim = claim_for(request, pk)
    response = Response(ClaimDetailSerializer(claim, context={"request": request}).data, status=status_code)
    return with_etag(response, claim)


def budget_problem(error: BudgetExceeded) -> DomainError:
    """An approval beyond the free budget (a claim's, a trip's costs): refused as a rule on the field
    that confirms it, so a client sends the approval again with ``confirm_over_budget`` set."""
    return DomainError(error.message, field="confirm_over_budget")


def item_of(claim: TravelClaim, item_pk: int):
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
        return self.list_page(
            claims_of(request.user)
            .select_related("exchange", "traveller")
            .annotate(possible_duplicate=possible_duplicate_filter())
        )

    @extend_schema(
        summary="Claim travel costs for an exchange (participants)",
        request=ClaimCreateSerializer,
        responses={201: ClaimDetailSerializer},
        tags=["travel costs"],
    )
    def post(self, request: Request) -> Response:
        data = dict(self.validated(ClaimCreateSerializer))
        exchange = request_get_for_user(user=request.user, pk=data.pop("exchange"))
        # The one rule (exchanges.cycle.rules.may_claim) the request page's link and the claim page ask.
        claim_check_allowed(traveller=request.user, exchange=exchange)
        claim = claim_create(exchange=exchange, traveller=request.user, actor=request.user, data=data)
        return claim_detail(request, claim.pk, status_code=status.HTTP_201_CREATED)


class ClaimDetailView(ApiView):
    serializer_class = ClaimDetailSerializer

    @extend_schema(
        summary="A travel claim with its calculation (and its ETag)",
        parameters=[CLAIM],
        tags=["travel costs"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return claim_detail(request, pk)

    @extend_schema(
        summary="Change the trip or the meals provided (the traveller, while draft or returned); "
        "If-Match: the claim's ETag",
        parameters=[CLAIM, IF_MATCH],
        request=ClaimUpdateSerializer,
        responses={200: ClaimDetailSerializer},
        tags=["travel costs"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        claim = claim_for(request, pk)
        expected = if_match_version(request, claim)
        data = self.validated(ClaimUpdateSerializer, partial=True, claim=claim)
        claim_update(claim=claim, actor=request.user, data=dict(data), expected_version=expected)
        return claim_detail(request, pk)


class ClaimItemListView(ApiView):
    serializer_class = ClaimDetailSerializer
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    @extend_schema(
        summary="Add an item, with a receipt as multipart/form-data; If-Match: the claim's ETag",
        parameters=[CLAIM, IF_MATCH],
        request=ClaimItemInputSerializer,
        responses={201: ClaimDetailSerializer},
        tags=["travel costs"],
    )
    def post(self, request: Request, pk: int) -> Response:
        claim = claim_for(request, pk)
        expected = if_match_version(request, claim)
        data = dict(self.validated(ClaimItemInputSerializer))
        upload = data.pop("receipt", None)
        claim_item_add(claim=claim, actor=request.user, data=data, upload=upload, expected_version=expected)
        return claim_detail(request, pk, status_code=status.HTTP_201_CREATED)


class ClaimItemDetailView(ApiView):
    serializer_class = ClaimItemSerializer

    @extend_schema(summary="An item of a claim", parameters=[CLAIM, ITEM], tags=["travel costs"])
    def get(self, request: Request, pk: int, item_pk: int) -> Response:
        claim = claim_for(request, pk)
        return Response(ClaimItemSerializer(item_of(claim, item_pk)).data)

    @extend_schema(
        summary="Remove an item (and its receipts); If-Match: the claim's ETag",
        parameters=[CLAIM, ITEM, IF_MATCH],
        tags=["travel costs"],
    )
    def delete(self, request: Request, pk: int, item_pk: int) -> Response:
        claim = claim_for(request, pk)
        expected = if_match_version(request, claim)
        claim_item_remove(item=item_of(claim, item_pk), actor=request.user, expected_version=expected)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        return with_etag(response, TravelClaim.objects.get(pk=claim.pk))


class ClaimReceiptView(ApiView):
    serializer_class = ClaimDetailSerializer
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]  # JSON: answered "no file" (400)

    @extend_schema(
        summary="Attach a receipt to an item (multipart/form-data); If-Match: the claim's ETag",
        parameters=[CLAIM, ITEM, IF_MATCH],
        request=ReceiptInputSerializer,
        responses={201: ClaimDetailSerializer},
        tags=["travel costs"],
    )
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        claim = claim_for(request, pk)
        item = item_of(claim, item_pk)
        expected = if_match_version(request, claim)
        data = self.validated(ReceiptInputSerializer)
        claim_receipt_add(item=item, actor=request.user, upload=data["receipt"], expected_version=expected)
        return claim_detail(request, pk, status_code=status.HTTP_201_CREATED)


class ClaimSubmitView(ApiView):
    serializer_class = ClaimDetailSerializer
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]  # multipart: with the approval

    @extend_schema(
        summary="Submit the claim to finance; If-Match: the claim's ETag",
        description=(
            "Refused (400) while a ticket or other cost has no receipt. A possible duplicate (an overlapping "
            "trip of the same traveller, a receipt whose content is on another claim) needs "
            "'duplicate_reason', a trip that does not fit the exchange 'trip_fit_reason' (see 'flags'), "
            "a claim without an approved trip ('trip' null) 'no_trip_reason'."
        ),
        parameters=[CLAIM, IF_MATCH],
        request=SubmitSerializer,
        tags=["travel costs"],
    )
    def post(self, request: Request, pk: int) -> Response:
        claim = claim_for(request, pk)
        expected = if_match_version(request, claim)
        data = self.validated(SubmitSerializer)
        claim_submit(
            claim_id=claim.pk,
            actor=request.user,
            expected_version=expected,
            trip_fit_reason=data.get("trip_fit_reason", ""),
            duplicate_reason=data.get("duplicate_reason", ""),
            no_trip_reason=data.get("no_trip_reason", ""),
            approval_upload=data.get("approval"),
        )
        return claim_detail(request, pk)


class ClaimDecisionView(FinanceOnly, ApiView):
    """Approve, return or reject (finance; four-eyes principle; budget confirmation)."""

    serializer_class = ClaimDetailSerializer

    @extend_schema(
        summary="Decide on a submitted claim (finance); If-Match: the ETag of the claim as read",
        parameters=[CLAIM, IF_MATCH],
        request=DecisionSerializer,
        responses={200: ClaimDetailSerializer},
        tags=["finance"],
    )
    def post(self, request: Request, pk: int) -> Response:
        claim = claim_for(request, pk)
        expected = if_match_version(request, claim)
        data = self.validated(DecisionSerializer)
        try:
            if data["decision"] == "approve":
                claim_approve(
                    claim_id=claim.pk,
                    actor=request.user,
                    confirm_over_budget=data["confirm_over_budget"],
                    expected_version=expected,
                )
            else:
                claim_return_or_reject(
                    claim_id=claim.pk,
                    actor=request.user,
                    reject=data["decision"] == "reject",
                    reason=data.get("reason", ""),
                    expected_version=expected,
                )
        except BudgetExceeded as error:
            raise budget_problem(error) from error
        return claim_detail(request, pk)


class ClaimItemReductionView(FinanceOnly, ApiView):
    serializer_class = ClaimDetailSerializer

    @extend_schema(
        summary="Reduce an item with a reason (finance); If-Match: the claim's ETag",
        parameters=[CLAIM, ITEM, IF_MATCH],
        request=ReductionSerializer,
        responses={200: ClaimDetailSerializer},
        tags=["finance"],
    )
    def post(self, request: Request, pk: int, item_pk: int) -> Response:
        claim = claim_for(request, pk)
        item = item_of(claim, item_pk)
        expected = if_match_version(request, claim)
        data = self.validated(ReductionSerializer)
        claim_item_reduce(
            item_id=item.pk,
            actor=request.user,
            amount=Decimal(data["amount"]),
            reason=data["reason"],
            expected_version=expected,
        )
        return claim_detail(request, pk)


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
        filters = filters_from(BookingFilterForm, request)
        bookings_export_record(
            actor=request.user,
            request=request,
            filters={name: str(value) for name, value in filters.items() if value not in (None, "", False)},
        )
        return self.list_page(bookings_for_finance(filters=filters))


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
        bookings_export_record(actor=request.user, request=request, batch=batch)
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
        # The same export as the pages' downloads, audited by the same service.
        computed = statistics_tables_export(user=request.user, selection=selection, request=request)
        data = {
            "period": {"start": selection.period.start, "end": selection.period.end},
            "city": selection.city,
            "computed_at": computed.computed_at,
            "tables": list(computed.tables.values()),
        }
        return Response(StatisticsSerializer(data).data)
