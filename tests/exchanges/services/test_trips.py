"""Trip requests: the estimate, two approvals with four eyes, the e-mail link, the commitment on the budget,
the claim that follows, and the car's higher rate only for an interest approved before the trip."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.services.users import user_set_roles
from cities.mail.models import OutgoingEmail
from exchanges.cycle.models import ExchangeRequest, Meeting, Status
from exchanges.cycle.services.requests import request_transition
from exchanges.travel.models import (
    ClaimStatus,
    Commitment,
    DecisionChannel,
    TripMeans,
    TripRequest,
    TripStatus,
)
from exchanges.travel.services.budget import BudgetExceeded, budget_position, budget_set, commitment_release
from exchanges.travel.services.claims import (
    claim_approve,
    claim_book,
    claim_calculate,
    claim_flags,
    claim_return_or_reject,
    claim_submit,
    claim_update,
)
from exchanges.travel.services.trips import (
    LINK_SALT,
    claim_from_trip,
    trip_cancel,
    trip_cost_decide,
    trip_create,
    trip_from_token,
    trip_link,
    trip_submit,
    trip_supervisor_decide,
)
from koopstadt.errors import DomainError, NotPermitted, TransitionNotAllowed
from tests.cities.factories import UserFactory
from tests.exchanges.claims_world import attach_receipt, day_trip_draft, held_exchange

pytestmark = pytest.mark.django_db
SCHEDULED_TITLE = "Schulcampus und Ganztag"  # Petra Neumann (Leipzig) visits Nürnberg in 30 days


@pytest.fixture(autouse=True)
def _demo(demo_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def person(email: str) -> User:
    return User.objects.get(email=email)


@pytest.fixture
def exchange() -> ExchangeRequest:
    return ExchangeRequest.objects.get(title=SCHEDULED_TITLE)


@pytest.fixture
def petra() -> User:
    return person("petra.neumann@example.org")


@pytest.fixture
def boss(petra) -> User:
    """Petra's supervisor in Leipzig, without an account (no password)."""
    supervisor = UserFactory(
        email="amtsleitung.leipzig@example.org", display_name="Dr. Ines Vogt", home_city=petra.home_city
    )
    supervisor.set_unusable_password()
    supervisor.save()
    return supervisor


@pytest.fixture
def coordinator() -> User:
    return person("koordination@example.org")


def _file(exchange, traveller, supervisor, **data) -> TripRequest:
    meeting = Meeting.objects.get(request=exchange)
    values = {
        "starts_at": meeting.starts_at - timedelta(hours=4),
        "ends_at": meeting.ends_at + timedelta(hours=4),
        "destination": "Nürnberg, Rathaus",
        "fare": D("119.80"),
        "supervisor": supervisor,
        **data,
    }
    return trip_create(exchange=exchange, traveller=traveller, actor=traveller, data=values)


def _submitted(exchange, petra, boss, **data) -> TripRequest:
    trip = _file(exchange, petra, boss, **data)
    return trip_submit(trip_id=trip.pk, actor=petra)


def _approved(exchange, petra, boss, coordinator, **data) -> TripRequest:
    trip = _submitted(exchange, petra, boss, **data)
    trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=None, link_nonce=trip.link_nonce)
    return trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator)


# --- filing and the estimate ------------------------------------------------------------------------------


def test_the_trip_starts_from_the_request_and_the_meeting_and_is_estimated_by_the_calculator(
    exchange, petra, boss
):
    trip = _file(exchange, petra, boss)
    assert trip.purpose.startswith(f"C+R {exchange.reference}")
    assert trip.origin == "Leipzig"
    assert trip.supervisor_email == "amtsleitung.leipzig@example.org"
    assert trip.cost_centre == "KOOPSTADT-CR"
    # A day trip over 8 hours under the SächsRKG: 14 € allowance + 119,80 € fares.
    assert trip.estimated_total == D("133.80")
    assert trip.status == TripStatus.DRAFT


def test_only_travellers_of_an_agreed_or_scheduled_exchange_request_trips(exchange, petra, boss):
    outsider = person("anna.schmidt@example.org")
    with pytest.raises(NotPermitted):
        _file(exchange, outsider, boss)
    held = ExchangeRequest.objects.get(status=Status.HELD, title__startswith="Bildungs-")
    with pytest.raises(TransitionNotAllowed):
        trip_create(exchange=held, traveller=petra, actor=petra, data={})


