"""Routing's tie rule, what it learns from earlier routings, and terms coordinators add while correcting."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cities.directory.models import DepartmentKeyword
from cities.directory.selectors import vocabulary_stems
from exchanges.cycle.models import RoutingDecision, RoutingModel, Status
from exchanges.cycle.services.routing import request_route, routing_correct, score_departments
from exchanges.cycle.services.routing_learning import routing_model_train
from exchanges.cycle.tasks import routing_learn_task
from tests.cities.factories import CityFactory, DepartmentFactory, TopicFactory, TopicKeywordFactory
from tests.exchanges.factories import ExchangeRequestFactory

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)

PARK = "Parkraummanagement im Quartier"
PARK_NEED = "Wir ordnen Parkraum und Anwohnerparken neu und suchen Erfahrung mit Parkgebühren."


@pytest.fixture
def world(db):
    """A requester's city and two partner cities; a third network city the requests do not allow."""
    home = CityFactory(name="Halle", slug="halle")
    aachen = CityFactory(name="Aachen", slug="aachen")
    bonn = CityFactory(name="Bonn", slug="bonn")
    celle = CityFactory(name="Celle", slug="celle")
    return {
        "home": DepartmentFactory(city=home, name="Stadtplanungsamt"),
        "aachen": aachen,
        "bonn": bonn,
        "celle": celle,
        "topic": TopicFactory(name="Sonstiges", slug="sonstiges"),
    }


def make_request(world, *, title: str, need: str, status: Status, cities=("aachen", "bonn")):
    number = next(_numbers)
    request = ExchangeRequestFactory(
        requester__department=world["home"],
        title=title,
        need=need,
        status=status,
        reference=None if status == Status.DRAFT else f"CR-2026-{number:04d}",
        topics=[world["topic"]],
    )
    request.preferred_partner_cities.set([world[city] for city in cities])
    return request


def route_to(request, department, *, source=RoutingDecision.Source.AUTOMATIC, routed=True):
    return RoutingDecision.objects.create(
        request=request, department=department, is_routed=routed, score=0, source=source, rank=1
    )


# --- the tie rule -------------------------------------------------------------------------------------


def test_equal_points_go_first_to_the_less_busy_then_to_the_more_experienced(world, client, coordinator):
    # given three departments that score the same for "Radverkehr"
    alpha = DepartmentFactory(city=world["aachen"], name="Alpha-Amt")
    mitte = DepartmentFactory(city=world["bonn"], name="Mitte-Amt")
    zeta = DepartmentFactory(city=world["aachen"], name="Zeta-Amt")
    for department in (alpha, mitte, zeta):
        DepartmentKeyword.objects.create(department=department, term="Radverkehr")
    # Alpha and Mitte each have one open exchange, Zeta none; Mitte has two completed ones.
    for department in (alpha, mitte):
        route_to(make_request(world, title="Offen", need="x", status=Status.MATCHING), department)
    for _ in range(2):
        route_to(make_request(world, title="Fertig", need="x", status=Status.COMPLETED), mitte)
    request = make_request(world, title="Radverkehr im Quartier", need="Radwege", status=Status.ROUTING)

    # when
    ranking = score_departments(request)
    assert request_route(request_id=request.pk)

    # then
    assert [(s.department.name, s.points, s.open_exchanges, s.past_routings) for s in ranking] == [
        ("Zeta-Amt", 6, 0, 0),
        ("Mitte-Amt", 6, 1, 2),
        ("Alpha-Amt", 6, 1, 0),
    ]
    stored = list(request.routing_decisions.order_by("rank"))
    assert [(d.department.name, d.open_exchanges, d.past_routings) for d in stored] == [
        ("Zeta-Amt", 0, 0),
        ("Mitte-Amt", 1, 2),
        ("Alpha-Amt", 1, 0),
    ]
    client.force_login(coordinator)
    page = client.get(request.get_absolute_url()).content.decode()
    assert (
        "Bei gleicher Punktzahl entscheidet zuerst die geringere aktuelle Auslastung, dann die Zahl "
        "früherer erfolgreicher Zuordnungen."
    ) in page
    assert "Gleichstand: 1 offener Austausch, 2 frühere erfolgreiche Zuordnungen" in page
    assert "Gleichstand: 0 offene Austausche, 0 frühere erfolgreiche Zuordnungen" in page


