"""The load-data generator (issue 8, point 1): proportions, determinism, validity, and that pages cope."""

import io
import random
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from cities.directory.models import City, Department, ExpertProfile, ExpertTopic, User
from cities.directory.roles import Role
from exchanges.cycle.models import (
    ExchangeRequest,
    Invitation,
    Meeting,
    ReferenceCounter,
    Reflection,
    RoutingDecision,
    Status,
    TimelineEntry,
)
from exchanges.statistics.figures import statistics_for
from exchanges.statistics.tables import Period
from exchanges.travel.models import (
    Booking,
    BookingCounter,
    ClaimEvent,
    ClaimItem,
    ClaimStatus,
    ExportBatch,
    TravelClaim,
)
from koopstadt.development.load_data import (
    DEFAULT_PASSWORD,
    LoadDataRefused,
    generate_load_data,
    known_accounts,
    planned_counts,
)
from koopstadt.sequences import next_number

SCALE = 0.01

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    return generate_load_data(scale=SCALE, seed=1)


def _coordinator() -> User:
    return User.objects.get(email=known_accounts()[0])


def test_counts_follow_the_documented_proportions(loaded) -> None:
    assert planned_counts(1).cities == 60
    assert (planned_counts(1).experts, planned_counts(1).requests, planned_counts(1).claims) == (
        5000,
        20000,
        10000,
    )
    assert planned_counts(5).requests == 5 * planned_counts(1).requests
    counts = planned_counts(SCALE)
    assert counts.cities == 3  # the minimum
    assert City.objects.count() == counts.cities
    assert ExpertProfile.objects.count() == counts.experts == 50
    assert ExchangeRequest.objects.count() == counts.requests == 200
    assert TravelClaim.objects.count() == counts.claims == 100
    assert Department.objects.count() == 9 * counts.cities
    for model in (
        ExpertTopic,
        TimelineEntry,
        RoutingDecision,
        Invitation,
        Meeting,
        Reflection,
        ClaimItem,
        ClaimEvent,
    ):
        assert model.objects.exists(), model
    assert Reflection.objects.filter(is_internal=True).exists()
    # Every state of requests and claims, spread over ten years.
    assert set(ExchangeRequest.objects.values_list("status", flat=True)) == set(Status.values)
    # Every claim state but "approved", which the booking task leaves within seconds.
    assert set(TravelClaim.objects.values_list("status", flat=True)) == set(ClaimStatus.values) - {"approved"}
    years = {moment.year for moment in ExchangeRequest.objects.values_list("created_at", flat=True)}
    assert len(years) >= 8
    assert ExchangeRequest.objects.filter(created_at__gt=timezone.now()).count() == 0
    # One timeline entry per transition: a completed request went through seven.
    completed = ExchangeRequest.objects.filter(status=Status.COMPLETED).first()
    assert list(completed.timeline.exclude(action="invite").values_list("to_status", flat=True)) == [
        "submitted", "routing", "matching", "agreed", "scheduled", "held", "completed",
    ]  # fmt: skip
    assert Booking.objects.count() == TravelClaim.objects.filter(status__in=["booked", "paid"]).count()
    assert not Booking.objects.filter(claim__status="paid", batch__isnull=True).exists()
    # Nothing the sweeper or the reminders would pick up and change during a benchmark.
    assert not Meeting.objects.filter(request__status=Status.SCHEDULED, starts_at__lt=timezone.now()).exists()
    assert not ExchangeRequest.objects.filter(status=Status.ROUTING, routing_decisions__isnull=True).exists()
    assert not TimelineEntry.objects.filter(notification_pending=True).exists()


def test_numbers_continue_the_counters_so_real_submissions_do_not_collide(loaded) -> None:
    references = list(ExchangeRequest.objects.exclude(reference=None).values_list("reference", flat=True))
    assert all(re.fullmatch(r"CR-\d{4}-\d{4,}", ref) for ref in references)
    assert not ExchangeRequest.objects.filter(reference=None).exclude(status=Status.DRAFT).exists()
    for model, numbers in (
        (ReferenceCounter, references),
        (BookingCounter, list(Booking.objects.values_list("number", flat=True))),
    ):
        highest: dict[int, int] = {}
        for number in numbers:
            _prefix, year, serial = number.split("-")
            highest[int(year)] = max(highest.get(int(year), 0), int(serial))
        assert dict(model.objects.values_list("year", "last_number")) == highest
        with transaction.atomic():
            year = max(highest)
            assert next_number(model, year) == highest[year] + 1
            transaction.set_rollback(True)


