"""Which topics a text is about: the suggestions beside the request form, on the request page and in the API.

The topic vocabulary (each active topic's name, keywords and synonyms) is read against the text as the
routing reads it (``cities.directory.german_words``): a term counts when each of its words is a word of
the text or a part of a compound in it. A topic earns points per *word of the text* that one of its terms
was found in — ``NAME_POINTS`` when that is the topic's name, ``TERM_POINTS`` for a keyword or synonym,
the higher once when both ("Bürgerbeteiligung" is the keyword and holds the name "Beteiligung"); a word
repeated counts once. So evidence from several words beats one word matched twice. The suggestion
names the words of the text that led to it, so a requester sees *why* and a coordinator notices a wrong
topic.

Best first; equal points go to the topic found in more different words, then by name. The topics' terms
and the vocabulary's stems (``vocabulary_stems``, shared with routing) come from the shared cache: no
query while nothing changed, three after a topic or keyword did.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Prefetch

from cities.directory.german_words import part_of, stem, stems, words
from cities.directory.models import Topic, TopicKeyword
from cities.directory.selectors import TOPIC_VOCABULARY_KEY, VOCABULARY_SECONDS, vocabulary_stems

NAME_POINTS = 3
TERM_POINTS = 2
SUGGESTED_TOPICS = 3
FIELDS = ["id", "name", "name_en", "slug", "is_active"]  # of the topics rebuilt from the cache
MAX_TEXT = 10_000  # characters read; a request's need is at most a few thousand


@dataclass
class TopicSuggestion:
    topic: Topic
    score: int = 0
    words: list[str] = field(default_factory=list)  # the words of the text that led to it, as written
    terms: list[str] = field(default_factory=list)  # the vocabulary's terms they matched


def _vocabulary() -> list[tuple[Topic, list[tuple[str, int]]]]:
    """Each active topic with its terms and their points, from the shared cache (forgotten when a topic or a
    keyword changes, ``vocabulary_changed``; two queries when it was)."""
    rows = cache.get(TOPIC_VOCABULARY_KEY)
    if rows is None:
        topics = Topic.objects.active().prefetch_related(
            Prefetch("keywords", queryset=TopicKeyword.objects.order_by("term"))
        )
        rows = [
            (
                topic.pk,
                topic.name,
                topic.name_en,
                topic.slug,
                [
                    (topic.name, NAME_POINTS),
                    *((keyword.term, TERM_POINTS) for keyword in topic.keywords.all()),
                ],
            )
            for topic in topics
        ]
        cache.set(TOPIC_VOCABULARY_KEY, rows, VOCABULARY_SECONDS)
    return [
        (Topic.from_db(DEFAULT_DB_ALIAS, FIELDS, (pk, name, name_en, slug, True)), [tuple(t) for t in terms])
        for pk, name, name_en, slug, terms in rows
    ]


def topic_suggestions(text: str, *, limit: int = SUGGESTED_TOPICS) -> list[TopicSuggestion]:
    """The ``limit`` topics ``text`` is most about, best first, each with its points and the words found."""
    text = (text or "")[:MAX_TEXT]
    text_words = words(text)
    if not text_words:
        return []
    # Each distinct word once (a long need repeats its words), with its stem.
    word_stems: dict[str, str] = {}
    for word in text_words:
        word_stems.setdefault(word.casefold(), stem(word))
    written = {}
    for word in text_words:
        written.setdefault(word.casefold(), word)
    vocabulary = _vocabulary()
    known = vocabulary_stems()  # the parts compounds are split into, as routing splits them
    suggestions = []
    for topic, terms in vocabulary:
        suggestion = TopicSuggestion(topic)
        points_per_word: dict[str, int] = {}
        for term, points in terms:
            term_stems = stems(term)
            if not term_stems or term in suggestion.terms:
                continue
            found = []
            for term_stem in term_stems:
                hits = [w for w, s in word_stems.items() if part_of(term_stem, s, known)]
                if not hits:
                    break
                found += hits
            else:
                suggestion.terms.append(term)
                for word in found:
                    points_per_word[word] = max(points_per_word.get(word, 0), points)
        if points_per_word:
            suggestion.score = sum(points_per_word.values())
            suggestion.words = [written[word] for word in word_stems if word in points_per_word]
            suggestions.append(suggestion)
    suggestions.sort(key=lambda s: (-s.score, -len(s.words), s.topic.name, s.topic.pk))
    return suggestions[:limit]
