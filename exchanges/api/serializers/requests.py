"""C+R requests: list and detail shapes, the draft input (as the browser's RequestForm checks it), steps."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cities.directory.models import City, Department, Topic
from exchanges.api.serializers.common import (
    CityRefSerializer,
    DepartmentRefSerializer,
    PersonSerializer,
    TopicRefSerializer,
    field_check,
)
from exchanges.cycle.facts import estimated_costs_error, request_period_errors, travellers_error
from exchanges.cycle.models import Direction, Format, Occasion, Status
from exchanges.cycle.rules import available_transitions, can_edit_request, may_claim, may_set_meeting
from exchanges.cycle.workflow import TRANSITIONS


class RequestListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    requester = PersonSerializer()
    requester_city = CityRefSerializer()
    assignee = PersonSerializer(allow_null=True)
    topics = TopicRefSerializer(many=True, source="topics.all")
    submitted_at = serializers.DateTimeField(allow_null=True)
    contact_due_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class RequestDetailSerializer(RequestListSerializer):
    requester_department = DepartmentRefSerializer(allow_null=True)
    need = serializers.CharField(allow_blank=True)
    occasion = serializers.CharField(allow_blank=True)
    occasion_date = serializers.DateField(allow_null=True)
    preferred_format = serializers.CharField(allow_blank=True)
    direction = serializers.CharField(allow_blank=True)
    preferred_partner_cities = CityRefSerializer(many=True, source="preferred_partner_cities.all")
    include_own_city = serializers.BooleanField()
    earliest_date = serializers.DateField(allow_null=True)
    latest_date = serializers.DateField(allow_null=True)
    travellers = serializers.IntegerField(allow_null=True)
    estimated_costs = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    status_changed_at = serializers.DateTimeField(allow_null=True)
    next_step = serializers.CharField()
    attachments = AttachmentSerializer(many=True, source="attachments.all")
    actions = serializers.SerializerMethodField(
        help_text="The steps the caller may take now (POST .../actions/<action>/)."
    )
    may_edit = serializers.SerializerMethodField()
    may_set_meeting = serializers.SerializerMethodField(help_text="PUT …/meeting/ is allowed now.")
    may_claim = serializers.SerializerMethodField(help_text="The caller may claim travel costs for it.")
    version = serializers.IntegerField(help_text="Also in the ETag header; send it back in If-Match.")

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(TRANSITIONS))))
    def get_actions(self, request) -> list[str]:
        return [t.action for t in available_transitions(self.context["request"].user, request)]

    def get_may_edit(self, request) -> bool:
        return bool(can_edit_request(self.context["request"].user, request))

    def get_may_set_meeting(self, request) -> bool:
        return may_set_meeting(self.context["request"].user, request)

    def get_may_claim(self, request) -> bool:
        return may_claim(self.context["request"].user, request)


class RequestDraftSerializer(serializers.Serializer):
    """What a requester fills in, checked as the browser's ``RequestForm`` checks it."""

    title = serializers.CharField(max_length=200)
    need = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    occasion = serializers.ChoiceField(choices=Occasion.choices, required=False, allow_blank=True)
    occasion_date = serializers.DateField(required=False, allow_null=True)
    preferred_format = serializers.ChoiceField(choices=Format.choices, required=False, allow_blank=True)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False, allow_blank=True)
    include_own_city = serializers.BooleanField(required=False)
    earliest_date = serializers.DateField(required=False, allow_null=True)
    latest_date = serializers.DateField(required=False, allow_null=True)
    travellers = serializers.IntegerField(required=False, allow_null=True)
    estimated_costs = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, allow_null=True
    )
    topics = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Topic.objects.active())
    preferred_partner_cities = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=City.objects.network_members()
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # As in the form: partner cities are the network's other cities.
            self.fields[
                "preferred_partner_cities"
            ].child_relation.queryset = City.objects.network_members().exclude(pk=request.user.home_city_id)

    # The browser form's checks (exchanges.cycle.facts), field by field: the same rules, the same messages.
    validate_travellers = staticmethod(field_check(travellers_error))
    validate_estimated_costs = staticmethod(field_check(estimated_costs_error))

    def validate(self, data: dict) -> dict:
        errors = request_period_errors(data, today=timezone.localdate())
        if errors:
            raise serializers.ValidationError(errors)
        return data


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    expected_status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text="The status the caller saw; if the request has changed since, nothing is done (409).",
    )


class TimelineEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    actor = PersonSerializer(allow_null=True)
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    is_public = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author = PersonSerializer(allow_null=True, read_only=True)
    body = serializers.CharField(max_length=10000)
    is_internal = serializers.BooleanField(required=False, default=False)
    created_at = serializers.DateTimeField(read_only=True)


class RoutingDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    department = DepartmentRefSerializer()
    score = serializers.IntegerField()
    rank = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    is_routed = serializers.BooleanField()
    source = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField()


class RoutingCorrectionSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.active())
    routed = serializers.BooleanField(
        help_text="true: route the request to the department; false: remove it."
    )
    note = serializers.CharField(max_length=2000, help_text="Why the routing is corrected.")
    term = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Only when adding: a term routing counts for this department from now on.",
    )
