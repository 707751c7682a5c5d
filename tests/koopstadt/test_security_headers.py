"""Every page carries the security headers: a strict Content-Security-Policy and its companions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exchanges.cycle.services.requests import attachment_add
from tests.exchanges import conftest as exchange_fixtures
from tests.exchanges.conftest import make_request

pytestmark = pytest.mark.django_db

# The people of tests/exchanges (one per role, two cities), shared with these tests.
city = exchange_fixtures.city
other_city = exchange_fixtures.other_city
people = exchange_fixtures.people

STRICT_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]


def assert_security_headers(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    directives = [part.strip() for part in policy.split(";")]
    for directive in STRICT_DIRECTIVES:
        assert directive in directives, (directive, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions


@pytest.fixture
def pages(client, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    exchange = make_request(people)
    attachment = attachment_add(
        request=exchange,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf"),
        actor=people["requester"],
    )
    return {
        "log-in": (None, reverse("login")),
        "home": (people["requester"], reverse("home")),
        "request detail": (people["requester"], exchange.get_absolute_url()),
        "download": (
            people["requester"],
            reverse("exchanges:attachment_download", args=[exchange.pk, attachment.pk]),
        ),
        "not found": (people["requester"], "/gibt-es-nicht/"),
    }


@pytest.mark.parametrize("which", ["log-in", "home", "request detail", "download", "not found"])
def test_every_kind_of_page_carries_the_security_headers(client, pages, which):
    user, url = pages[which]
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == (404 if which == "not found" else 200)
    assert_security_headers(response)


def test_downloads_are_attachments_never_shown_inline(client, pages):
    user, url = pages["download"]
    client.force_login(user)
    response = client.get(url)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert 'filename="plan.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_templates_contain_no_inline_script_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for template in root.rglob("*.html"):
        text = template.read_text()
        lowered = text.lower()
        if "style=" in lowered or "<style" in lowered or "javascript:" in lowered:
            offenders.append(str(template))
        for chunk in lowered.split("<script")[1:]:
            if "src=" not in chunk.split(">", 1)[0]:
                offenders.append(str(template))
        if any(f" on{event}=" in lowered for event in ("click", "change", "submit", "load", "input")):
            offenders.append(str(template))
    assert offenders == []
