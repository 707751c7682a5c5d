"""C+R requests through the API: the triage's filters, the request page's reads, the same steps.

Access exactly as in the browser: ``request_get_for_user`` (404 for missing and forbidden alike) and the
rules of ``exchanges.cycle.rules``; every write is the service the browser view calls.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from exchanges.api.schema import form_parameters
from exchanges.api.serializers.requests import (
    CommentSerializer,
    RequestDetailSerializer,
    RequestDraftSerializer,
    RequestListSerializer,
    RoutingCorrectionSerializer,
    RoutingDecisionSerializer,
    TimelineEntrySerializer,
    TransitionSerializer,
)
from exchanges.api.versions import if_match_version, with_etag
from exchanges.api.views.base import ApiListView, ApiView, filters_from
from exchanges.cycle.forms import TriageFilterForm
from exchanges.cycle.models import ExchangeRequest
from exchanges.cycle.rules import can_see_routing
from exchanges.cycle.selectors import comments_for, request_get_for_user, timeline_for, triage
from exchanges.cycle.services.requests import (
    comment_add,
    comment_check_allowed,
    request_check_editable,
    request_check_may_ask,
    request_save_draft,
    request_transition,
)
from exchanges.cycle.services.routing import routing_check_allowed, routing_correct
from exchanges.cycle.workflow import TRANSITIONS

PK = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the request")
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag the client read; a newer version answers 412 and changes nothing.",
)
SORT = OpenApiParameter(
    "sort",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=["oldest", "newest"],
    description="oldest (default) or newest first, by id: a cursor needs one stable unique order.",
)


def detail(request: Request, exchange: ExchangeRequest, *, status_code: int = 200) -> Response:
    """The request as the caller now sees it, read again after a change, with its ETag."""
    fresh = request_get_for_user(user=request.user, pk=exchange.pk)
    response = Response(RequestDetailSerializer(fresh, context={"request": request}).data, status=status_code)
    return with_etag(response, fresh)


class RequestListView(ApiListView):
    """Requests as the triage inbox filters them, limited to those the caller may see (as in the browser).

    Without ``status`` the open requests after submission; ``status=all`` every request after submission.
    Drafts are only ever seen by their requester, through the request's own address.
    """

    serializer_class = RequestListSerializer

    @extend_schema(
        summary="List requests (the triage inbox's filters)",
        parameters=[*form_parameters(TriageFilterForm, exclude=("sort",)), SORT],
        tags=["requests"],
    )
    def get(self, request: Request) -> Response:
        filters = filters_from(TriageFilterForm, request)
        if filters.get("sort") == "newest":
            self.cursor_ordering = ("-id",)
        return self.list_page(triage(user=request.user, filters={**filters, "sort": ""}))

    @extend_schema(
        summary="Create a draft",
        request=RequestDraftSerializer,
        responses={201: RequestDetailSerializer},
        tags=["requests"],
    )
    def post(self, request: Request) -> Response:
        request_check_may_ask(actor=request.user)  # rules.may_request, before the input is read
        data = self.validated(RequestDraftSerializer)
        saved = request_save_draft(
            requester=request.user,
            data=data,
            topics=data.get("topics", []),
            partner_cities=data.get("preferred_partner_cities", []),
        )
        return detail(request, saved, status_code=status.HTTP_201_CREATED)


class RequestDetailView(ApiView):
    serializer_class = RequestDetailSerializer

    @extend_schema(summary="A request (with its ETag)", parameters=[PK], tags=["requests"])
    def get(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        return with_etag(
            Response(RequestDetailSerializer(exchange, context={"request": request}).data), exchange
        )

    @extend_schema(
        summary="Change a draft (or a request returned for changes); If-Match: its ETag",
        parameters=[PK, IF_MATCH],
        request=RequestDraftSerializer,
        responses={200: RequestDetailSerializer},
        tags=["requests"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        request_check_editable(actor=request.user, request=exchange)  # rules.can_edit_request
        expected = if_match_version(request, exchange)
        data = self.validated(RequestDraftSerializer, partial=True)
        saved = request_save_draft(
            requester=request.user,
            request=exchange,
            data=data,
            topics=data.get("topics", exchange.topics.all()),
            partner_cities=data.get("preferred_partner_cities", exchange.preferred_partner_cities.all()),
            expected_version=expected,
        )
        return detail(request, saved)


class RequestActionView(ApiView):
    """One step of the request's lifecycle (docs/workflow.md): the same table and checks as the buttons."""

    serializer_class = RequestDetailSerializer

    @extend_schema(
        summary="Take a step (submit, accept, return_for_changes, …); If-Match: the request's ETag",
        description=(
            "Only the steps that are actions of their own. 'agree' happens when an invited expert accepts, "
            "'schedule' when the meeting is saved (PUT …/meeting/), 'complete' when the requester's "
            "reflection is written, 'record_past' through …/past-exchange/."
        ),
        parameters=[
            PK,
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=[action for action, step in TRANSITIONS.items() if step.is_direct],
            ),
            IF_MATCH,
        ],
        request=TransitionSerializer,
        responses={200: RequestDetailSerializer},
        tags=["requests"],
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        if action not in TRANSITIONS:
            raise exceptions.NotFound
        expected = if_match_version(request, exchange)
        data = self.validated(TransitionSerializer)
        # The service decides everything (state, who, facts, version) under the request's lock.
        request_transition(
            request_id=exchange.pk,
            action=action,
            actor=request.user,
            comment=data.get("comment", ""),
            expected_status=data.get("expected_status"),
            expected_version=expected,
        )
        return detail(request, exchange)


