"""Finance decides on what it saw: every change of a claim raises its version, the decision page and the
API carry the version they showed, and a decision on an older version is refused with the new figures.

The finding behind this (issue 18, point 3): finance opened a claim at 64 €, it was returned, given a
4,000 € item and resubmitted, and the old page's approval booked 4,064 €. These tests failed on that code.
"""

import io
import threading
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cities.directory.models import User
from cities.records.models import EditRecord
from exchanges.cycle.models import ExchangeRequest, Meeting
from exchanges.travel.models import (
    Budget,
    ClaimItem,
    ClaimStatus,
    RateSet,
    TravelClaim,
    TripRequest,
)
from exchanges.travel.services.budget import budget_position, budget_set
from exchanges.travel.services.claims import (
    claim_approve,
    claim_create,
    claim_item_add,
    claim_item_reduce,
    claim_item_remove,
    claim_receipt_add,
    claim_return_or_reject,
    claim_submit,
    claim_update,
)
from exchanges.travel.services.trips import (
    trip_cancel,
    trip_create,
    trip_submit,
    trip_supervisor_decide,
)
from tests.api.conftest import issue, problem, token_client
from tests.cities.factories import UserFactory
from tests.exchanges.claims_world import at, attach_receipt, day_trip_draft, held_exchange, meeting_day
from tests.module_db import rolled_back_after_module

pytestmark = pytest.mark.django_db

_receipts = iter(range(1, 10_000))


def pdf(name: str = "beleg.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, f"%PDF-1.4 receipt {next(_receipts)}".encode(), content_type="application/pdf"
    )


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module and rolled back after it; each test's changes are rolled back
    after the test (the concurrent approvals, which need real commits: test_claim_versions_concurrent)."""
    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        rolled_back_after_module(django_db_blocker),
    ):
        call_command("load_demo", stdout=io.StringIO())
        yield


@pytest.fixture
def demo(_demo_loaded, db):
    return held_exchange()


def person(email: str) -> User:
    return User.objects.get(email=email)


def submitted_64(exchange) -> TravelClaim:
    """Petra's day trip to the meeting: a 50 € ticket and 14 € allowance = 64 €, submitted."""
    petra = exchange.requester
    claim = day_trip_draft(exchange)
    claim_item_add(claim=claim, actor=petra, data={"kind": "rail", "amount": D("50.00")}, upload=pdf())
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=petra)
    claim.refresh_from_db()
    assert claim.calculated_total == D("64.00")
    return claim


def returned_given_4000_and_resubmitted(claim: TravelClaim) -> None:
    """What happened while finance's page stood open."""
    colleague = User.objects.get(email="koordination@example.org")
    from cities.directory.roles import Role
    from cities.directory.services.users import user_set_roles

    user_set_roles(user=colleague, roles=[Role.COORDINATOR, Role.STAFF, Role.FINANCE])
    claim_return_or_reject(claim_id=claim.pk, actor=colleague, reject=False, reason="Bitte Hotel nachtragen")
    petra = claim.traveller
    claim_item_add(
        claim=claim,
        actor=petra,
        data={"kind": "other", "amount": D("4000.00"), "explanation": "Gutachten"},
        upload=pdf(),
    )
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=petra)


