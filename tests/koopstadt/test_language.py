"""The English interface names topics in English and asks for dates as DD.MM.YYYY (issue 20, part 6)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from cities.directory.roles import Role
from tests.cities.factories import DepartmentFactory, TopicFactory, UserFactory
from tests.exchanges.factories import ExchangeRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics():
    return (
        TopicFactory(slug="wohnen", name="Wohnen", name_en="Housing"),
        TopicFactory(slug="kultur", name="Kultur", name_en=""),  # no English name kept
    )


def _person(language: str):
    return UserFactory(preferred_language=language, department=DepartmentFactory(), roles=[Role.STAFF])


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))


def test_a_topic_is_named_in_the_active_language_and_german_without_an_english_name(topics):
    housing, culture = topics
    with translation.override("en"):
        assert (str(housing), housing.display_name, str(culture)) == ("Housing", "Housing", "Kultur")
    with translation.override("de"):
        assert (str(housing), str(culture)) == ("Wohnen", "Kultur")


@pytest.mark.parametrize(
    ("language", "shown", "hidden"), [("en", "Housing", "Wohnen"), ("de", "Wohnen", "Housing")]
)
def test_the_request_page_and_the_request_form_name_topics_in_the_persons_language(
    client, topics, language, shown, hidden
):
    person = _person(language)
    exchange = ExchangeRequestFactory(requester=person, topics=[topics[0]])
    client.force_login(person)

    detail = client.get(exchange.get_absolute_url()).content.decode()
    form = client.get(reverse("exchanges:request_create")).content.decode()

    assert f'<span class="badge badge-topic me-1">{shown}</span>' in detail
    assert hidden not in detail
    topic_labels = re.findall(
        r'<label for="id_topics_\d+" class="form-check-label">\s*([^<]+?)\s*</label>', form
    )
    assert shown in topic_labels and hidden not in topic_labels
    assert topic_labels == sorted(topic_labels)  # in the order of the names shown


def test_the_filter_lists_name_topics_in_english_in_english_order_and_in_german_in_german(client, topics):
    english, german = _person("en"), _person("de")

    client.force_login(english)
    english_options = _options(client.get(reverse("cities:expert_list")).content.decode(), "topic")[1:]
    client.force_login(german)
    german_options = _options(client.get(reverse("cities:expert_list")).content.decode(), "topic")[1:]

    assert english_options == ["Housing", "Kultur"]
    assert german_options == ["Kultur", "Wohnen"]


def test_the_api_keeps_the_german_name_and_adds_the_english_one(client, topics):
    client.force_login(_person("en"))
    body = client.get("/api/v1/topics/").json()
    rows = {row["slug"]: row for row in body["results"]}
    assert (rows["wohnen"]["name"], rows["wohnen"]["name_en"]) == ("Wohnen", "Housing")
    assert rows["kultur"]["name_en"] == ""


@pytest.mark.parametrize(
    ("language", "hint", "other"), [("de", "TT.MM.JJJJ", "DD.MM.YYYY"), ("en", "DD.MM.YYYY", "TT.MM.JJJJ")]
)
def test_date_hints_follow_the_language(client, language, hint, other):
    client.force_login(_person(language))

    html = client.get(reverse("exchanges:request_create")).content.decode()

    assert f'placeholder="{hint}"' in html  # the date fields themselves
    assert f"Format: {hint}" in html  # the help texts below them
    assert other not in html
