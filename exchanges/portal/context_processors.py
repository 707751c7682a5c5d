from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from exchanges.statistics.figures import may_see_statistics


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


def navigation_for(user) -> list[NavItem]:
    """The main navigation: each role sees the places it may work in."""
    if not user.is_authenticated:
        return []
    items = [NavItem(_("Start"), reverse("home"))]
    if user.home_city_id:
        items.append(NavItem(_("My requests"), reverse("exchanges:request_list")))
    if user.has_perm("exchanges.city_inbox"):
        items.append(NavItem(_("Inbox of my city"), reverse("exchanges:contact_inbox")))
    if user.has_perm("exchanges.triage"):
        items.append(NavItem(_("Triage"), reverse("exchanges:triage")))
    if hasattr(user, "expert_profile"):
        items.append(NavItem(_("My invitations"), reverse("exchanges:my_invitations")))
    if user.has_perm("cities.handle_failed_tasks"):
        items.append(NavItem(_("Failed tasks"), reverse("failed_tasks")))
    if user.has_perm("exchanges.finance"):
        items.append(NavItem(_("Finance"), reverse("exchanges:finance_queue")))
    items.append(NavItem(_("Travel costs"), reverse("exchanges:my_claims")))
    items.append(NavItem(_("Expert pool"), reverse("cities:expert_list")))
    items.append(NavItem(_("Knowledge base"), reverse("exchanges:knowledge_base")))
    if may_see_statistics(user):
        items.append(NavItem(_("Statistics"), reverse("exchanges:statistics")))
    items.append(NavItem(_("Notifications"), reverse("exchanges:notifications")))
    if user.is_staff:
        items.append(NavItem(_("Administration"), reverse("admin:index")))
    return items


def portal(request: HttpRequest) -> dict:
    return {
        # Not "site_name": Django's log-in and password views put the host name under that name.
        "portal_name": settings.PORTAL_NAME,
        "network_name": settings.NETWORK_NAME,
        "nav_items": navigation_for(request.user) if hasattr(request, "user") else [],
        "languages": settings.LANGUAGES,
    }
