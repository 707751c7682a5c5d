"""Log-in security: the name django-axes counts failures under, and the audit of log-ins.

Failed log-ins and lock-outs go to the Python log (logger ``koopstadt.security``) and to the audit
log; single sign-ons are audited with their method (``cities.services.sso``). Receivers are connected
in ``cities.apps.CitiesConfig.ready``.
"""

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cities.models import AuditEvent, User
from cities.services.audit import audit_record, client_ip
from cities.services.sso import LOGIN_DETAILS_ATTR, sso_is_request

log = logging.getLogger("koopstadt.security")

# Keep what is stored of a typed name short: it may be anything an attacker sends.
_MAX_NAME = 254


def login_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str:
    """The e-mail address as typed, compared without regard to case or surrounding spaces."""
    source: Any = credentials or (request.POST if request is not None else {})
    name = source.get(getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")) or source.get("username")
    return str(name or "").strip().lower()[:_MAX_NAME]


def _known_user(name: str) -> User | None:
    if not name:
        return None
    return User.objects.filter(email__iexact=name).first()


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    from koopstadt.security_middleware import session_start

    if request is not None and hasattr(request, "session"):
        session_start(request)
    # A single sign-on adds its method and outcome (cities.services.sso).
    details = getattr(request, LOGIN_DETAILS_ATTR, None) or {}
    audit_record(kind=AuditEvent.Kind.LOGIN, actor=user, target=user, request=request, **details)


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if sso_is_request(request):
        # The single sign-on views audit their failures with the reason (cities.services.sso).
        return
    name = login_username(None, credentials)
    user = _known_user(name)
    locked = bool(request is not None and getattr(request, "axes_locked_out", False))
    log.warning(
        "Failed log-in for %r from %s%s", name, client_ip(request) or "?", " (locked out)" if locked else ""
    )
    details: dict[str, Any] = {"locked_out": locked}
    if user is None:
        details["username"] = name
    audit_record(kind=AuditEvent.Kind.LOGIN_FAILED, actor=user, target=user, request=request, **details)


def on_user_locked_out(
    sender: Any, request: HttpRequest | None, username: str, ip_address: str | None, **kwargs: Any
) -> None:
    """Record the moment a name + address pair is locked; attempts during the lock-out are failed log-ins."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures > settings.AXES_FAILURE_LIMIT:
        return
    user = _known_user(username)
    log.warning("Log-in locked for %r from %s after %s failures", username, ip_address, failures)
    details: dict[str, Any] = {
        "failures": failures,
        "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    if user is None:
        details["username"] = username
    audit_record(kind=AuditEvent.Kind.LOCKOUT, actor=user, target=user, request=request, **details)


def on_user_logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, "koopstadt_logout_reason", "") if request is not None else ""
    details = {"reason": reason} if reason else {}
    audit_record(kind=AuditEvent.Kind.LOGOUT, actor=user, target=user, request=request, **details)
