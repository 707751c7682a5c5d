"""Trip requests through the API: the whole flow (file → submit → the supervisor approves → the coordination
confirms the costs → the claim after the trip), four eyes, If-Match, visibility, the budget, and the claims
that follow a trip or explain why there is none."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.services.users import user_set_roles
from exchanges.cycle.models import ExchangeRequest, Meeting
from exchanges.travel.models import ClaimStatus, Commitment, TravelClaim, TripRequest, TripStatus
from exchanges.travel.services.budget import budget_position, budget_set
from tests.api.conftest import issue, problem, token_client
from tests.cities.factories import PASSWORD
from tests.exchanges.claims_world import attach_receipt

pytestmark = pytest.mark.django_db
SCHEDULED_TITLE = "Schulcampus und Ganztag"  # Petra Neumann (Leipzig) visits Nürnberg in 30 days
TRIPS = "/api/v1/trips/"


@pytest.fixture(autouse=True)
def _demo(demo_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def person(email: str) -> User:
    return User.objects.get(email=email)


def as_(user: User, language: str | None = None):
    return token_client(issue(user), language)


@pytest.fixture
def exchange() -> ExchangeRequest:
    return ExchangeRequest.objects.get(title=SCHEDULED_TITLE)


@pytest.fixture
def petra() -> User:
    return person("petra.neumann@example.org")


def with_account(person: User) -> User:
    person.set_password(PASSWORD)
    person.save(update_fields=["password"])
    return user_set_roles(user=person, roles=[Role.STAFF])


@pytest.fixture
def boss(petra) -> User:
    """Petra's supervisor in Leipzig (the demo's Dr. Ines Vogt), here with an account of the portal."""
    return with_account(User.objects.get(email="amtsleitung.leipzig@example.org"))


@pytest.fixture
def coordinator() -> User:
    return person("koordination@example.org")


def plan(exchange: ExchangeRequest, boss: User, **changes) -> dict:
    """By train to the meeting, four hours before it begins until four hours after it ends."""
    meeting = Meeting.objects.get(request=exchange)
    return {
        "exchange": exchange.pk,
        "starts_at": (meeting.starts_at - timedelta(hours=4)).isoformat(),
        "ends_at": (meeting.ends_at + timedelta(hours=4)).isoformat(),
        "destination": "Nürnberg, Rathaus",
        "fare": "119.80",
        "supervisor": boss.pk,
        **changes,
    }


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def filed(exchange, petra, boss) -> dict:
    return ok(as_(petra).post(TRIPS, plan(exchange, boss), format="json"), 201)


def submitted(exchange, petra, boss) -> dict:
    trip = filed(exchange, petra, boss)
    return ok(as_(petra).post(f"{TRIPS}{trip['id']}/submit/"))


def test_the_whole_trip_through_the_api_from_request_to_claim(exchange, petra, boss, coordinator):
    traveller = as_(petra)
    created = traveller.post(TRIPS, plan(exchange, boss), format="json")
    trip = ok(created, 201)
    url = f"{TRIPS}{trip['id']}/"
    assert created["ETag"] == f'"triprequest-{trip["id"]}-v{trip["version"]}"'
    assert trip["status"] == "draft" and trip["traveller"]["id"] == petra.pk
    assert trip["filed_by"]["id"] == petra.pk and trip["supervisor"]["display_name"] == "Dr. Ines Vogt"
    assert trip["supervisor_email"] == "amtsleitung.leipzig@example.org"
    # A day trip over 8 hours under the SächsRKG: 14 € allowance + 119,80 € fares, as the calculator says.
    assert trip["estimated_total"] == "133.80"
    assert trip["estimate"]["snapshot"] is False and trip["estimate"]["total"] == "133.80"
    assert {line["kind"] for line in trip["estimate"]["lines"]} == {"allowance", "rail"}
    assert all(line["legal_basis"] for line in trip["estimate"]["lines"])
    assert trip["actions"] == ["edit", "submit", "cancel"]
    assert trip["open_commitment"] is None and "link_nonce" not in trip

    changed = traveller.patch(
        url, {"destination": "Nürnberg, Bildungscampus"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert ok(changed)["destination"] == "Nürnberg, Bildungscampus"
    sent = ok(traveller.post(f"{url}submit/", HTTP_IF_MATCH=changed["ETag"]))
    assert sent["status"] == "submitted" and sent["estimate"]["snapshot"] is True
    nonce = TripRequest.objects.get(pk=trip["id"]).link_nonce
    assert nonce and nonce not in traveller.get(url).content.decode()

    # The supervisor, signed in with an account, sees the trip awaiting them and approves it.
    supervisor = as_(boss)
    assert [t["id"] for t in ok(supervisor.get(f"{TRIPS}?exchange={exchange.pk}"))["results"]] == [trip["id"]]
    assert ok(supervisor.get(url))["actions"] == ["supervisor-decision"]
    approved = ok(supervisor.post(f"{url}supervisor-decision/", {"decision": "approved"}, format="json"))
    assert approved["status"] == "submitted"  # the costs are still to be confirmed
    assert approved["supervisor_approval"]["decision"] == "approved"
    assert approved["supervisor_approval"]["channel"] == "portal"
    assert approved["supervisor_approval"]["decided_by"] == "Dr. Ines Vogt"
    assert approved["supervisor_approval"]["decided_at"]

    # The coordination confirms the costs: the trip is approved and its estimate committed.
    coordination = as_(coordinator)
    assert "cost-decision" in ok(coordination.get(url))["actions"]
    confirmed = ok(
        coordination.post(f"{url}cost-decision/", {"decision": "approved", "note": "Passt."}, format="json")
    )
    assert confirmed["status"] == "approved" and confirmed["approved_at"]
    assert confirmed["cost_approval"]["decision"] == "approved"
    assert confirmed["cost_approval"]["decided_by"] == coordinator.display_name
    assert (
        confirmed["cost_approval"]["note"] == "Passt."
        and confirmed["cost_approval"]["budget_override"] is False
    )
    assert confirmed["open_commitment"] == "133.80"
    assert Commitment.objects.get(trip_id=trip["id"]).is_open
    assert [event["action"] for event in confirmed["events"]] == [
        "create",
        "submit",
        "supervisor_approved",
        "cost_approved",
        "approved",
    ]
    assert confirmed["events"][2]["who"] == "Dr. Ines Vogt"

    # After the trip the traveller claims its costs from it: the claim follows the trip.
    ends_at = TripRequest.objects.get(pk=trip["id"]).ends_at
    with time_machine.travel(ends_at + timedelta(days=1)):
        assert "claim" in ok(traveller.get(url))["actions"]
        claimed = traveller.post(f"{url}claim/")
        claim = ok(claimed, 201)
        assert claimed["ETag"] == f'"travelclaim-{claim["id"]}-v{claim["version"]}"'
        assert claim["trip"] == trip["id"] and claim["status"] == "draft"
        assert claim["destination"] == "Nürnberg, Bildungscampus" and claim["deviations"] == []
        assert claim["flags"]["without_trip"] is False
        again = traveller.post(f"{url}claim/")
        assert again.status_code == 409 and problem(again)["type"].endswith("/conflict")
    assert TravelClaim.objects.filter(trip_id=trip["id"]).count() == 1


def test_nobody_approves_their_own_trip_through_the_api(exchange, petra, boss):
    trip = submitted(exchange, petra, boss)
    user_set_roles(user=petra, roles=[Role.STAFF, Role.COORDINATOR])  # even in the coordination's role
    traveller = as_(person(petra.email), language="en")
    assert ok(traveller.get(f"{TRIPS}{trip['id']}/"))["actions"] == ["cancel"]
    for action, data in (
        ("supervisor-decision", {"decision": "approved"}),
        ("cost-decision", {"decision": "approved"}),
    ):
        refused = traveller.post(f"{TRIPS}{trip['id']}/{action}/", data, format="json")
        assert refused.status_code == 403, (action, refused.content)
        assert "Four-eyes" in problem(refused)["detail"]
    stored = TripRequest.objects.get(pk=trip["id"])
    assert (stored.status, stored.supervisor_decision, stored.cost_decision) == (TripStatus.SUBMITTED, "", "")
    assert not Commitment.objects.filter(trip=stored).exists()


def test_a_coordinator_who_approved_as_supervisor_does_not_confirm_the_costs(exchange, petra, coordinator):
    trip = submitted(exchange, petra, coordinator)  # the coordinator is also Petra's supervisor here
    url = f"{TRIPS}{trip['id']}/"
    coordination = as_(coordinator, language="en")
    ok(coordination.post(f"{url}supervisor-decision/", {"decision": "approved"}, format="json"))
    refused = coordination.post(f"{url}cost-decision/", {"decision": "approved"}, format="json")
    assert refused.status_code == 403 and "another coordinator" in problem(refused)["detail"]


def test_a_stale_if_match_changes_nothing(exchange, petra, boss):
    trip = filed(exchange, petra, boss)
    url = f"{TRIPS}{trip['id']}/"
    traveller = as_(petra)
    read = traveller.get(url)["ETag"]
    ok(traveller.patch(url, {"purpose": "Erste Änderung"}, format="json", HTTP_IF_MATCH=read))

    stale = traveller.patch(url, {"purpose": "Zweite Änderung"}, format="json", HTTP_IF_MATCH=read)
    assert stale.status_code == 412 and problem(stale)["type"].endswith("/precondition-failed")
    late = traveller.post(f"{url}submit/", HTTP_IF_MATCH=read)
    assert late.status_code == 412
    foreign_tag = traveller.post(f"{url}submit/", HTTP_IF_MATCH='"travelclaim-1-v1"')
    assert foreign_tag.status_code == 412
    stored = TripRequest.objects.get(pk=trip["id"])
    assert stored.purpose == "Erste Änderung" and stored.status == TripStatus.DRAFT


def test_a_foreign_trip_does_not_exist_for_others(exchange, petra, boss):
    trip = submitted(exchange, petra, boss)
    url = f"{TRIPS}{trip['id']}/"
    for email in ("anna.schmidt@example.org", "kontakt.bremen@example.org"):
        outsider = as_(person(email))
        assert outsider.get(url).status_code == 404
        assert outsider.patch(url, {"purpose": "Gekapert"}, format="json").status_code == 404
        for action in ("submit", "supervisor-decision", "cost-decision", "cancel", "claim"):
            answer = outsider.post(f"{url}{action}/", {"decision": "approved"}, format="json")
            assert answer.status_code == 404, (email, action)
            assert trip["purpose"] not in answer.content.decode()
        assert trip["id"] not in [t["id"] for t in ok(outsider.get(TRIPS))["results"]]
    assert TripRequest.objects.get(pk=trip["id"]).purpose == trip["purpose"]


def test_the_list_filters_by_exchange_and_status(exchange, petra, boss, coordinator):
    trip = submitted(exchange, petra, boss)
    coordination = as_(coordinator)
    ids = lambda query: [t["id"] for t in ok(coordination.get(f"{TRIPS}?{query}"))["results"]]  # noqa: E731
    assert ids(f"exchange={exchange.pk}&status=submitted") == [trip["id"]]
    assert ids(f"exchange={exchange.pk}&status=draft") == []
    assert ids(f"exchange={exchange.pk + 1000}") == []
    bad = coordination.get(f"{TRIPS}?status=unknown")
    assert bad.status_code == 400 and problem(bad)["errors"][0]["field"] == "status"


def test_the_coordination_files_a_trip_for_a_traveller_and_nobody_else_does(
    exchange, petra, boss, coordinator
):
    for_petra = plan(exchange, boss, traveller=petra.pk)
    refused = as_(person("andreas.roth@example.org")).post(TRIPS, for_petra, format="json")
    assert refused.status_code == 403
    trip = ok(as_(coordinator).post(TRIPS, for_petra, format="json"), 201)
    assert trip["traveller"]["id"] == petra.pk and trip["filed_by"]["id"] == coordinator.pk
    # Petra sees the trip entered for her.
    assert ok(as_(petra).get(f"{TRIPS}{trip['id']}/"))["status"] == "draft"


def test_what_is_missing_for_the_approvals_is_named_field_by_field(exchange, petra, boss):
    traveller = as_(petra, language="en")
    trip = ok(traveller.post(TRIPS, plan(exchange, boss, other_costs="15.00"), format="json"), 201)
    refused = traveller.post(f"{TRIPS}{trip['id']}/submit/")
    assert refused.status_code == 400
    assert [error["field"] for error in problem(refused)["errors"]] == ["other_costs_note"]
    wrong = traveller.patch(
        f"{TRIPS}{trip['id']}/", {"ends_at": plan(exchange, boss)["starts_at"]}, format="json"
    )
    assert wrong.status_code == 400 and problem(wrong)["errors"][0]["field"] == "ends_at"
    returned = traveller.post(f"{TRIPS}{trip['id']}/cancel/", {}, format="json")
    assert ok(returned)["status"] == "cancelled"  # a draft is withdrawn without a reason


def test_confirming_beyond_the_budget_needs_the_recorded_confirmation(exchange, petra, boss, coordinator):
    trip = submitted(exchange, petra, boss)
    year = timezone.localtime(Meeting.objects.get(request=exchange).starts_at).year
    budget_set(
        year=year,
        amount=budget_position(year=year)["used"] + D("10.00"),
        actor=person("finanzen@example.org"),
    )
    coordination = as_(coordinator)
    decide = f"{TRIPS}{trip['id']}/cost-decision/"

    over = coordination.post(decide, {"decision": "approved"}, format="json")
    # the same answer as a claim's approval beyond the budget: a rule naming the field that confirms it
    assert over.status_code == 400, over.content
    body = problem(over)
    assert body["type"].endswith("/rule-violation")
    assert [error["field"] for error in body["errors"]] == ["confirm_over_budget"]
    assert not Commitment.objects.filter(trip_id=trip["id"]).exists()

    confirmed = ok(
        coordination.post(decide, {"decision": "approved", "confirm_over_budget": True}, format="json")
    )
    assert confirmed["cost_approval"]["budget_override"] is True
    assert confirmed["open_commitment"] == confirmed["estimated_total"]


def test_a_returned_trip_asks_for_the_reason_and_goes_back_to_the_traveller(exchange, petra, boss):
    trip = submitted(exchange, petra, boss)
    url = f"{TRIPS}{trip['id']}/"
    supervisor = as_(boss, language="en")
    silent = supervisor.post(f"{url}supervisor-decision/", {"decision": "returned"}, format="json")
    assert silent.status_code == 400 and problem(silent)["errors"][0]["field"] == "note"
    returned = ok(
        supervisor.post(
            f"{url}supervisor-decision/", {"decision": "returned", "note": "Bitte später."}, format="json"
        )
    )
    assert returned["status"] == "returned" and returned["supervisor_approval"]["note"] == "Bitte später."
    twice = supervisor.post(f"{url}supervisor-decision/", {"decision": "approved"}, format="json")
    assert twice.status_code == 409
    assert ok(as_(petra).get(url))["actions"] == ["edit", "submit", "cancel"]


def test_a_submitted_trip_is_cancelled_with_a_reason(exchange, petra, boss):
    trip = submitted(exchange, petra, boss)
    traveller = as_(petra, language="en")
    url = f"{TRIPS}{trip['id']}/cancel/"
    silent = traveller.post(url, {}, format="json")
    assert silent.status_code == 400 and problem(silent)["errors"][0]["field"] == "reason"
    assert ok(traveller.post(url, {"reason": "Termin verschoben."}, format="json"))["status"] == "cancelled"
    assert traveller.post(url, {"reason": "noch einmal"}, format="json").status_code == 409


# --- the claims that follow ----------------------------------------------------------------------------


def test_a_claim_without_a_trip_needs_its_reason_through_the_api(exchange, petra):
    traveller = as_(petra)
    meeting = Meeting.objects.get(request=exchange)
    with time_machine.travel(meeting.ends_at + timedelta(days=1)):
        claim = ok(
            traveller.post(
                "/api/v1/claims/",
                {
                    "exchange": exchange.pk,
                    "trip_start": (meeting.starts_at - timedelta(hours=4)).isoformat(),
                    "trip_end": (meeting.ends_at + timedelta(hours=4)).isoformat(),
                    "origin": "Leipzig",
                    "destination": "Nürnberg",
                },
                format="json",
            ),
            201,
        )
        assert claim["trip"] is None and claim["flags"]["without_trip"] is True
        submit = f"/api/v1/claims/{claim['id']}/submit/"
        refused = traveller.post(submit, {}, format="json")
        assert refused.status_code == 400
        assert [error["field"] for error in problem(refused)["errors"]] == ["no_trip_reason"]
        assert claim["flags"]["approval_missing"] is True
        approval = SimpleUploadedFile("genehmigung.pdf", b"%PDF-1.4 Genehmigung Amt 51", "application/pdf")
        sent = ok(
            traveller.post(
                submit,
                {"no_trip_reason": "Auf Papier genehmigt (Amt 51).", "approval": approval},
                format="multipart",
            )
        )
    assert sent["status"] == "submitted" and sent["no_trip_reason"] == "Auf Papier genehmigt (Amt 51)."
    assert sent["flags"]["approval_missing"] is False
    assert (
        TravelClaim.objects.get(pk=claim["id"]).receipts.get(is_approval=True).original_name
        == "genehmigung.pdf"
    )


def test_finance_sees_how_the_claim_deviates_from_its_trip(exchange, petra, boss, coordinator):
    trip = submitted(exchange, petra, boss)
    url = f"{TRIPS}{trip['id']}/"
    ok(as_(boss).post(f"{url}supervisor-decision/", {"decision": "approved"}, format="json"))
    ok(as_(coordinator).post(f"{url}cost-decision/", {"decision": "approved"}, format="json"))
    ends_at = TripRequest.objects.get(pk=trip["id"]).ends_at
    traveller = as_(petra)
    with time_machine.travel(ends_at + timedelta(days=2)):
        claim = ok(traveller.post(f"{url}claim/"), 201)
        ok(traveller.patch(f"/api/v1/claims/{claim['id']}/", {"car_km": "80.0"}, format="json"))
        item = TravelClaim.objects.get(pk=claim["id"]).items.create(kind="rail", amount=D("119.80"))
        attach_receipt(item)
        ok(traveller.post(f"/api/v1/claims/{claim['id']}/submit/", {}, format="json"))
    finance = as_(person("finanzen@example.org"), language="en")
    seen = ok(finance.get(f"/api/v1/claims/{claim['id']}/"))
    assert seen["trip"] == trip["id"] and seen["status"] == ClaimStatus.SUBMITTED
    deviations = {deviation["label"]: deviation for deviation in seen["deviations"]}
    assert set(deviations) == {"Private car not approved", "Higher costs than estimated"}
    car = deviations["Private car not approved"]
    assert car["planned"] == "train or bus" and "80" in car["actual"]
    higher = deviations["Higher costs than estimated"]  # 80 km × 0.20 € more than the 133.80 € estimated
    assert higher["planned"] == "133.80 €" and higher["actual"] == "149.80 €"
    assert higher["difference"] == "+16.00 € (+12 %)"
    assert set(car) == {"label", "planned", "actual", "difference"}
