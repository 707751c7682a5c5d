"""A demo network in which one person (Petra Neumann, requester) appears everywhere the portal keeps data."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.cycle.services.requests import attachment_add, comment_add
from exchanges.travel.models import ExportBatch, TravelClaim
from exchanges.travel.services.claims import (
    claim_approve,
    claim_book,
    claim_create,
    claim_item_add,
    claim_submit,
)
from exchanges.travel.services.exports import batch_create, batch_mark_exported, batch_mark_paid
from tests.cities.factories import UserFactory

BERLIN = ZoneInfo("Europe/Berlin")
OLD_NAME = "Petra Neumann"
OLD_EMAIL = "petra.neumann@example.org"


@dataclass
class World:
    person: User
    expert: User
    finance: User
    coordinator: User
    contact: User
    admin: User
    exchange: ExchangeRequest
    returned: ExchangeRequest
    claims: list[TravelClaim]
    batch: ExportBatch


def _claim(exchange: ExchangeRequest, traveller: User, days_ago: int) -> TravelClaim:
    day = timezone.localdate() - timedelta(days=days_ago)
    claim = claim_create(
        exchange=exchange,
        traveller=traveller,
        actor=traveller,
        data={
            "trip_start": datetime(day.year, day.month, day.day, 6, 30, tzinfo=BERLIN),
            "trip_end": datetime(day.year, day.month, day.day, 19, 45, tzinfo=BERLIN),
            "origin": "Leipzig, Wohnung Karl-Liebknecht-Straße 12",
            "destination": "Nürnberg",
        },
    )
    claim_item_add(
        claim=claim,
        actor=traveller,
        data={"kind": "rail", "amount": D("59.90"), "explanation": f"Fahrkarte für {traveller.display_name}"},
        upload=SimpleUploadedFile(
            f"Fahrkarte {traveller.display_name}.pdf", f"%PDF-1.4 ticket {traveller.pk}".encode()
        ),
    )
    return claim


@pytest.fixture
def world(demo_world, db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    person = User.objects.get(email=OLD_EMAIL)
    expert = User.objects.get(email="andreas.roth@example.org")
    finance = User.objects.get(email="finanzen@example.org")
    coordinator = User.objects.get(email="koordination@example.org")
    contact = User.objects.get(email="kontakt.leipzig@example.org")
    admin = UserFactory(email="admin@example.org", display_name="Ada Admin", is_superuser=True, is_staff=True)
    exchange = ExchangeRequest.objects.get(requester=person, status=Status.SCHEDULED)
    returned = ExchangeRequest.objects.get(requester=person, status=Status.RETURNED)

    attachment_add(
        request=returned,
        upload=SimpleUploadedFile("Standorte Petra Neumann.pdf", b"%PDF-1.4 plan"),
        actor=person,
    )
    comment_add(request=exchange, author=person, body="Ich bringe Frau Kühn aus dem Schulamt mit.")
    comment_add(
        request=exchange,
        author=coordinator,
        body=f"Danke, {OLD_NAME}! Rückfragen bitte an {OLD_EMAIL}.",
        is_internal=True,
    )
    claims = [_claim(exchange, person, 3), _claim(exchange, expert, 3)]
    for claim in claims:
        # The trip lies before the meeting of the (still scheduled) exchange: it needs a reason.
        claim_submit(
            no_trip_reason="Auf Papier genehmigt.",
            claim_id=claim.pk,
            actor=claim.traveller,
            trip_fit_reason="Vorbesprechung vor Ort",
        )
        claim_approve(claim_id=claim.pk, actor=finance)
        claim_book(claim_id=claim.pk)
    batch = batch_create(actor=finance)
    batch_mark_exported(batch=batch, actor=finance)
    batch_mark_paid(batch=batch, actor=finance)
    for claim in claims:
        claim.refresh_from_db()
    return World(person, expert, finance, coordinator, contact, admin, exchange, returned, claims, batch)
