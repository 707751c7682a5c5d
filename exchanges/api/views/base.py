"""What every API view shares: the language of the answer, and small helpers to read input."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.response import Response

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def header_language(request: Request) -> str | None:
    """The first supported language the ``Accept-Language`` header names, if any."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        base = code.split("-")[0].lower()
        if base in SUPPORTED:
            return base
    return None


# No docstring on purpose: drf-spectacular would print it as every operation's description.
# Every API view answers in the language of Accept-Language (de or en), else the person's own, else German.
class ApiView(GenericAPIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.language_from_header = header_language(request)
        translation.activate(self.language_from_header or settings.LANGUAGE_CODE)
        super().initial(request, *args, **kwargs)

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        user = request.user
        if not self.language_from_header and user.is_authenticated and user.preferred_language in SUPPORTED:
            translation.activate(user.preferred_language)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language() or settings.LANGUAGE_CODE
        return response

    def validated(self, serializer_class: type, *, partial: bool = False, **context: Any) -> dict:
        """The request body validated by ``serializer_class`` (400 problem+json otherwise)."""
        serializer = serializer_class(
            data=self.request.data, partial=partial, context={"request": self.request, **context}
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def filters_from(form_class: type[forms.Form], request: Request, **kwargs: Any) -> dict:
    """The query parameters validated by the browser's own filter form: the same filters, the same rules.

    Numbers are read as machines write them (decimal point), whatever the answer's language; an
    invalid filter is a 400 with the field named (the browser ignores it instead).
    """
    with translation.override("en"):
        form = form_class(request.query_params, **kwargs)
        valid = form.is_valid()
    if not valid:
        raise invalid_form(form)
    return form.cleaned_data


def invalid_form(form: forms.Form) -> exceptions.ValidationError:
    """A browser form's errors as the API's 400, field by field."""
    return exceptions.ValidationError(
        {field: [str(message) for message in messages] for field, messages in form.errors.items()}
    )


class ApiListView(ListModelMixin, ApiView):
    # A list (ListModelMixin marks it so for the schema: many results, paginated by cursor).
    def list_page(self, queryset: Any) -> Response:
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer_class()(page, many=True, context={"request": self.request})
        return self.get_paginated_response(serializer.data)
