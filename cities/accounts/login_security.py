"""Log-in security: the name django-axes counts failures under, the delay per account, and the audit of
log-ins.

Two brakes on guessing passwords, neither of which lets someone elsewhere keep a person out:

- django-axes locks an e-mail address **from one IP address** after ``LOGIN_FAILURE_LIMIT`` failures
  (the client's real address, also behind the proxy: ``koopstadt.client_address``).
- A **growing delay per account**, whatever the address: after ``LOGIN_DELAY_AFTER`` failures within
  ``LOGIN_DELAY_WINDOW_MINUTES`` the next attempt must wait 1 s after the last failure, then 2, 4 …
  up to ``LOGIN_DELAY_MAX_SECONDS`` (one attempt per wait, even when many arrive at once). An attempt
  that comes too early is refused without looking at the password, and does not count. Browsers the
  person has logged in with before carry a signed cookie and are not delayed (OWASP's "device
  cookies"), so guessing from elsewhere slows down the guesser, not the person. The counts live in the
  cache: shared by all web processes only when the cache is Redis (``CACHE_URL``, checked by
  ``manage.py check --deploy``).

Failed log-ins and lock-outs go to the Python log (logger ``koopstadt.security``) and to the audit
log; single sign-ons are audited with their method (``cities.accounts.sso``). Receivers are connected
in ``cities.apps.CitiesConfig.ready``.
"""

import hashlib
import logging
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.signing import BadSignature
from django.http import HttpRequest, HttpResponse

from cities.accounts.sso import LOGIN_DETAILS_ATTR, sso_is_request
from cities.directory.models import User
from cities.operations.audit import audit_record, client_ip
from cities.operations.models import AuditEvent
from koopstadt.security_middleware import session_start

log = logging.getLogger("koopstadt.security")

# Keep what is stored of a typed name short: it may be anything an attacker sends.
_MAX_NAME = 254


def login_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str:
    """The e-mail address as typed, compared without regard to case or surrounding spaces."""
    source: Any = credentials or (request.POST if request is not None else {})
    name = source.get(getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")) or source.get("username")
    return str(name or "").strip().lower()[:_MAX_NAME]


# --- the delay per account ---------------------------------------------------------------------------
# Set on the request when the delay refused an attempt: the seconds to wait.
DELAY_ATTR = "koopstadt_login_delay"
_DEVICE_SALT = "koopstadt.login-device"


def _name_digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _delay_key(name: str) -> str:
    return f"login-delay:{_name_digest(name)}"


def login_device_remember(response: HttpResponse, name: str) -> None:
    """After a successful log-in: mark this browser as one the person uses (a signed, opaque cookie)."""
    days = settings.LOGIN_DEVICE_COOKIE_DAYS
    response.set_signed_cookie(
        settings.LOGIN_DEVICE_COOKIE_NAME,
        _name_digest(login_username(None, {"username": name}))[:32],
        salt=_DEVICE_SALT,
        max_age=days * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _known_device(request: HttpRequest, name: str) -> bool:
    try:
        value = request.get_signed_cookie(
            settings.LOGIN_DEVICE_COOKIE_NAME,
            salt=_DEVICE_SALT,
            max_age=settings.LOGIN_DEVICE_COOKIE_DAYS * 24 * 60 * 60,
        )
    except (KeyError, BadSignature):
        return False
    return value == _name_digest(name)[:32]


def _delay_seconds(failures: int) -> int:
    return int(min(2 ** (failures - settings.LOGIN_DELAY_AFTER), settings.LOGIN_DELAY_MAX_SECONDS))


def login_delay(request: HttpRequest, name: str) -> int:
    """Seconds this attempt to log in as ``name`` must still wait (0: go ahead)."""
    if not name or _known_device(request, name):
        return 0
    key = _delay_key(name)
    state = cache.get(key)
    if not isinstance(state, dict) or state.get("failures", 0) < settings.LOGIN_DELAY_AFTER:
        return 0
    delay = _delay_seconds(state["failures"])
    remaining = state["last"] + delay - time.time()
    if remaining > 0:
        return math.ceil(remaining)
    # The wait is over: the first attempt takes the turn, attempts arriving with it wait for the next.
    if not cache.add(f"{key}:turn:{state['last']}", 1, timeout=delay + 60):
        return 1
    return 0


def login_failure_count(name: str) -> None:
    """One more failed log-in for ``name`` (from anywhere), kept for ``LOGIN_DELAY_WINDOW_MINUTES``."""
    if not name:
        return
    key = _delay_key(name)
    state = cache.get(key)
    failures = state.get("failures", 0) if isinstance(state, dict) else 0
    cache.set(key, {"failures": failures + 1, "last": time.time()}, settings.LOGIN_DELAY_WINDOW_MINUTES * 60)


def login_delay_reset(name: str) -> None:
    """The person got in: the count starts again."""
    if name:
        cache.delete(_delay_key(name))


def login_attempt_not_counted(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> bool:
    """django-axes' whitelist callable: attempts it must not count against the name + address pair —
    single sign-ons (the provider checks the password) and attempts the delay refused unread."""
    if request is None:
        return False
    return sso_is_request(request) or bool(getattr(request, DELAY_ATTR, 0))


def _known_user(name: str) -> User | None:
    if not name:
        return None
    return User.objects.filter(email__iexact=name).first()


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:

    if request is not None and hasattr(request, "session"):
        session_start(request)
    login_delay_reset(login_username(None, {"username": user.email}))
    # A single sign-on adds its method and outcome (cities.accounts.sso).
    details = getattr(request, LOGIN_DETAILS_ATTR, None) or {}
    audit_record(kind=AuditEvent.Kind.LOGIN, actor=user, target=user, request=request, **details)


def on_user_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if sso_is_request(request):
        # The single sign-on views audit their failures with the reason (cities.accounts.sso).
        return
    name = login_username(None, credentials)
    user = _known_user(name)
    locked = bool(request is not None and getattr(request, "axes_locked_out", False))
    delayed = int(getattr(request, DELAY_ATTR, 0) or 0) if request is not None else 0
    if not locked and not delayed:
        login_failure_count(name)
    log.warning(
        "Failed log-in for %r from %s%s",
        name,
        client_ip(request) or "?",
        " (locked out)" if locked else f" (delayed, {delayed} s to wait)" if delayed else "",
    )
    details: dict[str, Any] = {"locked_out": locked}
    if delayed:
        details["delayed_seconds"] = delayed
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