def test_submission_asks_for_every_reason_the_rate_set_needs(exchange, petra, boss):
    trip = _file(
        exchange,
        petra,
        boss,
        means=TripMeans.CAR,
        car_km=D("0"),
        car_interest=True,
        higher_class=True,
        ends_at=Meeting.objects.get(request=exchange).ends_at + timedelta(days=1),
        hotel_nights=1,
        hotel_price=D("120.00"),
        other_costs=D("15.00"),
    )
    with pytest.raises(ValidationError) as refused:
        trip_submit(trip_id=trip.pk, actor=petra)
    fields = set(refused.value.message_dict)
    assert {
        "car_km",
        "car_interest_reason",
        "higher_class_reason",
        "hotel_reason",
        "other_costs_note",
    } <= fields
    assert TripRequest.objects.get(pk=trip.pk).status == TripStatus.DRAFT


def test_a_trip_already_begun_is_not_submitted_for_approval(exchange, petra, boss):
    trip = _file(exchange, petra, boss)
    with (
        time_machine.travel(trip.starts_at + timedelta(minutes=1)),
        pytest.raises(ValidationError) as refused,
    ):
        trip_submit(trip_id=trip.pk, actor=petra)
    assert "starts_at" in refused.value.message_dict


# --- four eyes --------------------------------------------------------------------------------------------


def test_nobody_names_themselves_as_supervisor(exchange, petra):
    with pytest.raises(ValidationError):
        _file(exchange, petra, petra)
    # A typed address of the traveller's own is linked to her, and refused alike.
    with pytest.raises(ValidationError):
        _file(exchange, petra, None, supervisor_name="Petra", supervisor_email="PETRA.NEUMANN@example.org")


def test_the_supervisor_works_in_the_travellers_city(exchange, petra):
    with pytest.raises(ValidationError) as refused:
        _file(exchange, petra, person("kontakt.bremen@example.org"))
    assert "supervisor" in refused.value.message_dict


def test_a_typed_address_of_the_traveller_is_refused_on_submission(exchange, petra):
    other = person("anna.schmidt@example.org")
    trip = _file(exchange, petra, None, supervisor_name="Anna", supervisor_email=other.email)
    # Anna works in Leipzig too: the typed address links her as the supervisor.
    assert trip.supervisor_id == other.pk
    trip.supervisor_email = petra.email
    trip.save(update_fields=["supervisor_email"])
    with pytest.raises(ValidationError) as refused:
        trip_submit(trip_id=trip.pk, actor=petra)
    assert "supervisor_email" in refused.value.message_dict


def test_the_traveller_cannot_approve_their_own_trip_in_either_role(exchange, petra, boss, coordinator):
    trip = _submitted(exchange, petra, boss)
    user_set_roles(user=petra, roles=[Role.STAFF, Role.COORDINATOR])
    petra = person(petra.email)
    with pytest.raises(NotPermitted, match="Vier-Augen-Prinzip"):
        trip_cost_decide(trip_id=trip.pk, decision="approved", actor=petra)
    with pytest.raises(NotPermitted):
        trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=petra)
    trip.refresh_from_db()
    assert trip.cost_decision == "" and trip.supervisor_decision == ""
    assert not Commitment.objects.filter(trip=trip).exists()


def test_a_coordinator_who_entered_the_trip_cannot_confirm_its_costs(exchange, petra, boss, coordinator):
    trip = trip_create(
        exchange=exchange,
        traveller=petra,
        actor=coordinator,
        data={"fare": D("50"), "supervisor": boss, "destination": "Nürnberg"},
    )
    trip_submit(trip_id=trip.pk, actor=coordinator)
    with pytest.raises(NotPermitted, match="Vier-Augen-Prinzip"):
        trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator)


def test_the_supervisor_and_the_cost_confirmation_are_two_people(exchange, petra, coordinator):
    trip = _submitted(exchange, petra, coordinator)  # the coordinator is also Petra's supervisor here
    trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=coordinator)
    with pytest.raises(NotPermitted, match="eine andere Person der Koordination"):
        trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator)
    second = UserFactory(home_city=petra.home_city, roles=[Role.COORDINATOR])
    trip = trip_cost_decide(trip_id=trip.pk, decision="approved", actor=second)
    assert trip.status == TripStatus.APPROVED


