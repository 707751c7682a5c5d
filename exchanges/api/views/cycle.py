"""Proposals and answers, date and place, reflections and the knowledge base: as on the request page."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from exchanges.api.schema import form_parameters
from exchanges.api.serializers.cycle import (
    InvitationAnswerSerializer,
    InvitationSerializer,
    KnowledgeEntrySerializer,
    MeetingOutSerializer,
    MeetingSerializer,
    PastExchangeSerializer,
    ProposeSerializer,
    RecordedAnswerSerializer,
    ReflectionSerializer,
    SuggestionsSerializer,
)
from exchanges.api.serializers.requests import RequestDetailSerializer
from exchanges.api.versions import if_match_version, with_etag
from exchanges.api.views.base import ApiListView, ApiView, filters_from, invalid_form
from exchanges.api.views.requests import IF_MATCH, PK, detail
from exchanges.cycle.forms import KnowledgeFilterForm, PastExchangeForm, ProposeExpertsForm
from exchanges.cycle.models import AnswerChannel, ExchangeRequest, Invitation, Meeting
from exchanges.cycle.rules import can_see_routing, visible_reflections
from exchanges.cycle.selectors import (
    expert_suggestions,
    knowledge_base,
    past_exchange_experts,
    request_get_for_user,
)
from exchanges.cycle.services.invitations import (
    invitation_answer,
    invitations_propose,
    proposing_check_allowed,
    recorded_answer_check_allowed,
)
from exchanges.cycle.services.meetings import (
    exchange_record_past,
    meeting_check_allowed,
    meeting_participant_choices,
    meeting_schedule,
    past_exchange_check_allowed,
)
from exchanges.cycle.services.reflections import reflection_check_allowed, reflection_submit

INVITATION_PK = OpenApiParameter(
    "pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the invitation"
)


def invitations_of(queryset):
    return queryset.select_related("request", "expert__user", "proposed_by")


class MyInvitationListView(ApiListView):
    """The invitations of the caller as an expert (newest first)."""

    serializer_class = InvitationSerializer
    cursor_ordering = ("-id",)

    @extend_schema(summary="My invitations as an expert", tags=["cycle"])
    def get(self, request: Request) -> Response:
        return self.list_page(invitations_of(Invitation.objects.filter(expert__user=request.user)))


class InvitationAnswerView(ApiView):
    serializer_class = InvitationSerializer

    @extend_schema(
        summary="Accept or decline an invitation (the invited expert)",
        parameters=[INVITATION_PK],
        request=InvitationAnswerSerializer,
        responses={200: InvitationSerializer},
        tags=["cycle"],
    )
    def post(self, request: Request, pk: int) -> Response:
        invitation = Invitation.objects.filter(pk=pk, expert__user=request.user).first()
        if invitation is None:
            raise exceptions.NotFound
        data = self.validated(InvitationAnswerSerializer)
        invitation_answer(
            invitation_id=invitation.pk,
            accept=data["answer"] == "accept",
            note=data.get("note", ""),
            actor=request.user,
            channel=AnswerChannel.API,
        )
        return Response(InvitationSerializer(invitations_of(Invitation.objects).get(pk=invitation.pk)).data)


class RecordedAnswerView(ApiView):
    serializer_class = InvitationSerializer

    @extend_schema(
        summary="Record an answer the expert gave by phone, on the expert's behalf (coordinators)",
        parameters=[INVITATION_PK],
        request=RecordedAnswerSerializer,
        responses={200: InvitationSerializer},
        tags=["cycle"],
    )
    def post(self, request: Request, pk: int) -> Response:
        invitation = (
            invitations_of(Invitation.objects)
            .filter(pk=pk, request__in=ExchangeRequest.objects.visible_to(request.user))
            .first()
        )
        if invitation is None:
            raise exceptions.NotFound
        recorded_answer_check_allowed(actor=request.user, invitation=invitation)
        data = self.validated(RecordedAnswerSerializer)
        invitation_answer(
            invitation_id=invitation.pk,
            accept=data["answer"] == "accept",
            note=data["note"],
            actor=request.user,
            channel=AnswerChannel.RECORDED,
        )
        return Response(InvitationSerializer(invitations_of(Invitation.objects).get(pk=invitation.pk)).data)


class RequestInvitationListView(ApiListView):
    """The experts asked for a request: seen by the coordination and the routed liaisons."""

    serializer_class = InvitationSerializer

    @extend_schema(summary="A request's invitations", parameters=[PK], tags=["cycle"])
    def get(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        if not can_see_routing(request.user, exchange):
            raise exceptions.PermissionDenied
        return self.list_page(invitations_of(exchange.invitations))

    @extend_schema(
        summary="Propose experts (of the suggestions) for a request",
        parameters=[PK],
        request=ProposeSerializer,
        responses={201: InvitationSerializer(many=True)},
        tags=["cycle"],
    )
    def post(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        proposing_check_allowed(actor=request.user, request=exchange)  # rules.may_propose_experts
        data = self.validated(ProposeSerializer)
        first, second = expert_suggestions(request=exchange)
        # The browser's form: only the experts it offers can be chosen.
        form = ProposeExpertsForm(
            {"experts": data["experts"], "message": data.get("message", "")},
            experts=[suggestion.expert for suggestion in first + second],
        )
        if not form.is_valid():
            raise invalid_form(form)
        invitations = invitations_propose(
            request=exchange,
            experts=form.cleaned_data["experts"].order_by("pk"),
            message=form.cleaned_data["message"],
            actor=request.user,
        )
        created = invitations_of(Invitation.objects).filter(pk__in=[i.pk for i in invitations]).order_by("pk")
        return Response(InvitationSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


class SuggestionsView(ApiView):
    serializer_class = SuggestionsSerializer
    pagination_class = None

    @extend_schema(summary="Experts ranked for a request, with reasons", parameters=[PK], tags=["cycle"])
    def get(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        # As the request page: suggestions only for those who propose, while proposing is open.
        proposing_check_allowed(actor=request.user, request=exchange)
        first, second = expert_suggestions(request=exchange)
        return Response(
            SuggestionsSerializer({"routed": first, "others": second}, context={"request": request}).data
        )


class MeetingView(ApiView):
    serializer_class = MeetingOutSerializer
    pagination_class = None

    @extend_schema(summary="Date and place of the exchange (with its ETag)", parameters=[PK], tags=["cycle"])
    def get(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        meeting = Meeting.objects.filter(request=exchange).select_related("city").first()
        if meeting is None:
            raise exceptions.NotFound
        return with_etag(Response(MeetingOutSerializer(meeting).data), meeting)

    @extend_schema(
        summary=(
            "Set or change date and place (requester or coordination); saving the first meeting schedules "
            "the request. If-Match: the meeting's ETag when changing it"
        ),
        parameters=[PK, IF_MATCH],
        request=MeetingSerializer,
        responses={200: MeetingOutSerializer},
        tags=["cycle"],
    )
    def put(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        meeting_check_allowed(actor=request.user, request=exchange)
        people = meeting_participant_choices(exchange)
        current = Meeting.objects.filter(request=exchange).first()
        expected = if_match_version(request, current) if current is not None else None
        serializer = MeetingSerializer(
            data=request.data,
            people=people,
            context={"request": request, "form_kwargs": {"people": people}},
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        meeting = meeting_schedule(
            request=exchange,
            actor=request.user,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            format=data["format"],
            city=data.get("city"),
            address=data.get("address", ""),
            video_link=data.get("video_link", ""),
            participants=data["participants"],
            travellers=data.get("travellers", []),
            expected_version=expected,
        )
        meeting.refresh_from_db()
        return with_etag(Response(MeetingOutSerializer(meeting).data), meeting)


class PastExchangeView(ApiView):
    serializer_class = RequestDetailSerializer

    @extend_schema(
        summary="Record an exchange that took place before it was entered (coordinators): held at once",
        parameters=[PK],
        request=PastExchangeSerializer,
        responses={200: RequestDetailSerializer},
        tags=["cycle"],
    )
    def post(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        past_exchange_check_allowed(actor=request.user, request=exchange)  # rules.may_record_past_exchange
        experts = past_exchange_experts(request=exchange)
        people = [exchange.requester, *(expert.user for expert in experts)]
        serializer = PastExchangeSerializer(
            data=request.data,
            people=people,
            context={
                "request": request,
                "form_class": PastExchangeForm,
                "form_kwargs": {"people": people, "experts": experts},
            },
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        chosen = [expert for expert in experts if expert.pk in set(data["experts"])]
        exchange_record_past(
            request=exchange,
            actor=request.user,
            experts=chosen,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            format=data["format"],
            city=data.get("city"),
            address=data.get("address", ""),
            video_link=data.get("video_link", ""),
            travellers=data.get("travellers", []),
            note=data["note"],
        )
        return detail(request, exchange)


class ReflectionListView(ApiView):
    """Reflections on a request (internal ones for the coordination side and their authors)."""

    serializer_class = ReflectionSerializer
    pagination_class = None

    @extend_schema(
        summary="A request's reflections",
        parameters=[PK],
        responses={200: ReflectionSerializer(many=True)},
        tags=["cycle"],
    )
    def get(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        reflections = visible_reflections(
            request.user, exchange, exchange.reflections.select_related("author", "request")
        )
        return Response(ReflectionSerializer(reflections, many=True).data)

    @extend_schema(
        summary="Write the reflection (requester: completes the request; accepted experts)",
        parameters=[PK],
        request=ReflectionSerializer,
        responses={201: ReflectionSerializer},
        tags=["cycle"],
    )
    def post(self, request: Request, pk: int) -> Response:
        exchange = request_get_for_user(user=request.user, pk=pk)
        reflection_check_allowed(author=request.user, request=exchange)  # rules.may_write_reflection
        data = self.validated(ReflectionSerializer)
        reflection = reflection_submit(request=exchange, author=request.user, data=data)
        return Response(ReflectionSerializer(reflection).data, status=status.HTTP_201_CREATED)


class KnowledgeBaseView(ApiListView):
    """Completed, public reflections of the whole network, newest first; German full-text search."""

    serializer_class = KnowledgeEntrySerializer
    cursor_ordering = ("-id",)

    @extend_schema(
        summary="Search the knowledge base", parameters=form_parameters(KnowledgeFilterForm), tags=["cycle"]
    )
    def get(self, request: Request) -> Response:
        filters = filters_from(KnowledgeFilterForm, request)
        return self.list_page(
            knowledge_base(
                text=filters.get("q") or "",
                topic=filters.get("topic"),
                city=filters.get("city"),
                year=filters.get("year"),
            )
        )
