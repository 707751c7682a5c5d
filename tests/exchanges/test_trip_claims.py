"""Claims and approved trips on the claim pages: a claim without an approved trip is submitted only with the
reason (and the approval uploaded, which finance then sees); a claim created from an approved trip shows
the trip and every deviation from it to finance."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest, Meeting
from exchanges.travel.models import ClaimStatus, TravelClaim
from exchanges.travel.services.claims import claim_item_add, claim_submit, claim_update
from exchanges.travel.services.trips import (
    claim_from_trip,
    trip_cost_decide,
    trip_create,
    trip_submit,
    trip_supervisor_decide,
)
from tests.cities.factories import UserFactory
from tests.exchanges.claims_world import day_trip_draft, held_exchange

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(demo_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def person(email: str) -> User:
    return User.objects.get(email=email)


def _pdf(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 " + content, content_type="application/pdf")


def test_a_claim_without_an_approved_trip_asks_for_the_reason_next_to_its_field(client):
    claim = day_trip_draft(held_exchange())
    client.force_login(claim.traveller)
    page = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    assert "keine Dienstreise im Portal genehmigt" in page
    assert "Wie und wann wurde die Dienstreise genehmigt?" in page

    refused = client.post(reverse("exchanges:claim_submit", args=[claim.pk]), {})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Für diesen Austausch wurde im Portal keine Dienstreise von Ihnen genehmigt" in html
    assert TravelClaim.objects.get(pk=claim.pk).status == ClaimStatus.DRAFT


def test_the_reason_and_the_uploaded_approval_reach_finance(client):
    claim = day_trip_draft(held_exchange())
    client.force_login(claim.traveller)
    response = client.post(
        reverse("exchanges:claim_submit", args=[claim.pk]),
        {
            "submit-no_trip_reason": "Von der Amtsleitung am 02.03. schriftlich genehmigt.",
            "submit-approval": _pdf("genehmigung.pdf", b"Dienstreisegenehmigung Amt 40"),
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.no_trip_reason.startswith("Von der Amtsleitung")

    client.force_login(person("finanzen@example.org"))
    page = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    assert "Von der Amtsleitung am 02.03. schriftlich genehmigt." in page
    assert "Die Genehmigung: genehmigung.pdf" in page
    queue = client.get(reverse("exchanges:finance_queue")).content.decode()
    assert "keine genehmigte Dienstreise" in queue


def test_finance_is_told_when_no_approval_was_uploaded(client):
    claim = day_trip_draft(held_exchange())
    claim_submit(claim_id=claim.pk, actor=claim.traveller, no_trip_reason="Mündlich genehmigt.")
    client.force_login(person("finanzen@example.org"))
    page = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    assert "Es wurde kein Genehmigungsdokument hochgeladen." in page


def test_finance_sees_the_approved_trip_and_each_deviation_on_the_claim_page(client):
    exchange = ExchangeRequest.objects.get(title="Schulcampus und Ganztag")
    petra = person("petra.neumann@example.org")
    boss = UserFactory(email="ines.vogt@example.org", display_name="Ines Vogt", home_city=petra.home_city)
    meeting = Meeting.objects.get(request=exchange)
    trip = trip_create(
        exchange=exchange,
        traveller=petra,
        actor=petra,
        data={
            "starts_at": meeting.starts_at - timedelta(hours=3),
            "ends_at": meeting.ends_at + timedelta(hours=3),
            "destination": "Nürnberg",
            "fare": D("100.00"),
            "supervisor": boss,
        },
    )
    trip = trip_submit(trip_id=trip.pk, actor=petra)
    trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=boss)
    trip_cost_decide(trip_id=trip.pk, decision="approved", actor=person("koordination@example.org"))

    with time_machine.travel(trip.ends_at + timedelta(days=2)):
        client.force_login(petra)
        new = client.get(reverse("exchanges:claim_create", args=[exchange.pk])).content.decode()
        assert "Abrechnung aus dieser Dienstreise anlegen" in new
        claim = claim_from_trip(trip_id=trip.pk, actor=petra)
        claim = claim_update(claim=claim, actor=petra, data={"trip_end": trip.ends_at + timedelta(days=1)})
        claim_item_add(
            claim=claim,
            actor=petra,
            data={"kind": "rail", "amount": D("190.00")},
            upload=_pdf("fahrkarte.pdf", b"Fahrkarte Leipzig-Nuernberg"),
        )
        claim_submit(claim_id=claim.pk, actor=petra, trip_fit_reason="Rückfahrt am Folgetag.")

    client.force_login(person("finanzen@example.org"))
    page = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    assert "Genehmigte Dienstreise" in page
    assert "Genehmigt von Ines Vogt" in page
    assert "Andere Daten" in page
    assert "Höhere Kosten als geschätzt" in page
    assert "weicht von der genehmigten Dienstreise ab" in page
    assert "keine Dienstreise im Portal genehmigt" not in page
