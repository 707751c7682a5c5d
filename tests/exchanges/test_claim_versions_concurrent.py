"""Two decisions at once on the last of the budget (claims and trips): exactly one passes without the
recorded confirmation (row locks on PostgreSQL). Real commits, so the demo is loaded per test, apart
from test_claim_versions' module-wide demo."""

import io

import pytest
from django.core.management import call_command
from django.db import connection  # noqa: F401 - the skipif conditions read it

from exchanges.travel.models import ClaimStatus, Commitment, TravelClaim, TripRequest, TripStatus
from exchanges.travel.services.budget import BudgetExceeded
from exchanges.travel.services.claims import claim_approve
from exchanges.travel.services.trips import trip_cost_decide
from tests.exchanges.claims_world import held_exchange
from tests.exchanges.test_claim_versions import (
    _run_concurrently,
    _two_claims_over_the_budget,
    _two_trips_over_the_budget,
    person,
)


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    return held_exchange()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_approvals_at_once_never_pass_the_budget_without_the_confirmation(demo):
    claims, finance = _two_claims_over_the_budget(demo)

    results = _run_concurrently(
        *[lambda claim=claim: claim_approve(claim_id=claim.pk, actor=finance) for claim in claims]
    )

    assert sum(isinstance(result, TravelClaim) for result in results) == 1, results
    assert sum(isinstance(result, BudgetExceeded) for result in results) == 1, results
    approved = TravelClaim.objects.filter(
        pk__in=[c.pk for c in claims], status__in=[ClaimStatus.APPROVED, ClaimStatus.BOOKED]
    )
    assert approved.count() == 1 and approved.get().budget_override is False


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_with_the_confirmation_the_override_is_recorded_on_exactly_the_claim_that_needed_it(demo):
    claims, finance = _two_claims_over_the_budget(demo)

    results = _run_concurrently(
        *[
            lambda claim=claim: claim_approve(claim_id=claim.pk, actor=finance, confirm_over_budget=True)
            for claim in claims
        ]
    )

    assert all(isinstance(result, TravelClaim) for result in results), results
    decided = TravelClaim.objects.filter(pk__in=[c.pk for c in claims]).order_by("decided_at")
    assert [claim.budget_override for claim in decided] == [False, True]  # the second passed the budget
    assert decided[1].events.get(action="approve").comment
    assert decided[0].events.get(action="approve").comment == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_trip_cost_approvals_at_once_never_pass_the_budget_without_the_confirmation(demo):
    trips = _two_trips_over_the_budget()
    coordinator = person("koordination@example.org")

    results = _run_concurrently(
        *[
            lambda trip=trip: trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator)
            for trip in trips
        ]
    )

    assert sum(isinstance(result, TripRequest) for result in results) == 1, results
    assert sum(isinstance(result, BudgetExceeded) for result in results) == 1, results
    assert Commitment.objects.filter(trip__in=trips, released_at__isnull=True).count() == 1
    refused = next(
        trip for trip, result in zip(trips, results, strict=True) if isinstance(result, BudgetExceeded)
    )
    # the second is confirmed deliberately, and that is recorded
    confirmed = trip_cost_decide(
        trip_id=refused.pk, decision="approved", actor=coordinator, confirm_over_budget=True
    )
    assert confirmed.budget_override is True and confirmed.status == TripStatus.APPROVED