# --- the e-mail link --------------------------------------------------------------------------------------


def test_submission_mails_the_supervisor_a_link_that_approves_once_without_an_account(
    exchange, petra, boss, coordinator
):
    trip = _submitted(exchange, petra, boss)
    mail = OutgoingEmail.objects.filter(to_address=boss.email).latest("pk")
    token = mail.body.split("/genehmigung/")[1].split("/")[0]
    found, nonce = trip_from_token(token)
    assert found.pk == trip.pk

    trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=None, link_nonce=nonce)
    trip.refresh_from_db()
    assert trip.supervisor_channel == DecisionChannel.LINK
    assert trip.supervisor_decided_by is None and trip.supervisor_decided_at is not None
    event = trip.events.get(action="supervisor_approved")
    assert event.actor_name == "Dr. Ines Vogt <amtsleitung.leipzig@example.org>"

    with pytest.raises(TransitionNotAllowed, match="bereits verwendet"):
        trip_supervisor_decide(
            trip_id=trip.pk, decision="refused", note="doch nicht", actor=None, link_nonce=nonce
        )
    trip.refresh_from_db()
    assert trip.supervisor_decision == "approved"


def test_an_altered_link_is_refused(exchange, petra, boss):
    trip = _submitted(exchange, petra, boss)
    token = trip_link(trip).rstrip("/").split("/")[-1]
    with pytest.raises(DomainError, match="nicht gültig"):
        trip_from_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    forged = signing.dumps({"trip": trip.pk, "nonce": "guessed"}, salt=LINK_SALT)
    found, nonce = trip_from_token(forged)
    with pytest.raises(TransitionNotAllowed):
        trip_supervisor_decide(trip_id=found.pk, decision="approved", actor=None, link_nonce=nonce)


def test_an_expired_link_is_refused(exchange, petra, boss):
    trip = _submitted(exchange, petra, boss)
    token = trip_link(trip).rstrip("/").split("/")[-1]
    with (
        time_machine.travel(timezone.now() + timedelta(days=15)),
        pytest.raises(DomainError, match="abgelaufen"),
    ):
        trip_from_token(token)


def test_a_link_of_an_earlier_submission_no_longer_decides(exchange, petra, boss, coordinator):
    trip = _submitted(exchange, petra, boss)
    old_nonce = trip.link_nonce
    trip_cost_decide(trip_id=trip.pk, decision="returned", note="Bitte Bahncard angeben.", actor=coordinator)
    trip_submit(trip_id=trip.pk, actor=petra)
    with pytest.raises(TransitionNotAllowed):
        trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=None, link_nonce=old_nonce)


# --- the commitment ---------------------------------------------------------------------------------------


def test_confirming_the_costs_commits_the_estimate_and_both_approvals_approve(
    exchange, petra, boss, coordinator
):
    year = timezone.localtime(Meeting.objects.get(request=exchange).starts_at).year
    before = budget_position(year=year)["committed"]
    trip = _approved(exchange, petra, boss, coordinator)
    assert trip.status == TripStatus.APPROVED and trip.approved_at is not None
    commitment = Commitment.objects.get(trip=trip)
    assert commitment.amount == trip.estimated_total and commitment.is_open
    assert budget_position(year=year)["committed"] == before + trip.estimated_total


def test_the_booking_replaces_the_commitment_exactly_once(exchange, petra, boss, coordinator):
    trip = _approved(exchange, petra, boss, coordinator)
    claim = _claimed_after_the_trip(trip, petra)
    year = timezone.localtime(trip.starts_at).year
    committed = budget_position(year=year)["committed"]
    finance = person("finanzen@example.org")
    claim_approve(claim_id=claim.pk, actor=finance)
    assert claim_book(claim_id=claim.pk) is True  # what the booking task queued after the commit does
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.BOOKED
    commitment = Commitment.objects.get(trip=trip)
    assert commitment.release_reason == Commitment.Release.BOOKED
    assert budget_position(year=year)["committed"] == committed - trip.estimated_total
    assert commitment_release(trip_id=trip.pk, reason=Commitment.Release.BOOKED) is False
    assert Commitment.objects.get(trip=trip).released_at == commitment.released_at


