"""The labelled set's command: it measures topic suggestion and routing against the demo vocabulary and
leaves the database as it was (issue 23)."""

import io

from django.core.management import call_command

from exchanges.cycle.models import ExchangeRequest, RoutingModel, Status
from koopstadt.development.routing_cases import RoutingCase
from koopstadt.development.routing_quality import measure, measure_learning
from tests.cities.factories import CityFactory
from tests.exchanges.conftest import make_people, make_request

MOBILITY = RoutingCase(
    "Mobilitätsstationen im Quartier",
    "Wie habt ihr Carsharing und Radverkehr an den Mobilitätsstationen zusammengebracht?",
    "bremen",
    ("mobilitaet",),
)
NOTHING = RoutingCase("Frage", "Guten Tag, wir haben eine Frage an Sie.", "leipzig", ("mobilitaet",))


def test_a_clear_case_hits_and_a_case_without_any_term_misses(demo):
    suggestion, text_only, suggested, chosen, learned = measure([MOBILITY, NOTHING])
    assert (suggestion.total, suggestion.top1, suggestion.top3) == (2, 1, 1)
    assert (text_only.total, text_only.top1, text_only.top3) == (2, 1, 1)
    # With the right topic chosen even the vague text reaches a department that works on it.
    assert (chosen.top1, chosen.top3) == (2, 2)
    assert suggested.total == 2
    assert learned.total == 2  # each case learnt from the other (a text without content words teaches none)
    assert ExchangeRequest.objects.filter(title__in=[MOBILITY.title, NOTHING.title]).count() == 0


def test_the_command_prints_the_hit_rates(demo):
    out = io.StringIO()
    call_command("routing_quality", "--cases", "3", "--history", "5", stdout=out)
    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert lines[1].startswith("Topic suggestion") and "top-3" in lines[1] and "(3 requests)" in lines[1]
    assert any(line.startswith("Routing, text only") for line in lines)
    assert any(line.startswith("Routing, rules + learning, own topics") for line in lines)


def test_leave_one_out_counts_each_completed_exchange_and_changes_nothing(demo):
    people = make_people(CityFactory(slug="leipzig"), CityFactory(slug="bremen"))
    completed = make_request(people, Status.COMPLETED)
    rates = measure_learning()
    assert {rate.total for rate in rates} == {1}
    assert rates[0].name == "Routing, rules only, own topics"
    assert RoutingModel.objects.count() == 0
    assert completed.topics.count() == 1  # the text-only pass took the topics away inside the rollback
