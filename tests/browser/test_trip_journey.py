"""A business trip in Chromium: Petra requests it, her supervisor approves it through the e-mail link without
an account, the coordination confirms the costs — every page checked by axe."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from cities.directory.models import ExpertProfile, User
from cities.mail.models import OutgoingEmail
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.cycle.services.invitations import invitation_link, invitations_propose
from exchanges.cycle.services.meetings import meeting_schedule
from exchanges.travel.models import Booking, ClaimStatus, Commitment, TravelClaim, TripRequest, TripStatus
from exchanges.travel.services.budget import budget_position
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


def test_from_the_experts_yes_to_the_booking_of_the_claim_that_follows_the_trip(
    portal, demo, settings, tmp_path
):
    """The walk of the issue: the expert agrees → the traveller files the trip → the supervisor approves
    through the e-mail link (no account) → the coordination confirms the costs → the commitment shows in the
    budget → the meeting takes place → the claim is created from the trip, with one deviation (one more day)
    → finance sees the flagged deviation and approves → booked, the commitment replaced by the booking."""
    from koopstadt.development.demo_exchanges import demo_requests_load

    settings.MEDIA_ROOT = tmp_path
    demo_requests_load()
    page = portal.page
    coordinator = User.objects.get(email="koordination@example.org")
    exchange = ExchangeRequest.objects.get(
        requester__email="jonas.fischer@example.org", status=Status.MATCHING
    )
    expert = ExpertProfile.objects.filter(user__home_city__slug="leipzig").first()
    (invitation,) = invitations_propose(
        request=exchange, experts=[expert], message="Hätten Sie Zeit?", actor=coordinator
    )

    # The expert agrees through the link of the invitation's e-mail.
    page.goto(invitation_link(invitation).replace(settings.SITE_URL, portal.base_url))
    portal.check("invitation")
    page.get_by_label("Ja, ich mache mit").check()
    page.get_by_role("button", name="Antwort senden").click()
    portal.check("invitation-answered")
    exchange.refresh_from_db()
    assert exchange.status == Status.AGREED

    # The coordination sets date and place (its own walk is tested elsewhere): Jonas travels to Leipzig.
    start = (timezone.localtime() + timedelta(days=21)).replace(hour=10, minute=0, second=0, microsecond=0)
    jonas = exchange.requester
    meeting_schedule(
        request=exchange,
        actor=coordinator,
        starts_at=start,
        ends_at=start + timedelta(hours=5),
        format=exchange.preferred_format,
        city=expert.user.home_city,
        address="Neues Rathaus, Raum 201",
        video_link="",
        participants=[jonas, expert.user],
        travellers=[jonas],
    )

    # Jonas files the trip: dates and place come from the meeting.
    portal.log_in(jonas.email, DEMO_PASSWORD)
    page.goto(portal.base_url + exchange.get_absolute_url())
    portal.check("exchange")
    page.get_by_role("link", name="Dienstreise beantragen").click()
    portal.check("trip-new")
    if not page.locator("#id_supervisor").input_value():
        page.locator("#id_supervisor").select_option(index=1)
    page.locator("#id_fare").fill("139,80")
    page.get_by_role("button", name="Zur Genehmigung einreichen").click()
    portal.check("trip-submitted")
    expect(page.locator("#trip-status")).to_have_text("Wartet auf Genehmigung")
    page.set_viewport_size({"width": 390, "height": 844})
    portal.check("trip-submitted-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Abmelden").click()

    # The supervisor approves through the link of the e-mail, without an account.
    trip = TripRequest.objects.get(exchange=exchange, traveller=jonas)
    assert OutgoingEmail.objects.filter(
        to_address=trip.supervisor_email, body__contains="/genehmigung/"
    ).exists()
    page.goto(trip_link(trip).replace(settings.SITE_URL, portal.base_url))
    portal.check("trip-link")
    page.get_by_label("genehmigt").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    portal.check("trip-link-decided")

    # The coordination confirms that koopstadt covers the costs.
    portal.log_in(coordinator.email, DEMO_PASSWORD)
    portal.goto(f"/dienstreisen/{trip.pk}/", "trip-costs")
    page.locator("#id_cost-decision_0").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    portal.check("trip-approved")
    expect(page.locator("#trip-status")).to_have_text("Genehmigt")
    page.get_by_role("button", name="Abmelden").click()
    trip.refresh_from_db()
    commitment = Commitment.objects.get(trip=trip, released_at__isnull=True)

    # Finance sees the commitment in the budget of the trip's year.
    year = timezone.localtime(trip.starts_at).year
    committed = budget_position(year=year)["committed"]
    assert committed >= commitment.amount > 0
    portal.log_in("finanzen@example.org", DEMO_PASSWORD)
    portal.goto(f"/finanzen/budget/?year={year}", "budget-committed")
    row = page.get_by_role("row", name="Gebunden (genehmigte Dienstreisen, noch nicht abgerechnet)")
    expect(row).to_contain_text(euro(committed))
    page.get_by_role("button", name="Abmelden").click()

    # The meeting has taken place: Jonas claims from the trip and came back a day later than approved.
    with time_machine.travel(trip.ends_at + timedelta(days=2), tick=True):
        portal.log_in(jonas.email, DEMO_PASSWORD)
        portal.goto(f"/dienstreisen/{trip.pk}/", "trip-after")
        page.get_by_role("button", name="Abrechnung aus dieser Dienstreise anlegen").click()
        portal.check("claim-from-trip")
        later = timezone.localtime(trip.ends_at) + timedelta(days=1)
        page.locator("#id_trip_end").fill(f"{later:%d.%m.%Y %H:%M}")
        page.get_by_role("button", name="Speichern und neu berechnen").click()
        portal.check("claim-changed")
        page.locator("#id_item-kind").select_option("rail")
        page.locator("#id_item-amount").fill("139,80")
        page.locator("#id_item-receipt").set_input_files(
            files=[
                {"name": "fahrkarte.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 Fahrkarte HB-L"}
            ]
        )
        page.get_by_role("button", name="Position hinzufügen").click()
        portal.check("claim-item")
        expect(page.get_by_text("weicht von der genehmigten Dienstreise ab").first).to_be_visible()
        if page.locator("#id_submit-trip_fit_reason").count():
            page.locator("#id_submit-trip_fit_reason").fill("Rückfahrt am Folgetag wegen Zugausfall.")
        page.get_by_role("button", name="Abrechnung bei den Finanzen einreichen").click()
        portal.check("claim-submitted")
        page.get_by_role("button", name="Abmelden").click()

        # Finance sees the flagged deviation next to the approval, approves, and the claim is booked.
        claim = TravelClaim.objects.get(trip=trip)
        assert claim.status == ClaimStatus.SUBMITTED
        portal.log_in("finanzen@example.org", DEMO_PASSWORD)
        portal.goto(f"/reisekosten/{claim.pk}/", "finance-claim")
        deviations = page.get_by_role(
            "table", name="Wo die Abrechnung von der genehmigten Dienstreise abweicht"
        )
        expect(deviations.get_by_role("row", name="Andere Daten")).to_be_visible()
        page.get_by_label("genehmigen").check()
        page.get_by_role("button", name="Entscheidung speichern").click()
        portal.check("finance-approved")
        booking = Booking.objects.get(claim=claim)
        expect(page.get_by_text(f"Buchungsnummer {booking.number}")).to_be_visible()
    commitment.refresh_from_db()
    assert commitment.release_reason == Commitment.Release.BOOKED
    assert Commitment.objects.filter(trip=trip, released_at__isnull=True).count() == 0


def euro(amount) -> str:
    return f"{amount:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")
