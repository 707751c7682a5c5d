"""Claims: the calculation from stored items, four eyes, exactly one booking, late claims, the budget."""

import io
from datetime import datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from cities.directory.models import User
from cities.directory.roles import Role
from exchanges.travel.models import Booking, ClaimItem, ClaimStatus
from exchanges.travel.services.budget import BudgetExceeded
from exchanges.travel.services.claims import (
    claim_approve,
    claim_calculate,
    claim_create,
    claim_is_late,
    claim_item_reduce,
    claim_return_or_reject,
    claim_submit,
)
from exchanges.travel.tasks import book_claim_task
from koopstadt.errors import DomainError, TransitionNotAllowed
from tests.cities.factories import DepartmentFactory, UserFactory
from tests.exchanges.claims_world import attach_receipt, held_exchange, meeting_day
from tests.module_db import rolled_back_after_module

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module and rolled back after it; each test's changes are rolled back
    after the test (the concurrent approvals, which need real commits, are in test_claims_concurrent)."""
    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        rolled_back_after_module(django_db_blocker),
    ):
        call_command("load_demo", stdout=io.StringIO())
        yield


@pytest.fixture
def exchange(_demo_loaded, db):
    return held_exchange()  # Leipzig → Bremen twelve days ago, Gesa Lüders accepted


@pytest.fixture
def finance(db):
    return User.objects.get(email="finanzen@example.org")


def _claim_a(exchange, traveller=None):
    """Worked example A, entered as a claim: one day, 06:30–19:45, rail 59,90 €, lunch provided."""
    traveller = traveller or exchange.requester
    day = meeting_day(exchange)
    claim = claim_create(
        exchange=exchange,
        traveller=traveller,
        actor=traveller,
        data={
            "trip_start": datetime(day.year, day.month, day.day, 6, 30, tzinfo=BERLIN),
            "trip_end": datetime(day.year, day.month, day.day, 19, 45, tzinfo=BERLIN),
            "origin": "Leipzig",
            "destination": "Nürnberg",
            "meals": {day.isoformat(): ["lunch"]},
        },
    )
    attach_receipt(ClaimItem.objects.create(claim=claim, kind="rail", amount=D("59.90")))
    return claim


def test_example_a_through_a_stored_claim_with_the_travellers_rate_set(exchange):
    claim = _claim_a(exchange)
    assert claim_calculate(claim).total == D("62.70")
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.rate_set.code == "SN"  # Petra Neumann works in Leipzig
    assert claim.calculated_total == D("62.70")


def test_only_participants_may_claim(exchange):
    outsider = User.objects.get(email="anna.schmidt@example.org")
    with pytest.raises(DomainError, match=r"participants|Teilnehmende"):
        _claim_a(exchange, traveller=outsider)


def test_four_eyes_nobody_decides_on_a_claim_they_travel_in_or_entered(exchange):
    traveller = exchange.requester
    colleague_in_finance = UserFactory(
        department=DepartmentFactory(city=traveller.home_city), roles=[Role.FINANCE]
    )
    claim = _claim_a(exchange)
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=traveller)

    from cities.directory.services.users import user_set_roles

    user_set_roles(user=traveller, roles=[Role.STAFF, Role.FINANCE])
    with pytest.raises(TransitionNotAllowed, match=r"Four-eyes|Vier-Augen"):
        claim_approve(claim_id=claim.pk, actor=traveller)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    claim_approve(claim_id=claim.pk, actor=colleague_in_finance)
    claim.refresh_from_db()
    assert claim.status in {ClaimStatus.APPROVED, ClaimStatus.BOOKED}


def test_book_claim_task_three_times_gives_one_booking(exchange, finance):
    claim = _claim_a(exchange)
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller)
    claim_approve(claim_id=claim.pk, actor=finance)  # on_commit not run inside the test transaction

    results = [book_claim_task.apply(args=[claim.pk]).get() for _ in range(3)]

    assert results == [True, False, False]
    booking = Booking.objects.get(claim=claim)
    assert booking.number == f"RK-{booking.budget_year}-00001"
    assert booking.amount == D("62.70")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.BOOKED


def test_return_reject_and_reduce_need_reasons_and_finance(exchange, finance):
    claim = _claim_a(exchange)
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller)
    item = claim.items.get()
    with pytest.raises(DomainError, match=r"reason|Grund|Begründung"):
        claim_item_reduce(item_id=item.pk, actor=finance, amount=D("40.00"), reason="")
    claim_item_reduce(item_id=item.pk, actor=finance, amount=D("40.00"), reason="Sparpreis war verfügbar")
    assert claim_calculate(claim).total == D("42.80")
    claim_return_or_reject(claim_id=claim.pk, actor=finance, reject=False, reason="Bitte Beleg nachreichen")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED
    assert list(claim.events.values_list("action", flat=True)) == ["create", "submit", "reduce", "return"]
    with pytest.raises(TransitionNotAllowed):
        claim_approve(claim_id=claim.pk, actor=finance)


def test_a_claim_after_the_deadline_is_flagged(exchange):
    claim = _claim_a(exchange)
    assert not claim_is_late(claim)
    assert claim_is_late(claim, on=timezone.localdate() + timedelta(days=200))


def test_approving_beyond_the_budget_needs_a_confirmation(exchange, finance):
    from exchanges.travel.services.budget import budget_position, budget_set

    year = timezone.localdate().year
    budget_set(year=year, amount=budget_position(year=year)["used"] + D("50.00"), actor=finance)
    claim = _claim_a(exchange)
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller)
    with pytest.raises(BudgetExceeded):
        claim_approve(claim_id=claim.pk, actor=finance)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    claim_approve(claim_id=claim.pk, actor=finance, confirm_over_budget=True)
    claim.refresh_from_db()
    assert claim.budget_override is True
    assert claim.events.get(action="approve").comment


def test_a_hotel_night_without_receipt_is_computed_as_the_flat_rate_until_a_receipt_is_attached(
    exchange, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from exchanges.travel.models import Receipt

    settings.MEDIA_ROOT = tmp_path
    traveller = exchange.requester  # Leipzig: SächsRKG, flat rate 20 €
    day = meeting_day(exchange) - timedelta(days=1)
    claim = claim_create(
        exchange=exchange,
        traveller=traveller,
        actor=traveller,
        data={
            "trip_start": datetime(day.year, day.month, day.day, 7, tzinfo=BERLIN),
            "trip_end": datetime(day.year, day.month, day.day, 18, tzinfo=BERLIN) + timedelta(days=1),
            "origin": "Leipzig",
            "destination": "Nürnberg",
        },
    )
    hotel = ClaimItem.objects.create(claim=claim, kind="hotel", amount=D("68.00"), breakfast_included=True)
    [line] = [line for line in claim_calculate(claim).lines if line.kind == "overnight"]
    assert (line.amount, line.note.split(";")[0]) == (
        D("20.00"),
        "kein Beleg: Pauschale nach § 7 Abs. 2 SächsRKG",
    )
    assert claim_calculate(claim).total == D("48.00")  # 20 € + 14 € + 14 €

    Receipt.objects.create(
        claim=claim,
        item=hotel,
        file=ContentFile(b"%PDF-1.4 hotel", name="hotel.pdf"),
        original_name="hotel.pdf",
        content_type="application/pdf",
        size=14,
        sha256="0" * 64,
    )
    # SächsRKG § 7 (1) sentence 3: 68 € − 5,60 € breakfast = 62,40 €, plus 14 € + 14 €
    assert claim_calculate(claim).total == D("90.40")


def _two_night_claim(exchange):
    traveller = exchange.requester
    day = meeting_day(exchange) - timedelta(days=1)
    return claim_create(
        exchange=exchange,
        traveller=traveller,
        actor=traveller,
        data={
            "trip_start": datetime(day.year, day.month, day.day, 8, tzinfo=BERLIN),
            "trip_end": datetime(day.year, day.month, day.day, 20, tzinfo=BERLIN) + timedelta(days=2),
            "origin": "Leipzig",
            "destination": "Nürnberg",
        },
    )


def test_a_hotel_item_needs_one_of_the_trips_nights_once(exchange):
    from exchanges.travel.services.claims import claim_item_add, claim_update

    claim = _two_night_claim(exchange)
    traveller, first = claim.traveller, timezone.localtime(claim.trip_start).date()
    hotel = {"kind": "hotel", "amount": D("65.00")}

    def refused(data: dict) -> str:
        with pytest.raises(DomainError) as error:
            claim_item_add(claim=claim, actor=traveller, data=data)
        assert error.value.field == "night_of"
        return error.value.message

    assert "Nacht" in refused(hotel)  # no date
    assert f"vom {first:%d.%m.%Y} bis zum {first + timedelta(days=1):%d.%m.%Y}" in refused(
        {**hotel, "night_of": first + timedelta(days=2)}  # the evening the trip ends: no night
    )
    refused({**hotel, "night_of": first - timedelta(days=1)})
    claim_item_add(claim=claim, actor=traveller, data={**hotel, "night_of": first + timedelta(days=1)})
    assert "bereits" in refused({**hotel, "night_of": first + timedelta(days=1)})
    claim_update(claim=claim, actor=traveller, data={"flat_nights": 1})
    claim.refresh_from_db()
    assert "ohne Beleg" in refused({**hotel, "night_of": first})  # both nights are taken
    rail = claim_item_add(
        claim=claim, actor=traveller, data={"kind": "rail", "amount": D("30.00"), "night_of": first}
    )
    assert rail.night_of is None  # only hotel items have a night


def test_the_trip_cannot_lose_the_nights_its_items_take(exchange):
    from exchanges.travel.services.claims import claim_item_add, claim_update

    claim = _two_night_claim(exchange)
    traveller, first = claim.traveller, timezone.localtime(claim.trip_start).date()
    claim_item_add(
        claim=claim,
        actor=traveller,
        data={"kind": "hotel", "amount": D("65.00"), "night_of": first + timedelta(days=1)},
    )
    with pytest.raises(DomainError) as error:
        claim_update(claim=claim, actor=traveller, data={"trip_end": claim.trip_end - timedelta(days=1)})
    assert error.value.field == "trip_end"
    with pytest.raises(DomainError) as error:
        claim_update(claim=claim, actor=traveller, data={"flat_nights": 2})
    assert error.value.field == "flat_nights"
    claim.refresh_from_db()
    assert claim.flat_nights == 0
    claim_update(claim=claim, actor=traveller, data={"flat_nights": 1})


def test_existing_hotel_items_are_dated_in_their_old_order_so_old_claims_compute_the_same(exchange):
    import importlib

    from django.apps import apps

    claim = _two_night_claim(exchange)
    first = timezone.localtime(claim.trip_start).date()
    ClaimItem.objects.bulk_create(
        [
            ClaimItem(claim=claim, kind="hotel", amount=D("65.00")),
            ClaimItem(claim=claim, kind="hotel", amount=D("70.00"), breakfast_included=True),
        ]
    )
    before = claim_calculate(claim).total  # undated: the calculator takes them in order
    migration = importlib.import_module("exchanges.migrations.0016_claimitem_night_of")
    migration.nights_in_order(apps, None)
    assert list(claim.items.order_by("pk").values_list("night_of", flat=True)) == [
        first,
        first + timedelta(days=1),
    ]
    assert claim_calculate(claim).total == before
