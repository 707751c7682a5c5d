"""The log-in page offers single sign-on only when it is configured; its addresses answer 404 otherwise."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_without_configuration_there_is_no_button_and_the_addresses_answer_404(client, settings):
    assert settings.OIDC_RP_CLIENT_ID == ""
    assert "cities.accounts.backends.PortalOIDCBackend" not in settings.AUTHENTICATION_BACKENDS

    page = client.get(reverse("login")).content.decode()

    assert reverse("oidc_authentication_init") not in page
    assert 'name="password"' in page
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "y"}).status_code == 404


@pytest.mark.sso
def test_with_configuration_the_page_offers_the_city_account_and_the_password_form(client, sso_settings):
    page = client.get(reverse("login")).content.decode()

    with translation.override("de"):
        label = translation.gettext("Log in with your city account")
    assert (
        f'<a class="btn btn-outline-primary" href="{reverse("oidc_authentication_init")}">{label}</a>' in page
    )
    assert 'name="username"' in page and 'name="password"' in page
    assert " style=" not in page and "<script>" not in page


@pytest.mark.sso
def test_the_button_names_the_configured_label_and_keeps_the_page_asked_for(client, sso_settings):
    sso_settings.OIDC_LOGIN_LABEL = "Mit dem Leipzig-Konto anmelden"

    page = client.get(reverse("login"), {"next": "/expertenpool/"}).content.decode()
    foreign = client.get(reverse("login"), {"next": "https://evil.example/"}).content.decode()

    start = reverse("oidc_authentication_init")
    assert f'href="{start}?next=%2Fexpertenpool%2F">Mit dem Leipzig-Konto anmelden</a>' in page
    # An address elsewhere is not handed on.
    assert re.search(r'<a class="btn btn-outline-primary" href="([^"]*)"', foreign).group(1) == start


@pytest.mark.sso
def test_the_start_sends_the_browser_to_the_provider(client, sso_settings, oidc_provider):
    response = client.get(reverse("oidc_authentication_init"))

    assert response.status_code == 302
    assert response["Location"].startswith(oidc_provider.endpoint("authorize") + "?")
    assert "scope=openid+email+profile" in response["Location"]
