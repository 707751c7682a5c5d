"""Portal-wide pages: the start page, the account profile, the language switch and legal pages."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.rules import is_coordinator
from cities.directory.services.users import user_set_language
from exchanges.travel.rules import decides_claims
from koopstadt.security_middleware import too_large_page


@dataclass(frozen=True)
class StartCard:
    title: str
    text: str
    url: str = ""
    action: str = ""


def role_labels(user: User) -> list[str]:
    return [str(role.label) for role in Role if role.value in user.roles]


def start_cards(user: User) -> list[StartCard]:
    """What each of the user's roles does in the portal, with a way in where the page exists."""
    experts = reverse("cities:expert_list")
    cards = []
    if user.has_role(Role.STAFF) or not user.roles:
        cards.append(
            StartCard(
                _("Ask for coaching"),
                _("Ask colleagues in a partner city for advice on a live project, then reflect together."),
                experts,
                _("Browse the expert pool"),
            )
        )
    if user.has_role(Role.CITY_CONTACT):
        cards.append(
            StartCard(
                _("Requests of your city"),
                _("You receive the C+R requests of %(city)s first and forward them to the coordination.")
                % {"city": user.home_city or "–"},
            )
        )
    if user.has_role(Role.DEPARTMENT_LIAISON):
        cards.append(
            StartCard(
                _("Nominate experts"),
                _("You propose colleagues of your department for requests routed to it."),
                experts,
                _("Experts of the pool"),
            )
        )
    if is_coordinator(user):
        cards.append(
            StartCard(
                _("Coordination"),
                _("Maintain cities, departments, topics with their keywords, and the expert pool."),
                reverse("admin:index"),
                _("Open the administration"),
            )
        )
    if user.has_role(Role.EXPERT):
        cards.append(
            StartCard(
                _("Your expert profile"),
                _("Colleagues find you in the expert pool. Keep your topics and availability current."),
                user.expert_profile.get_absolute_url() if hasattr(user, "expert_profile") else experts,
                _("View your profile"),
            )
        )
    if decides_claims(user):  # the card says "you approve": the finance role's own work, not every admin's
        cards.append(
            StartCard(
                _("Travel costs"),
                _("You check and approve travel-cost claims against the rates and the budget."),
                reverse("exchanges:finance_queue"),
                _("Open the approval queue"),
            )
        )
    return cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "portal/home.html", {"cards": start_cards(user), "role_labels": role_labels(user)})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/profile.html", {"role_labels": role_labels(request.user)})


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("home")
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=60 * 60 * 24 * 365,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        httponly=True,
    )
    return response


@require_safe  # nginx asks for it with GET in place of its own 413 page (error_page, proxy_method GET)
def too_large(request: HttpRequest) -> HttpResponse:
    """The page for a request body larger than REQUEST_BODY_MAX_BYTES, for the web server to show."""
    return too_large_page()


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


def imprint(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/imprint.html")
