"""Log-in and password reset forms."""

from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cities.accounts.login_security import DELAY_ATTR
from cities.directory.models import User
from cities.mail.services import email_queue
from koopstadt.plain_text import render_plain, render_subject


class EmailAuthenticationForm(AuthenticationForm):
    """Log-in with e-mail address and password. The address typed is kept when log-in fails."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "The e-mail address or the password is not correct. Please check both and try again. "
            "The password is case-sensitive."
        ),
        "inactive": _("This account has been deactivated. Please contact the koopstadt coordination."),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            wait = getattr(self.request, DELAY_ATTR, 0) if self.request is not None else 0
            if not wait:
                raise
            raise forms.ValidationError(
                ngettext(
                    "There have been many failed log-ins with this e-mail address. For your protection, "
                    "please wait %(seconds)d second and then log in again.",
                    "There have been many failed log-ins with this e-mail address. For your protection, "
                    "please wait %(seconds)d seconds and then log in again.",
                    wait,
                )
                % {"seconds": wait},
                code="delayed",
            ) from None


class OutboxPasswordResetForm(PasswordResetForm):
    """Send the reset link through the e-mail outbox, in the recipient's own language.

    The link is built from ``SITE_URL`` like every other e-mail's, never from the request's Host header:
    a forged Host would otherwise send a genuine reset token to the forger's server.
    """

    def save(self, *args: Any, **kwargs: Any) -> None:
        site = urlsplit(settings.SITE_URL)
        kwargs["domain_override"] = site.netloc
        kwargs["use_https"] = site.scheme == "https"
        super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user: User = context["user"]
        context = {
            **context,
            "reset_url": settings.SITE_URL
            + reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}),
        }
        with translation.override(user.preferred_language):
            subject = render_subject(subject_template_name, context)
            body = render_plain(email_template_name, context)
        email_queue(
            key=f"password-reset:{user.pk}:{uuid4().hex}",
            to_address=to_email,
            subject=subject,
            body=body,
            recipient=user,
            sensitive=True,
        )
