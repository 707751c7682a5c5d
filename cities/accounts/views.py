"""Account pages that add to Django's own: the log-in page with single sign-on, the lock-out page, audited
password changes."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from cities.accounts.login_security import DELAY_ATTR, login_device_remember
from cities.accounts.sso import sso_enabled, sso_login_label
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent


class LoginView(auth_views.LoginView):
    """Django's log-in page; with single sign-on configured it offers the city account as well.

    A successful log-in marks the browser as one the person uses (exempt from the delay per account);
    an attempt the delay refused answers 429 with ``Retry-After`` (cities/services/login_security.py).
    """

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        login_device_remember(response, form.get_user().email)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        wait = getattr(self.request, DELAY_ATTR, 0)
        if wait:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if sso_enabled():
            url = reverse("oidc_authentication_init")
            next_url = self.get_redirect_url()  # "" unless a safe address on this site
            context["sso_login"] = {
                "url": f"{url}?{urlencode({'next': next_url})}" if next_url else url,
                "label": sso_login_label(),
            }
        return context


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The page django-axes shows instead of the log-in form once a name + address pair is locked."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(
        request,
        "registration/locked_out.html",
        {"cool_off_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class AuditedPasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            kind=AuditEvent.Kind.PASSWORD_CHANGED,
            actor=form.user,
            target=form.user,
            request=self.request,
            how="change",
        )
        return response


class AuditedPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            kind=AuditEvent.Kind.PASSWORD_CHANGED,
            actor=form.user,
            target=form.user,
            request=self.request,
            how="reset",
        )
        return response
