"""Single sign-on pages: send the person to the city's identity provider and take its answer back.

Thin subclasses of mozilla-django-oidc's views. They answer 404 while single sign-on is off (checked per
request), mark the request as a single sign-on (for the audit and django-axes) and turn every failure into
a message on the log-in page instead of an error page. The rules live in ``cities.accounts.sso``.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from cities.accounts import sso

_UNKNOWN_STATE = "unknown_state"


def _require_sso(request: HttpRequest) -> None:
    if not sso.sso_enabled():
        raise Http404("Single sign-on is not configured")
    setattr(request, sso.LOGIN_METHOD_ATTR, sso.LOGIN_METHOD)


class SsoStartView(OIDCAuthenticationRequestView):
    """Redirect to the provider's authorisation endpoint, with state, nonce and PKCE kept in the session."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require_sso(request)
        return super().dispatch(request, *args, **kwargs)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """Take the provider's answer: log the person in (PortalOIDCBackend) or tell them why not."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require_sso(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except SuspiciousOperation:
            # A state this session did not start (a repeated or forged answer): a message, not a 400 page.
            setattr(
                request, sso.FAILURE_ATTR, sso.SsoRefused(sso.Refusal.PROVIDER_ERROR, error=_UNKNOWN_STATE)
            )
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        request = self.request
        failure = getattr(request, sso.FAILURE_ATTR, None)
        # A bare visit of the callback address attempted nothing and is not audited.
        attempted = failure is not None or "code" in request.GET or "error" in request.GET
        if failure is None:
            # The provider answered with an error, or with a code for a log-in this session never started.
            error = request.GET.get("error", "")[:100] or _UNKNOWN_STATE
            failure = sso.SsoRefused(sso.Refusal.PROVIDER_ERROR, error=error)
        if attempted:
            sso.sso_failure_record(
                request=request,
                reason=failure.reason,
                email=failure.email,
                user=failure.user,
                **failure.details,
            )
        messages.error(request, failure.message)
        return redirect("login")