@pytest.mark.parametrize(
    ("post", "refused_text"),
    [
        ({"decision": "approve"}, "approve"),
        ({"decision": "return", "reason": "Beleg unleserlich"}, "return"),
        ({"decision": "reject", "reason": "Kein Dienstgeschäft"}, "reject"),
    ],
)
def test_a_decision_from_a_page_older_than_the_claim_is_refused_and_shows_the_new_figures(
    demo, post, refused_text
):
    claim = submitted_64(demo)
    finance = Client()
    finance.force_login(person("finanzen@example.org"))
    url = reverse("exchanges:claim_detail", args=[claim.pk])
    opened = finance.get(url)
    assert "64,00 €" in opened.content.decode()
    version = opened.context["decision_form"]["version"].value()

    returned_given_4000_and_resubmitted(claim)
    response = finance.post(
        reverse("exchanges:claim_decide", args=[claim.pk]), {**post, "version": str(version)}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Die Abrechnung wurde geändert, nachdem Sie die Seite geöffnet haben" in page
    assert "Bitte prüfen Sie die neuen Beträge." in page and "Es wurde nichts entschieden." in page
    assert "4.064,00 €" in page  # the new figures
    assert post.get("reason", "") in page  # what was typed stays
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert list(claim.events.values_list("action", flat=True)) == [
        "create",
        "submit",
        "return",
        "submit",
    ]
    # Deciding again on what the page now shows goes through.
    again = finance.post(
        reverse("exchanges:claim_decide", args=[claim.pk]),
        {**post, "version": response.context["decision_form"]["version"].value()},
    )
    assert again.status_code == 302
    claim.refresh_from_db()
    assert claim.status != ClaimStatus.SUBMITTED
    if refused_text == "approve":
        assert claim.calculated_total == D("4064.00")


def test_a_reduction_from_an_older_page_is_refused_and_keeps_what_was_typed(demo):
    claim = submitted_64(demo)
    finance = Client()
    finance.force_login(person("finanzen@example.org"))
    opened = finance.get(reverse("exchanges:claim_detail", args=[claim.pk]))
    item = claim.items.get()
    version = opened.context["items"][0].reduction_form["version"].value()
    returned_given_4000_and_resubmitted(claim)

    response = finance.post(
        reverse("exchanges:claim_item_reduce", args=[claim.pk, item.pk]),
        {
            f"reduce-{item.pk}-amount": "40,00",
            f"reduce-{item.pk}-reason": "Sparpreis",
            f"reduce-{item.pk}-version": str(version),
        },
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Die Abrechnung wurde geändert" in page and "Sparpreis" in page
    item.refresh_from_db()
    assert item.reduced_to is None


def test_every_change_finance_would_see_raises_the_claims_version(demo):
    finance = person("finanzen@example.org")
    petra = demo.requester
    day = meeting_day(demo)
    claim = claim_create(
        exchange=demo,
        traveller=petra,
        actor=petra,
        data={
            "trip_start": at(day, "07:00"),
            "trip_end": at(day, "18:00", days=1),
            "origin": "Leipzig",
            "destination": "Bremen",
        },
    )

    def step(name, action):
        claim.refresh_from_db()
        before = claim.version
        action()
        claim.refresh_from_db()
        assert claim.version == before + 1, name

    step("trip", lambda: claim_update(claim=claim, actor=petra, data={"origin": "Leipzig Hbf"}))
    step(
        "meals", lambda: claim_update(claim=claim, actor=petra, data={"meals": {day.isoformat(): ["lunch"]}})
    )
    step(
        "item",
        lambda: claim_item_add(claim=claim, actor=petra, data={"kind": "rail", "amount": D("30.00")}),
    )
    rail = claim.items.get()
    step("receipt", lambda: claim_receipt_add(item=rail, actor=petra, upload=pdf()))
    step(
        "hotel",
        lambda: claim_item_add(
            claim=claim, actor=petra, data={"kind": "hotel", "amount": D("80.00"), "night_of": day}
        ),
    )
    hotel = claim.items.get(kind="hotel")
    step("remove", lambda: claim_item_remove(item=hotel, actor=petra))
    step(
        "submit", lambda: claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=petra)
    )
    step("reduce", lambda: claim_item_reduce(item_id=rail.pk, actor=finance, amount=D("20"), reason="Spar"))
    step("return", lambda: claim_return_or_reject(claim_id=claim.pk, actor=finance, reject=False, reason="x"))
    step(
        "resubmit",
        lambda: claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=petra),
    )
    step("approve", lambda: claim_approve(claim_id=claim.pk, actor=finance))
    labels = list(
        EditRecord.objects.filter(target=f"exchanges.travelclaim:{claim.pk}")
        .order_by("version")
        .values_list("fields", flat=True)
    )
    assert labels[:4] == [["origin"], ["meals"], ["items"], ["receipts"]]


