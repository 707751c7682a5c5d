"""Travel claims through the API: the traveller's side, finance (scope and role), bookings, batches, statistics."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cities.directory.models import User
from cities.directory.roles import Role
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.travel.models import Booking, Budget, ClaimStatus, Receipt, TravelClaim
from exchanges.travel.services.exports import batch_create
from tests.api.conftest import issue, problem, token_client
from tests.cities.factories import UserFactory
from tests.exchanges.claims_world import at, held_exchange, meeting_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_world, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def scheduled(demo):
    """The demo's scheduled exchange (Andreas Roth accepted; its meeting is still to come)."""
    return ExchangeRequest.objects.get(status=Status.SCHEDULED)


@pytest.fixture
def held(demo):
    """The demo's held exchange: Petra Neumann visited Bremen twelve days ago."""
    return held_exchange()


_receipts = iter(range(1, 10_000))
# These claims follow no trip approved in the portal: submitting them gives the reason.
NO_TRIP = {"no_trip_reason": "Auf Papier genehmigt (Amt 51)."}


def pdf(name: str = "fahrkarte.pdf") -> SimpleUploadedFile:
    """A receipt with content of its own (the same content on two claims is flagged as a duplicate)."""
    return SimpleUploadedFile(
        name, f"%PDF-1.4 receipt {next(_receipts)}".encode(), content_type="application/pdf"
    )


def as_(email: str, scopes=("read", "write", "finance")):
    return token_client(issue(User.objects.get(email=email), scopes))


def trip(exchange, **changes) -> dict:
    """A trip to the held exchange's meeting: 07:00 on its day, 30 hours (any exchange: a draft)."""
    start = at(meeting_day(held_exchange()), "07:00")
    return {
        "exchange": exchange.pk,
        "trip_start": start.isoformat(),
        "trip_end": (start + timedelta(hours=30)).isoformat(),
        "origin": "Leipzig",
        "destination": "Nürnberg",
        **changes,
    }


def submitted_claim(held) -> TravelClaim:
    petra = as_("petra.neumann@example.org")
    claim = petra.post("/api/v1/claims/", trip(held), format="json").json()
    petra.post(
        f"/api/v1/claims/{claim['id']}/items/",
        {"kind": "rail", "amount": "89.00", "receipt": pdf()},
        format="multipart",
    )
    submitted = petra.post(f"/api/v1/claims/{claim['id']}/submit/", NO_TRIP, format="json")
    assert submitted.status_code == 200, submitted.content
    return TravelClaim.objects.get(pk=claim["id"])


