"""Navigation that scales (issue 20): one header for every role, the phone menu, the "Operations" entry, lists
as cards and filters behind a button on a 390 px phone. axe runs on every page (PortalBrowser.check);
screenshots: test-artifacts/nav-*.png."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cities.directory.models import User
from cities.operations.models import FailedTask
from exchanges.cycle.models import ExchangeRequest
from exchanges.travel.models import ClaimStatus, TravelClaim
from koopstadt.development.demo_data import DEMO_PASSWORD
from koopstadt.development.demo_exchanges import DEMO_HELD_TITLE
from tests.browser.conftest import PortalBrowser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FILTER_TOGGLE = re.compile(r"^Filter( |$)")


@pytest.fixture
def requests_demo(demo):
    """The demo network with its requests (routed at once: eager tasks), a submitted claim, a failed task."""
    from koopstadt.development.demo_exchanges import demo_requests_load

    demo_requests_load()
    held = ExchangeRequest.objects.get(title=DEMO_HELD_TITLE)
    gesa = User.objects.get(email="gesa.lueders@example.org")
    TravelClaim.objects.create(
        exchange=held,
        traveller=gesa,
        submitted_by=gesa,
        status=ClaimStatus.SUBMITTED,
        trip_start=held.meeting.starts_at - timedelta(hours=3),
        trip_end=held.meeting.ends_at + timedelta(hours=3),
        origin="Leipzig",
        destination="Bremen",
        purpose=held.title,
        calculated_total=Decimal("118.40"),
        submitted_at=timezone.now() - timedelta(days=8),
    )
    FailedTask.objects.create(task_id="nav-1", task_name="cities.mail.tasks.send_email_task")


def shot(portal: PortalBrowser, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    portal.page.screenshot(path=str(ARTIFACTS / f"nav-{name}.png"), full_page=True)


def main_nav(page):
    return page.get_by_role("navigation", name="Hauptnavigation")


def box(locator) -> dict:
    result = locator.bounding_box()
    assert result is not None, f"{locator} is not rendered"
    return result


def assert_in_view_horizontally(locator, width: int) -> None:
    """Not cut off: the element lies within the viewport's width (no sideways scrolling needed)."""
    where = box(locator)
    assert where["x"] >= 0 and where["x"] + where["width"] <= width + 0.5, f"{locator}: {where}"


def header_rows(page) -> dict:
    return page.evaluate(
        """() => {
          const header = document.querySelector('header').getBoundingClientRect();
          const brand = document.querySelector('.site-brand').getBoundingClientRect();
          const tops = [...document.querySelectorAll('header nav a')].map(a => Math.round(a.getBoundingClientRect().top));
          const rights = [...document.querySelectorAll('header nav a, header .site-tools .btn')]
            .map(a => a.getBoundingClientRect().right);
          return {height: header.height, brandHeight: brand.height, tops: [...new Set(tops)], links: tops.length,
                  right: Math.max(...rights), width: document.documentElement.clientWidth};
        }"""
    )


def log_out(page) -> None:
    page.get_by_role("button", name="Abmelden").click()


