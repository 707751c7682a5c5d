"""The labelled routing cases: their shape, and how well the demo vocabulary finds their areas."""

import re
from collections import Counter

from cities.directory.german_words import stems, term_in
from koopstadt.development.demo_data import CITIES, TOPICS
from koopstadt.development.routing_cases import CASES

AREAS = [row[0] for row in TOPICS]


def _sentences(text: str) -> int:
    return len(re.findall(r"[.?!](?:\s|$)", text))


def test_the_set_is_large_enough_for_every_area():
    assert len(CASES) >= 80
    best_area = Counter(case.topics[0] for case in CASES)
    assert {area: best_area[area] for area in AREAS if best_area[area] < 8} == {}


def test_cases_name_existing_topics_and_cities():
    city_slugs = {row[0] for row in CITIES}
    for case in CASES:
        assert case.title.strip() and case.need.strip(), case
        assert case.requester_city in city_slugs, case.title
        assert 1 <= len(case.topics) <= 3, case.title
        assert len(set(case.topics)) == len(case.topics), case.title
        assert set(case.topics) <= set(AREAS), case.title


def test_no_case_is_there_twice():
    titles = Counter(case.title.casefold() for case in CASES)
    needs = Counter(case.need.casefold() for case in CASES)
    assert [title for title, count in titles.items() if count > 1] == []
    assert [need for need, count in needs.items() if count > 1] == []


def test_short_and_long_requests_and_every_city_ask():
    assert sum(_sentences(case.need) <= 2 for case in CASES) >= 20
    assert sum(5 <= _sentences(case.need) <= 8 for case in CASES) >= 15
    assert set(Counter(case.requester_city for case in CASES)) == {row[0] for row in CITIES}


def test_the_demo_vocabulary_finds_a_right_area_among_the_three_best():
    # A guard against a vocabulary change that loses real requests: a right area must be among the three
    # areas with the most matching terms (name, keywords, synonyms) for at least 90 % of the cases. A few
    # vaguely written requests name no term at all; they are meant to stay in the set.
    terms = {slug: [name, *keywords, *synonyms] for slug, name, _description, keywords, synonyms in TOPICS}
    missed = []
    for case in CASES:
        text = stems(f"{case.title} {case.need}")
        counts = {slug: sum(term_in(term, text) for term in area_terms) for slug, area_terms in terms.items()}
        ranks = {slug: 1 + sum(other > count for other in counts.values()) for slug, count in counts.items()}
        if not any(counts[slug] and ranks[slug] <= 3 for slug in case.topics):
            missed.append(case.title)

    assert len(missed) <= len(CASES) // 10, missed