def test_a_participant_claims_adds_items_with_receipts_and_submits(held):
    petra = as_("petra.neumann@example.org")
    created = petra.post("/api/v1/claims/", trip(held), format="json")
    assert created.status_code == 201, created.content
    claim = created.json()
    assert claim["status"] == "draft" and claim["purpose"] == held.title
    items = f"/api/v1/claims/{claim['id']}/items/"

    pdf = SimpleUploadedFile("fahrkarte.pdf", b"%PDF-1.4 ticket", content_type="application/pdf")
    with_receipt = petra.post(items, {"kind": "rail", "amount": "89.00", "receipt": pdf}, format="multipart")
    assert with_receipt.status_code == 201, with_receipt.content
    assert [r["original_name"] for r in with_receipt.json()["receipts"]] == ["fahrkarte.pdf"]
    assert Receipt.objects.filter(claim_id=claim["id"]).count() == 1
    fake = SimpleUploadedFile("fahrkarte.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = petra.post(items, {"kind": "rail", "amount": "10.00", "receipt": fake}, format="multipart")
    assert refused.status_code == 400 and problem(refused)["errors"][0]["field"] == "receipt"
    too_much = petra.post(items, {"kind": "other", "amount": "200000.00"}, format="json")
    assert too_much.status_code == 400
    assert problem(too_much)["errors"] == [
        {
            "field": "amount",
            "message": "Bitte prüfen Sie den Betrag: Für eine Position können höchstens 100.000,00 € "
            "abgerechnet werden.",
        }
    ]
    night = timezone.localtime(TravelClaim.objects.get(pk=claim["id"]).trip_start).date().isoformat()
    hotel_data = {"kind": "hotel", "amount": "68.00", "breakfast_included": True}
    undated = petra.post(items, hotel_data, format="json")
    assert undated.status_code == 400
    assert [error["field"] for error in problem(undated)["errors"]] == ["night_of"]
    hotel = petra.post(items, {**hotel_data, "night_of": night}, format="json")
    assert hotel.status_code == 201, hotel.content
    body = hotel.json()
    assert [item["night_of"] for item in body["items"] if item["kind"] == "hotel"] == [night]
    lines = body["calculation"]["lines"]
    assert body["calculation"]["total"] == str(
        sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))
    )
    assert any(line["legal_basis"].startswith("§") for line in lines)
    meals = petra.patch(
        f"/api/v1/claims/{claim['id']}/",
        {"meals": {(meeting_day(held) + timedelta(days=1)).isoformat(): ["lunch"]}},
        format="json",
    )
    assert meals.status_code == 200, meals.content

    submitted = petra.post(f"/api/v1/claims/{claim['id']}/submit/", NO_TRIP, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert (
        submitted.json()["trip"] is None and submitted.json()["no_trip_reason"] == NO_TRIP["no_trip_reason"]
    )
    assert petra.post(f"/api/v1/claims/{claim['id']}/submit/", NO_TRIP, format="json").status_code == 409
    assert petra.post(items, {"kind": "rail", "amount": "1.00"}, format="json").status_code == 409
    assert [c["id"] for c in petra.get("/api/v1/claims/").json()["results"]] == [claim["id"]]


def test_only_participants_claim_and_others_never_see_a_claim(held):
    outsider = as_("jonas.fischer@example.org")
    refused = outsider.post("/api/v1/claims/", trip(held), format="json")
    assert refused.status_code in {403, 404}
    claim = submitted_claim(held)
    assert outsider.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert outsider.get("/api/v1/claims/").json()["results"] == []


def test_finance_needs_the_role_and_the_token_scope(held):
    claim = submitted_claim(held)
    finance_read_only = as_("finanzen@example.org", scopes=("read",))
    finance_no_scope = as_("finanzen@example.org", scopes=("read", "write"))
    finance = as_("finanzen@example.org")
    staff = as_("petra.neumann@example.org")

    for path in ("/api/v1/finance/queue/", "/api/v1/finance/bookings/", "/api/v1/finance/batches/"):
        assert finance_no_scope.get(path).status_code == 403, path
        assert staff.get(path).status_code == 403, path
        assert finance.get(path).status_code == 200, path
    assert [c["id"] for c in finance.get("/api/v1/finance/queue/").json()["results"]] == [claim.pk]
    decision = {"decision": "return", "reason": "Beleg fehlt"}
    decide = f"/api/v1/claims/{claim.pk}/decision/"
    assert finance_read_only.post(decide, decision, format="json").status_code == 403
    assert finance_no_scope.post(decide, decision, format="json").status_code == 403
    assert staff.post(decide, decision, format="json").status_code == 403  # the traveller: not finance
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    returned = finance.post(decide, decision, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    # Someone else's claim is finance data: a token without the finance scope reads only its own.
    assert finance_no_scope.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert finance.get(f"/api/v1/claims/{claim.pk}/").status_code == 200
    assert staff.get(f"/api/v1/claims/{claim.pk}/").status_code == 200  # Petra's own


def test_four_eyes_and_budget_rules_hold_through_the_api(held, django_capture_on_commit_callbacks):
    claim = submitted_claim(held)
    finance_user = User.objects.get(email="finanzen@example.org")
    own = TravelClaim.objects.create(
        exchange=claim.exchange,
        traveller=finance_user,
        submitted_by=finance_user,
        status=ClaimStatus.SUBMITTED,
        trip_start=claim.trip_start,
        trip_end=claim.trip_end,
        origin="x",
        destination="y",
        purpose="z",
    )
    finance = as_("finanzen@example.org")
    four_eyes = finance.post(f"/api/v1/claims/{own.pk}/decision/", {"decision": "approve"}, format="json")
    assert four_eyes.status_code == 403 and "Vier-Augen" in problem(four_eyes)["detail"]

    Budget.objects.update_or_create(year=timezone.localdate().year, city=None, defaults={"amount": 1})
    over = finance.post(f"/api/v1/claims/{claim.pk}/decision/", {"decision": "approve"}, format="json")
    assert over.status_code == 400 and problem(over)["errors"][0]["field"] == "confirm_over_budget"
    with django_capture_on_commit_callbacks(execute=True):
        approved = finance.post(
            f"/api/v1/claims/{claim.pk}/decision/",
            {"decision": "approve", "confirm_over_budget": True},
            format="json",
        )
    assert approved.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.BOOKED and claim.budget_override
    booking = Booking.objects.get(claim=claim)
    pulled = finance.get(f"/api/v1/finance/bookings/?budget_year={booking.budget_year}&unbatched=true").json()
    assert [(b["number"], b["amount"]) for b in pulled["results"]] == [(booking.number, str(booking.amount))]

    batch = batch_create(actor=finance_user)
    batches = finance.get("/api/v1/finance/batches/").json()["results"]
    assert batches[0]["number"] == batch.number and batches[0]["count"] == 1
    detail = finance.get(f"/api/v1/finance/batches/{batch.pk}/").json()
    assert [b["number"] for b in detail["bookings"]] == [booking.number]
    assert (
        finance.get(f"/api/v1/finance/bookings/?batch={batch.pk}").json()["results"][0]["batch"]["id"]
        == batch.pk
    )


def test_statistics_for_the_coordination_and_city_contacts_only(scheduled):
    coordinator = as_("koordination@example.org")
    network = coordinator.get(f"/api/v1/statistics/?year={timezone.localdate().year}")
    assert network.status_code == 200
    body = network.json()
    assert body["city"] is None and {t["key"] for t in body["tables"]} >= {
        "requests_by_state",
        "costs_by_year",
    }
    contact = as_("kontakt.leipzig@example.org").get("/api/v1/statistics/").json()
    assert contact["city"]["name"] == "Leipzig"
    assert as_("petra.neumann@example.org").get("/api/v1/statistics/").status_code == 403
    bad = coordinator.get("/api/v1/statistics/?start=2026-02-01&end=2026-01-01")
    assert bad.status_code == 400 and problem(bad)["errors"][0]["field"] == "end"
    stranger = UserFactory(roles=[Role.STAFF])
    assert token_client(issue(stranger)).get("/api/v1/statistics/").status_code == 403


def test_a_hotel_item_through_the_api_is_checked_like_the_form(held):
    petra = as_("petra.neumann@example.org")
    claim = petra.post("/api/v1/claims/", trip(held), format="json").json()
    items = f"/api/v1/claims/{claim['id']}/items/"
    first = timezone.localtime(TravelClaim.objects.get(pk=claim["id"]).trip_start).date()
    hotel = {"kind": "hotel", "amount": "68.00"}

    outside = petra.post(items, {**hotel, "night_of": (first - timedelta(days=1)).isoformat()}, format="json")
    assert outside.status_code == 400
    [error] = problem(outside)["errors"]
    assert error["field"] == "night_of" and "Nächte der Reise" in error["message"]
    assert petra.post(items, {**hotel, "night_of": first.isoformat()}, format="json").status_code == 201
    twice = petra.post(items, {**hotel, "night_of": first.isoformat()}, format="json")
    assert twice.status_code == 400 and problem(twice)["errors"][0]["field"] == "night_of"
    too_many = petra.patch(f"/api/v1/claims/{claim['id']}/", {"flat_nights": 5}, format="json")
    assert too_many.status_code == 400 and problem(too_many)["errors"][0]["field"] == "flat_nights"


def test_a_drafts_calculation_names_its_rate_set_and_whether_finance_must_confirm_it(scheduled):
    andreas = as_("andreas.roth@example.org")  # Nürnberg: the Bavarian set, to be confirmed
    claim = andreas.post("/api/v1/claims/", trip(scheduled), format="json").json()
    assert claim["status"] == "draft"
    calculation = claim["calculation"]
    assert calculation["legal_basis"] == "Bayerisches Reisekostengesetz (BayRKG)"
    assert calculation["to_be_confirmed"] is True
    assert {line["legal_basis"] for line in calculation["lines"]} == {"Art. 8 BayRKG"}
    petra = as_("petra.neumann@example.org")
    assert (
        petra.post("/api/v1/claims/", trip(scheduled), format="json").json()["calculation"]["to_be_confirmed"]
        is False
    )
