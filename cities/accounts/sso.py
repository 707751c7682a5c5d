"""Single sign-on through OpenID Connect: who the identity provider's claims are in the portal.

The authentication backend (``cities.accounts.backends.PortalOIDCBackend``) has checked the provider's tokens and
hands the claims here; the rules come from the settings block "Single sign-on" (docs/sso.md):

- A person is found by the e-mail address the provider vouches for, whatever its capitalisation. A local
  account found that way is used as it is and keeps its password.
- Nobody found: a new account is created if ``OIDC_CREATE_USERS``, with the home city the city claim maps
  to. A claim that maps to no city refuses the log-in.
- Roles come from the roles claim through ``OIDC_ROLE_MAP``; with ``OIDC_SYNC_ROLES`` they replace the
  person's roles at every single sign-on. No mapped role gives ``OIDC_DEFAULT_ROLES``.

Every single sign-on is audited: a log-in by the ``user_logged_in`` receiver with the details set here,
a refusal by ``sso_failure_record``.
"""

import logging
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cities.directory.models import City, User
from cities.directory.roles import Role
from cities.directory.services.users import user_create, user_set_roles
from cities.operations.audit import audit_record, client_ip
from cities.operations.models import AuditEvent

log = logging.getLogger("koopstadt.security")

# Set on the request by the single sign-on views: the log-in audit names the method, django-axes
# leaves the request alone (login_security.login_attempt_not_counted).
LOGIN_METHOD_ATTR = "koopstadt_login_method"
LOGIN_METHOD = "oidc"
# Set on the request by the backend: extra details for the log-in's audit event, or the refusal.
LOGIN_DETAILS_ATTR = "koopstadt_login_details"
FAILURE_ATTR = "koopstadt_sso_failure"

_MAX_CLAIM_TEXT = 200


class Refusal(models.TextChoices):
    """Why a single sign-on logged nobody in (the audit event's ``reason``)."""

    PROVIDER_ERROR = "provider_error"  # the provider answered with an error, a bad token or not at all
    NO_EMAIL = "no_email"  # no valid e-mail address, or one the provider marks as unverified
    NO_ACCOUNT = "no_account"  # nobody has the address and OIDC_CREATE_USERS is off
    UNKNOWN_CITY = "unknown_city"  # a new person whose city claim maps to no city
    INACTIVE = "inactive"  # the account is deactivated or anonymised


_MESSAGES = {
    Refusal.PROVIDER_ERROR: _(
        "The log-in with your city account did not succeed. Please try again or log in with your "
        "e-mail address and password."
    ),
    Refusal.NO_EMAIL: _(
        "Your city account did not confirm an e-mail address, so the portal cannot log you in. Please "
        "contact your city's IT service."
    ),
    Refusal.NO_ACCOUNT: _(
        "There is no portal account for your e-mail address yet. Please ask the koopstadt coordination for "
        "access."
    ),
    Refusal.UNKNOWN_CITY: _(
        "Your city account could not be assigned to a partner city of the portal, so no portal account was "
        "created. Please contact the koopstadt coordination."
    ),
    Refusal.INACTIVE: _("This account has been deactivated. Please contact the koopstadt coordination."),
}


class SsoRefused(Exception):
    """A single sign-on the rules do not allow; ``message`` is what the person is told."""

    def __init__(self, reason: Refusal, *, email: str = "", user: User | None = None, **details: Any):
        super().__init__(reason.value)
        self.reason = reason
        self.email = email
        self.user = user
        self.details = details

    @property
    def message(self) -> str:
        return str(_MESSAGES[self.reason])


# --- configuration -------------------------------------------------------------------------------
def sso_enabled() -> bool:
    """Single sign-on is on when a client id is configured (read per request, so tests can switch it)."""
    return bool(settings.OIDC_RP_CLIENT_ID)


def sso_login_label() -> str:
    return settings.OIDC_LOGIN_LABEL or gettext("Log in with your city account")


def sso_is_request(request: HttpRequest | None) -> bool:
    return getattr(request, LOGIN_METHOD_ATTR, "") == LOGIN_METHOD


# --- reading claims ------------------------------------------------------------------------------
def claim_value(claims: dict[str, Any], name: str) -> Any:
    """The claim ``name``; a dotted name reads nested objects (Keycloak's ``realm_access.roles``)."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def claim_names(value: Any) -> list[str]:
    """A claim holding one name or a list of names, as a list of non-empty strings."""
    items = value if isinstance(value, list | tuple) else [value]
    return [str(item).strip() for item in items if isinstance(item, str | int) and str(item).strip()]


def _lookup(mapping: dict[str, Any], key: str) -> Any:
    """A mapping's value for ``key``, compared without regard to case."""
    if key in mapping:
        return mapping[key]
    folded = key.casefold()
    return next((value for name, value in mapping.items() if name.casefold() == folded), None)


def sso_email(*, claims: dict[str, Any]) -> str:
    """The e-mail address the provider vouches for; refuses a missing, invalid or unverified one.

    ``email_verified`` is checked where the provider sends it; Entra ID and ADFS do not, their addresses
    come from the organisation's own directory.
    """
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified", True)
    if isinstance(verified, str):
        verified = verified.strip().lower() not in {"false", "0", "no"}
    try:
        validate_email(email)
    except ValidationError:
        raise SsoRefused(Refusal.NO_EMAIL, email=email[:_MAX_CLAIM_TEXT]) from None
    if verified is False:
        raise SsoRefused(Refusal.NO_EMAIL, email=email, email_verified=False)
    return email