def test_the_travellers_two_tabs_the_second_save_is_refused_and_keeps_its_input(demo):
    claim = submitted_64(demo)
    finance = person("finanzen@example.org")
    claim_return_or_reject(claim_id=claim.pk, actor=finance, reject=False, reason="Bitte prüfen")
    first, second = Client(), Client()
    for tab in (first, second):
        tab.force_login(claim.traveller)
    url = reverse("exchanges:claim_detail", args=[claim.pk])
    opened = second.get(url).context["claim_form"]["version"].value()
    item_version = second.get(url).context["item_form"]["version"].value()
    assert first.get(url).context["claim_form"]["version"].value() == opened
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
    assert (
        first.post(reverse("exchanges:claim_edit", args=[claim.pk]), {**trip, "version": opened}).status_code
        == 302
    )

    refused = second.post(
        reverse("exchanges:claim_edit", args=[claim.pk]),
        {**trip, "destination": "Bremen-Vegesack", "version": opened},
    )
    assert refused.status_code == 409
    assert "Bremen-Vegesack" in refused.content.decode()
    item = second.post(
        reverse("exchanges:claim_item_add", args=[claim.pk]),
        {
            "item-kind": "other",
            "item-amount": "12,50",
            "item-explanation": "Parkgebühr",
            "item-version": item_version,
            "item-scheduled_hours": "0",
        },
    )
    assert item.status_code == 409 and "Parkgebühr" in item.content.decode()
    claim.refresh_from_db()
    assert claim.destination == "Bremen" and claim.items.count() == 1


def test_the_api_gives_the_claims_etag_and_refuses_a_stale_if_match_everywhere(demo):
    claim = submitted_64(demo)
    petra = token_client(issue(claim.traveller))
    finance = token_client(issue(person("finanzen@example.org")))
    url = f"/api/v1/claims/{claim.pk}/"
    read = finance.get(url)
    etag = read["ETag"]
    assert etag == f'"travelclaim-{claim.pk}-v{claim.version}"' and read.json()["version"] == claim.version
    item = claim.items.get()

    returned_given_4000_and_resubmitted(claim)
    stale_calls = {
        "decision": lambda: finance.post(
            f"{url}decision/", {"decision": "approve"}, format="json", HTTP_IF_MATCH=etag
        ),
        "reduction": lambda: finance.post(
            f"{url}items/{item.pk}/reduction/",
            {"amount": "10.00", "reason": "x"},
            format="json",
            HTTP_IF_MATCH=etag,
        ),
    }
    for name, call in stale_calls.items():
        response = call()
        assert response.status_code == 412, name
        assert problem(response)["type"].endswith("/precondition-failed")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.items.get(pk=item.pk).reduced_to is None

    # the traveller's side: return it first, then every edit with an old tag changes nothing
    claim_return_or_reject(claim_id=claim.pk, actor=person("finanzen@example.org"), reject=False, reason="x")
    old = petra.get(url)["ETag"]
    assert petra.patch(url, {"origin": "Halle"}, format="json", HTTP_IF_MATCH=old).status_code == 200
    traveller_calls = {
        "patch": lambda: petra.patch(url, {"origin": "Dessau"}, format="json", HTTP_IF_MATCH=old),
        "item": lambda: petra.post(
            f"{url}items/", {"kind": "other", "amount": "5.00"}, format="json", HTTP_IF_MATCH=old
        ),
        "delete": lambda: petra.delete(f"{url}items/{item.pk}/", HTTP_IF_MATCH=old),
        "receipt": lambda: petra.post(
            f"{url}items/{item.pk}/receipts/", {"receipt": pdf()}, format="multipart", HTTP_IF_MATCH=old
        ),
        "submit": lambda: petra.post(f"{url}submit/", {}, format="json", HTTP_IF_MATCH=old),
    }
    for name, call in traveller_calls.items():
        assert call().status_code == 412, name
    claim.refresh_from_db()
    assert (claim.origin, claim.status, claim.items.count(), claim.receipts.count()) == (
        "Halle",
        ClaimStatus.RETURNED,
        2,
        2,
    )
    fresh = petra.get(url)["ETag"]
    submitted = petra.post(f"{url}submit/", {}, format="json", HTTP_IF_MATCH=fresh)
    assert submitted.status_code == 200 and submitted["ETag"] != fresh


