"""A small, hand-written normaliser for German words, good enough to match keywords in request texts.

It folds case and umlauts and strips common inflection and derivation endings, so that
"Mobilitätsstationen" and "Mobilitätsstation", "wohnungspolitisches" and "Wohnungspolitik",
"Bildungszentren" and "Bildungszentrum" meet. Compounds are handled by matching a keyword's stem
inside a longer word ("Quartiersschule" contains "Schule"). No model, no download.
"""

import re

_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+")
# Longest first; a stem keeps at least MIN_STEM characters.
_SUFFIXES = (
    "ischen",
    "isches",
    "ischer",
    "ischem",
    "ische",
    "isch",
    "ungen",
    "heiten",
    "keiten",
    "innen",
    "ern",
    "en",
    "er",
    "es",
    "em",
    "um",
    "ik",
    "e",
    "n",
    "s",
)
MIN_STEM = 4


def fold(text: str) -> str:
    return text.casefold().translate(_FOLD)


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


_WORD_UMLAUTS = re.compile(r"[a-z0-9äöüß]+")


def stems(text: str, *, fold_umlauts: bool = True) -> list[str]:
    """The stems of all words in ``text``; with ``fold_umlauts=False`` they keep ä, ö, ü, ß
    (for matching stems against stored text with a plain substring search)."""
    if fold_umlauts:
        return [stem(word) for word in _WORD.findall(fold(text))]
    return [stem(word) for word in _WORD_UMLAUTS.findall(text.casefold())]


def term_in(term: str, text_stems: list[str]) -> bool:
    """Whether every word of ``term`` occurs in the text, also inside compounds."""
    term_stems = [s for s in stems(term) if len(s) >= 3]
    if not term_stems:
        return False
    return all(any(t in word for word in text_stems) for t in term_stems)
