"""Scopes narrow what a token may do; the person's roles (exchanges/rules.py) still decide everything else."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from cities.accounts.models import ApiScope, ApiToken


def token_scopes(request: "Request") -> frozenset[str] | None:
    """The scopes of the token used, or None for the browser's session (which counts as every scope)."""
    return request.auth.scope_set if isinstance(request.auth, ApiToken) else None


if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class TokenScope(BasePermission):
    """read: safe methods; write: unsafe methods too; finance: every view marked ``finance_endpoint``."""

    message = _("The token's scopes do not allow this request.")

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        scopes = token_scopes(request)
        if scopes is None:
            return True
        needed = {ApiScope.READ if request.method in SAFE_METHODS else ApiScope.WRITE}
        if getattr(view, "finance_endpoint", False):
            needed.add(ApiScope.FINANCE)
        return needed <= scopes


class FinancePermission(BasePermission):
    """The finance endpoints' role check, as ``@permission_required("exchanges.finance")`` in the browser."""

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return request.user.has_perm("exchanges.finance")