def sso_city(*, claims: dict[str, Any]) -> City | None:
    """The city the city claim maps to: through ``OIDC_CITY_MAP``, or by slug or name when it is empty."""
    for value in claim_names(claim_value(claims, settings.OIDC_CITY_CLAIM)):
        if settings.OIDC_CITY_MAP:
            slug = _lookup(settings.OIDC_CITY_MAP, value)
            city = City.objects.filter(slug=slug).first() if slug else None
            if slug and city is None:
                log.warning("OIDC_CITY_MAP maps %r to %r, which is no city's slug", value, slug)
        else:
            city = City.objects.filter(models.Q(slug__iexact=value) | models.Q(name__iexact=value)).first()
        if city is not None:
            return city
    return None


def sso_roles(*, claims: dict[str, Any]) -> set[Role]:
    """The portal roles the roles claim maps to through ``OIDC_ROLE_MAP``; may be empty."""
    roles: set[Role] = set()
    for group in claim_names(claim_value(claims, settings.OIDC_ROLES_CLAIM)):
        roles.update(Role(value) for value in _lookup(settings.OIDC_ROLE_MAP, group) or [])
    return roles


def sso_display_name(*, claims: dict[str, Any]) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        parts = (claims.get("given_name"), claims.get("family_name"))
        name = " ".join(str(part).strip() for part in parts if part and str(part).strip())
    return name[: User._meta.get_field("display_name").max_length]


def _language(claims: dict[str, Any]) -> str:
    locale = str(claims.get("locale") or "").strip().lower()[:2]
    return locale if locale in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- logging in ----------------------------------------------------------------------------------
@transaction.atomic
def sso_user_login(*, claims: dict[str, Any]) -> tuple[User, dict[str, Any]]:
    """The person the claims belong to, created or brought up to date; and details for the audit.

    Raises ``SsoRefused`` where the rules allow no log-in.
    """
    email = sso_email(claims=claims)
    roles = sso_roles(claims=claims) or {Role(role) for role in settings.OIDC_DEFAULT_ROLES}
    name = sso_display_name(claims=claims)
    user = User.objects.select_for_update().filter(email__iexact=email).first()

    if user is None:
        if not settings.OIDC_CREATE_USERS:
            raise SsoRefused(Refusal.NO_ACCOUNT, email=email)
        city = sso_city(claims=claims)
        if city is None:
            raw = claim_value(claims, settings.OIDC_CITY_CLAIM)
            raise SsoRefused(Refusal.UNKNOWN_CITY, email=email, city_claim=str(raw or "")[:_MAX_CLAIM_TEXT])
        try:
            with transaction.atomic():
                user = user_create(
                    email=email,
                    display_name=name or email.split("@")[0],
                    home_city=city,
                    roles=roles,
                    preferred_language=_language(claims),
                )
        except IntegrityError:
            # The same person's first log-in in another tab created the account a moment earlier.
            user = User.objects.select_for_update().filter(email__iexact=email).first()
            if user is None:
                raise  # another constraint refused the account: not the race
        else:
            return user, {"created": True, "roles": sorted(user.roles)}

    if not user.is_active or user.anonymised_at is not None:
        raise SsoRefused(Refusal.INACTIVE, email=email, user=user)
    changed = []
    if name and user.display_name != name:
        user.display_name = name
        changed.append("display_name")
    if user.home_city_id is None:
        city = sso_city(claims=claims)
        if city is not None:
            user.home_city = city
            changed.append("home_city")
    if changed:
        user.full_clean(exclude=["password"])
        user.save(update_fields=changed)
    # A missing roles claim (a provider without the groups mapper, Entra ID's group overage) says nothing
    # about the person's roles: keep them rather than demote a coordinator to the default roles.
    if settings.OIDC_SYNC_ROLES and claim_value(claims, settings.OIDC_ROLES_CLAIM) is not None:
        user_set_roles(user=user, roles=roles)
    return user, {"created": False, "roles": sorted(user.roles)}


def sso_failure_record(
    *,
    request: HttpRequest | None,
    reason: Refusal,
    email: str = "",
    user: User | None = None,
    **details: Any,
) -> AuditEvent:
    """Audit a single sign-on that logged nobody in (and log it for the operators)."""
    log.warning(
        "Single sign-on refused (%s) for %r from %s", reason.value, email or "?", client_ip(request) or "?"
    )
    if user is None and email:
        user = User.objects.filter(email__iexact=email).first()
    if user is None and email:
        details["username"] = email
    return audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        actor=user,
        target=user,
        request=request,
        method=LOGIN_METHOD,
        reason=reason.value,
        **details,
    )


# --- setting up ----------------------------------------------------------------------------------
def sso_discover(*, issuer: str, timeout: float = 10) -> dict[str, str]:
    """The environment variables for the provider ``issuer``, read from its discovery document."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = requests.get(url, timeout=timeout)
    response.raise_for_status()
    document = response.json()
    algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": document["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": document["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": document["userinfo_endpoint"],
        "OIDC_OP_JWKS_ENDPOINT": document["jwks_uri"],
        "OIDC_RP_SIGN_ALGO": "RS256" if "RS256" in algorithms else algorithms[0],
    }
