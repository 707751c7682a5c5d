"""Requests per token (per person for the browser's session, per address without log-in), in the default cache."""

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from cities.accounts.models import ApiToken
from cities.operations.audit import client_ip

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ApiRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str | None:
        # Read on every request (not once at import), so that a changed setting applies at once.
        return settings.API_THROTTLE_RATE or None

    def get_cache_key(self, request: "Request", view: "APIView") -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            # Not DRF's get_ident: it believes any X-Forwarded-For, so a client could pick its own key.
            ident = f"address-{client_ip(request) or 'unknown'}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
