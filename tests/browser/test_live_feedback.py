"""Live feedback in Chromium, with JavaScript on and off (issue 20, part 4): the claim's calculation follows
the trip form without pressing the button, and the triage filters as one chooses; with JavaScript off the
button recalculates and the filter button filters, as before. axe on every page at desktop width and on a
390 px phone, after each live update too."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest
from exchanges.cycle.selectors import triage
from exchanges.travel.models import TravelClaim
from koopstadt.development.demo_data import DEMO_PASSWORD
from koopstadt.development.demo_exchanges import DEMO_HELD_TITLE
from tests.browser.conftest import ARTIFACTS, WCAG_TAGS, PortalBrowser, _axe
from tests.exchanges.claims_world import day_trip_draft, meeting_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def javascript(request) -> bool:
    return request.param


class NoScriptPortal(PortalBrowser):
    """A browser with JavaScript off. axe is JavaScript and waits for timers that do not run there, so each
    page is checked as it is shown: its HTML, at its address and width, in a second page whose own
    scripts (htmx) are blocked, where axe can run."""

    def __init__(self, page: Page, base_url: str, name: str, axe_page: Page) -> None:
        super().__init__(page, base_url, name)
        self.axe_page = axe_page

    def check(self, label: str) -> None:
        self.page.wait_for_load_state("load")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name}-{len(self.visited):02d}-{label}".lower())
        self.page.screenshot(path=str(ARTIFACTS / f"{slug}.png"), full_page=True)
        html, url = self.page.content(), self.page.url.split("#")[0]
        self.axe_page.set_viewport_size(self.page.viewport_size)
        self.axe_page.route(
            url, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8")
        )
        self.axe_page.goto(url)
        self.axe_page.unroute(url)
        results = _axe.run(self.axe_page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, f"{label} ({url}):\n{results.generate_report()}"
        assert self.page.locator("h1").count() == 1, f"{label}: a page needs exactly one h1"
        self.visited.append(self.page.url)


@pytest.fixture
def portal(browser, live_server, request, javascript):
    """A browser of its own with JavaScript on or off (Playwright: java_script_enabled)."""
    context = browser.new_context(java_script_enabled=javascript, locale="en-US", viewport=DESKTOP)
    if javascript:
        page = context.new_page()
        refused: list[str] = []  # what the strict CSP blocked (an inline style or script, eval)
        page.on(
            "console",
            lambda message: (
                refused.append(f"{page.url}: {message.text}") if "Content Security" in message.text else None
            ),
        )
        yield PortalBrowser(page, live_server.url, request.node.name)
        assert refused == []
    else:
        checker = browser.new_context(locale="en-US", viewport=DESKTOP)
        checker.route("**/django_htmx/**", lambda route: route.abort())
        yield NoScriptPortal(context.new_page(), live_server.url, request.node.name, checker.new_page())
        checker.close()
    context.close()


@pytest.fixture
def world(demo, settings, tmp_path):
    from koopstadt.development.demo_exchanges import demo_requests_load

    settings.MEDIA_ROOT = tmp_path
    demo_requests_load()


def both_widths(portal: PortalBrowser, label: str) -> None:
    for suffix, size in (("", DESKTOP), ("-phone", PHONE)):
        portal.page.set_viewport_size(size)
        portal.check(f"{label}{suffix}")
    portal.page.set_viewport_size(DESKTOP)


def test_the_claim_calculation_follows_the_trip_form(portal, world, javascript):
    exchange = ExchangeRequest.objects.get(title=DEMO_HELD_TITLE)
    petra = exchange.requester
    day = meeting_day(exchange)
    claim = day_trip_draft(exchange)
    page = portal.page
    total = page.locator("#claim-calculation tfoot")
    portal.log_in(petra.email, DEMO_PASSWORD)
    page.goto(portal.base_url + f"/reisekosten/{claim.pk}/")
    both_widths(portal, "claim")
    expect(total).to_contain_text("14,00 €")

    # Lunch was provided: 40 % of the 28 € daily rate comes off the 14 € allowance.
    page.get_by_label(f"Mittagessen ({day:%d.%m.%Y})").check()
    if javascript:
        expect(total).to_contain_text("2,80 €")  # without pressing the button
        expect(page.locator("#calculation-status")).to_have_text(
            "Berechnet mit Ihren Eingaben: 2,80 €. Noch nicht gespeichert – „Speichern und neu berechnen“ "
            "übernimmt sie."
        )
        expect(page.locator("#calculation-preview")).to_be_visible()
        # back at 13:00: six hours away, no allowance
        page.locator("#id_trip_end").fill(f"{day:%d.%m.%Y} 13:00")
        page.locator("#id_trip_end").press("Tab")
        expect(total).to_contain_text("0,00 €")
        expect(page.locator("#id_origin")).to_have_value("Leipzig")  # the form itself is untouched
        both_widths(portal, "claim-live")
        # a trip that ends before it begins: said at once, next to nothing saved
        page.locator("#id_trip_end").fill(f"{day:%d.%m.%Y} 06:00")
        page.locator("#id_trip_end").press("Tab")
        expect(page.locator("#calculation-status")).to_contain_text(
            "Die Berechnung konnte nicht aktualisiert werden: Reiseende: Die Reise muss nach ihrem Beginn enden."
        )
        both_widths(portal, "claim-live-problem")
        page.locator("#id_trip_end").fill(f"{day:%d.%m.%Y} 13:00")
        page.locator("#id_trip_end").press("Tab")
        expect(total).to_contain_text("0,00 €")
        claim.refresh_from_db()
        assert claim.version == 1 and not claim.meals  # the live calculation saved nothing
        expected = "0,00 €"
    else:
        page.wait_for_timeout(1000)
        expect(total).to_contain_text("14,00 €")  # nothing happens without the button
        expected = "2,80 €"

    page.get_by_role("button", name="Speichern und neu berechnen").click()
    both_widths(portal, "claim-saved")
    expect(page.get_by_role("status").first).to_have_text("Gespeichert und neu berechnet.")
    expect(total).to_contain_text(expected)
    claim = TravelClaim.objects.get(pk=claim.pk)
    assert claim.version == 2 and claim.meals == {day.isoformat(): ["lunch"]}


def test_the_triage_filters_as_one_chooses(portal, world, javascript):
    coordinator = User.objects.get(email="koordination@example.org")
    open_count = triage(user=coordinator, filters={}).count()
    all_count = triage(user=coordinator, filters={"status": "all"}).count()
    assert all_count > open_count
    page = portal.page
    heading = page.locator("#results-heading")

    portal.log_in(coordinator.email, DEMO_PASSWORD)
    page.goto(portal.base_url + "/triage/")
    both_widths(portal, "triage")
    expect(heading).to_have_text(f"{open_count} Anfragen")

    page.get_by_label("Status").focus()
    page.get_by_label("Status").select_option("all")
    if javascript:
        expect(heading).to_have_text(f"{all_count} Anfragen")  # without pressing "Filtern"
        expect(page).to_have_url(re.compile(r"/triage/\?(.*&)?status=all(&|$)"))  # hx-push-url
        expect(page.locator("#results-status")).to_have_text(f"{all_count} Anfragen")
        expect(page.get_by_label("Status")).to_be_focused()  # the filter keeps the focus
        both_widths(portal, "triage-live")
        # the address is the whole page: reloading it shows the same list
        page.reload()
        expect(heading).to_have_text(f"{all_count} Anfragen")
        expect(page.get_by_label("Status")).to_have_value("all")
    else:
        page.wait_for_timeout(1000)
        expect(heading).to_have_text(f"{open_count} Anfragen")
        page.get_by_role("button", name="Filtern").click()
        both_widths(portal, "triage-filtered")
        expect(heading).to_have_text(f"{all_count} Anfragen")
        assert "status=all" in page.url


def test_the_new_claim_checks_its_dates_on_leaving_them(portal, world, javascript):
    exchange = ExchangeRequest.objects.get(title=DEMO_HELD_TITLE)
    petra = exchange.requester
    far = timezone.localtime(exchange.meeting.starts_at).date() - timedelta(days=9)
    page = portal.page
    portal.log_in(petra.email, DEMO_PASSWORD)
    page.goto(portal.base_url + f"/anfragen/{exchange.pk}/reisekosten/neu/")
    both_widths(portal, "claim-new")
    page.locator("#id_trip_start").fill(f"{far:%d.%m.%Y} 07:00")
    page.locator("#id_trip_start").press("Tab")
    page.locator("#id_trip_end").fill(f"{far:%d.%m.%Y} 18:00")
    page.locator("#id_trip_end").press("Tab")
    check = page.locator("#trip-check")
    if javascript:
        expect(check).to_contain_text("Bitte prüfen Sie die Reise:")
        expect(check).to_contain_text("erreicht den Termin des Austauschs am")
        expect(page.locator("#id_origin")).to_be_focused()  # the check leaves the focus where it went
        both_widths(portal, "claim-new-checked")
        assert not TravelClaim.objects.exists()
    else:
        page.wait_for_timeout(1000)
        expect(check).to_be_empty()
        page.locator("#id_origin").fill("Leipzig")
        page.locator("#id_destination").fill("Bremen")
        page.get_by_role("button", name="Entwurf speichern").click()
        both_widths(portal, "claim-new-saved")
        expect(page.locator("#claim-notes")).to_contain_text("erreicht den Termin des Austauschs am")
