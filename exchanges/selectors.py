"""Reads of requests, always scoped by ``ExchangeRequest.objects.visible_to`` so lists and pages agree."""

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from cities.models import User
from exchanges.models import Comment, ExchangeRequest, Status, TimelineEntry
from exchanges.rules import is_coordination


def request_get_for_user(*, user: User, pk: int) -> ExchangeRequest:
    """The request if ``user`` may see it; 404 for both missing and forbidden (never reveal a title)."""
    request = (
        ExchangeRequest.objects.visible_to(user)
        .select_related("requester", "requester_city", "requester_department", "assignee")
        .prefetch_related("topics", "preferred_partner_cities", "attachments")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404
    return request


def my_requests(*, user: User) -> QuerySet[ExchangeRequest]:
    return ExchangeRequest.objects.filter(requester=user).with_list_data().order_by("-created_at", "-pk")


def city_inbox(*, user: User) -> QuerySet[ExchangeRequest]:
    """Requests of the contact person's city still waiting for them, oldest deadline first."""
    return (
        ExchangeRequest.objects.visible_to(user)
        .filter(requester_city_id=user.home_city_id, status__in=[Status.SUBMITTED, Status.RETURNED])
        .with_list_data()
        .order_by("status", "contact_due_on", "submitted_at", "pk")
    )


def city_requests(*, user: User) -> QuerySet[ExchangeRequest]:
    """All requests of the contact's city after submission (for following them up)."""
    return (
        ExchangeRequest.objects.visible_to(user)
        .filter(requester_city_id=user.home_city_id)
        .exclude(status__in=[Status.DRAFT, Status.SUBMITTED, Status.RETURNED])
        .with_list_data()
        .order_by("-submitted_at", "-pk")
    )


SORT_ORDER = {
    "oldest": ["submitted_at", "pk"],
    "newest": ["-submitted_at", "-pk"],
    "reference": ["reference", "pk"],
    "due": ["contact_due_on", "pk"],
}


def triage(*, user: User, filters: dict[str, Any]) -> QuerySet[ExchangeRequest]:
    requests = ExchangeRequest.objects.visible_to(user).exclude(status=Status.DRAFT)
    status = filters.get("status") or ""
    if status == "":
        requests = requests.open()
    elif status != "all":
        requests = requests.filter(status=status)
    if filters.get("requester_city"):
        requests = requests.filter(requester_city=filters["requester_city"])
    if filters.get("partner_city"):
        requests = requests.filter(preferred_partner_cities=filters["partner_city"])
    if filters.get("topic"):
        requests = requests.filter(topics=filters["topic"])
    if filters.get("min_age") is not None:
        requests = requests.filter(submitted_at__lte=timezone.now() - timedelta(days=filters["min_age"]))
    assignee = filters.get("assignee")
    if assignee == "me":
        requests = requests.filter(assignee=user)
    elif assignee == "none":
        requests = requests.filter(assignee__isnull=True)
    if filters.get("partner_city") or filters.get("topic"):
        requests = requests.distinct()
    return requests.with_list_data().order_by(
        *SORT_ORDER.get(filters.get("sort") or "oldest", SORT_ORDER["oldest"])
    )


def timeline_for(*, user: User, request: ExchangeRequest) -> QuerySet[TimelineEntry]:
    entries = request.timeline.select_related("actor")
    return entries if is_coordination(user, request) else entries.filter(is_public=True)


def comments_for(*, user: User, request: ExchangeRequest) -> QuerySet[Comment]:
    comments = request.comments.select_related("author")
    return comments if is_coordination(user, request) else comments.filter(is_internal=False)
