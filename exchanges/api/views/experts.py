"""The expert pool: the directory's filters for everyone signed in; changes for coordinators."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from cities.directory.forms import ExpertFilterForm
from cities.directory.models import ExpertProfile
from cities.directory.selectors import expert_pool, expert_search
from cities.directory.services.experts import UNCHANGED, expert_profile_update
from exchanges.api.schema import form_parameters
from exchanges.api.serializers.cycle import ExpertSerializer, ExpertUpdateSerializer
from exchanges.api.versions import if_match_version, with_etag
from exchanges.api.views.base import ApiListView, ApiView, filters_from
from exchanges.api.views.requests import IF_MATCH

PK = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="id of the expert profile")


def expert_get(pk: int) -> ExpertProfile:
    """As on the profile page: active experts only, 404 otherwise."""
    expert = expert_pool().filter(pk=pk).first()
    if expert is None:
        raise exceptions.NotFound
    return expert


class ExpertListView(ApiListView):
    """The expert pool with the directory's filters (the department filter needs its city)."""

    serializer_class = ExpertSerializer

    @extend_schema(
        summary="Search the expert pool", parameters=form_parameters(ExpertFilterForm), tags=["experts"]
    )
    def get(self, request: Request) -> Response:
        filters = filters_from(ExpertFilterForm, request)
        experts = expert_search(filters)
        return self.list_page(experts)


class ExpertDetailView(ApiView):
    serializer_class = ExpertSerializer

    @extend_schema(summary="An expert's profile (with its ETag)", parameters=[PK], tags=["experts"])
    def get(self, request: Request, pk: int) -> Response:
        expert = expert_get(pk)
        return with_etag(Response(ExpertSerializer(expert, context={"request": request}).data), expert)

    @extend_schema(
        summary="Change an expert's department, topics or availability (coordinators); If-Match: its ETag",
        parameters=[PK, IF_MATCH],
        request=ExpertUpdateSerializer,
        responses={200: ExpertSerializer},
        tags=["experts"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        expert = expert_get(pk)
        if not request.user.has_perm("cities.change_expert_pool"):
            raise exceptions.PermissionDenied
        expected = if_match_version(request, expert)
        data = dict(self.validated(ExpertUpdateSerializer, partial=True))
        topics = data.pop("topics", None)
        department = data.pop("department", UNCHANGED)
        expert_profile_update(
            expert=expert,
            actor=request.user,
            data=data,
            department=department,
            topics=None if topics is None else [(item["topic"], item["level"]) for item in topics],
            expected_version=expected,
        )
        expert = expert_get(pk)
        return with_etag(Response(ExpertSerializer(expert, context={"request": request}).data), expert)
