"""Similar past exchanges in Chromium (issue 23, point 3): the panel beside the request form follows the title
and the need as they are typed (htmx, under the strict CSP), and "Hat sich erledigt" withdraws a submitted
request in one click. axe on every page, after the live update too."""

import pytest
from playwright.sync_api import expect

from exchanges.cycle.models import ExchangeRequest, Status
from koopstadt.development.demo_data import DEMO_PASSWORD
from koopstadt.development.demo_exchanges import demo_requests_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Nürnberg's submitted request about mobility stations; Bremen's completed one answers much of it.
REQUESTER = "lukas.meyer@example.org"
OWN_TITLE = "Erfahrungen mit Mobilitätsstationen im Quartier"
PAST_TITLE = "Radverkehr und Mobilitätsstation am Bahnhof"


@pytest.fixture
def world(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo_requests_load()


def test_the_panel_follows_what_is_typed(portal, world):
    portal.log_in(REQUESTER, DEMO_PASSWORD)
    portal.goto("/anfragen/neu/", "empty form")
    panel = portal.page.locator("#similar-exchanges-results")
    expect(panel).not_to_contain_text(PAST_TITLE)

    portal.page.get_by_label("Titel").press_sequentially("Mobilitätsstation am Bahnhof planen", delay=20)

    expect(panel).to_contain_text(PAST_TITLE)
    expect(portal.page.get_by_role("heading", name="Vielleicht hilft das schon")).to_be_visible()
    portal.check("panel after typing")


def test_settled_withdraws_the_submitted_request(portal, world):
    own = ExchangeRequest.objects.get(title=OWN_TITLE)
    portal.log_in(REQUESTER, DEMO_PASSWORD)
    portal.goto(own.get_absolute_url(), "request page")
    expect(portal.page.locator("#similar-exchanges-results")).to_contain_text(PAST_TITLE)

    portal.page.get_by_role("button", name="Hat sich erledigt: Anfrage zurückziehen").first.click()

    portal.check("withdrawn")
    own.refresh_from_db()
    assert own.status == Status.WITHDRAWN
    expect(portal.page.locator("main")).to_contain_text("Hat sich erledigt: CR-")
