"""Issue, revoke and check the API tokens of the cities' own systems (docs/api.md).

A token reads ``kst_<prefix>_<secret>``: the prefix (8 characters, stored, shown in lists) finds the
row, the secret (32 random bytes) is compared by its SHA-256 hash. A fast hash is right for a secret
of 256 random bits (nothing to guess); the comparison takes constant time (``hmac.compare_digest``).
"""

import hashlib
import hmac
import secrets
import string
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.accounts.models import ApiScope, ApiToken
from cities.directory.models import User
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent

TOKEN_START = "kst"  # noqa: S105 - the fixed start of every token, not a secret
PREFIX_LENGTH = 8
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
# ``last_used_at`` is written at most this often, so that a busy system does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_normalise(scopes: Iterable[str]) -> str:
    """The stored form: known scopes in a fixed order, with "read" always (write implies read)."""
    chosen = {str(scope) for scope in scopes}
    unknown = chosen - set(ApiScope.values)
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scope: %(scope)s") % {"scope": ", ".join(sorted(unknown))}}
        )
    chosen.add(ApiScope.READ)
    return " ".join(scope for scope in ApiScope.values if scope in chosen)


def token_default_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)


@transaction.atomic
def token_issue(
    *,
    user: User,
    name: str,
    scopes: Iterable[str],
    actor: User | None,
    expires_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its full text, which is never stored and never shown again."""
    now = timezone.now()
    expires_at = expires_at or token_default_expiry()
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry must lie in the future.")})
    if expires_at > now + timedelta(days=settings.API_TOKEN_MAX_DAYS):
        raise ValidationError(
            {
                "expires_at": _("A token may be valid for at most %(days)d days.")
                % {"days": settings.API_TOKEN_MAX_DAYS}
            }
        )
    if not user.is_active:
        raise ValidationError({"user": _("Tokens are issued to active people only.")})
    secret = secrets.token_urlsafe(32)
    prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _index in range(PREFIX_LENGTH))
    while ApiToken.objects.filter(prefix=prefix).exists():  # 36^8 prefixes: practically never
        prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _index in range(PREFIX_LENGTH))
    token = ApiToken(
        user=user,
        name=(name or "").strip(),
        scopes=scopes_normalise(scopes),
        prefix=prefix,
        secret_hash=secret_digest(secret),
        created_by=actor,
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit_record(
        kind=AuditEvent.Kind.API_TOKEN_ISSUED,
        actor=actor,
        subject=user,
        target=token,
        request=request,
        prefix=prefix,
        scopes=token.scopes,
        expires_at=expires_at.isoformat(),
    )
    return token, f"{TOKEN_START}_{prefix}_{secret}"


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None, request: HttpRequest | None = None) -> ApiToken:
    """Revoke a token at once. A token already revoked is refused, and nothing changes."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(_("This token has already been revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        kind=AuditEvent.Kind.API_TOKEN_REVOKED,
        actor=actor,
        subject=token.user,
        target=token,
        request=request,
        prefix=token.prefix,
    )
    return token


class TokenRefused(Exception):
    """The token is malformed, unknown, wrong, expired, revoked, or its person deactivated."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # for the log only: the answer never says which


def token_authenticate(*, raw: str) -> ApiToken:
    """The usable token ``raw`` stands for (with its person), or ``TokenRefused``."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_START or len(parts[1]) != PREFIX_LENGTH or not parts[2]:
        raise TokenRefused("malformed")
    _start, prefix, secret = parts
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None:
        # Hash anyway, so that an unknown prefix costs the same time as a wrong secret.
        hmac.compare_digest(secret_digest(secret), "0" * 64)
        raise TokenRefused("unknown")
    if not hmac.compare_digest(secret_digest(secret), token.secret_hash):
        raise TokenRefused("wrong secret")
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused("revoked")
    if token.expires_at <= now:
        raise TokenRefused("expired")
    if not token.user.is_active:
        raise TokenRefused("inactive person")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A plain conditional update: no lock, no full save; concurrent requests may both write.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