def test_a_rejected_claim_releases_the_commitment(exchange, petra, boss, coordinator):
    trip = _approved(exchange, petra, boss, coordinator)
    claim = _claimed_after_the_trip(trip, petra)
    claim_return_or_reject(
        claim_id=claim.pk, actor=person("finanzen@example.org"), reject=True, reason="Reise fand nicht statt."
    )
    assert Commitment.objects.get(trip=trip).release_reason == Commitment.Release.CLAIM_REJECTED


def test_cancelling_the_exchange_cancels_its_trips_and_releases_their_commitments(
    exchange, petra, boss, coordinator
):
    trip = _approved(exchange, petra, boss, coordinator)
    request_transition(request_id=exchange.pk, action="cancel", actor=coordinator, comment="Raum fällt weg.")
    trip.refresh_from_db()
    assert trip.status == TripStatus.CANCELLED
    assert Commitment.objects.get(trip=trip).release_reason == Commitment.Release.CANCELLED
    assert Commitment.objects.filter(trip=trip, released_at__isnull=True).count() == 0


def test_a_returned_trip_releases_its_commitment_and_is_committed_anew_when_approved_again(
    exchange, petra, boss, coordinator
):
    trip = _submitted(exchange, petra, boss)
    trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator)
    trip_supervisor_decide(
        trip_id=trip.pk,
        decision="returned",
        note="Bitte einen Tag später.",
        actor=None,
        link_nonce=trip.link_nonce,
    )
    assert Commitment.objects.get(trip=trip).release_reason == Commitment.Release.RETURNED
    trip = trip_submit(trip_id=trip.pk, actor=petra)
    assert trip.cost_decision == ""  # both decide again on the changed trip
    trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=None, link_nonce=trip.link_nonce)
    trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator)
    assert Commitment.objects.filter(trip=trip).count() == 2
    assert Commitment.objects.filter(trip=trip, released_at__isnull=True).count() == 1


def test_cancelling_a_trip_releases_it_and_a_refusal_closes_it(exchange, petra, boss, coordinator):
    trip = _approved(exchange, petra, boss, coordinator)
    with pytest.raises(DomainError):
        trip_cancel(trip_id=trip.pk, actor=petra)  # a reason is needed once others decided
    trip_cancel(trip_id=trip.pk, actor=petra, reason="Termin verschoben.")
    assert Commitment.objects.get(trip=trip).release_reason == Commitment.Release.CANCELLED


def test_confirming_beyond_the_free_budget_needs_the_recorded_confirmation(
    exchange, petra, boss, coordinator
):
    trip = _submitted(exchange, petra, boss)
    year = timezone.localtime(trip.starts_at).year
    used = budget_position(year=year)["used"]
    budget_set(year=year, amount=used + D("10.00"), actor=person("finanzen@example.org"))
    with pytest.raises(BudgetExceeded):
        trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator)
    assert not Commitment.objects.filter(trip=trip).exists()
    trip = trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator, confirm_over_budget=True)
    assert trip.budget_override is True
    assert "über das Budget hinaus" in trip.events.get(action="cost_approved").comment


# --- the claim that follows -------------------------------------------------------------------------------


def _claimed_after_the_trip(trip: TripRequest, traveller: User):
    """The meeting took place: the claim is created from the trip, a rail ticket with receipt added, and
    submitted."""
    with time_machine.travel(trip.ends_at + timedelta(days=1)):
        claim = claim_from_trip(trip_id=trip.pk, actor=traveller)
        item = claim.items.create(kind="rail", amount=D("119.80"))
        attach_receipt(item)
        claim_submit(claim_id=claim.pk, actor=traveller)
    claim.refresh_from_db()
    return claim


def test_the_claim_is_created_from_the_approved_trip(exchange, petra, boss, coordinator):
    trip = _approved(exchange, petra, boss, coordinator)
    with time_machine.travel(trip.ends_at + timedelta(days=1)):
        claim = claim_from_trip(trip_id=trip.pk, actor=petra)
        with pytest.raises(TransitionNotAllowed, match="bereits abgerechnet"):
            claim_from_trip(trip_id=trip.pk, actor=petra)
    assert (claim.trip_id, claim.trip_start, claim.trip_end) == (trip.pk, trip.starts_at, trip.ends_at)
    assert (claim.origin, claim.destination, claim.purpose) == (trip.origin, trip.destination, trip.purpose)
    assert claim_flags(claim).without_trip is False


