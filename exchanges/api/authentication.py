"""Who calls the API: a machine with a token (``Authorization: Bearer kst_…``) or the browser's session."""

import logging

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.request import Request

from cities.accounts.api_tokens import TokenRefused, token_authenticate
from cities.accounts.models import ApiToken
from cities.directory.models import User

log = logging.getLogger("koopstadt.security")

KEYWORD = "Bearer"


class TokenInvalid(exceptions.AuthenticationFailed):
    default_detail = _("The token is invalid, expired or revoked.")
    default_code = "token_invalid"


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``; ``request.auth`` is then the ``ApiToken``.

    Every refusal answers the same (401): the caller never learns whether a token exists, expired or
    was revoked. The reason goes to the security log with the prefix only.
    """

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise TokenInvalid
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise TokenInvalid from error
        try:
            token = token_authenticate(raw=raw)
        except TokenRefused as refused:
            log.info(
                "API token refused (%s): %s",
                refused.reason,
                raw.split("_")[1] if raw.count("_") >= 2 else "?",
            )
            raise TokenInvalid from refused
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'


class CsrfSessionAuthentication(SessionAuthentication):
    """The browser's session, with Django's CSRF check on every unsafe request (DRF enforces it)."""
