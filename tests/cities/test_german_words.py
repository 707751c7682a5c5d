"""German words for routing: Snowball stems, Latin plurals, compound parts and no arbitrary substrings."""

import pytest

from cities.directory.german_words import matched_word, part_of, stem, stems, term_in


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("Bürgerbeteiligung", "Bürgerbeteiligungen"),
        ("Stadtentwicklung", "Stadtentwicklungen"),
        ("Verkehrsplanung", "Verkehrsplanungen"),
        ("Wohnung", "Wohnungen"),
        ("Mobilitätsstation", "Mobilitätsstationen"),
        ("Zentrum", "Zentren"),
        ("Bildungszentrum", "Bildungszentren"),
        ("Museum", "Museen"),
        ("Schule", "Schulen"),
        ("Quartier", "Quartiere"),
    ],
)
def test_a_word_and_its_plural_have_one_stem(singular, plural):
    assert stem(singular) == stem(plural)


@pytest.mark.parametrize(
    ("keyword", "text", "word"),
    [
        ("Schule", "Wir planen eine Quartiersschule im Osten.", "Quartiersschule"),
        ("Rat", "Der Stadtrat hat entschieden.", "Stadtrat"),
        ("Bürgerbeteiligung", "Erfahrungen mit Bürgerbeteiligungen gesucht", "Bürgerbeteiligungen"),
        ("Zentrum", "Bildungs- und Quartierszentren in Bremen", "Quartierszentren"),
        ("Mobilitätsstation", "die ersten Mobilitätsstationen im Quartier", "Mobilitätsstationen"),
    ],
)
def test_a_keyword_is_found_as_the_whole_word_or_the_head_of_a_compound(keyword, text, word):
    assert matched_word(keyword, text) == word
    assert term_in(keyword, stems(text))


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("Rat", "Wir suchen Beratung zur Förderung."),
        ("Wohnen", "Ein neuer Wohnmobilstellplatz am Stadtrand."),
        ("Rat", "Das war Verrat."),
        ("Bau", "Wir brauchen Bauchgefühl."),
    ],
)
def test_a_keyword_is_never_found_as_an_arbitrary_substring(keyword, text):
    assert matched_word(keyword, text) is None
    assert not term_in(keyword, stems(text))


def test_a_leading_part_counts_where_the_rest_is_a_known_word():
    known = {stem("Politik")}
    assert matched_word("Wohnung", "das wohnungspolitische Konzept", known) == "wohnungspolitische"
    assert matched_word("Wohnung", "das wohnungspolitische Konzept") is None  # "politik" not known
    assert not part_of(stem("Wohnen"), stem("Wohnmobilstellplatz"), frozenset({stem("Politik")}))


def test_a_term_of_several_words_needs_each_of_them():
    assert term_in("soziale Stadt", stems("Programm Soziale Stadt im Quartier"))
    assert not term_in("soziale Stadt", stems("Programm Soziale Arbeit"))
