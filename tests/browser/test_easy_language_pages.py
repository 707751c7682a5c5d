"""The Leichte-Sprache and sign-language pages, reached from the log-in page's footer, at desktop width and
on a 390 px phone (axe on each; screenshots in test-artifacts/screenshots/)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_leichte_sprache_and_sign_language_pages_from_the_log_in_page(portal, size):
    page = portal.page
    page.set_viewport_size(size)
    portal.goto("/konto/anmelden/", "login")

    footer = page.get_by_role("navigation", name="Rechtliche Hinweise")
    footer.get_by_role("link", name="Leichte Sprache").click()
    portal.check("leichte-sprache")
    expect(page.get_by_role("heading", level=1)).to_have_text("Leichte Sprache")
    expect(page.get_by_role("heading", name="So erreichen Sie uns")).to_be_visible()

    page.get_by_role("link", name="Video in Gebärden·sprache").click()
    portal.check("gebaerdensprache")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Informationen in Deutscher Gebärdensprache (DGS)"
    )
    expect(
        page.get_by_text("Das Video in Deutscher Gebärdensprache wird gerade vorbereitet.")
    ).to_be_visible()
    page.get_by_role("link", name="Das Portal in Leichter Sprache").click()
    expect(page).to_have_url(f"{portal.base_url}/leichte-sprache/")


def test_the_sign_language_page_with_the_operators_video(portal, settings):
    settings.DGS_VIDEO_URL = "video/dgs.mp4"
    page = portal.page
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        portal.goto("/gebaerdensprache/", "gebaerdensprache-video")
        video = page.locator("video")
        expect(video).to_have_attribute("aria-describedby", "dgs-transcript")
        expect(page.locator("#dgs-transcript")).to_contain_text("Leichter Sprache")