def test_one_header_for_every_role_and_operations_under_one_entry(portal, requests_demo):
    page = portal.page
    heights = {}
    for email in ("stefan.weber@example.org", "petra.neumann@example.org", "koordination@example.org"):
        portal.log_in(email, DEMO_PASSWORD)
        rows = header_rows(page)
        # the navigation in one line under the brand row, nothing beyond the window's edge
        assert len(rows["tops"]) == 1, f"{email}: navigation wraps into {len(rows['tops'])} rows"
        assert rows["right"] <= rows["width"], email
        heights[email] = rows["height"]
        expect(page.get_by_role("button", name="Menü")).to_be_hidden()  # desktop: no menu button
        if email != "koordination@example.org":
            expect(main_nav(page).get_by_role("link", name="Betrieb")).to_have_count(0)
            log_out(page)
    # the same two rows for every role (the coordinator's header used to wrap into three)
    assert len(set(heights.values())) == 1, heights
    assert heights["koordination@example.org"] < 2 * 56, heights
    shot(portal, "header-coordinator")

    # technical pages are not in the main navigation but under "Betrieb"
    nav = main_nav(page)
    expect(nav.get_by_role("link", name="Fehlgeschlagene Aufgaben")).to_have_count(0)
    expect(nav.get_by_role("link", name="Administration")).to_have_count(0)
    nav.get_by_role("link", name="Betrieb").click()
    portal.check("operations")
    shot(portal, "operations")
    expect(page.get_by_role("heading", level=1)).to_have_text("Betrieb")
    expect(nav.get_by_role("link", name="Betrieb")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("main")).to_contain_text("1 Aufgabe wartet auf eine Entscheidung.")
    expect(page.get_by_role("main").get_by_role("link", name="Administration")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Fehlgeschlagene Aufgaben").click()
    portal.check("failed-tasks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fehlgeschlagene Hintergrundaufgaben")
    expect(nav.get_by_role("link", name="Betrieb")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("table")).to_contain_text("send_email_task")


def test_phone_menu_is_collapsed_and_opens_and_closes_by_keyboard(portal, requests_demo):
    page = portal.page
    page.set_viewport_size(PHONE)
    portal.log_in("koordination@example.org", DEMO_PASSWORD)
    menu = page.get_by_role("button", name="Menü")
    triage = main_nav(page).get_by_role("link", name="Triage")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_have_attribute("aria-controls", "site-menu")
    expect(triage).to_be_hidden()
    expect(page.get_by_role("button", name="Abmelden")).to_be_hidden()
    assert box(page.locator("header"))["height"] < 80  # one row: the brand and the button
    shot(portal, "phone-menu-closed")

    # keyboard only: skip link, brand, then the menu button; Enter opens it
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(triage).to_be_visible()
    portal.check("phone-menu-open")
    shot(portal, "phone-menu-open")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # every link is reachable with Tab in the order it is shown; Escape closes and returns to the button
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Triage":
            break
    expect(triage).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(triage).to_be_hidden()

    # Space toggles too; a link in the open menu leads to its page, where the menu starts closed again
    page.keyboard.press("Space")
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Space")
    expect(menu).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    triage.click()
    portal.check("phone-triage-from-menu")
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage aller Anfragen")
    expect(page.get_by_role("button", name="Menü")).to_have_attribute("aria-expanded", "false")


def test_phone_triage_shows_results_first_with_status_in_view_and_filters_behind_a_button(
    portal, requests_demo
):
    page = portal.page
    page.set_viewport_size(PHONE)
    portal.log_in("koordination@example.org", DEMO_PASSWORD)
    portal.goto("/triage/", "phone-triage")
    shot(portal, "phone-triage")
    toggle = page.get_by_role("button", name=FILTER_TOGGLE)
    status = page.get_by_label("Status", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(status).to_be_hidden()

    # the first result starts within the first screen (it used to take 1,000 px of filters)
    first = page.locator("main table tbody tr").first
    assert box(first)["y"] < PHONE["height"], box(first)
    expect(first).to_be_in_viewport()
    # a card per request: title, status and the rest within the screen's width
    assert_in_view_horizontally(first.get_by_role("link").first, PHONE["width"])
    assert_in_view_horizontally(first.locator(".badge").first, PHONE["width"])
    assert_in_view_horizontally(first.locator("td").last, PHONE["width"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # the filters open with the button, and stay open once a filter is set
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(status).to_be_visible()
    portal.check("phone-triage-filters-open")
    shot(portal, "phone-triage-filters-open")
    page.get_by_label("Thema").select_option(label="Mobilität")
    page.get_by_role("button", name="Filtern").click()
    portal.check("phone-triage-filtered")
    toggle = page.get_by_role("button", name=FILTER_TOGGLE)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_contain_text("1 gesetzt")
    expect(page.get_by_label("Thema")).to_be_visible()

    # on a desktop the filters are simply there, without the button; the rows are a table again
    page.set_viewport_size(DESKTOP)
    portal.goto("/triage/", "desktop-triage")
    expect(page.get_by_role("button", name=FILTER_TOGGLE)).to_be_hidden()
    expect(page.get_by_label("Status", exact=True)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Status")).to_be_visible()


def test_phone_lists_keep_status_and_next_step_in_view(portal, requests_demo):
    page = portal.page
    page.set_viewport_size(PHONE)
    portal.log_in("petra.neumann@example.org", DEMO_PASSWORD)
    portal.goto("/anfragen/", "phone-my-requests")
    shot(portal, "phone-my-requests")
    first = page.locator("main table tbody tr").first
    status, next_step = first.locator(".cell-status .badge").first, first.locator(".cell-next")
    expect(status).to_be_in_viewport()
    expect(next_step).to_be_in_viewport()
    assert_in_view_horizontally(status, PHONE["width"])
    assert_in_view_horizontally(next_step, PHONE["width"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    log_out_phone(page)

    portal.log_in("finanzen@example.org", DEMO_PASSWORD)
    portal.goto("/finanzen/", "phone-finance-queue")
    shot(portal, "phone-finance-queue")
    claim = page.locator("main table tbody tr").filter(has_text="Gesa Lüders")
    expect(claim).to_be_in_viewport()
    assert_in_view_horizontally(claim.locator("td").filter(has_text="Eingereicht").last, PHONE["width"])
    assert_in_view_horizontally(claim.locator("td").last, PHONE["width"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_out_phone(page) -> None:
    page.get_by_role("button", name="Menü").click()
    log_out(page)


def test_without_javascript_the_menu_and_filters_stay_open(browser, live_server, requests_demo):
    """The no-JavaScript path (axe needs JavaScript, so it runs on the same markup in the tests above)."""
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="de-DE")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/konto/anmelden/")
        page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
        page.get_by_label("Passwort").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_role("button", name="Menü")).to_be_hidden()
        main_nav(page).get_by_role("link", name="Triage").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Triage aller Anfragen")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "nav-phone-no-js-triage.png"), full_page=True)
        expect(page.get_by_role("button", name=FILTER_TOGGLE)).to_be_hidden()
        expect(page.get_by_label("Status", exact=True)).to_be_visible()
        expect(page.locator("main table tbody tr").first).to_be_visible()
    finally:
        context.close()