def test_two_finance_people_starting_a_rate_period_at_once_the_second_is_refused(demo):
    brkg = RateSet.objects.get(code="BRKG", valid_to__isnull=True)
    first, second = Client(), Client()
    for tab in (first, second):
        tab.force_login(person("finanzen@example.org"))
    url = reverse("exchanges:rate_set_new_period", args=[brkg.pk])
    page = second.get(url)
    form = page.context["form"]
    data = {
        name: (str(value).replace(".", ",") if name != "valid_from" else value)
        for name, value in form.initial.items()
        if value is not None and name in form.fields and name != "to_be_confirmed"
    }
    data.update({"legal_basis": brkg.legal_basis, "version": str(form["version"].value())})
    assert first.post(url, {**data, "valid_from": "01.01.2030", "km_rate": "0,25"}).status_code == 302

    refused = second.post(url, {**data, "valid_from": "01.07.2030", "km_rate": "0,27"})

    assert refused.status_code == 409
    assert 'value="0,27"' in refused.content.decode() and 'value="01.07.2030"' in refused.content.decode()
    assert not RateSet.objects.filter(code="BRKG", valid_from="2030-07-01").exists()


def test_two_finance_people_setting_the_budget_at_once_the_second_is_refused(demo):
    first, second = Client(), Client()
    for tab in (first, second):
        tab.force_login(person("finanzen@example.org"))
    url = reverse("exchanges:budget")
    version = second.get(url).context["form"]["version"].value()
    assert first.post(url, {"amount": "20.000,00", "version": version}).status_code == 302

    refused = second.post(url, {"amount": "12.345,00", "version": version})

    assert refused.status_code == 409
    assert "12.345,00" in refused.content.decode()
    assert Budget.objects.get(year=timezone.localdate().year, city__isnull=True).amount == D("20000.00")
    # the form now carries the current version: saving again is deliberate
    again = second.post(url, {"amount": "12.345,00", "version": refused.context["form"]["version"].value()})
    assert again.status_code == 302
    # a year nobody has set yet: "0" is the version of no budget
    other = second.get(f"{url}?year=2031").context["form"]
    assert other["version"].value() == 0 and other["year"].value() == 2031


def _run_concurrently(*targets):
    results: list = [None] * len(targets)
    barrier = threading.Barrier(len(targets))

    def worker(index, target) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:  # collected and counted below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _two_claims_over_the_budget(exchange):
    """Petra's and Gesa's claims of 64 € each, with 100 € of the budget left: together 28 € over."""
    finance = person("finanzen@example.org")
    claims = [submitted_64(exchange)]
    gesa = person("gesa.lueders@example.org")
    day = meeting_day(exchange)
    second = claim_create(
        exchange=exchange,
        traveller=gesa,
        actor=gesa,
        data={
            "trip_start": at(day, "08:00"),
            "trip_end": at(day, "19:00"),
            "origin": "Bremen",
            "destination": "Bremen",
        },
    )
    claim_item_add(claim=second, actor=gesa, data={"kind": "rail", "amount": D("50.00")}, upload=pdf())
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=second.pk, actor=gesa)
    claims.append(TravelClaim.objects.get(pk=second.pk))
    # 100 € left: beyond what the year has used already (the demo's trips commit some of it)
    year = timezone.localdate().year
    budget_set(year=year, amount=budget_position(year=year)["used"] + D("100.00"), actor=finance)
    return claims, finance


def test_a_budget_year_without_a_budget_approves_without_a_limit(demo):
    claim = submitted_64(demo)
    Budget.objects.all().delete()
    claim_approve(claim_id=claim.pk, actor=person("finanzen@example.org"))
    claim.refresh_from_db()
    assert claim.status in {ClaimStatus.APPROVED, ClaimStatus.BOOKED} and not claim.budget_override


