"""C+R requests through the API: the triage's filters, the request page's reads, the same steps.

Access exactly as in the browser: ``request_get_for_user`` (404 for missing and forbidden alike) and the
rules of ``exchanges.rules``; every write is the service the browser view calls.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from exchanges.api.errors import Conflict
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
from exchanges.api.views.base import ApiListView, ApiView, filters_from
from exchanges.forms import TriageFilterForm
from exchanges.models import ExchangeRequest
from exchanges.rules import actors_for, can_edit_request, can_see_routing, is_coordinator
from exchanges.selectors import comments_for, request_get_for_user, timeline_for, triage
from exchanges.services.requests import comment_add, request_save_draft, request_transition
from exchanges.services.routing import routing_correct
from exchanges.workflow import TRANSITIONS

PK = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the request")
SORT = OpenApiParameter(
    "sort",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=["oldest", "newest"],
    description="oldest (default) or newest first, by id: a cursor needs one stable unique order.",
)


def detail(request: Request, exchange: ExchangeRequest) -> dict:
    """The request as the caller now sees it, read again after a change."""
    fresh = request_get_for_user(user=request.user, pk=exchange.pk)
    return RequestDetailSerializer(fresh, context={"request": request}).data


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
        if not request.user.has_perm("exchanges.create_request"):
            raise exceptions.PermissionDenied
        data = self.validated(RequestDraftSerializer)
        saved = request_save_draft(
            requester=request.user,
            data=data,
            topics=data.get("topics", []),
            partner_cities=data.get("preferred_partner_cities", []),
        )
        return Response(detail(request, saved), status=status.HTTP_201_CREATED)


class RequestDetailView(ApiView):
    serializer_class = RequestDetailSerializer

    @extend_schema(summary="A request", parameters=[PK], tags=["requests"])
    def get(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        return Response(RequestDetailSerializer(exchange, context={"request": request}).data)

    @extend_schema(
        summary="Change a draft (or a request returned for changes)",
        parameters=[PK],
        request=RequestDraftSerializer,
        responses={200: RequestDetailSerializer},
        tags=["requests"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        if not can_edit_request(request.user, exchange):
            if exchange.requester_id != request.user.pk:
                raise exceptions.PermissionDenied
            raise Conflict(_("This request can no longer be changed."))
        data = self.validated(RequestDraftSerializer, partial=True)
        saved = request_save_draft(
            requester=request.user,
            request=exchange,
            data=data,
            topics=data.get("topics", exchange.topics.all()),
            partner_cities=data.get("preferred_partner_cities", exchange.preferred_partner_cities.all()),
        )
        return Response(detail(request, saved))


class RequestActionView(ApiView):
    """One step of the request's lifecycle (docs/workflow.md): the same table and checks as the buttons."""

    serializer_class = RequestDetailSerializer

    @extend_schema(
        summary="Take a step (submit, accept, return_for_changes, …)",
        parameters=[
            PK,
            OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(TRANSITIONS)),
        ],
        request=TransitionSerializer,
        responses={200: RequestDetailSerializer},
        tags=["requests"],
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        transition = TRANSITIONS.get(action)
        if transition is None:
            raise exceptions.NotFound
        if not actors_for(request.user, exchange) & transition.actors:
            raise exceptions.PermissionDenied(_("You may not take this step for this request."))
        data = self.validated(TransitionSerializer)
        request_transition(
            request_id=exchange.pk,
            action=action,
            actor=request.user,
            comment=data.get("comment", ""),
            expected_status=data.get("expected_status"),
        )
        return Response(detail(request, exchange))


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
        if not request.user.has_perm("exchanges.comment_request", exchange):
            raise exceptions.PermissionDenied(_("You may not comment on this request."))
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
        if not is_coordinator(request.user):
            raise exceptions.PermissionDenied(_("Only coordinators correct the routing."))
        data = self.validated(RoutingCorrectionSerializer)
        decision = routing_correct(
            request=exchange,
            department=data["department"],
            routed=data["routed"],
            note=data["note"],
            actor=request.user,
        )
        return Response(RoutingDecisionSerializer(decision).data)