def test_a_claim_without_an_approved_trip_needs_a_reason():
    claim = day_trip_draft(held_exchange())
    with pytest.raises(ValidationError) as refused:
        claim_submit(claim_id=claim.pk, actor=claim.traveller)
    assert "no_trip_reason" in refused.value.message_dict
    claim_submit(
        claim_id=claim.pk, actor=claim.traveller, no_trip_reason="Auf Papier genehmigt am 02.03. (Amt 51)."
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.no_trip_reason.startswith("Auf Papier")
    assert claim_flags(claim).without_trip is True


def test_finance_sees_every_deviation_from_the_approved_trip(exchange, petra, boss, coordinator):
    trip = _approved(exchange, petra, boss, coordinator)
    with time_machine.travel(trip.ends_at + timedelta(days=3)):
        claim = claim_from_trip(trip_id=trip.pk, actor=petra)
        claim_update(
            claim=claim,
            actor=petra,
            data={"trip_end": trip.ends_at + timedelta(days=1), "car_km": D("80")},
        )
        attach_receipt(claim.items.create(kind="rail", amount=D("189.00"), higher_class=True))
        attach_receipt(claim.items.create(kind="rail", amount=D("160.00")))
        claim_submit(claim_id=claim.pk, actor=petra, trip_fit_reason="Rückreise am Folgetag.")
    claim.refresh_from_db()
    labels = {deviation.label for deviation in claim_flags(claim).deviations}
    assert labels == {
        "Andere Daten",
        "Höhere Kosten als geschätzt",
        "Privat-Pkw nicht genehmigt",
        "1. Klasse nicht genehmigt",
    }
    higher = next(d for d in claim_flags(claim).deviations if d.label == "Höhere Kosten als geschätzt")
    assert higher.planned.startswith("133,80") and higher.difference.startswith("+")


def _car_trip(exchange, petra, boss, coordinator, *, approve_at=None):
    data = {
        "means": TripMeans.CAR,
        "fare": D("0"),
        "car_km": D("600"),
        "car_interest": True,
        "car_interest_reason": "Transport der Ausstellungstafeln",
    }
    trip = _submitted(exchange, petra, boss, **data)
    with time_machine.travel(approve_at or timezone.now()):
        trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=None, link_nonce=trip.link_nonce)
        trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator)
    trip.refresh_from_db()
    with time_machine.travel(trip.ends_at + timedelta(days=1)):
        claim = claim_from_trip(trip_id=trip.pk, actor=petra)
    return trip, claim


def test_the_higher_car_rate_applies_when_the_interest_was_approved_before_the_trip(
    exchange, petra, boss, coordinator
):
    _trip, claim = _car_trip(exchange, petra, boss, coordinator)
    car = next(line for line in claim_calculate(claim).lines if line.kind == "car")
    assert car.amount == D("210.00")  # 600 km × 0,35 € (§ 5 Abs. 2 SächsRKG)
    assert "§ 5 Abs. 2" in car.legal_basis


def test_an_interest_approved_only_after_the_trip_began_gets_the_ordinary_rate(
    exchange, petra, boss, coordinator
):
    meeting = Meeting.objects.get(request=exchange)
    _trip, claim = _car_trip(exchange, petra, boss, coordinator, approve_at=meeting.starts_at)
    car = next(line for line in claim_calculate(claim).lines if line.kind == "car")
    assert car.amount == D("120.00")  # 600 km × 0,20 €


def test_a_car_interest_the_traveller_types_on_a_trip_claim_does_not_count(
    exchange, petra, boss, coordinator
):
    trip = _approved(exchange, petra, boss, coordinator)  # by train
    with time_machine.travel(trip.ends_at + timedelta(days=1)):
        claim = claim_from_trip(trip_id=trip.pk, actor=petra)
        claim = claim_update(
            claim=claim,
            actor=petra,
            data={
                "car_km": D("600"),
                "car_interest_recorded_on": (trip.starts_at - timedelta(days=9)).date(),
            },
        )
    car = next(line for line in claim_calculate(claim).lines if line.kind == "car")
    assert car.amount == D("120.00")
