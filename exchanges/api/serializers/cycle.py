"""The cycle after routing: experts, invitations, the meeting, reflections and the knowledge base."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cities.directory.models import City, Department, ExpertTopic, Topic, User
from exchanges.api.serializers.common import (
    CityRefSerializer,
    DepartmentRefSerializer,
    PersonSerializer,
    RequestRefSerializer,
    TopicRefSerializer,
)
from exchanges.cycle.forms import MeetingForm
from exchanges.cycle.models import Format, InvitationStatus, Reflection


class ExpertTopicSerializer(serializers.Serializer):
    topic = TopicRefSerializer()
    level = serializers.IntegerField()


class ExpertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(source="user.display_name")
    position = serializers.CharField(allow_blank=True)
    experience = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField(), source="language_list")
    is_available = serializers.BooleanField()
    availability_note = serializers.CharField(allow_blank=True)
    max_exchanges_per_year = serializers.IntegerField()
    city = CityRefSerializer(source="user.home_city", allow_null=True)
    department = DepartmentRefSerializer(source="user.department", allow_null=True)
    topics = ExpertTopicSerializer(many=True, source="expert_topics.all")
    email = serializers.SerializerMethodField(help_text="Only for coordinators, city contacts and liaisons.")
    phone = serializers.SerializerMethodField(help_text="Only for coordinators, city contacts and liaisons.")

    def _contact(self, value: str) -> str | None:
        user = self.context["request"].user
        return value if user.has_perm("cities.view_expert_contact") else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_email(self, expert) -> str | None:
        return self._contact(expert.user.email)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phone(self, expert) -> str | None:
        return self._contact(expert.user.phone)


class ExpertTopicInputSerializer(serializers.Serializer):
    topic = serializers.PrimaryKeyRelatedField(queryset=Topic.objects.active())
    level = serializers.ChoiceField(choices=ExpertTopic.Level.choices)


class ExpertUpdateSerializer(serializers.Serializer):
    """What an HR system keeps current (coordinators' tokens): department, topics, availability."""

    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.active(),
        required=False,
        help_text="A department of the expert's home city.",
    )
    topics = ExpertTopicInputSerializer(
        many=True, required=False, help_text="Replaces all topics; each topic once (checked by the service)."
    )
    position = serializers.CharField(max_length=200, required=False, allow_blank=True)
    experience = serializers.CharField(max_length=20000, required=False)
    languages = serializers.CharField(max_length=200, required=False)
    is_available = serializers.BooleanField(required=False)
    availability_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    max_exchanges_per_year = serializers.IntegerField(min_value=1, max_value=52, required=False)


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    request = RequestRefSerializer()
    expert = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=InvitationStatus.choices)
    message = serializers.CharField(allow_blank=True)
    answer_note = serializers.CharField(allow_blank=True)
    proposed_by = PersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answer_channel = serializers.CharField(allow_blank=True)
    answered_by = PersonSerializer(allow_null=True)

    @extend_schema_field(PersonSerializer)
    def get_expert(self, invitation) -> dict:
        return {"id": invitation.expert_id, "display_name": invitation.expert.user.display_name}


class InvitationAnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ProposeSerializer(serializers.Serializer):
    experts = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=50,
        help_text="ids of experts suggested for the request",
    )
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class SuggestionSerializer(serializers.Serializer):
    expert = ExpertSerializer()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class SuggestionsSerializer(serializers.Serializer):
    routed = SuggestionSerializer(
        many=True, help_text="Experts of the departments the request was routed to."
    )
    others = SuggestionSerializer(many=True, help_text="The rest of the pool with fitting topics.")


class MeetingSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    format = serializers.ChoiceField(choices=Format.choices)
    city = serializers.PrimaryKeyRelatedField(queryset=City.objects.active(), required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    video_link = serializers.URLField(max_length=200, required=False, allow_blank=True, default="")
    participants = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.none())
    travellers = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.none(), required=False)

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        queryset = User.objects.filter(pk__in=[person.pk for person in people])
        for name in ("participants", "travellers"):
            if name in self.fields:
                self.fields[name].child_relation.queryset = queryset

    def validate(self, data: dict) -> dict:
        """Checked by the browser's own form (``MeetingForm``, or ``PastExchangeForm``): one set of rules."""
        form_class = self.context.get("form_class", MeetingForm)

        def as_input(value):
            if isinstance(value, list | tuple):
                return [getattr(item, "pk", item) for item in value]
            return "" if value is None else getattr(value, "pk", value)

        form = form_class(
            {name: as_input(value) for name, value in data.items()}, **self.context.get("form_kwargs", {})
        )
        if not form.is_valid():
            errors = {name: list(messages) for name, messages in form.errors.items() if name in self.fields}
            other = [
                message
                for name, messages in form.errors.items()
                if name not in self.fields
                for message in messages
            ]
            if other:
                errors["non_field_errors"] = other
            raise serializers.ValidationError(errors)
        return data


class PastExchangeSerializer(MeetingSerializer):
    """The coordination records an exchange that took place before it was entered in the portal."""

    experts = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=50,
        help_text="ids of experts (those asked, of the routed departments or of the request's topics)",
    )
    note = serializers.CharField(max_length=5000, help_text="How the coordination knows it took place.")
    participants = None  # the requester and the chosen experts


class RecordedAnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])
    note = serializers.CharField(max_length=5000, help_text="How and when the expert answered.")


class MeetingOutSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    format = serializers.CharField()
    city = CityRefSerializer(allow_null=True)
    address = serializers.CharField(allow_blank=True)
    video_link = serializers.CharField(allow_blank=True)
    participants = PersonSerializer(many=True, source="participants.all")
    travellers = PersonSerializer(many=True, source="travellers.all")
    is_cancelled = serializers.BooleanField()
    sequence = serializers.IntegerField()
    version = serializers.IntegerField()


class ReflectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    request = RequestRefSerializer(read_only=True)
    author = PersonSerializer(allow_null=True, read_only=True)
    side = serializers.ChoiceField(choices=Reflection.Side.choices, read_only=True)
    takeaway = serializers.CharField(max_length=200)
    question = serializers.CharField(max_length=20000)
    learnt = serializers.CharField(max_length=20000)
    worked = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    did_not_work = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    follow_ups = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    would_recommend = serializers.BooleanField(required=False, default=True)
    is_internal = serializers.BooleanField(required=False, default=False)
    created_at = serializers.DateTimeField(read_only=True)


class KnowledgeEntrySerializer(ReflectionSerializer):
    requester_city = CityRefSerializer(source="request.requester_city", read_only=True)
    topics = TopicRefSerializer(many=True, source="request.topics.all", read_only=True)
