"""The stored search columns (PostgreSQL triggers, migrations cities 0010 and exchanges 0012) follow every
change of what they are built from, and find what the database-free search finds."""

from types import SimpleNamespace

import pytest
from django.db import connection

from cities.directory.models import ExpertProfile, Topic
from cities.directory.selectors import expert_search
from exchanges.cycle.models import Reflection
from exchanges.cycle.selectors import knowledge_base

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_all(demo_world, db):
    """The whole demo network (loaded once for this module: tests/conftest.py, demo_world)."""


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the stored search columns are PostgreSQL's")


def found(q: str) -> set[str]:
    return {e.user.email for e in expert_search({"q": q})}


def test_the_expert_search_text_follows_renamed_departments_cities_topics_and_people(demo_all):
    expert = ExpertProfile.objects.select_related("user__department", "user__home_city").get(
        user__email="henrik.brandt@example.org"
    )
    department, city = expert.user.department, expert.user.home_city
    department.name = "Amt für Zukunftsfragen"
    department.save()
    assert "henrik.brandt@example.org" in found("Zukunftsfragen")
    city.name = "Bremenhausen"
    city.save()
    assert "henrik.brandt@example.org" in found("Bremenhausen")
    topic = Topic.objects.filter(expert_topics__expert=expert).first()
    topic.name = "Quartiersmobilität der Zukunft"
    topic.save()
    assert "henrik.brandt@example.org" in found("Quartiersmobilität")
    expert.user.display_name = "Henrik Brandtner-Ole"
    expert.user.save()
    assert found("Brandtner") == {"henrik.brandt@example.org"}


@pytest.mark.parametrize("q", ["Mobilität", "Bremen", "Referentin", "Amt", "schule"])
def test_the_stored_expert_text_finds_what_the_field_by_field_search_finds(demo_all, monkeypatch, q):
    stored = found(q)
    monkeypatch.setattr("cities.directory.selectors.connection", SimpleNamespace(vendor="sqlite"))
    assert found(q) == stored


def test_the_knowledge_base_follows_a_changed_request_title_and_reflection(demo_all):
    reflection = Reflection.objects.filter(is_internal=False, request__status="completed").first()
    request = reflection.request
    request.refresh_from_db()
    request.title = "Hitzeaktionsplan für Quartiere"
    request.save()
    assert reflection.pk in set(knowledge_base(text="Hitzeaktionsplan").values_list("pk", flat=True))
    reflection.learnt = "Begrünte Dächer kühlen die Nachbarschaft."
    reflection.save()
    assert reflection.pk in set(knowledge_base(text="Dächer").values_list("pk", flat=True))