# --- learning -----------------------------------------------------------------------------------------


@pytest.fixture
def history(world, settings):
    """Parking requests the rules sent to the transport office; coordinators moved them to the parking
    office (and removed the transport office). Other requests went elsewhere."""
    settings.ROUTING_LEARN_MIN_EXAMPLES = 8
    settings.ROUTING_LEARN_MIN_DEPARTMENT_EXAMPLES = 3
    # The rules send parking requests to the transport office: its topic's keyword (4 points).
    verkehr = DepartmentFactory(city=world["aachen"], name="Verkehrsamt")
    mobility = TopicFactory(name="Mobilität", slug="mobilitaet")
    TopicKeywordFactory(topic=mobility, term="Parkraum")
    verkehr.topics.add(mobility)
    parken = DepartmentFactory(city=world["bonn"], name="Amt für Parkraum")
    schule = DepartmentFactory(city=world["aachen"], name="Schulamt")
    outside = DepartmentFactory(city=world["celle"], name="Parkraumbüro Celle")
    references = []
    for i in range(4):
        request = make_request(world, title=f"{PARK} {i}", need=PARK_NEED, status=Status.COMPLETED)
        route_to(request, verkehr, source=RoutingDecision.Source.MANUAL, routed=False)
        route_to(request, parken, source=RoutingDecision.Source.MANUAL)
        # The parking office of a city these requests did not allow learnt the same.
        route_to(request, outside)
        references.append(request.reference)
    for i in range(4):
        request = make_request(
            world, title=f"Schulbau {i}", need="Neue Grundschulen und Schulhöfe.", status=Status.COMPLETED
        )
        route_to(request, schule)
    return {"verkehr": verkehr, "parken": parken, "schule": schule, "outside": outside, "refs": references}


def test_corrections_teach_routing_with_the_requests_named(history, world):
    # given a model trained on the history
    routing_model_train()
    request = make_request(
        world, title="Parkraum im Quartier", need="Anwohnerparken und Parkgebühren.", status=Status.ROUTING
    )

    # when
    ranking = score_departments(request)

    # then the parking office comes first, for what it learnt, naming the most similar requests
    assert ranking[0].department == history["parken"]
    learned = [reason for reason in ranking[0].reasons if reason.startswith("gelernt aus früheren")]
    assert len(learned) == 1
    named = learned[0].split("(")[1].split(")")[0].split(", ")
    assert len(named) == 3 and set(named) <= set(history["refs"])
    assert ranking[0].points > next(s.points for s in ranking if s.department == history["verkehr"])
    # never a department of a city the request does not allow, however much it learnt
    assert history["outside"] not in [s.department for s in ranking]
    # and the school office learnt nothing about parking
    assert history["schule"] not in [s.department for s in ranking]
    # routing stores the same
    assert request_route(request_id=request.pk)
    first = request.routing_decisions.order_by("rank").first()
    assert first.department == history["parken"] and first.is_routed
    assert any("gelernt aus früheren Zuordnungen (CR-" in reason for reason in first.reasons)


def test_with_too_little_history_the_rules_alone_decide(history, world, settings):
    settings.ROUTING_LEARN_MIN_EXAMPLES = 30  # the history has 12 examples
    routing_model_train()
    request = make_request(
        world, title="Parkraum im Quartier", need="Anwohnerparken und Parkgebühren.", status=Status.ROUTING
    )
    ranking = score_departments(request)
    assert [s.department for s in ranking] == [history["verkehr"]]
    assert not any("gelernt" in reason for s in ranking for reason in ranking[0].reasons)


def test_a_department_with_too_few_examples_gains_nothing(history, world, settings):
    settings.ROUTING_LEARN_MIN_DEPARTMENT_EXAMPLES = 5  # the parking office has four
    routing_model_train()
    request = make_request(world, title="Parkraum", need="Anwohnerparken.", status=Status.ROUTING)
    assert history["parken"] not in [s.department for s in score_departments(request)]


def test_learning_twice_by_command_and_task_keeps_one_model(history):
    out = io.StringIO()
    call_command("routing_learn", stdout=out)
    call_command("routing_learn", stdout=out)
    assert "Trained on 12 examples for 3 departments." in out.getvalue()
    first = RoutingModel.objects.get()
    assert routing_learn_task.delay().get() == 12
    second = RoutingModel.objects.get()
    assert second.data == first.data and second.example_count == 12
    # the removed transport office is no example
    assert str(history["verkehr"].pk) not in second.data["departments"]


