"""Every error of the API as RFC 9457 problem details (``application/problem+json``), in the request's language.

    {"type": ".../problems/conflict", "title": "...", "status": 409, "detail": "...",
     "instance": "/api/v1/requests/7/actions/accept/", "errors": [{"field": "comment", "message": "..."}]}

``errors`` names each field a message concerns (``null`` for the request as a whole). The services'
``DomainError`` becomes 400 (a rule refused the input); its ``TransitionNotAllowed`` becomes 409 (not
possible in the object's current state), or 400 where it names a field; ``NotPermitted`` (refused for
who is acting: role, four-eyes principle) becomes 403; ``StaleVersion`` (If-Match named an older version)
becomes 412.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from koopstadt.errors import DomainError, NotPermitted, StaleVersion, TransitionNotAllowed

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    """If-Match named an older version than the one stored (``StaleVersion``): nothing was changed."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def problem_type(slug: str) -> str:
    return f"{settings.SITE_URL}/api/problems/{slug}"


def _titles() -> dict[str, str]:
    # DRF's own messages where they fit (their German comes with DRF); the rest are the portal's.
    return {
        "validation-error": _("Invalid input."),
        "parse-error": _("Malformed request."),
        "rule-violation": _("A rule of the portal refuses this request."),
        "conflict": _("Not possible in the current state."),
        "precondition-failed": _("Changed in the meantime."),
        "not-authenticated": _("Authentication credentials were not provided."),
        "authentication-failed": _("Incorrect authentication credentials."),
        "permission-denied": _("You do not have permission to perform this action."),
        "not-found": _("Not found."),
        "method-not-allowed": _("Method not allowed."),
        "not-acceptable": _("Could not satisfy the request Accept header."),
        "unsupported-media-type": _("Unsupported media type."),
        "throttled": _("Request was throttled."),
    }


SLUGS: list[tuple[type[Exception], str]] = [
    (exceptions.ValidationError, "validation-error"),
    (exceptions.ParseError, "parse-error"),
    (exceptions.NotAuthenticated, "not-authenticated"),
    (exceptions.AuthenticationFailed, "authentication-failed"),
    (exceptions.PermissionDenied, "permission-denied"),
    (exceptions.NotFound, "not-found"),
    (exceptions.MethodNotAllowed, "method-not-allowed"),
    (exceptions.NotAcceptable, "not-acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported-media-type"),
    (exceptions.Throttled, "throttled"),
    (Conflict, "conflict"),
    (PreconditionFailed, "precondition-failed"),
]


def field_errors(detail: Any, field: str | None = None) -> list[dict[str, str | None]]:
    """Flatten DRF's nested error detail into ``[{"field": "items.0.amount", "message": "..."}]``."""
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = None if key in {"non_field_errors", "__all__", None} else str(key)
            errors += field_errors(value, f"{field}.{name}" if field and name else (name or field))
        return errors
    if isinstance(detail, list | tuple):
        errors = []
        for index, value in enumerate(detail):
            nested = isinstance(value, dict | list | tuple)
            errors += field_errors(value, f"{field}.{index}" if nested and field else field)
        return errors
    return [{"field": field, "message": str(detail)}]


def _from_django(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {field or "non_field_errors": messages for field, messages in error.message_dict.items()}
        )
    return exceptions.ValidationError({"non_field_errors": error.messages})


def _translate(exc: Exception) -> Exception:
    """The project's and Django's exceptions as DRF exceptions with the right status."""
    if isinstance(exc, DjangoValidationError):
        return _from_django(exc)
    if isinstance(exc, StaleVersion):
        return PreconditionFailed(exc.message)
    if isinstance(exc, NotPermitted):
        return exceptions.PermissionDenied(exc.message)
    if isinstance(exc, TransitionNotAllowed) and not exc.field:
        return Conflict(exc.message)
    if isinstance(exc, DomainError):
        error = exceptions.ValidationError({exc.field or "non_field_errors": [exc.message]})
        error.problem_slug = "rule-violation"
        error.problem_detail = exc.message
        return error
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: a 500, logged and reported as any other
    slug = getattr(exc, "problem_slug", None) or next(
        (slug for cls, slug in SLUGS if isinstance(exc, cls)), "about:blank"
    )
    request = context.get("request")
    errors: list[dict[str, str | None]] = []
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        detail = getattr(exc, "problem_detail", None) or " ".join(str(error["message"]) for error in errors)
    else:
        detail = str(getattr(exc, "detail", "") or "")
    title = _titles().get(slug) if slug != "about:blank" else None
    problem = {
        "type": problem_type(slug) if slug != "about:blank" else "about:blank",
        "title": title or response.status_text,
        "status": response.status_code,
        "detail": detail,
        "instance": request.path if request is not None else "",
        "errors": errors,
    }
    headers = {
        name: value
        for name, value in response.items()
        if name.lower() in {"www-authenticate", "retry-after", "allow"}
    }
    return Response(problem, status=response.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
