"""Account pages that add security behaviour to Django's own: the lock-out page, audited password changes."""

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cities.models import AuditEvent
from cities.services.audit import audit_record


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