class TimelineView(ApiListView):
    """The request's timeline: everything for the coordination side, the public part for everyone else."""

    serializer_class = TimelineEntrySerializer

    @extend_schema(summary="A request's timeline", parameters=[PK], tags=["requests"])
    def get(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        return self.list_page(timeline_for(user=request.user, request=exchange))


class CommentListView(ApiListView):
    serializer_class = CommentSerializer

    @extend_schema(
        summary="A request's comments (internal ones for the coordination only)",
        parameters=[PK],
        tags=["requests"],
    )
    def get(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        return self.list_page(comments_for(user=request.user, request=exchange))

    @extend_schema(
        summary="Write a comment",
        parameters=[PK],
        request=CommentSerializer,
        responses={201: CommentSerializer},
        tags=["requests"],
    )
    def post(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        comment_check_allowed(author=request.user, request=exchange)  # rules.can_comment
        data = self.validated(CommentSerializer)
        comment = comment_add(
            request=exchange,
            author=request.user,
            body=data["body"],
            is_internal=data.get("is_internal", False),
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class RoutingView(ApiListView):
    """Where the request was routed and why: for the coordination and the liaisons of routed departments."""

    serializer_class = RoutingDecisionSerializer

    @extend_schema(summary="A request's routing decisions", parameters=[PK], tags=["cycle"])
    def get(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        if not can_see_routing(request.user, exchange):
            raise exceptions.PermissionDenied
        return self.list_page(exchange.routing_decisions.select_related("department__city"))

    @extend_schema(
        summary="Correct the routing (coordinators)",
        parameters=[PK],
        request=RoutingCorrectionSerializer,
        responses={200: RoutingDecisionSerializer},
        tags=["cycle"],
    )
    def post(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        routing_check_allowed(actor=request.user, request=exchange)  # rules.may_correct_routing
        data = self.validated(RoutingCorrectionSerializer)
        decision = routing_correct(
            request=exchange,
            department=data["department"],
            routed=data["routed"],
            note=data["note"],
            actor=request.user,
            term=data.get("term", ""),
        )
        return Response(RoutingDecisionSerializer(decision).data)