def test_a_decided_claim_shows_what_finance_decided_on_also_when_rates_change_later(demo, tmp_path):
    import subprocess

    claim = submitted_64(demo)
    finance = person("finanzen@example.org")
    claim_approve(claim_id=claim.pk, actor=finance)
    # the rules change later: the claim's own rate set gets another allowance (and a ticket is touched)
    RateSet.objects.filter(pk=claim.rate_set_id).update(partial_day=D("20.00"))
    ClaimItem.objects.filter(claim=claim).update(amount=D("99.00"))

    client = Client()
    client.force_login(finance)
    page = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    calculation = page[page.index('id="calc-heading"') : page.index('id="items-heading"')]
    assert "64,00 €" in calculation and "119,00 €" not in calculation
    assert 'id="calculation-snapshot"' in calculation
    path = tmp_path / "claim.pdf"
    path.write_bytes(client.get(reverse("exchanges:claim_pdf", args=[claim.pk])).content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "64,00 €" in text and "119,00 €" not in text
    api = token_client(issue(finance)).get(f"/api/v1/claims/{claim.pk}/").json()
    assert api["calculation"]["total"] == "64.00" and api["calculation"]["snapshot"] is True


def test_a_returned_claim_is_recalculated_on_resubmission(demo):
    claim = submitted_64(demo)
    finance = person("finanzen@example.org")
    assert claim.calculation_snapshot["total"] == "64.00"
    claim_return_or_reject(claim_id=claim.pk, actor=finance, reject=False, reason="Bitte prüfen")
    RateSet.objects.filter(pk=claim.rate_set_id).update(partial_day=D("20.00"))
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller)
    claim.refresh_from_db()
    assert claim.calculated_total == D("70.00") and claim.calculation_snapshot["total"] == "70.00"
    rejected = claim_return_or_reject(claim_id=claim.pk, actor=finance, reject=True, reason="Kein Anlass")
    RateSet.objects.filter(pk=claim.rate_set_id).update(partial_day=D("14.00"))
    client = Client()
    client.force_login(claim.traveller)
    page = client.get(reverse("exchanges:claim_detail", args=[rejected.pk])).content.decode()
    assert "70,00 €" in page  # a rejected claim shows what finance rejected


def test_submitting_twice_in_two_tabs_is_refused_by_the_version(demo):
    claim = submitted_64(demo)
    claim_return_or_reject(claim_id=claim.pk, actor=person("finanzen@example.org"), reject=False, reason="x")
    tab = Client()
    tab.force_login(claim.traveller)
    version = (
        tab.get(reverse("exchanges:claim_detail", args=[claim.pk])).context["submit_form"]["version"].value()
    )
    attach_receipt(
        claim_item_add(claim=claim, actor=claim.traveller, data={"kind": "rail", "amount": D("9.00")})
    )
    response = tab.post(
        reverse("exchanges:claim_submit", args=[claim.pk]),
        {"submit-version": version, "submit-no_trip_reason": "Auf Papier genehmigt."},
    )
    assert response.status_code == 409
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED


def _two_trips_over_the_budget():
    """Petra's and Andreas Roth's trips to the scheduled exchange, submitted and approved by their
    supervisors, with less budget left than both estimates together."""
    exchange = ExchangeRequest.objects.get(title="Schulcampus und Ganztag")
    meeting = Meeting.objects.get(request=exchange)
    trips = []
    for email in ("petra.neumann@example.org", "andreas.roth@example.org"):
        traveller = person(email)
        for earlier in TripRequest.objects.filter(exchange=exchange, traveller=traveller):
            trip_cancel(
                trip_id=earlier.pk, actor=traveller, reason="Neu beantragt."
            )  # the demo's returned one
        boss = UserFactory(home_city=traveller.home_city)
        trip = trip_create(
            exchange=exchange,
            traveller=traveller,
            actor=traveller,
            data={
                "starts_at": meeting.starts_at - timedelta(hours=3),
                "ends_at": meeting.ends_at + timedelta(hours=3),
                "destination": "Nürnberg",
                "fare": D("80.00"),
                "supervisor": boss,
            },
        )
        trip = trip_submit(trip_id=trip.pk, actor=traveller)
        trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=boss)
        trips.append(TripRequest.objects.get(pk=trip.pk))
    year = timezone.localtime(meeting.starts_at).year
    used = budget_position(year=year)["used"]
    smallest = min(trip.estimated_total for trip in trips)
    budget_set(year=year, amount=used + smallest + D("1.00"), actor=person("finanzen@example.org"))
    return trips