def test_routing_with_a_learnt_model_reads_it_once(history, world):
    routing_model_train()

    def queries(title: str) -> int:
        request = make_request(world, title=title, need=PARK_NEED, status=Status.ROUTING)
        vocabulary_stems()  # cached between routings
        with CaptureQueriesContext(connection) as captured:
            assert request_route(request_id=request.pk)
        return sum("exchanges_routingmodel" in q["sql"] for q in captured.captured_queries), len(captured)

    model_reads, first = queries("Parkraum A")
    assert model_reads == 1
    # More history, more departments (that learnt about other things): the same number of queries.
    for i in range(6):
        extra = DepartmentFactory(city=world["bonn"], name=f"Grünflächenamt {i}")
        for j in range(3):
            done = make_request(
                world,
                title=f"Spielplatz {i}{j}",
                need="Grünanlagen und Spielgeräte.",
                status=Status.COMPLETED,
            )
            route_to(done, extra)
    routing_model_train()
    assert queries("Parkraum B") == (1, first)


# --- the vocabulary lets leading compound parts match ----------------------------------------------------


def test_a_leading_compound_part_matches_when_the_rest_is_a_known_word(world):
    wohnen = DepartmentFactory(city=world["aachen"], name="Wohnungsamt")
    DepartmentKeyword.objects.create(department=wohnen, term="Wohnung")
    request = make_request(world, title="Wohnungspolitik", need="-", status=Status.ROUTING)
    assert score_departments(request) == []  # "Politik" is no known word yet
    TopicKeywordFactory(topic=world["topic"], term="Politik")  # the cached vocabulary is renewed on save
    ranking = score_departments(request)
    assert [s.department for s in ranking] == [wohnen]
    assert "Wohnungspolitik" in ranking[0].reasons[0]


# --- a term added with a correction ----------------------------------------------------------------------


def test_a_term_added_with_a_correction_counts_for_the_next_request(world, coordinator):
    parken = DepartmentFactory(city=world["bonn"], name="Amt für Parkraum")
    request = make_request(world, title="Quartiersgaragen", need="Bau von Garagen.", status=Status.MATCHING)
    routing_correct(
        request=request,
        department=parken,
        routed=True,
        note="passt",
        actor=coordinator,
        term="Quartiersgarage",
    )
    assert DepartmentKeyword.objects.filter(department=parken, term="Quartiersgarage").exists()
    entry = request.timeline.get(action="routing_term_added")
    assert entry.actor == coordinator and not entry.is_public and "Quartiersgarage" in entry.comment

    following = make_request(world, title="Neue Quartiersgaragen", need="-", status=Status.ROUTING)
    ranking = score_departments(following)
    assert [s.department for s in ranking] == [parken]
    assert "Quartiersgarage" in ranking[0].reasons[0]


@pytest.mark.parametrize(
    ("term", "message"),
    [
        ("--", "Bitte geben Sie einen Begriff mit mindestens einem Wort ein."),
        ("x" * 101, "höchstens 100 Zeichen"),
        ("parkraum", "hat den Begriff „parkraum“ bereits."),
    ],
)
def test_the_term_is_checked_next_to_the_field(world, client, coordinator, term, message):
    parken = DepartmentFactory(city=world["bonn"], name="Amt für Parkraum")
    DepartmentKeyword.objects.create(department=parken, term="Parkraum")
    request = make_request(world, title="Parken", need="-", status=Status.MATCHING)
    client.force_login(coordinator)
    response = client.post(
        reverse("exchanges:routing_correction", args=[request.pk]),
        {"department": parken.pk, "routed": "1", "note": "passt", "term": term},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'id="id_term"' in page
    assert not request.routing_decisions.exists()  # nothing was corrected either
    assert DepartmentKeyword.objects.filter(department=parken).count() == 1


def test_examples_whose_texts_hold_no_content_word_still_train():
    from exchanges.cycle.services.routing_learning import _train

    data = _train([(1, "CR-1", []), (2, "CR-2", [])])
    assert data["departments"]["1"]["examples"] == 1
    assert data["departments"]["1"]["stems"] == {}
