"""Routing asks the database for the departments that can score, with the same result as scoring all."""

import io
import itertools

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cities.directory.models import DepartmentKeyword
from cities.directory.selectors import VOCABULARY_KEY
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.cycle.services.routing import (
    _plan,
    _upper_bounds,
    candidate_departments,
    routing_input,
    routing_plan,
    score_departments,
)
from exchanges.cycle.services.routing_learning import routing_model_train
from tests.module_db import rolled_back_after_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _generated(django_db_setup, django_db_blocker):
    """The load data, generated once for the module (each test's changes are rolled back after it)."""
    with rolled_back_after_module(django_db_blocker):
        call_command("generate_load_data", "--scale", "0.02", "--seed", "3", stdout=io.StringIO())
        yield


@pytest.fixture
def network(_generated, db):
    pass


def test_upper_bounds_cover_every_scoring_department_and_never_undercut_it(network):
    requests = list(ExchangeRequest.objects.exclude(status=Status.DRAFT).order_by("pk")[:80])
    assert len(requests) == 80
    routed_somewhere = 0
    for request in requests:
        everything = {s.department.pk: s.points for s in score_departments(request)}
        bounds = {pk: bound for pk, bound, _city, _name, _city_id in _upper_bounds(routing_input(request))}
        assert set(bounds) == set(everything), request.pk
        assert all(bounds[pk] >= points for pk, points in everything.items()), request.pk
        routed_somewhere += bool(everything)
    assert routed_somewhere >= 60  # the comparison is about real routings, not empty lists


def test_upper_bounds_read_only_departments_that_can_score(network):
    request = ExchangeRequest.objects.exclude(status=Status.DRAFT).order_by("pk").first()
    everything = candidate_departments(request).count()
    candidates = _upper_bounds(routing_input(request))
    assert 0 < len(candidates) < everything / 2
    scored = {s.department.pk for s in score_departments(request)}
    assert {pk for pk, *_rest in candidates} == scored


def test_keyword_stems_are_kept_up_to_date(network):
    keyword = DepartmentKeyword.objects.order_by("pk").first()
    keyword.term = "Mobilitätsstationen"
    keyword.save(update_fields=["term"])
    keyword.refresh_from_db()
    assert keyword.match_stem == "mobilitatsstation"


@pytest.mark.parametrize("learned", [False, True], ids=["rules", "learned"])
def test_routing_one_request_costs_the_same_queries_in_a_larger_network(network, settings, learned):
    from exchanges.cycle.services.routing import request_route

    settings.ROUTING_MAX_CITIES = 2  # the small network has two partner cities for each request

    def route_one() -> int:
        if learned:
            routing_model_train()
        request = ExchangeRequest.objects.filter(status=Status.SUBMITTED).order_by("pk").first()
        ExchangeRequest.objects.filter(pk=request.pk).update(status=Status.ROUTING)
        request.routing_decisions.all().delete()
        cache.delete(VOCABULARY_KEY)  # the vocabulary is read afresh each time (one query)
        with CaptureQueriesContext(connection) as captured:
            assert request_route(request_id=request.pk)
        ExchangeRequest.objects.filter(pk=request.pk).update(status=Status.SUBMITTED)
        request.routing_decisions.all().delete()
        request.timeline.filter(action="start_matching").delete()
        return len(captured)

    small = route_one()
    assert small < 60
    call_command("generate_load_data", "--scale", "0.05", "--seed", "4", "--force", stdout=io.StringIO())
    assert route_one() == small


def test_routing_notifies_the_best_cities_only_and_keeps_runners_up(network, settings, mailoutbox):
    from exchanges.cycle.services.routing import request_route

    settings.ROUTING_MAX_CITIES = 1
    settings.ROUTING_KEPT_RUNNERS_UP = 2
    for request in ExchangeRequest.objects.filter(status=Status.SUBMITTED).order_by("pk"):
        scores = score_departments(request)
        if len({s.department.city_id for s in scores}) >= 2:
            break
    else:
        pytest.fail("no request scores in two cities")
    ExchangeRequest.objects.filter(pk=request.pk).update(status=Status.ROUTING)
    assert request_route(request_id=request.pk)
    decisions = list(request.routing_decisions.order_by("rank"))
    routed = [d for d in decisions if d.is_routed]
    assert {d.department.city_id for d in routed} == {scores[0].department.city_id}
    assert len([d for d in decisions if not d.is_routed]) == min(2, len(scores) - len(routed))
    assert decisions[0].department_id == scores[0].department.pk


