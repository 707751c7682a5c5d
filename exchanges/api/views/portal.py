"""Who am I, and the master data other endpoints refer to by id (cities, departments, topics)."""

from django import forms
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from cities.directory.models import City, Department, Topic
from cities.directory.suggestions import MAX_TEXT, topic_suggestions
from exchanges.api.schema import form_parameters
from exchanges.api.serializers.common import (
    CitySerializer,
    DepartmentSerializer,
    MeSerializer,
    TopicSerializer,
    TopicSuggestionSerializer,
)
from exchanges.api.views.base import ApiListView, ApiView, filters_from
from koopstadt.formfields import ModelChoiceField


class MeView(ApiView):
    serializer_class = MeSerializer
    pagination_class = None

    @extend_schema(
        summary="The person the token (or session) acts as, with roles and scopes", tags=["portal"]
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user, context={"request": request}).data)


class CityListView(ApiListView):
    serializer_class = CitySerializer

    @extend_schema(summary="Active cities", tags=["master data"])
    def get(self, request: Request) -> Response:
        return self.list_page(City.objects.active())


class DepartmentFilterForm(forms.Form):
    city = ModelChoiceField(label=gettext_lazy("City"), queryset=City.objects.all(), required=False)


class DepartmentListView(ApiListView):
    serializer_class = DepartmentSerializer

    @extend_schema(
        summary="Active departments (optionally of one city)",
        parameters=form_parameters(DepartmentFilterForm),
        tags=["master data"],
    )
    def get(self, request: Request) -> Response:
        filters = filters_from(DepartmentFilterForm, request)
        departments = Department.objects.active().select_related("city").prefetch_related("topics")
        if filters.get("city"):
            departments = departments.filter(city=filters["city"])
        return self.list_page(departments)


class TopicListView(ApiListView):
    serializer_class = TopicSerializer

    @extend_schema(summary="Active topics", tags=["master data"])
    def get(self, request: Request) -> Response:
        return self.list_page(Topic.objects.active())


class TopicSuggestForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("The text: a request's title and need"), max_length=MAX_TEXT, strip=True
    )


class TopicSuggestView(ApiView):
    serializer_class = TopicSuggestionSerializer
    pagination_class = None

    @extend_schema(
        summary="The topics a text is about, best first, with the points and the words that led to them",
        description=(
            "What the request form suggests while a request is written: each active topic whose name, "
            "keywords or synonyms occur in the text (German stems, also as a part of a compound), with "
            "its points and the words of the text found. At most three; none for a text without a "
            "topic's term."
        ),
        parameters=form_parameters(TopicSuggestForm),
        responses=TopicSuggestionSerializer(many=True),
        tags=["master data"],
    )
    def get(self, request: Request) -> Response:
        filters = filters_from(TopicSuggestForm, request)
        suggestions = topic_suggestions(filters["text"])
        return Response(TopicSuggestionSerializer(suggestions, many=True).data)
