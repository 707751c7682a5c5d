"""Small shapes every part of the API uses: a person, a city, a department, a topic."""

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cities.accounts.models import ApiToken


def field_check(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A serializer's ``validate_<field>`` made of the check the browser's form and the service ask
    (value → message, or None when it is fine): the same rule, the same message, the same field."""

    def validate(value: Any) -> Any:
        message = check(value)
        if message:
            raise serializers.ValidationError(message)
        return value

    return validate


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class CitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    federal_state = serializers.CharField()
    is_network_member = serializers.BooleanField()


class CityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    city = CityRefSerializer()
    topics = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_topics(self, department) -> list[int]:
        return [topic.pk for topic in department.topics.all()]


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    city = CityRefSerializer()


class TopicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The German name (the vocabulary's own language).")
    name_en = serializers.CharField(help_text="The English name; empty when none is kept.")
    slug = serializers.CharField()


class TopicSuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="topic.pk")
    slug = serializers.CharField(source="topic.slug")
    name = serializers.CharField(source="topic.name", help_text="The German name.")
    name_en = serializers.CharField(source="topic.name_en", help_text="The English name; empty when none.")
    score = serializers.IntegerField(help_text="Points: 3 for the topic's name, 2 for each keyword found.")
    words = serializers.ListField(
        child=serializers.CharField(), help_text="The words of the text that led to the topic, as written."
    )
    terms = serializers.ListField(
        child=serializers.CharField(), help_text="The topic's name, keywords or synonyms they matched."
    )


class TopicRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The German name (the vocabulary's own language).")
    name_en = serializers.CharField(help_text="The English name; empty when none is kept.")


class RequestRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    title = serializers.CharField()


class TokenInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    prefix = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField(), source="scope_list")
    expires_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    display_name = serializers.CharField()
    home_city = CityRefSerializer(allow_null=True)
    department = DepartmentRefSerializer(allow_null=True)
    roles = serializers.SerializerMethodField()
    preferred_language = serializers.CharField()
    authentication = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_roles(self, user) -> list[str]:
        return sorted(user.roles) + (["superuser"] if user.is_superuser else [])

    @extend_schema_field(serializers.ChoiceField(choices=["token", "session"]))
    def get_authentication(self, user) -> str:
        return "token" if isinstance(self.context["request"].auth, ApiToken) else "session"

    @extend_schema_field(TokenInfoSerializer(allow_null=True))
    def get_token(self, user) -> dict | None:
        token = self.context["request"].auth
        return TokenInfoSerializer(token).data if isinstance(token, ApiToken) else None