@pytest.mark.parametrize("learned", [False, True], ids=["rules", "learned"])
@pytest.mark.parametrize(("max_cities", "runners_up", "batch"), [(1, 1, 1), (2, 3, 2), (5, 10, 40)])
def test_routing_plan_equals_the_plan_over_every_department(
    network, settings, max_cities, runners_up, batch, learned
):
    """Scoring in the order of the database's upper bounds and stopping early changes nothing, with the
    ties broken by load and past routings and with learnt points."""
    settings.ROUTING_MAX_CITIES = max_cities
    settings.ROUTING_KEPT_RUNNERS_UP = runners_up
    if learned:
        routing_model_train()
    learned_reasons = ties_broken = 0
    for request in ExchangeRequest.objects.exclude(status=Status.DRAFT).order_by("pk")[:80]:
        everything = score_departments(request)
        routed, kept_runners_up, _cities = _plan(everything)
        kept = routed | {score.department.pk for score in kept_runners_up}
        expected = [
            (rank, score.department.pk, score.points, score.reasons)
            for rank, score in enumerate(everything, start=1)
            if score.department.pk in kept
        ]
        plan = routing_plan(request, batch=batch)
        assert [(rank, s.department.pk, s.points, s.reasons) for rank, s in plan.ranked] == expected, (
            request.pk
        )
        assert plan.routed == routed
        assert [(s.open_exchanges, s.past_routings) for _rank, s in plan.ranked] == [
            (s.open_exchanges, s.past_routings) for s in everything if s.department.pk in kept
        ]
        learned_reasons += sum("gelernt" in reason for s in everything for reason in s.reasons)
        ties_broken += any(
            a.points == b.points
            and (a.open_exchanges, a.past_routings) != (b.open_exchanges, b.past_routings)
            for a, b in itertools.pairwise(everything)
        )
    # The comparison is about real learnt points and real ties broken by the figures.
    assert (learned_reasons > 0) == learned
    assert ties_broken > 0


def test_a_city_s_second_department_with_equal_points_is_not_lost_by_stopping_early(
    db, settings, monkeypatch
):
    """Aachen a=10, b=6; Bonn c=6, d=6: the full plan routes a, c and d (d ties with Bonn's best).
    Stopping as soon as the scored part looked complete used to leave d unscored and unrouted."""
    from cities.directory.models import Department
    from exchanges.cycle.services import routing
    from tests.cities.factories import CityFactory, DepartmentFactory
    from tests.exchanges.factories import ExchangeRequestFactory

    settings.ROUTING_MAX_CITIES = 2
    settings.ROUTING_KEPT_RUNNERS_UP = 1
    aachen, bonn = CityFactory(name="Aachen"), CityFactory(name="Bonn")
    points = {}
    for city, name, value in [(aachen, "a", 10), (aachen, "b", 6), (bonn, "c", 6), (bonn, "d", 6)]:
        points[DepartmentFactory(city=city, name=name).pk] = value
    bounds = [
        (pk, points[pk], department.city.name, department.name, department.city_id)
        for pk in points
        for department in [Department.objects.select_related("city").get(pk=pk)]
    ]
    monkeypatch.setattr(routing, "_upper_bounds", lambda given: bounds)
    monkeypatch.setattr(
        routing, "_score", lambda department, given: routing.Score(department, points[department.pk])
    )
    request = ExchangeRequestFactory()
    everything = routing._sort(
        [routing.Score(d, points[d.pk]) for d in Department.objects.filter(pk__in=points)]
    )
    expected_routed, _runners_up, _cities = routing._plan(everything)
    assert {Department.objects.get(pk=pk).name for pk in expected_routed} == {"a", "c", "d"}
    assert routing.routing_plan(request, batch=3).routed == expected_routed
    # One at a time: after c the scored part looks complete, but d (Bonn, bound 6) may still tie with c.
    assert routing.routing_plan(request, batch=1).routed == expected_routed