def test_people_roles_and_passwords(loaded) -> None:
    # The database's composite key holds anyway; the data keep it on purpose.
    assert not User.objects.exclude(department=None).exclude(department__city=F("home_city")).exists()
    coordinator = _coordinator()
    assert coordinator.has_role(Role.COORDINATOR)
    assert User.objects.with_role(Role.EXPERT).count() == ExpertProfile.objects.count()
    assert User.objects.with_role(Role.CITY_CONTACT).count() == City.objects.count()
    usable = [user.email for user in User.objects.all() if user.has_usable_password()]
    assert sorted(usable) == sorted(known_accounts())
    assert User.objects.get(email=known_accounts()[1]).check_password(DEFAULT_PASSWORD)


def test_same_seed_gives_the_same_data(db) -> None:
    def run(seed: int) -> list[tuple]:
        with transaction.atomic():
            generate_load_data(scale=SCALE, seed=seed)
            rows = list(
                ExchangeRequest.objects.order_by("created_at", "title").values_list(
                    "reference", "title", "status", "requester__email"
                )
            )
            transaction.set_rollback(True)
        return rows

    first = run(1)
    assert ExchangeRequest.objects.count() == 0
    assert run(1) == first
    assert run(2) != first


def test_statistics_and_triage_answer_on_the_generated_data(loaded, client) -> None:
    coordinator = _coordinator()
    today = timezone.localdate()
    tables = statistics_for(user=coordinator, period=Period(today - timedelta(days=3660), today))
    by_state = {row[0]: row[1] for row in tables["requests_by_state"].rows}
    assert sum(by_state.values()) == ExchangeRequest.objects.exclude(status=Status.DRAFT).count()

    client.force_login(coordinator)
    response = client.get(reverse("exchanges:triage"))
    assert response.status_code == 200
    open_requests = ExchangeRequest.objects.open().exclude(status=Status.DRAFT)
    assert response.context["page"].paginator.count == open_requests.count() > 0
    first = response.context["page"].object_list[0]
    assert first.reference in response.content.decode()
    everything = client.get(reverse("exchanges:triage"), {"status": "all", "topic": first.topics.first().pk})
    assert everything.status_code == 200
    assert everything.context["page"].paginator.count == (
        ExchangeRequest.objects.exclude(status=Status.DRAFT).filter(topics=first.topics.first()).count()
    )


def test_a_sample_of_every_kind_passes_full_clean(loaded) -> None:
    rng = random.Random(0)
    for model in (
        City, Department, User, ExpertProfile, ExpertTopic, ExchangeRequest, TimelineEntry, RoutingDecision,
        Invitation, Meeting, Reflection, TravelClaim, ClaimItem, ClaimEvent, Booking, ExportBatch,
    ):  # fmt: skip
        pks = rng.sample(list(model.objects.values_list("pk", flat=True)), min(40, model.objects.count()))
        # Plus one row of every state or action, so rare kinds are never missed by chance.
        for kind in ("status", "action", "kind", "side"):
            if any(field.name == kind for field in model._meta.fields):
                pks += [model.objects.filter(**{kind: value}).values_list("pk", flat=True).first()
                        for value in model.objects.values_list(kind, flat=True).distinct()]  # fmt: skip
        for obj in model.objects.filter(pk__in=pks):
            # The booking event has no actor, as claim_book writes it (ClaimEvent.actor is null=True, not blank).
            obj.full_clean(exclude=["actor"] if model is ClaimEvent and obj.action == "book" else None)


def test_refuses_without_force_when_real_requests_exist(loaded) -> None:
    with pytest.raises(LoadDataRefused):
        generate_load_data(scale=SCALE, seed=1)
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_load_data", "--scale", "0.01")
    cities = City.objects.count()
    call_command("generate_load_data", "--scale", "0.01", "--force", stdout=(out := io.StringIO()))
    assert City.objects.count() == 2 * cities
    assert ExchangeRequest.objects.count() == 400
    assert re.search(r"^requests: 200 requests.*\(\d+\.\d s\)$", out.getvalue(), re.M)


def test_the_demo_network_does_not_count_as_real_data(demo) -> None:
    from koopstadt.development.demo_exchanges import demo_requests_load

    demo_requests_load()
    assert ExchangeRequest.objects.exists()
    generate_load_data(scale=SCALE, seed=1)
    assert City.objects.count() == 3 + planned_counts(SCALE).cities
