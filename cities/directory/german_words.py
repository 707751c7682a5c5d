"""German words as the routing and the topic suggestions read them: Snowball stems and compound parts.

Stems come from the Snowball German stemmer (PyStemmer), the algorithm of PostgreSQL's ``german`` text
search configuration that the knowledge base uses, so "Bürgerbeteiligung" and "Bürgerbeteiligungen",
"Wohnung" and "Wohnungen", "Stadtentwicklung" and its plural meet. Snowball does not know Latin plurals;
a short list rewrites the singular to the plural first ("Zentrum" → "Zentren"), so both stem alike.

A keyword matches a word of the text when it is the whole word or a *part* of a compound — never an
arbitrary substring:

- the compound's head, its last part, which names what the thing is: "Quartiersschule" is a "Schule",
  "Stadtrat" a "Rat" — unless what precedes it is only a prefix ("Beratung" is no "Rat": "be-");
- a leading part only where the rest of the word is itself a known part (the vocabulary's own words,
  ``known``): "Wohnungspolitik" holds "Wohnung" when "Politik" is known; "Wohnmobilstellplatz" does not
  hold "Wohnen", for "mobilstellplatz" is no known word.
"""

import re
from collections.abc import Iterable

import Stemmer

_STEMMER = Stemmer.Stemmer("german")
_WORD = re.compile(r"[0-9a-zäöüß]+", re.IGNORECASE)
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
# Latin (and Greek) singulars rewritten to their plural, which Snowball stems like the rest.
_LATIN = (
    ("zentrum", "zentren"),
    ("museum", "museen"),
    ("gremium", "gremien"),
    ("kriterium", "kriterien"),
    ("ministerium", "ministerien"),
    ("studium", "studien"),
    ("stadion", "stadien"),
    ("datum", "daten"),
    ("forum", "foren"),
    ("thema", "themen"),
    ("praktikum", "praktika"),
    ("konsortium", "konsortien"),
)
# What may stand before a head without making a compound: prefixes of derived words ("Be-ratung").
_PREFIXES = frozenset(
    [
        "ab",
        "an",
        "auf",
        "aus",
        "be",
        "bei",
        "dar",
        "durch",
        "ein",
        "ent",
        "emp",
        "er",
        "ge",
        "her",
        "hin",
        "miss",
        "mit",
        "nach",
        "uber",
        "um",
        "un",
        "unter",
        "ur",
        "ver",
        "vor",
        "weg",
        "wider",
        "zer",
        "zu",
        "zuruck",
        "zusammen",
    ]
)
# Linking elements between the parts of a compound (Fugenelemente): "Wohnung-s-politik".
_LINKS = ("s", "es", "n", "en", "e", "er", "ns")
MIN_PART = 3


def fold(text: str) -> str:
    return text.casefold().translate(_FOLD)


def stem(word: str) -> str:
    """The Snowball stem of one word (any case; umlauts folded as Snowball does)."""
    word = word.casefold()
    for singular, plural in _LATIN:
        if word.endswith(singular):
            word = word[: -len(singular)] + plural
            break
    return _STEMMER.stemWord(word).translate(_FOLD)


def words(text: str) -> list[str]:
    """The words of ``text`` as written (case kept; ``stem`` folds it)."""
    return _WORD.findall(text)


def stems(text: str) -> list[str]:
    """The stems of all words of ``text``, in order."""
    return [stem(word) for word in words(text)]


def _rest_is_known(rest: str, known: frozenset[str]) -> bool:
    if rest in known:
        return True
    return any(rest.startswith(link) and rest[len(link) :] in known for link in _LINKS)


def part_of(keyword_stem: str, word_stem: str, known: frozenset[str] = frozenset()) -> bool:
    """Whether ``keyword_stem`` is ``word_stem`` or a part of it (see the module's rules)."""
    if len(keyword_stem) < MIN_PART:
        return keyword_stem == word_stem
    if keyword_stem == word_stem:
        return True
    if word_stem.endswith(keyword_stem):
        before = word_stem[: -len(keyword_stem)]
        return len(before) >= MIN_PART and before not in _PREFIXES
    if word_stem.startswith(keyword_stem):
        return _rest_is_known(word_stem[len(keyword_stem) :], known)
    return False


def matched_word(term: str, text: str, known: Iterable[str] = ()) -> str | None:
    """The word of ``text`` in which the (one-word) ``term`` was found, or None. A term of several words
    needs each of them; the first word's match is returned."""
    known = frozenset(known)
    text_words = words(text)
    text_stems = [stem(word) for word in text_words]
    found = None
    for term_stem in stems(term):
        hit = next(
            (
                word
                for word, word_stem in zip(text_words, text_stems, strict=True)
                if part_of(term_stem, word_stem, known)
            ),
            None,
        )
        if hit is None:
            return None
        found = found or hit
    return found


def term_in(term: str, text_stems: list[str], known: Iterable[str] = ()) -> bool:
    """Whether every word of ``term`` occurs in the text (given by its stems), also as a compound part."""
    known = frozenset(known)
    term_stems = stems(term)
    if not term_stems:
        return False
    return all(any(part_of(t, word, known) for word in text_stems) for t in term_stems)


def stem_prefixes(text: str) -> list[str]:
    """Each word cut to the length of its stem, umlauts kept: for a plain substring search in stored text
    (the knowledge base's fallback where PostgreSQL's full-text search is not available)."""
    return [word[: max(len(stem(word)), MIN_PART)] for word in words(text)]


# Function words and words every request uses: no evidence of what a request is about.
_STOPWORD_TEXT = (
    "aber alle als also auch auf aus bei beim bis bitte damit dann das dass dem den der des die dies "
    "diese dieser dieses doch durch ein eine einem einen einer eines für gibt haben hat hier ihr ihre "
    "im in ist jetzt kann können mit möchten nach nicht noch nur oder ohne sein sich sie sind so "
    "soll sollen über um und uns unser unsere unter vom von vor war was wie wir wird wo wollen zu "
    "zum zur zwischen anfrage austausch erfahrung erfahrungen frage fragen stadt städte thema themen "
    "gern gerne unterstützung welche welcher wer kollegen kolleginnen suchen suche fachlich fachlichen "
    "austauschen gesucht"
)
_STOPWORDS = frozenset(stem(word) for word in _STOPWORD_TEXT.split())


def content_stems(text: str) -> list[str]:
    """The stems of ``text`` that say what it is about: without function words and very short stems."""
    return [word for word in stems(text) if len(word) > MIN_PART and word not in _STOPWORDS]
