"""Reads of the directory: the expert pool and its search."""

from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from cities.directory.models import City, Department, ExpertProfile, ExpertTopic, Topic


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
