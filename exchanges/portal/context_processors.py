from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cities.operations.rules import may_see_operations
from exchanges.cycle.rules import is_city_contact
from exchanges.statistics.figures import may_see_statistics


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    # A section of several pages (e.g. /betrieb/): its entry is marked on every page under its address,
    # and under the ``also`` addresses.
    section: bool = False
    also: tuple[str, ...] = ()

    def current(self, path: str) -> str:
        """The entry's ``aria-current``: "page" on its own page, "true" inside its section, else ""."""
        if path == self.url:
            return "page"
        inside = self.section and any(path.startswith(prefix) for prefix in (self.url, *self.also))
        return "true" if inside else ""


def navigation_for(user) -> list[NavItem]:
    """The main navigation: each role sees the places it may work in, in the same order for every role.

    Technical pages (failed tasks, administration, API documentation) sit under one "Operations" entry,
    shown only to whom may open one of them (cities.operations.rules).
    """
    if not user.is_authenticated:
        return []
    items = [NavItem(_("Start"), reverse("home"))]
    if user.home_city_id:
        items.append(NavItem(_("My requests"), reverse("exchanges:request_list")))
    if is_city_contact(user):  # not the permission: administrators hold it, but have no city's inbox
        items.append(NavItem(_("Inbox of my city"), reverse("exchanges:contact_inbox")))
    if user.has_perm("exchanges.triage"):
        items.append(NavItem(_("Triage"), reverse("exchanges:triage")))
    if hasattr(user, "expert_profile"):
        items.append(NavItem(_("My invitations"), reverse("exchanges:my_invitations")))
    if user.has_perm("exchanges.finance"):
        items.append(NavItem(_("Finance"), reverse("exchanges:finance_queue")))
    # One entry for the trip and its costs: the trips (approved before they happen), the claims that
    # follow them, and the trips waiting for one's decision (its page says how many; the start page too).
    items.append(
        NavItem(
            _("Business trips"),
            reverse("exchanges:my_trips"),
            section=True,
            also=(reverse("exchanges:my_claims"),),
        )
    )
    items.append(NavItem(_("Expert pool"), reverse("cities:expert_list")))
    items.append(NavItem(_("Knowledge base"), reverse("exchanges:knowledge_base")))
    if may_see_statistics(user):
        items.append(NavItem(_("Statistics"), reverse("exchanges:statistics")))
    items.append(NavItem(_("Notifications"), reverse("exchanges:notifications")))
    if may_see_operations(user):
        items.append(NavItem(_("Operations"), reverse("operations"), section=True))
    return items


def portal(request: HttpRequest) -> dict:
    return {
        # Not "site_name": Django's log-in and password views put the host name under that name.
        "portal_name": settings.PORTAL_NAME,
        "network_name": settings.NETWORK_NAME,
        "nav_items": [
            (item, item.current(request.path))
            for item in (navigation_for(request.user) if hasattr(request, "user") else [])
        ],
        "languages": settings.LANGUAGES,
    }
