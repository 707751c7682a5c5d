"""Small security middlewares: body size limit, Permissions-Policy, session expiry, acting user."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from koopstadt.acting_user import acting_as

log = logging.getLogger("koopstadt.security")

Handler = Callable[[HttpRequest], HttpResponse]

# Session keys: when the person logged in and when a request of theirs was last seen (epoch seconds).
LOGIN_AT = "_koopstadt_login_at"
SEEN_AT = "_koopstadt_seen_at"
# The last-seen time is written at most this often, so most requests leave the session untouched.
SEEN_RESOLUTION_SECONDS = 60


def too_large_page() -> HttpResponse:
    """The portal's own page for a body that is too large (413), in the active language (German)."""
    html = render_to_string(
        "413.html",
        {
            "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            "portal_name": settings.PORTAL_NAME,
        },
        request=None,
    )
    return HttpResponse(html, status=413)


def too_large_problem(path: str) -> JsonResponse:
    """The API's answer to a body that is too large: problem+json, as every API error (docs/api.md)."""
    return JsonResponse(
        {
            "type": f"{settings.SITE_URL}/api/problems/payload-too-large",
            "title": _("Request body too large."),
            "status": 413,
            "detail": _("A request body may be at most %(limit)s, and a file at most %(file_limit)s.")
            % {
                "limit": filesizeformat(settings.REQUEST_BODY_MAX_BYTES),
                "file_limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
            "instance": path,
            "errors": [],
        },
        status=413,
        content_type="application/problem+json",
    )


class RequestBodyLimitMiddleware:
    """Answer 413 to a request whose declared body is larger than ``REQUEST_BODY_MAX_BYTES``.

    Runs before anything reads the body, so an oversized upload is never read or stored. The web
    server in front refuses such bodies first (nginx ``client_max_body_size``, docs/settings.md) and
    shows this same page (``too_large``). No ``Connection: close``: a WSGI application must not set
    hop-by-hop headers (Django's development server answered it with a bare English "A server error
    occurred"); the servers finish the unread body themselves.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_BODY_MAX_BYTES
        if length > limit:
            log.warning("Refused a request body of %d bytes to %s", length, request.path)
            if request.path.startswith("/api/"):
                return too_large_problem(request.path)
            return too_large_page()
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Switch off browser features the portal never uses (camera, microphone, location …)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def _now() -> int:
    return int(time.time())


def session_start(request: HttpRequest) -> None:
    """Mark the session as just logged in (called on every log-in)."""
    now = _now()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


class SessionExpiryMiddleware:
    """End a log-in after ``SESSION_IDLE_SECONDS`` without a request or ``SESSION_ABSOLUTE_SECONDS`` after it began.

    Also ends the session of a person who has been deactivated meanwhile. The person is sent to the
    log-in page with a message; after logging in again they return to the page they asked for.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = self._reason_to_end(request)
            if reason:
                return self._end(request, reason)
        return self.get_response(request)

    @staticmethod
    def _reason_to_end(request: HttpRequest) -> str:
        if not request.user.is_active:
            return "inactive"
        session = request.session
        now = _now()
        login_at = session.get(LOGIN_AT)
        seen_at = session.get(SEEN_AT)
        if not isinstance(login_at, int) or not isinstance(seen_at, int):
            # A session from before these keys existed: start counting now.
            session_start(request)
            return ""
        if now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
            return "absolute"
        if now - seen_at > settings.SESSION_IDLE_SECONDS:
            return "idle"
        if now - seen_at >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_AT] = now
        return ""

    @staticmethod
    def _end(request: HttpRequest, reason: str) -> HttpResponse:
        log.info("Session of user %s ended (%s)", request.user.pk, reason)
        request.koopstadt_logout_reason = reason
        logout(request)
        if reason == "inactive":
            messages.error(
                request, _("This account has been deactivated. Please contact the koopstadt coordination.")
            )
        else:
            messages.info(request, _("Your session has ended for your security. Please log in again."))
        next_url = (
            request.get_full_path() if request.method == "GET" else resolve_url(settings.LOGIN_REDIRECT_URL)
        )
        return redirect_to_login(next_url)


class ActingUserMiddleware:
    """Make the logged-in person available to audit records written by signal handlers."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(getattr(request, "user", None), request):
            return self.get_response(request)
