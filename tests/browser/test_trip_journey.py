"""A business trip in Chromium: Petra requests it, her supervisor approves it through the e-mail link without
an account, the coordination confirms the costs — every page checked by axe."""

import pytest
from playwright.sync_api import expect

from exchanges.cycle.models import ExchangeRequest
from exchanges.travel.models import TripRequest, TripStatus
from exchanges.travel.services.trips import trip_link
from koopstadt.development.demo_data import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_trip_is_requested_approved_by_link_and_its_costs_confirmed(portal, demo, settings, tmp_path):
    from koopstadt.development.demo_exchanges import demo_requests_load

    settings.MEDIA_ROOT = tmp_path
    demo_requests_load()
    page = portal.page
    exchange = ExchangeRequest.objects.get(title="Schulcampus und Ganztag")

    portal.log_in("petra.neumann@example.org", DEMO_PASSWORD)
    page.goto(portal.base_url + exchange.get_absolute_url())
    portal.check("exchange")
    page.get_by_role("link", name="Dienstreise beantragen").click()
    portal.check("trip-new")
    if not page.locator("#id_supervisor").input_value():
        page.locator("#id_supervisor").select_option(index=1)
    page.locator("#id_fare").fill("119,80")
    page.get_by_role("button", name="Zur Genehmigung einreichen").click()
    portal.check("trip-submitted")
    expect(page.locator("#trip-status")).to_have_text("Wartet auf Genehmigung")
    page.get_by_role("button", name="Abmelden").click()

    trip = TripRequest.objects.get(exchange=exchange)
    page.goto(trip_link(trip).replace(settings.SITE_URL, portal.base_url))
    portal.check("trip-link")
    page.get_by_label("genehmigt").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    portal.check("trip-link-decided")
    expect(page.locator("#link-decided")).to_contain_text("Vielen Dank")

    portal.log_in("koordination@example.org", DEMO_PASSWORD)
    portal.goto(f"/dienstreisen/{trip.pk}/", "trip-costs")
    page.locator("#id_cost-decision_0").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    portal.check("trip-approved")
    expect(page.locator("#trip-status")).to_have_text("Genehmigt")
    assert TripRequest.objects.get(pk=trip.pk).status == TripStatus.APPROVED
