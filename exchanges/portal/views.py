"""Portal-wide pages: the start page (what waits for the person: exchanges.portal.start_page), the account
profile, the language switch and legal pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.services.users import user_set_language
from exchanges.portal.start_page import start_sections
from koopstadt.security_middleware import too_large_page


def role_labels(user: User) -> list[str]:
    return [str(role.label) for role in Role if role.value in user.roles]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request, "portal/home.html", {"sections": start_sections(user), "role_labels": role_labels(user)}
    )


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
    return render(
        request,
        "portal/accessibility.html",
        {
            "accessibility_email": settings.ACCESSIBILITY_EMAIL,
            "easy_url": reverse("easy_language"),
            "sign_url": reverse("sign_language"),
        },
    )


def imprint(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/imprint.html", {"contact_email": settings.CONTACT_EMAIL})


def easy_language(request: HttpRequest) -> HttpResponse:
    """The portal explained in Leichte Sprache (BITV 2.0 § 4): German whatever the interface language."""
    return render(
        request,
        "portal/easy_language.html",
        {"contact_email": settings.CONTACT_EMAIL, "accessibility_email": settings.ACCESSIBILITY_EMAIL},
    )


def sign_language(request: HttpRequest) -> HttpResponse:
    """The operator's video in German Sign Language (BITV 2.0 § 4), with its text alternative."""
    return render(
        request,
        "portal/sign_language.html",
        {"video_url": dgs_video_url(), "contact_email": settings.CONTACT_EMAIL},
    )


def dgs_video_url() -> str:
    """DGS_VIDEO_URL as the page links it: an address as it is, a file name under the static files."""
    url = settings.DGS_VIDEO_URL
    if not url or url.startswith(("https://", "http://", "/")):
        return url
    return static(url)
