"""OpenAPI details: every operation documents its problem+json errors; filter forms become query parameters."""

from django import forms
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from exchanges.api.errors import PROBLEM_CONTENT_TYPE


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The input field concerned; null for the whole request."
    )
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="A URI naming the kind of problem, or about:blank.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(allow_blank=True)
    instance = serializers.CharField(allow_blank=True)
    errors = ProblemFieldErrorSerializer(many=True)


SAFE_ERRORS = ("400", "401", "403", "404", "429")
UNSAFE_ERRORS = (*SAFE_ERRORS, "409", "415")


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = SAFE_ERRORS if self.method in {"GET", "HEAD", "OPTIONS"} else UNSAFE_ERRORS
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ProblemSerializer, code, [PROBLEM_CONTENT_TYPE], direction
                )
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "exchanges.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "kst_<prefix>_<secret>",
            "description": "A token issued by an administrator (docs/api.md).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "exchanges.api.authentication.CsrfSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


def form_parameters(form_class: type[forms.Form], *, exclude: tuple[str, ...] = ()) -> list[OpenApiParameter]:
    """The fields of a GET filter form as query parameters, so the API documents the very same filters."""
    parameters = []
    for name, field in form_class.base_fields.items():
        if name in exclude:
            continue
        extra: dict = {}
        kind: object
        if isinstance(field, forms.ModelChoiceField):
            kind = OpenApiTypes.INT
            description = f"id: {field.label}"
        elif isinstance(field, forms.ChoiceField):
            kind = OpenApiTypes.STR
            extra["enum"] = [str(value) for value, _label in field.choices if str(value) != ""]
            description = str(field.label)
        elif isinstance(field, forms.IntegerField):
            kind = {"type": "integer"}
            if field.min_value is not None:
                kind["minimum"] = field.min_value
            if field.max_value is not None:
                kind["maximum"] = field.max_value
            description = str(field.label)
        elif isinstance(field, forms.BooleanField):
            kind = OpenApiTypes.BOOL
            description = str(field.label)
        elif isinstance(field, forms.DecimalField):
            kind = OpenApiTypes.DECIMAL
            extra["pattern"] = r"^\d{1,7}(\.\d{1,2})?$"
            description = str(field.label)
        else:
            kind = OpenApiTypes.STR
            description = str(field.label)
        parameters.append(
            OpenApiParameter(
                name, kind, OpenApiParameter.QUERY, required=False, description=description, **extra
            )
        )
    return parameters
