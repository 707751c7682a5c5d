"""Single sign-on in Chromium: the log-in page passes axe (WCAG 2.1 AA), the button is reached by
keyboard, and the way through the provider's log-in leads back to the portal's start page."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.conftest import PortalBrowser
from tests.cities.factories import CityFactory
from tests.sso.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.sso, pytest.mark.django_db(transaction=True)]


def test_single_sign_on_by_keyboard_from_the_log_in_page_to_the_start_page(
    page, live_server, sso_settings, oidc_provider, request
):
    CityFactory(slug="leipzig", name="Leipzig")
    oidc_provider.allow_redirect_uri(f"{live_server.url}/konto/oidc/callback/")
    with translation.override("de"):
        label = translation.gettext("Log in with your city account")
    portal = PortalBrowser(page, live_server.url, request.node.name)

    portal.goto("/konto/anmelden/", "login-with-sso")
    link = page.get_by_role("link", name=label)
    expect(link).to_be_visible()
    expect(page.get_by_label("Passwort")).to_be_visible()
    for _ in range(20):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("The single sign-on button cannot be reached with the Tab key")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{oidc_provider.url}/login/**")
    page.locator("#id_username").fill("anna")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(f"{live_server.url}/")
    portal.check("start-after-sso")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anna Amsel")
