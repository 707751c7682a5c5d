"""Log-in with e-mail and password, with Django's model permissions only where they are used: the admin.

With single sign-on configured, also log-in through a city's identity provider (docs/sso.md).
"""

import logging

import jwt
import requests
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.db.models import OuterRef
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from cities.accounts import login_security, sso
from cities.directory.models import User

log = logging.getLogger("koopstadt.security")


class LoginDelayBackend:
    """Refuse a password log-in that comes before the account's delay is over, without checking the
    password (``cities.accounts.login_security``). Placed after django-axes' backend, before the one
    that checks passwords; Django then reports the attempt as failed, and the log-in form says how long
    to wait. Deliberately no ``get_user`` (as django-axes' backend): sessions never belong to it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None or password is None:
            return None
        wait = login_security.login_delay(
            request, login_security.login_username(None, {"username": username})
        )
        if wait:
            setattr(request, login_security.DELAY_ATTR, wait)
            raise PermissionDenied
        return None


class PortalModelBackend(ModelBackend):
    """Django's ``ModelBackend`` with two savings on every page (docs/performance.md).

    - The portal's own permissions are rules (``cities/rules.py``, ``exchanges/rules.py``); Django's
      model permissions (``view_…``, ``change_…``) only govern the admin site, which only staff
      accounts can enter. For everyone else they are empty without asking the database, so the
      navigation's permission checks no longer load two permission tables per request.
    - The signed-in user is read with the expert profile the navigation asks for and, on PostgreSQL,
      with the names of their roles (one query instead of two on every page).
    """

    def _get_permissions(self, user_obj, obj, from_name):
        if user_obj.is_active and not (user_obj.is_staff or user_obj.is_superuser):
            return set()
        return super()._get_permissions(user_obj, obj, from_name)

    def get_user(self, user_id):
        people = User._default_manager.select_related("expert_profile").filter(pk=user_id)
        if connection.vendor == "postgresql":
            people = people.annotate(
                role_names=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name"))
            )
        user = people.first()
        if user is not None and hasattr(user, "role_names"):
            user._roles_cache = frozenset(user.role_names)  # what User.roles would read
        return user if user is not None and self.user_can_authenticate(user) else None


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """Log-in through a city's identity provider; in AUTHENTICATION_BACKENDS only with single sign-on on.

    mozilla-django-oidc exchanges the code (with PKCE), checks the ID token's signature and nonce and
    fetches the user info; ``cities.accounts.sso`` decides who that is. A refusal or a provider that
    fails is kept on the request for the callback view (``cities.accounts.sso_views``), which tells the person
    and audits it. Only the callback view's requests are handled: a password log-in never gets here.
    """

    def authenticate(self, request, **kwargs):
        if request is None or not sso.sso_is_request(request):
            return None
        try:
            return super().authenticate(request, **kwargs)
        except sso.SsoRefused as refusal:
            failure = refusal
        except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, ValueError, KeyError) as exc:
            log.warning("Single sign-on failed at the identity provider: %s: %s", type(exc).__name__, exc)
            failure = sso.SsoRefused(sso.Refusal.PROVIDER_ERROR, error=type(exc).__name__)
        setattr(request, sso.FAILURE_ATTR, failure)
        return None

    def get_or_create_user(self, access_token, id_token, payload):
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            log.warning("Single sign-on refused: the ID token is meant for %r", audience)
            raise sso.SsoRefused(sso.Refusal.PROVIDER_ERROR, error="audience")
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            log.warning("Single sign-on refused: the user info belongs to another subject than the ID token")
            raise sso.SsoRefused(sso.Refusal.PROVIDER_ERROR, error="subject")
        # Claims of the ID token count too: Entra ID sends its groups there, not in the user info.
        user, details = sso.sso_user_login(claims={**payload, **userinfo})
        setattr(self.request, sso.LOGIN_DETAILS_ATTR, {"method": sso.LOGIN_METHOD, **details})
        return user

    def get_user(self, user_id):
        return PortalModelBackend().get_user(user_id)

    # Permissions are PortalModelBackend's alone. Answering here as ModelBackend does would load them
    # again for every check, or leave an empty ``_perm_cache`` on the user that hides a coordinator's.
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        return self.UserModel._default_manager.none()
