import pytest
from playwright.sync_api import expect

from koopstadt.development.demo_data import DEMO_PASSWORD, PEOPLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wrong_log_in_keeps_the_address_and_explains_in_german(portal, demo):
    page = portal.page
    portal.goto("/", "redirect-to-login")
    expect(page).to_have_url(f"{portal.base_url}/konto/anmelden/?next=/")
    expect(page.locator("html")).to_have_attribute("lang", "de")

    page.get_by_label("E-Mail-Adresse").fill("anna.schmidt@example.org")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    portal.check("login-failed")

    expect(page.get_by_role("alert")).to_contain_text(
        "Die E-Mail-Adresse oder das Passwort ist nicht richtig"
    )
    expect(page.get_by_label("E-Mail-Adresse")).to_have_value("anna.schmidt@example.org")


def test_every_demo_account_reaches_its_start_page(portal, demo):
    page = portal.page
    for email, name, *_rest in PEOPLE:
        portal.log_in(email, DEMO_PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Willkommen, {name}")
        page.get_by_role("button", name="Abmelden").click()
        expect(page).to_have_url(f"{portal.base_url}/konto/anmelden/")


def test_expert_pool_lists_all_cities_and_filters_by_topic_and_city(portal, demo):
    page = portal.page
    portal.log_in("kontakt.leipzig@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Expertenpool").click()
    portal.check("expert-pool")
    expect(page.get_by_role("heading", level=2)).to_contain_text("16 Expertinnen und Experten")
    for city in ("Bremen", "Leipzig", "Nürnberg"):
        expect(page.locator("li.card").filter(has_text=f", {city}").first).to_be_visible()

    page.get_by_label("Thema").select_option(label="Mobilität")
    page.get_by_label("Stadt", exact=True).select_option(label="Bremen")
    page.get_by_role("button", name="Suchen").click()
    portal.check("expert-pool-filtered")
    expect(page.get_by_role("heading", level=2)).to_contain_text("1 Expertin oder Experte")
    page.get_by_role("link", name="Henrik Brandt").click()
    portal.check("expert-profile")
    expect(page.get_by_text("henrik.brandt@example.org")).to_be_visible()  # city contacts see contact data


def test_keyboard_skip_link_language_switch_and_legal_pages(portal, demo):
    page = portal.page
    portal.log_in("anna.schmidt@example.org", DEMO_PASSWORD)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.get_by_role("button", name="English").click()
    portal.check("start-english")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Anna Schmidt")
    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")

    page.get_by_role("link", name="Erklärung zur Barrierefreiheit").click()
    portal.check("accessibility")
    page.get_by_role("link", name="Impressum und Datenschutz").click()
    portal.check("imprint")
    page.get_by_role("link", name="Anna Schmidt").click()
    portal.check("profile")
    page.get_by_role("link", name="Passwort ändern").click()
    portal.check("password-change")
    portal.goto("/gibt-es-nicht/", "not-found")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")


def test_password_reset_pages(portal, demo):
    page = portal.page
    portal.goto("/konto/anmelden/", "login")
    page.get_by_role("link", name="Passwort vergessen?").click()
    portal.check("password-reset")
    page.get_by_label("E-Mail-Adresse").fill("anna.schmidt@example.org")
    page.get_by_role("button", name="Link senden").click()
    portal.check("password-reset-sent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte prüfen Sie Ihr E-Mail-Postfach")
