"""Claims that make sense (issue 18, point 4): receipts before submitting, no 0,00 €, bounded amounts,
duplicates and trips that do not fit the exchange flagged and explained, one rule for who may claim.

The findings behind these: the same trip could be claimed and paid twice; a hotel night "laut Beleg" was
paid without any receipt; the demo could only be walked with an invented trip date. These tests failed
on that code.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.cycle.rules import may_claim
from exchanges.travel.models import ClaimItem, ClaimStatus, TravelClaim, TripRequest, TripStatus
from exchanges.travel.services.claims import claim_create, claim_flags, claim_item_add, claim_submit
from exchanges.travel.services.trips import claim_from_trip
from koopstadt.errors import DomainError
from tests.api.conftest import issue, problem, token_client
from tests.exchanges.claims_world import at, attach_receipt, held_exchange, meeting_day
from tests.exchanges.conftest import make_request

pytestmark = pytest.mark.django_db

_receipts = iter(range(1, 10_000))


def pdf(content: bytes | None = None, name: str = "beleg.pdf") -> SimpleUploadedFile:
    content = content or f"%PDF-1.4 receipt {next(_receipts)}".encode()
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def demo(demo_world, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return held_exchange()


def day_trip(exchange, traveller=None, offset: int = 0, **data) -> TravelClaim:
    traveller = traveller or exchange.requester
    day = meeting_day(exchange) + timedelta(days=offset)
    return claim_create(
        exchange=exchange,
        traveller=traveller,
        actor=traveller,
        data={
            "trip_start": at(day, "07:00"),
            "trip_end": at(day, "18:00"),
            "origin": "Leipzig",
            "destination": "Bremen",
            **data,
        },
    )


def page(claim: TravelClaim, user: User | None = None) -> str:
    client = Client()
    client.force_login(user or claim.traveller)
    return client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()


# --- receipts -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "submits"),
    [
        ({"kind": "rail", "amount": D("59.90")}, False),  # § 4 BRKG: the ticket as receipted
        ({"kind": "other", "amount": D("12.00"), "explanation": "Parkgebühr"}, False),  # § 10
        ({"kind": "hotel", "amount": D("95.00"), "night_of": "first"}, True),  # paid as the flat rate
    ],
)
def test_items_paid_against_receipt_need_it_before_the_claim_is_submitted(demo, item, submits):
    traveller = demo.requester
    day = meeting_day(demo)
    claim = claim_create(
        exchange=demo,
        traveller=traveller,
        actor=traveller,
        data={
            "trip_start": at(day, "07:00"),
            "trip_end": at(day, "18:00", days=1),
            "origin": "Leipzig",
            "destination": "Bremen",
        },
    )
    data = {**item, "night_of": day} if item.get("night_of") else item
    added = claim_item_add(claim=claim, actor=traveller, data=data)
    client = Client()
    client.force_login(traveller)

    response = client.post(
        reverse("exchanges:claim_submit", args=[claim.pk]), {"submit-no_trip_reason": "Auf Papier genehmigt."}
    )

    claim.refresh_from_db()
    if submits:
        assert claim.status == ClaimStatus.SUBMITTED
        line = next(line for line in claim.calculation_snapshot["lines"] if line["kind"] == "overnight")
        assert line["amount"] == "20.00" and line["note"].startswith("kein Beleg: Pauschale")
        return
    assert response.status_code == 200 and claim.status == ClaimStatus.DRAFT
    html = response.content.decode()
    assert "werden nur gegen Beleg erstattet" in html and "Beleg fehlt" in html
    # attaching the receipt afterwards is enough
    attached = client.post(
        reverse("exchanges:claim_receipt_add", args=[claim.pk, added.pk]),
        {f"receipt-{added.pk}-receipt": pdf()},
    )
    assert attached.status_code == 302
    client.post(
        reverse("exchanges:claim_submit", args=[claim.pk]), {"submit-no_trip_reason": "Auf Papier genehmigt."}
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_the_api_refuses_to_submit_without_receipts_and_names_the_items(demo):
    claim = day_trip(demo)
    claim_item_add(claim=claim, actor=claim.traveller, data={"kind": "rail", "amount": D("59.90")})
    response = token_client(issue(claim.traveller)).post(
        f"/api/v1/claims/{claim.pk}/submit/", {"no_trip_reason": "Auf Papier genehmigt."}, format="json"
    )
    assert response.status_code == 400
    [error] = problem(response)["errors"]
    assert error["field"] is None and "Bahn- oder Busfahrkarte 59,90 €" in error["message"]


# --- amounts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0,00", "Ein Betrag von 0,00 € kann nicht abgerechnet werden"),
        ("0", "Ein Betrag von 0,00 € kann nicht abgerechnet werden"),
        ("-5,00", "Der Betrag kann nicht negativ sein."),
        ("100.000,01", "höchstens 100.000,00 €"),
        ("99999999999999999999", "Bitte prüfen Sie den Betrag"),
    ],
)
def test_an_amount_that_cannot_be_claimed_is_a_field_error(demo, amount, message):
    claim = day_trip(demo)
    client = Client()
    client.force_login(claim.traveller)
    response = client.post(
        reverse("exchanges:claim_item_add", args=[claim.pk]),
        {
            "item-kind": "other",
            "item-amount": amount,
            "item-explanation": "Taxi",
            "item-scheduled_hours": "0",
        },
    )
    assert response.status_code == 200
    errors = response.context["item_form"].errors["amount"]
    assert any(message in error for error in errors) or message == "Bitte prüfen Sie den Betrag", errors
    assert claim.items.count() == 0
    api = token_client(issue(claim.traveller)).post(
        f"/api/v1/claims/{claim.pk}/items/",
        {"kind": "other", "amount": amount.replace(".", "").replace(",", "."), "explanation": "Taxi"},
        format="json",
    )
    assert api.status_code == 400 and problem(api)["errors"][0]["field"] == "amount"


def test_values_too_large_for_the_database_are_field_errors_never_a_500(demo):
    claim = day_trip(demo)
    client = Client()
    client.force_login(claim.traveller)
    day = meeting_day(demo)
    trip = {
        "trip_start": f"{day:%d.%m.%Y} 07:00",
        "trip_end": f"{day:%d.%m.%Y} 18:00",
        "origin": "Leipzig",
        "destination": "Bremen",
        "purpose": "Besichtigung",
        "flat_nights": "0",
        "car_km": "0",
        "local_transport": "0",
    }
    for field, value in [
        ("local_transport", "9.999.999,99"),
        ("local_transport", "1e30"),
        ("car_km", "99999999"),
        ("trip_end", f"{day + timedelta(days=4000):%d.%m.%Y} 18:00"),
        ("trip_end", "31.12.9999 23:59"),
    ]:
        response = client.post(reverse("exchanges:claim_edit", args=[claim.pk]), {**trip, field: value})
        assert response.status_code == 200, (field, value)
        assert response.context["claim_form"].errors.get(field), (field, value)
    api = token_client(issue(claim.traveller)).patch(
        f"/api/v1/claims/{claim.pk}/", {"local_transport": "9999999.99"}, format="json"
    )
    assert api.status_code == 400 and problem(api)["errors"][0]["field"] == "local_transport"


def test_a_claim_of_many_large_items_opens_and_submits_and_its_total_is_bounded(demo):
    claim = day_trip(demo, local_transport=D("100000.00"))
    traveller = claim.traveller
    for _number in range(8):
        attach_receipt(
            claim_item_add(claim=claim, actor=traveller, data={"kind": "other", "amount": D("100000.00")})
        )
    with pytest.raises(DomainError) as refused:
        claim_item_add(claim=claim, actor=traveller, data={"kind": "other", "amount": D("100000.00")})
    assert refused.value.field == "amount" and "höchstens 1.000.000,00 €" in refused.value.message
    assert claim.items.count() == 8
    html = page(claim)
    assert "900.014,00 €" in html
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=traveller)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.calculated_total == D("900014.00")
    assert "900.014,00 €" in page(claim, User.objects.get(email="finanzen@example.org"))


# --- duplicates -----------------------------------------------------------------------------------------


def _submitted(claim: TravelClaim, **reasons: str) -> TravelClaim:
    attach_receipt(
        claim_item_add(claim=claim, actor=claim.traveller, data={"kind": "rail", "amount": D("50")})
    )
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller, **reasons)
    claim.refresh_from_db()
    return claim


def test_an_overlapping_trip_of_the_same_traveller_is_flagged_and_needs_a_reason(demo):
    first = _submitted(day_trip(demo))
    second = day_trip(demo, origin="Leipzig Hbf")  # the same day, entered again
    attach_receipt(
        claim_item_add(claim=second, actor=second.traveller, data={"kind": "rail", "amount": D("50")})
    )

    before = page(second)
    assert "mögliche Doppelabrechnung" in before and "überschneidende Reise" in before
    client = Client()
    client.force_login(second.traveller)
    refused = client.post(
        reverse("exchanges:claim_submit", args=[second.pk]),
        {"submit-no_trip_reason": "Auf Papier genehmigt."},
    )
    assert refused.status_code == 200
    assert refused.context["submit_form"].errors["duplicate_reason"]
    second.refresh_from_db()
    assert second.status == ClaimStatus.DRAFT

    client.post(
        reverse("exchanges:claim_submit", args=[second.pk]),
        {
            "submit-duplicate_reason": "Hinfahrt am Morgen, zweite Fahrt am Abend für einen Folgetermin",
            "submit-no_trip_reason": "Auf Papier genehmigt.",
        },
    )
    second.refresh_from_db()
    assert second.status == ClaimStatus.SUBMITTED and second.duplicate_reason.startswith("Hinfahrt")

    finance = User.objects.get(email="finanzen@example.org")
    seen = page(second, finance)
    assert "Hinfahrt am Morgen" in seen and reverse("exchanges:claim_detail", args=[first.pk]) in seen
    queue = Client()
    queue.force_login(finance)
    listed = queue.get(reverse("exchanges:finance_queue"), {"duplicates": "on"})
    assert {claim.pk for claim in listed.context["page"].object_list} == {first.pk, second.pk}
    assert "mögliche Doppelabrechnung" in listed.content.decode()
    api = token_client(issue(finance)).get("/api/v1/finance/queue/?duplicates=true").json()
    assert {row["id"] for row in api["results"]} == {first.pk, second.pk}
    assert all(row["possible_duplicate"] for row in api["results"])


def test_a_receipt_already_on_another_claim_is_flagged_by_its_content(demo):
    gesa = User.objects.get(email="gesa.lueders@example.org")
    first = day_trip(demo, traveller=gesa, origin="Bremen")
    claim_item_add(
        claim=first,
        actor=gesa,
        data={"kind": "other", "amount": D("30")},
        upload=pdf(b"%PDF-1.4 taxi 30 EUR"),
    )
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=first.pk, actor=gesa)
    petra = day_trip(demo)  # another traveller, the same receipt file under another name
    claim_item_add(
        claim=petra,
        actor=petra.traveller,
        data={"kind": "other", "amount": D("30")},
        upload=pdf(b"%PDF-1.4 taxi 30 EUR", name="quittung.pdf"),
    )

    html = page(petra)
    assert "Ein Beleg mit demselben Inhalt" in html
    assert (
        reverse("exchanges:claim_detail", args=[first.pk]) not in html
    )  # Gesa's claim is not Petra's to see
    body = token_client(issue(petra.traveller)).get(f"/api/v1/claims/{petra.pk}/").json()
    assert body["flags"]["possible_duplicate"] is True and body["flags"]["shared_receipts"] == [first.pk]
    refused = token_client(issue(petra.traveller)).post(
        f"/api/v1/claims/{petra.pk}/submit/", {"no_trip_reason": "Auf Papier genehmigt."}, format="json"
    )
    assert refused.status_code == 400 and problem(refused)["errors"][0]["field"] == "duplicate_reason"
    claim_submit(
        no_trip_reason="Auf Papier genehmigt.",
        claim_id=petra.pk,
        actor=petra.traveller,
        duplicate_reason="Taxi geteilt, je Hälfte",
    )
    assert "Taxi geteilt" in page(petra, User.objects.get(email="finanzen@example.org"))


# --- the trip and the exchange --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "margin", "fits"),
    [
        (0, 1, True),  # on the meeting's day
        (-1, 1, True),  # the travel day before
        (1, 1, True),  # the travel day after
        (-2, 1, False),
        (3, 1, False),
        (-1, 0, False),  # no margin configured
        (-3, 3, True),
    ],
)
def test_the_trip_must_reach_the_meeting_of_the_exchange(demo, settings, offset, margin, fits):
    settings.CLAIM_TRIP_MARGIN_DAYS = margin
    claim = day_trip(demo, offset=offset)
    attach_receipt(
        claim_item_add(claim=claim, actor=claim.traveller, data={"kind": "rail", "amount": D("50")})
    )
    if fits:
        claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller)
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.SUBMITTED and not claim.trip_unfit
        return
    assert "erreicht den Termin des Austauschs" in page(claim)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller)
    assert set(refused.value.message_dict) == {"trip_fit_reason"}
    claim_submit(
        no_trip_reason="Auf Papier genehmigt.",
        claim_id=claim.pk,
        actor=claim.traveller,
        trip_fit_reason="Vorbereitungstreffen vor Ort",
    )
    claim.refresh_from_db()
    assert claim.trip_unfit and claim.trip_fit_reason == "Vorbereitungstreffen vor Ort"
    finance = User.objects.get(email="finanzen@example.org")
    assert "Vorbereitungstreffen vor Ort" in page(claim, finance)
    queue = Client()
    queue.force_login(finance)
    listed = queue.get(reverse("exchanges:finance_queue"), {"trip_unfit": "on"})
    assert [row.pk for row in listed.context["page"].object_list] == [claim.pk]


def test_a_claim_filed_before_the_trip_ended_needs_a_reason(demo):
    scheduled = ExchangeRequest.objects.get(status=Status.SCHEDULED)  # its meeting is still to come
    andreas = User.objects.get(email="andreas.roth@example.org")
    now = timezone.localtime()
    claim = claim_create(
        exchange=scheduled,
        traveller=andreas,
        actor=andreas,
        data={
            "trip_start": now - timedelta(hours=2),
            "trip_end": now + timedelta(days=2),
            "origin": "Nürnberg",
            "destination": "Leipzig",
        },
    )
    html = page(claim)
    assert "noch nicht beendet" in html and "erreicht den Termin des Austauschs" in html
    client = Client()
    client.force_login(andreas)
    refused = client.post(
        reverse("exchanges:claim_submit", args=[claim.pk]), {"submit-no_trip_reason": "Auf Papier genehmigt."}
    )
    assert refused.context["submit_form"].errors["trip_fit_reason"]


# --- who may claim: one rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.AGREED, Status.SCHEDULED, Status.HELD, Status.COMPLETED])
@pytest.mark.parametrize("who", ["requester", "expert", "colleague", "coordinator"])
def test_the_request_page_the_claim_page_the_service_and_the_api_ask_one_rule(
    people, settings, tmp_path, status, who
):
    settings.MEDIA_ROOT = tmp_path
    exchange = make_request(people, status)
    person = people[who]
    if who == "expert" and status != Status.AGREED:
        exchange.meeting.participants.remove(person)  # accepted, but not at the meeting
    exchange = ExchangeRequest.objects.get(pk=exchange.pk)
    allowed = may_claim(person, exchange)
    client = Client()
    client.force_login(person)

    offered = (
        reverse("exchanges:claim_create", args=[exchange.pk])
        in client.get(exchange.get_absolute_url()).content.decode()
    )
    form_page = client.get(reverse("exchanges:claim_create", args=[exchange.pk]))
    start = timezone.now() - timedelta(days=8)
    data = {"trip_start": start, "trip_end": start + timedelta(hours=10), "origin": "A", "destination": "B"}
    try:
        claim_create(exchange=exchange, traveller=person, actor=person, data=data)
        service = True
    except DomainError:
        service = False
    api = token_client(issue(person)).post(
        "/api/v1/claims/",
        {
            **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()},
            "exchange": exchange.pk,
        },
        format="json",
    )

    # Meeting participants are chosen among the requester and the accepted experts
    # (meeting_participant_choices), so these two are everyone who may claim.
    expected = who in {"requester", "expert"} and status != Status.AGREED
    assert allowed is expected
    assert offered is expected
    assert (form_page.status_code == 200) is expected
    assert service is expected
    assert (api.status_code == 201) is expected, api.content


# --- the demo -------------------------------------------------------------------------------------------


def test_the_demo_has_a_held_exchange_whose_trip_can_be_claimed_honestly(demo, client):
    """The README's walk: Petra's trip to the held exchange was approved before it began; the claim is
    created from it and submitted with its ticket — no reason asked for, nothing flagged."""
    assert demo.status == Status.HELD and demo.meeting.starts_at < timezone.now()
    petra = User.objects.get(email="petra.neumann@example.org")
    trip = TripRequest.objects.get(exchange=demo, traveller=petra, status=TripStatus.APPROVED)
    assert trip.approved_at <= trip.starts_at < demo.meeting.starts_at
    client.force_login(petra)
    claim = claim_from_trip(trip_id=trip.pk, actor=petra)
    assert (claim.trip_start, claim.trip_end, claim.destination) == (
        trip.starts_at,
        trip.ends_at,
        trip.destination,
    )
    client.post(
        reverse("exchanges:claim_item_add", args=[claim.pk]),
        {"item-kind": "rail", "item-amount": "149,80", "item-receipt": pdf(), "item-scheduled_hours": "3,5"},
    )
    client.post(
        reverse("exchanges:claim_submit", args=[claim.pk]), {"submit-no_trip_reason": "Auf Papier genehmigt."}
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and not claim.trip_unfit and not claim.duplicate_reason
    assert not claim.no_trip_reason and not claim_flags(claim).deviations
    assert claim.calculated_total == trip.estimated_total
    assert ClaimItem.objects.get(claim=claim).receipts.count() == 1
