"""The claims the test provider releases: standard ones and, with the profile scope, city and groups."""

from typing import Any

from oidc_provider.lib.claims import ScopeClaims
from provider.models import Profile


def _profile(user: Any) -> Profile:
    return Profile.objects.get_or_create(user=user)[0]


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    profile = _profile(user)
    claims.update(
        name=profile.name,
        given_name=user.first_name,
        family_name=user.last_name,
        email=user.email,
        email_verified=profile.email_verified,
    )
    return claims


class CityScopeClaims(ScopeClaims):
    """As Keycloak does with a group and an attribute mapper on the profile scope."""

    def scope_profile(self) -> dict[str, Any]:
        profile = _profile(self.user)
        return {"city": profile.city, "groups": profile.groups}
