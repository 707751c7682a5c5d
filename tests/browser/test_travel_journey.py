"""Travel costs in Chromium: a traveller files example A, finance approves, the booking appears."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.travel.models import Booking, TravelClaim
from koopstadt.development.demo_data import DEMO_PASSWORD
from koopstadt.development.demo_exchanges import DEMO_HELD_TITLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_traveller_files_finance_approves_booking_appears(portal, demo, settings, tmp_path):
    from koopstadt.development.demo_exchanges import demo_requests_load

    settings.MEDIA_ROOT = tmp_path
    demo_requests_load()
    page = portal.page
    exchange = ExchangeRequest.objects.get(title=DEMO_HELD_TITLE)  # held: the visit took place
    day = timezone.localtime(exchange.meeting.starts_at).date()  # the trip of the meeting's day

    portal.log_in("petra.neumann@example.org", DEMO_PASSWORD)
    page.goto(portal.base_url + exchange.get_absolute_url())
    portal.check("exchange")
    page.get_by_role("link", name="Reisekosten abrechnen").click()
    portal.check("claim-new")
    expect(page.locator("#meeting-date")).to_contain_text(f"{day:%d.%m.%Y}")
    page.locator("#id_trip_start").fill(f"{day:%d.%m.%Y} 06:30")
    page.locator("#id_trip_end").fill(f"{day:%d.%m.%Y} 19:45")
    page.locator("#id_origin").fill("Leipzig")
    page.locator("#id_destination").fill("Bremen")
    page.get_by_role("button", name="Entwurf speichern").click()
    portal.check("claim-draft")

    page.locator(f"#id_meals-{day.isoformat()}_lunch").check()
    page.get_by_role("button", name="Speichern und neu berechnen").click()
    portal.check("claim-meals")
    page.locator("#id_item-kind").select_option("rail")
    page.locator("#id_item-amount").fill("59,90")
    page.locator("#id_item-receipt").set_input_files(
        files=[{"name": "fahrkarte.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 Fahrkarte"}]
    )
    page.get_by_role("button", name="Position hinzufügen").click()
    portal.check("claim-item")
    expect(page.get_by_role("table").get_by_text("62,70 €")).to_be_visible()
    # The trip was approved on paper, outside the portal: finance reads how.
    page.get_by_label("Wie und wann wurde die Dienstreise genehmigt?").fill(
        "Schriftlich genehmigt von der Amtsleitung am 02.03."
    )
    page.get_by_role("button", name="Abrechnung bei den Finanzen einreichen").click()
    portal.check("claim-submitted")
    expect(page.get_by_role("status")).to_have_text(
        f"Ihre Abrechnung zu {exchange.reference} über 62,70 € wurde bei den Finanzen eingereicht. "
        "Sie erhalten eine E-Mail, sobald entschieden ist."
    )
    page.get_by_role("button", name="Abmelden").click()

    portal.log_in("finanzen@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Finanzen").click()
    portal.check("finance-queue")
    page.get_by_role("link", name="Petra Neumann").click()
    portal.check("finance-claim")
    page.get_by_label("genehmigen").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    portal.check("finance-approved")

    claim = TravelClaim.objects.get()
    booking = Booking.objects.get(claim=claim)
    expect(page.get_by_text(f"Buchungsnummer {booking.number}")).to_be_visible()
    # finance is told what happened, with the booking number (booked at once after the commit here)
    expect(page.get_by_role("status")).to_have_text(
        f"Die Abrechnung von Petra Neumann zu {exchange.reference} wurde genehmigt und als {booking.number} "
        "gebucht (62,70 €)."
    )
    assert str(booking.amount) == "62.70"

    # Finance gathers the booking into an export batch and downloads the CSV.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Finanzen").click()
    page.get_by_role("link", name="Exportstapel").first.click()
    portal.check("batches")
    page.get_by_role("button", name="Stapel aus allen neuen Buchungen bilden").click()
    portal.check("batch")
    expect(page.get_by_role("cell", name=booking.number)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="CSV herunterladen").click()
    csv_path = download_info.value.path()
    assert "62,70" in Path(csv_path).read_text(encoding="utf-8-sig")
    page.get_by_role("link", name="Budget").first.click()
    portal.check("budget")


def test_example_b_through_the_browser_form(portal, demo, settings, tmp_path):
    from koopstadt.development.demo_exchanges import demo_requests_load

    settings.MEDIA_ROOT = tmp_path
    demo_requests_load()
    page = portal.page
    exchange = ExchangeRequest.objects.get(status=Status.SCHEDULED)
    day = timezone.localdate() - timedelta(days=8)

    portal.log_in("andreas.roth@example.org", DEMO_PASSWORD)  # the expert travels too
    page.goto(portal.base_url + exchange.get_absolute_url())
    page.get_by_role("link", name="Reisekosten abrechnen").click()
    page.locator("#id_trip_start").fill(f"{day:%d.%m.%Y} 07:00")
    page.locator("#id_trip_end").fill(f"{day + timedelta(days=1):%d.%m.%Y} 18:00")
    page.locator("#id_origin").fill("Nürnberg")
    page.locator("#id_destination").fill("Leipzig")
    page.get_by_role("button", name="Entwurf speichern").click()
    portal.check("b-draft")
    for kind, amount, breakfast in [
        ("rail", "89,00", False),
        ("rail", "89,00", False),
        ("hotel", "68,00", True),
    ]:
        page.locator("#id_item-kind").select_option(kind)
        page.locator("#id_item-amount").fill(amount)
        if breakfast:
            page.locator("#id_item-breakfast_included").check()
        if kind == "hotel":  # the night of the first day; without its receipt it is paid as the flat rate
            page.locator("#id_item-night_of").fill(f"{day:%d.%m.%Y}")
            page.locator("#id_item-receipt").set_input_files(
                {"name": "hotel.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 hotel"}
            )
        page.get_by_role("button", name="Position hinzufügen").click()
    portal.check("b-items")
    expect(page.get_by_role("table").get_by_text("268,40 €")).to_be_visible()
    # Andreas Roth works in Nürnberg: the Bavarian law applies
    expect(page.get_by_role("table").get_by_text("Art. 8 BayRKG").first).to_be_visible()
