"""Similar past exchanges while a request is written ("Vielleicht hilft das schon"), and "hat sich erledigt".

Who may read what mirrors the knowledge base and the request page: public reflections of completed
exchanges for everyone signed in, internal ones only for the coordination side and their authors.
"""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exchanges.cycle.models import ExchangeRequest, Invitation, Reflection, Status
from exchanges.cycle.rules import visible_reflections, visible_reflections_q
from exchanges.cycle.selectors import similar_exchanges
from tests.cities.factories import DepartmentFactory, UserFactory
from tests.exchanges.factories import ExchangeRequestFactory

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)
TEXT = "Wir wollen Mobilitätsstationen im Quartier einrichten und suchen Erfahrung mit Standorten."


def past(
    city,
    title: str,
    *,
    worked: str = "",
    internal: bool = False,
    status: Status = Status.COMPLETED,
    expert=None,
    learnt: str = "Gelernt",
) -> ExchangeRequest:
    """A past exchange of ``city`` with the requester's reflection (rows as the services leave them)."""
    requester = UserFactory(department=DepartmentFactory(city=city))
    request = ExchangeRequestFactory(
        requester=requester, title=title, status=status, reference=f"CR-2025-{next(_numbers):04d}"
    )
    Reflection.objects.create(
        request=request,
        author=requester,
        side=Reflection.Side.REQUESTER,
        takeaway="Vor Ort ansehen",
        question="Wie geht das?",
        learnt=learnt,
        worked=worked,
        is_internal=internal,
    )
    if expert is not None:
        Invitation.objects.create(request=request, expert=expert.expert_profile, status="accepted")
    return request


def titles(results) -> list[str]:
    return [item.title for item in results]


def test_a_related_completed_exchange_comes_first_with_what_the_panel_shows(people, city, other_city):
    past(other_city, "Schulbau und Quartiersschulen", worked="Gemeinsame Planung")
    related = past(
        other_city,
        "Mobilitätsstationen in Nürnberg",
        worked="Ein Rundgang zu den Stationen mit der Verwaltung. " * 10,
        expert=people["expert"],
    )
    past(other_city, "Quartiersarbeit im Stadtteil", worked="Offene Sprechstunde")

    results = similar_exchanges(text=TEXT, viewer=people["colleague"])

    assert results[0].title == "Mobilitätsstationen in Nürnberg"
    first = results[0]
    assert first.reference == related.reference
    assert first.experts == ["Henrik Brandt"]
    assert first.cities == ["Bremen"]  # the requester's city, and the expert's (the same here)
    assert first.worked.startswith("Ein Rundgang zu den Stationen")
    assert len(first.worked) <= 240  # shortened
    assert "Schulbau und Quartiersschulen" not in titles(results)


def test_exchanges_that_are_not_completed_are_never_returned(people, other_city):
    for status in (Status.HELD, Status.WITHDRAWN, Status.CANCELLED):
        past(other_city, f"Mobilitätsstationen planen ({status})", worked="Rundgang", status=status)

    assert similar_exchanges(text=TEXT, viewer=people["coordinator"]) == []


def test_too_little_text_finds_nothing(people, other_city):
    past(other_city, "Mobilitätsstationen planen", worked="Rundgang")

    assert similar_exchanges(text="", viewer=people["colleague"]) == []
    assert similar_exchanges(text="Mobilitätsstationen und die", viewer=people["colleague"]) == []
    assert similar_exchanges(text="Mobilitätsstationen planen Quartier", viewer=people["colleague"])


def test_the_request_itself_is_left_out(people, other_city):
    exchange = past(other_city, "Mobilitätsstationen planen", worked="Rundgang")

    assert similar_exchanges(text=TEXT, viewer=people["coordinator"], exclude_request_id=exchange.pk) == []


def test_an_internal_reflection_stays_with_the_coordination_side(people, city, other_city):
    # given: a Bremen exchange whose only reflection is internal, and whose words match only there
    secret = past(
        other_city,
        "Erfahrungsaustausch Bremen",
        learnt="Mobilitätsstationen im Quartier: Standorte gemeinsam suchen",
        worked="Vertraulich: der Rundgang",
        internal=True,
    )
    bremen_contact, bremen_staff = (
        people["foreign_contact"],
        UserFactory(department=DepartmentFactory(city=other_city)),
    )

    # then: neither a plain staff member of Leipzig nor of Bremen, nor Leipzig's contact, finds it
    for viewer in (people["colleague"], bremen_staff, people["contact"]):
        assert similar_exchanges(text=TEXT, viewer=viewer) == [], viewer
    # the coordination side of that request does, with the internal text
    for viewer in (people["coordinator"], bremen_contact):
        (found,) = similar_exchanges(text=TEXT, viewer=viewer)
        assert found.reference == secret.reference
        assert found.worked == "Vertraulich: der Rundgang"
        assert found.url == secret.get_absolute_url()


def test_internal_texts_are_not_shown_when_the_exchange_is_public(people, other_city):
    exchange = past(other_city, "Mobilitätsstationen im Quartier", worked="Öffentlich: der Rundgang")
    author = UserFactory(department=DepartmentFactory(city=other_city))
    Reflection.objects.create(
        request=exchange,
        author=author,
        side=Reflection.Side.EXPERT,
        takeaway="Intern",
        question="Frage",
        learnt="Gelernt",
        worked="Vertraulich: wer gebremst hat",
        is_internal=True,
    )
    Reflection.objects.filter(request=exchange, is_internal=False).update(worked="")

    (for_staff,) = similar_exchanges(text=TEXT, viewer=people["colleague"])
    (for_author,) = similar_exchanges(text=TEXT, viewer=author)
    (for_coordinator,) = similar_exchanges(text=TEXT, viewer=people["coordinator"])

    assert for_staff.worked == ""  # the public reflection says nothing about it; the internal is not read
    assert for_author.worked == "Vertraulich: wer gebremst hat"
    assert for_coordinator.worked == "Vertraulich: wer gebremst hat"
    # staff of another city open it in the knowledge base, not on the request page they may not see
    assert for_staff.url.startswith(reverse("exchanges:knowledge_base"))
    assert for_coordinator.url == exchange.get_absolute_url()


def test_the_search_filter_and_the_page_rule_agree_on_who_reads_a_reflection(people, city, other_city):
    # given: public and internal reflections of both cities' exchanges
    for home in (city, other_city):
        past(home, f"Öffentlich {home.name}")
        past(home, f"Intern {home.name}", internal=True)
    reflections = list(Reflection.objects.select_related("request"))
    authors = [reflection.author for reflection in reflections]

    for viewer in [*people.values(), *authors]:
        # when: the search's filter and the request page's rule are asked
        by_filter = set(Reflection.objects.filter(visible_reflections_q(viewer)).values_list("pk", flat=True))
        by_rule = {r.pk for r in reflections if visible_reflections(viewer, r.request, [r])}
        # then: they agree
        assert by_filter == by_rule, viewer


def test_the_number_of_queries_does_not_grow_with_the_results(people, other_city):
    past(other_city, "Mobilitätsstationen im Quartier", worked="Rundgang", expert=people["expert"])
    with CaptureQueriesContext(connection) as one:
        assert len(similar_exchanges(text=TEXT, viewer=people["contact"])) == 1
    for n in range(6):
        past(other_city, f"Mobilitätsstationen im Quartier {n}", worked="Rundgang", expert=people["expert"])
    with CaptureQueriesContext(connection) as many:
        assert len(similar_exchanges(text=TEXT, viewer=people["contact"])) == 5
    assert len(many) == len(one)
    assert len(many) <= 3
