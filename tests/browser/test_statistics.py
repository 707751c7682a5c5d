"""Statistics in Chromium with the demo network: the coordination's pages and a city contact's view, with axe."""

import pytest
from playwright.sync_api import expect

from koopstadt.development.demo_data import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_network(demo):
    from koopstadt.development.demo_exchanges import demo_requests_load

    demo_requests_load()


def test_the_coordination_reads_the_dashboard_the_city_matrix_and_the_costs(portal, demo_network):
    page = portal.page
    portal.log_in("koordination@example.org", DEMO_PASSWORD)

    portal.goto("/statistik/", "dashboard")
    scope = page.locator(".stat-scope")
    for city in ("Leipzig", "Bremen", "Nürnberg"):
        expect(scope).not_to_contain_text(city)  # the whole network
    expect(page.locator("svg.stat-chart").first).to_be_visible()
    expect(page.locator("#heading-requests_by_state")).to_be_visible()
    # every chart has its data table with a caption, and the city select is offered to the coordination
    assert page.locator("table.stat-table caption").count() >= page.locator("svg.stat-chart").count()
    expect(page.locator("#id_city")).to_be_visible()

    page.locator("#id_start").fill("01.01.2015")
    page.locator("#id_end").fill("31.12.2030")
    page.locator("form.stat-filter button[type=submit]").click()
    portal.check("dashboard-long-period")
    expect(scope).to_contain_text("01.01.2015")

    page.locator(".stat-subnav a[href^='/statistik/staedte/']").click()
    portal.check("city-matrix")
    requests = page.locator("section[aria-labelledby='heading-city_matrix_requests'] table")
    for city in ("Bremen", "Leipzig", "Nürnberg"):
        expect(requests.locator("tbody th[scope=row]", has_text=city)).to_have_count(1)
        expect(requests.locator("thead th[scope=col]", has_text=city)).to_have_count(1)

    page.locator(".stat-subnav a[href^='/statistik/kosten/']").click()
    portal.check("costs")
    expect(page.locator("#heading-budget_use")).to_be_visible()

    # a bad date is explained at its field, the page still shows figures
    portal.goto("/statistik/?start=31.02.2026&end=01.01.2026", "bad-period")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_start")).to_have_attribute("aria-invalid", "true")


def test_a_city_contact_sees_only_their_citys_figures(portal, demo_network):
    page = portal.page
    portal.log_in("kontakt.leipzig@example.org", DEMO_PASSWORD)

    portal.goto("/statistik/", "contact-dashboard")
    scope = page.locator(".stat-scope")
    expect(scope).to_contain_text("Leipzig")
    expect(scope).not_to_contain_text("Bremen")
    expect(scope).not_to_contain_text("Nürnberg")
    expect(page.locator("#id_city")).to_have_count(0)
    by_city = page.locator("section[aria-labelledby='heading-requests_by_city'] table tbody th[scope=row]")
    assert by_city.count() >= 1
    for index in range(by_city.count()):
        expect(by_city.nth(index)).to_have_text("Leipzig")

    portal.goto("/statistik/staedte/", "contact-city-matrix")
    expect(page.locator(".stat-scope")).to_contain_text("Leipzig")
