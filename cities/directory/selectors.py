"""Reads of the directory: the expert pool and its search, the routing vocabulary."""

from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from cities.directory.german_words import MIN_PART, stems
from cities.directory.models import (
    City,
    Department,
    DepartmentKeyword,
    ExpertProfile,
    ExpertTopic,
    Topic,
    TopicKeyword,
)

VOCABULARY_KEY = "directory:vocabulary-stems"
TOPIC_VOCABULARY_KEY = "directory:topic-vocabulary"  # cities.directory.suggestions
VOCABULARY_SECONDS = 3600


def expert_pool():
    """The experts anyone signed in may find (active people), with what the directory shows."""
    return ExpertProfile.objects.filter(user__is_active=True).with_directory_data()


def expert_search(filters: dict[str, Any]):
    """Experts of the pool matching the directory's filters (``ExpertFilterForm``'s cleaned data: q,
    topic, city, department, available), with what the directory shows. The page and the API use it."""
    text: str = filters.get("q") or ""
    topic: Topic | None = filters.get("topic")
    city: City | None = filters.get("city")
    department: Department | None = filters.get("department")
    available_only = bool(filters.get("available"))
    experts = expert_pool()
    if available_only:
        experts = experts.filter(is_available=True)
    if topic is not None:
        experts = experts.filter(Exists(ExpertTopic.objects.filter(expert=OuterRef("pk"), topic=topic)))
    if city is not None:
        experts = experts.filter(user__home_city=city)
    if department is not None:
        experts = experts.filter(user__department=department)
    words = text.split()[:8]
    if connection.vendor == "postgresql":
        # One stored text per expert with a trigram index (migration cities 0010): the same
        # substring search as below, without reading every expert of the network.
        for word in words:
            experts = experts.filter(search_text__icontains=word)
        return experts.order_by("user__display_name", "pk")
    for word in words:
        topic_match = ExpertTopic.objects.filter(expert=OuterRef("pk"), topic__name__icontains=word)
        experts = experts.filter(
            Q(user__display_name__icontains=word)
            | Q(position__icontains=word)
            | Q(experience__icontains=word)
            | Q(user__department__name__icontains=word)
            | Q(user__department__short_name__icontains=word)
            | Q(user__home_city__name__icontains=word)
            | Exists(topic_match)
        )
    return experts.order_by("user__display_name", "pk")


def vocabulary_stems() -> frozenset[str]:
    """The stems of every topic name, topic keyword and department keyword: the ``known`` words that let
    a leading compound part match (``german_words.part_of``: "Wohnungspolitik" holds "Wohnung" when
    "Politik" is one of them).

    Read in one query and kept in the shared cache until a topic or a keyword is saved or deleted
    (``vocabulary_changed``, connected in ``CitiesConfig.ready``); bulk updates bypass the signals, so
    the list expires after ``VOCABULARY_SECONDS`` in any case.
    """
    cached = cache.get(VOCABULARY_KEY)
    if cached is not None:
        return frozenset(cached)
    terms = (
        Topic.objects.order_by()
        .values_list("name", flat=True)
        .union(
            TopicKeyword.objects.order_by().values_list("term", flat=True),
            DepartmentKeyword.objects.order_by().values_list("term", flat=True),
        )
    )
    found = frozenset(stem for term in terms for stem in stems(term) if len(stem) >= MIN_PART)
    cache.set(VOCABULARY_KEY, sorted(found), VOCABULARY_SECONDS)
    return found


def vocabulary_changed(**_kwargs: Any) -> None:
    """Forget the cached vocabulary (its stems, and the topics' terms the suggestions read) now and once more after the commit (a reader between the change and
    its commit may have stored the old one)."""
    keys = [VOCABULARY_KEY, TOPIC_VOCABULARY_KEY]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
