import pytest
from django.core import mail

from cities.directory.german_words import stems, term_in
from cities.directory.models import City, Department, Topic, User
from exchanges.cycle.models import ExchangeRequest, RoutingDecision, Status
from exchanges.cycle.services.requests import request_save_draft, request_transition
from exchanges.cycle.services.routing import request_route, routing_correct
from koopstadt.errors import DomainError

pytestmark = pytest.mark.django_db

# The three real examples of SPEC §1: requester, title, need, topics, expected routed departments.
REAL_EXAMPLES = [
    (
        "anna.schmidt@example.org",
        "Stakeholder-Werkstätten zum Wohnungspolitischen Konzept",
        "Leipzig schreibt das Wohnungspolitische Konzept fort und sucht Erfahrung mit Bündnissen für Wohnen.",
        ["wohnen"],
        {("Bremen", "Die Senatorin für Bau, Mobilität und Stadtentwicklung"), ("Nürnberg", "Stab Wohnen")},
    ),
    (
        "lukas.meyer@example.org",
        "Mobilitätsstationen im Quartier",
        "Wir planen Mobilitätsstationen und möchten von den Erfahrungen anderer Städte lernen.",
        ["mobilitaet"],
        {
            ("Bremen", "Die Senatorin für Bau, Mobilität und Stadtentwicklung"),
            ("Leipzig", "Verkehrs- und Tiefbauamt"),
        },
    ),
    (
        "petra.neumann@example.org",
        "Quartiersschulen und Bildungszentren",
        "Ansätze und Stolpersteine beim Bau von Bildungszentren und Quartiersschulen.",
        [],
        {("Bremen", "Der Senator für Kinder und Bildung"), ("Nürnberg", "Amt für Allgemeinbildende Schulen")},
    ),
]


@pytest.fixture
def demo_network(demo_world, db):
    """The whole demo network (loaded once for this module: tests/conftest.py, demo_world)."""


def draft_request(email: str, title: str, need: str, topic_slugs: list[str]) -> ExchangeRequest:
    """A complete draft of ``email``'s, ready to be submitted."""
    from datetime import timedelta

    from django.utils import timezone

    requester = User.objects.get(email=email)
    return request_save_draft(
        requester=requester,
        data={
            "title": title,
            "need": need,
            "occasion": "question",
            "preferred_format": "workshop",
            "direction": "expert_travels",
            "earliest_date": timezone.localdate() + timedelta(days=10),
            "latest_date": timezone.localdate() + timedelta(days=50),
            "travellers": 1,
        },
        topics=Topic.objects.filter(slug__in=topic_slugs or ["stadtplanung"]),
    )


def submitted_request(email: str, title: str, need: str, topic_slugs: list[str]) -> ExchangeRequest:
    request = draft_request(email, title, need, topic_slugs)
    return request_transition(request_id=request.pk, action="submit", actor=request.requester)


def accepted_request(email: str, title: str, need: str, topic_slugs: list[str]) -> ExchangeRequest:
    request = submitted_request(email, title, need, topic_slugs)
    contact = User.objects.city_contacts(request.requester_city_id).get()
    return request_transition(request_id=request.pk, action="accept", actor=contact)


def test_german_word_forms_meet():
    assert term_in("Mobilitätsstation", stems("Wir planen Mobilitätsstationen"))
    assert term_in("Wohnungspolitik", stems("das Wohnungspolitische Konzept"))
    assert term_in("Schule", stems("neue Quartiersschulen"))
    assert term_in("Bildungszentrum", stems("Bau von Bildungszentren"))
    assert not term_in("Energie", stems("Wohnungsbau im Quartier"))


@pytest.mark.parametrize(("email", "title", "need", "topics", "expected"), REAL_EXAMPLES)
def test_the_real_examples_are_routed_to_the_right_departments(
    demo_network, email, title, need, topics, expected
):
    request = accepted_request(email, title, need, topics)

    assert request_route(request_id=request.pk) is True

    request.refresh_from_db()
    assert request.status == Status.MATCHING
    routed = {
        (d.department.city.name, d.department.name) for d in request.routing_decisions.filter(is_routed=True)
    }
    assert expected <= routed
    assert request.requester_city.name not in {city for city, _name in routed}
    best = request.routing_decisions.filter(is_routed=True).first()
    assert best.reasons and all(isinstance(reason, str) for reason in best.reasons)


def test_reasons_are_readable(demo_network):
    request = accepted_request(*REAL_EXAMPLES[0][:4])
    request_route(request_id=request.pk)
    stab = RoutingDecision.objects.get(request=request, department__name="Stab Wohnen")
    # Each reason says what earned it and its points; a keyword also the word of the text it was found in.
    assert "Thema Wohnen: +10" in stab.reasons
    keyword = next(
        reason for reason in stab.reasons if reason.startswith("Stichwort „Wohnungspolitisches Konzept“")
    )
    assert "(im text: „wohnungspolitischen“)" in keyword.casefold() and keyword.rsplit("+", 1)[1] in {
        "4",
        "6",
    }
    assert sum(int(reason.rsplit("+", 1)[1]) for reason in stab.reasons) == stab.score


def test_routing_twice_changes_nothing_and_sends_nothing_twice(
    demo_network, django_capture_on_commit_callbacks
):
    request = accepted_request(*REAL_EXAMPLES[1][:4])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert request_route(request_id=request.pk) is True
    decisions = list(RoutingDecision.objects.filter(request=request).values_list("pk", "score", "is_routed"))
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert request_route(request_id=request.pk) is False

    assert (
        list(RoutingDecision.objects.filter(request=request).values_list("pk", "score", "is_routed"))
        == decisions
    )
    assert len(mail.outbox) == sent
    liaison = User.objects.get(email="ressort.bremen@example.org")
    assert sum(1 for m in mail.outbox if m.to == [liaison.email]) == 1


def test_accepting_starts_the_routing_task(demo_network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = accepted_request(*REAL_EXAMPLES[2][:4])
    request.refresh_from_db()
    assert request.status == Status.MATCHING
    assert request.routing_decisions.filter(is_routed=True).exists()


def test_only_preferred_partner_cities_and_never_the_own_city(demo_network):
    request = accepted_request(*REAL_EXAMPLES[0][:4])
    request.preferred_partner_cities.set([City.objects.get(slug="nuernberg")])
    request_route(request_id=request.pk)
    cities = set(request.routing_decisions.values_list("department__city__name", flat=True))
    assert cities == {"Nürnberg"}


def test_coordinators_correct_the_routing_with_a_note(demo_network):
    request = accepted_request(*REAL_EXAMPLES[0][:4])
    request_route(request_id=request.pk)
    coordinator = User.objects.get(email="koordination@example.org")
    department = Department.objects.get(name="Stadtplanungsamt", city__slug="nuernberg")

    with pytest.raises(DomainError):
        routing_correct(request=request, department=department, routed=True, note="", actor=coordinator)
    routing_correct(
        request=request, department=department, routed=True, note="Stadtentwicklung passt", actor=coordinator
    )

    decision = RoutingDecision.objects.get(request=request, department=department)
    assert decision.is_routed and decision.source == "manual"
    entry = request.timeline.get(action="routing_added")
    assert "Stadtentwicklung passt" in entry.comment and not entry.is_public
