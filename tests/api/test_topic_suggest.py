"""GET /api/v1/topics/suggest/: the topics a text is about, as the request form suggests them (issue 23)."""

import pytest

from cities.directory.roles import Role
from tests.cities.factories import DepartmentFactory, TopicFactory, TopicKeywordFactory, UserFactory


@pytest.fixture
def vocabulary(db):
    mobility = TopicFactory(name="Mobilität", slug="mobilitaet")
    for term in ("Radverkehr", "Mobilitätsstation", "Verkehrswende"):
        TopicKeywordFactory(topic=mobility, term=term)
    participation = TopicFactory(name="Beteiligung", slug="beteiligung")
    for term in ("Bürgerbeteiligung", "Workshop"):
        TopicKeywordFactory(topic=participation, term=term)


@pytest.fixture
def people(db):
    return {"requester": UserFactory(department=DepartmentFactory(), roles=[Role.STAFF])}


def test_the_api_suggests_topics_with_score_and_words(api, people, vocabulary):
    response = api(people["requester"]).get(
        "/api/v1/topics/suggest/", {"text": "Bürgerbeteiligung zur Verkehrswende und zum Radverkehr"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["slug"] for item in body] == ["mobilitaet", "beteiligung"]
    assert body[0]["score"] == 4
    assert body[0]["words"] == ["Verkehrswende", "Radverkehr"]
    assert body[1]["terms"] == ["Beteiligung", "Bürgerbeteiligung"]  # the name is a part of the keyword
    assert body[1]["score"] == 3  # one word of the text: the name's points, not both


def test_the_api_asks_for_the_text(api, people, vocabulary):
    response = api(people["requester"]).get("/api/v1/topics/suggest/")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["text"]
    assert api(people["requester"]).get("/api/v1/topics/suggest/", {"text": "x" * 10_001}).status_code == 400
