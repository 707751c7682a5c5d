"""Topic suggestions while a request is written: the selector, the form (with and without JavaScript),
the request page of the coordination and the API (issue 23)."""

import pytest
from django.urls import reverse

from cities.directory.suggestions import topic_suggestions
from exchanges.cycle.models import ExchangeRequest, Status
from tests.cities.factories import TopicFactory, TopicKeywordFactory


@pytest.fixture
def vocabulary(db):
    housing = TopicFactory(name="Wohnen", slug="wohnen")
    for term in ("Wohnungsbau", "Mietwohnung", "Wohnraum", "Wohnungspolitik"):
        TopicKeywordFactory(topic=housing, term=term)
    mobility = TopicFactory(name="Mobilität", slug="mobilitaet")
    for term in ("Radverkehr", "Mobilitätsstation", "Verkehrswende"):
        TopicKeywordFactory(topic=mobility, term=term)
    participation = TopicFactory(name="Beteiligung", slug="beteiligung")
    for term in ("Bürgerbeteiligung", "Workshop"):
        TopicKeywordFactory(topic=participation, term=term)
    return {"housing": housing, "mobility": mobility, "participation": participation}


def test_the_best_topic_comes_first_with_the_words_that_led_to_it(vocabulary):
    suggestions = topic_suggestions(
        "Neue Mobilitätsstationen im Quartier: wie habt ihr den Radverkehr an den Stationen gestärkt? "
        "Wir planen auch eine Bürgerbeteiligung."
    )
    assert [s.topic.slug for s in suggestions] == ["mobilitaet", "beteiligung"]
    assert suggestions[0].words == ["Mobilitätsstationen", "Radverkehr"]
    assert suggestions[0].score == 4  # two keywords
    assert suggestions[1].words == ["Bürgerbeteiligung"]


def test_plurals_and_compound_parts_count_but_not_arbitrary_substrings(vocabulary):
    # "Wohnungsbaus" (genitive), "Mietwohnungen" (plural), "Bürgerbeteiligungen": Snowball stems.
    assert [s.topic.slug for s in topic_suggestions("Förderung des Wohnungsbaus und Mietwohnungen")] == [
        "wohnen"
    ]
    # "Beteiligungswerkstatt" holds "Beteiligung" (the topic's name) as its leading part only when the rest is
    # a word the vocabulary knows; "Workshop" is known, "werkstatt" is not — and "Wohnmobil" is no "Wohnen".
    assert topic_suggestions("Stellplätze für Wohnmobile am Stadtrand") == []


def test_a_text_without_any_term_suggests_nothing(vocabulary):
    assert topic_suggestions("Guten Tag, wir haben eine Frage.") == []
    assert topic_suggestions("") == []


def test_the_form_suggests_topics_as_the_requester_writes(client, people, vocabulary):
    client.force_login(people["requester"])
    response = client.get(
        reverse("exchanges:request_topic_suggestions"),
        {"title": "Mobilitätsstationen", "need": "Wie fördert ihr den Radverkehr?"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Mobilität" in text and "„Radverkehr“" in text
    assert f'data-topic-choice="{vocabulary["mobility"].pk}"' in text
    # A topic already ticked is shown as chosen, not offered again.
    response = client.get(
        reverse("exchanges:request_topic_suggestions"),
        {"title": "Mobilitätsstationen", "need": "", "topics": [vocabulary["mobility"].pk]},
    )
    assert "data-topic-choice" not in response.content.decode()
    assert "(gewählt)" in response.content.decode()


def test_suggestions_need_a_login(client, vocabulary):
    response = client.get(reverse("exchanges:request_topic_suggestions"), {"title": "Radverkehr"})
    assert response.status_code == 302


def test_without_javascript_a_suggested_topic_is_chosen_and_nothing_typed_is_lost(client, people, vocabulary):
    client.force_login(people["requester"])
    data = {
        "title": "Mobilitätsstationen im Quartier",
        "need": "Wie fördert ihr den Radverkehr an den Stationen?",
        "travellers": "2",
        "estimated_costs": "250,00",
        "earliest_date": "01.02.2030",
    }
    page = client.post(reverse("exchanges:request_create"), {**data, "suggest_topics": ""})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mobilität" in text and "„Mobilitätsstationen“" in text
    assert ExchangeRequest.objects.count() == 0  # nothing saved
    page = client.post(
        reverse("exchanges:request_create"), {**data, "add_topic": str(vocabulary["mobility"].pk)}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Thema „Mobilität“ ausgewählt" in text
    form = page.context["form"]
    assert [str(pk) for pk in form.initial["topics"]] == [str(vocabulary["mobility"].pk)]
    assert 'value="Mobilitätsstationen im Quartier"' in text and "250,00" in text and "01.02.2030" in text
    assert "Dieses Feld ist zwingend" not in text  # no errors for a draft being written
    assert ExchangeRequest.objects.count() == 0
    # Saving now keeps the chosen topic.
    saved = client.post(
        reverse("exchanges:request_create"), {**data, "topics": [vocabulary["mobility"].pk], "save": ""}
    )
    assert saved.status_code == 302
    assert list(ExchangeRequest.objects.get().topics.values_list("slug", flat=True)) == ["mobilitaet"]


def test_the_draft_edit_page_shows_suggestions_without_javascript(client, people, vocabulary, request_in):
    draft = request_in()
    draft.title = "Radverkehr in der Innenstadt"
    draft.save(update_fields=["title"])
    client.force_login(people["requester"])
    text = client.get(reverse("exchanges:request_edit", args=[draft.pk])).content.decode()
    assert "Themenvorschläge" in text and "„Radverkehr“" in text


def test_the_coordination_sees_a_suggested_topic_the_requester_did_not_choose(
    client, people, vocabulary, request_in
):
    request = request_in(Status.SUBMITTED)
    ExchangeRequest.objects.filter(pk=request.pk).update(
        title="Wohnungsbau an der Mobilitätsstation", need="Erfahrungen mit Mietwohnungen gesucht."
    )
    request.topics.set([vocabulary["mobility"]])
    client.force_login(people["contact"])
    text = client.get(request.get_absolute_url()).content.decode()
    assert "Vorgeschlagen aus dem Text:" in text
    assert "Wohnen („Wohnungsbau“, „Mietwohnungen“) – <strong>nicht gewählt</strong>" in text
    # The requester's own page does not show it.
    client.force_login(people["requester"])
    assert "Vorgeschlagen aus dem Text:" not in client.get(request.get_absolute_url()).content.decode()


def test_suggestions_read_the_cache_and_see_a_new_keyword_at_once(vocabulary, django_assert_num_queries):
    topic_suggestions("Radverkehr")  # reads the vocabulary once
    with django_assert_num_queries(0):
        assert [s.topic.slug for s in topic_suggestions("Radverkehr")] == ["mobilitaet"]
    TopicKeywordFactory(topic=vocabulary["housing"], term="Genossenschaft")
    assert [s.topic.slug for s in topic_suggestions("Eine Genossenschaft gründen")] == ["wohnen"]
