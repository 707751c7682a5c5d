"""Reads of requests, always scoped by ``ExchangeRequest.objects.visible_to`` so lists and pages agree."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.models import ExpertProfile, ExpertTopic, User
from cities.selectors import expert_pool
from exchanges.models import (
    Booking,
    ClaimStatus,
    Comment,
    ExchangeRequest,
    ExportBatch,
    Invitation,
    Receipt,
    Reflection,
    Status,
    TimelineEntry,
    TravelClaim,
)
from exchanges.models.requests import TRIAGE_STATUSES
from exchanges.rules import is_coordination
from exchanges.services.german_words import stems


def request_get_for_user(*, user: User, pk: int) -> ExchangeRequest:
    """The request if ``user`` may see it; 404 for both missing and forbidden (never reveal a title)."""
    request = (
        ExchangeRequest.objects.visible_to(user)
        .select_related("requester", "requester_city", "requester_department__city", "assignee")
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


def _has_topic(request_field: str, topic_id: int) -> Exists:
    """The request named by ``request_field`` has this topic (EXISTS: no duplicate rows, no DISTINCT)."""
    return Exists(
        ExchangeRequest.topics.through.objects.filter(
            exchangerequest_id=OuterRef(request_field), topic_id=topic_id
        )
    )


def triage(*, user: User, filters: dict[str, Any]) -> QuerySet[ExchangeRequest]:
    requests = ExchangeRequest.objects.visible_to(user)
    status = filters.get("status") or ""
    if status == "":
        requests = requests.filter(status__in=TRIAGE_STATUSES)
    else:
        requests = requests.exclude(status=Status.DRAFT)
        if status != "all":
            requests = requests.filter(status=status)
    if filters.get("requester_city"):
        requests = requests.filter(requester_city=filters["requester_city"])
    # EXISTS rather than joins: no duplicate rows, so no DISTINCT over every matching request.
    if filters.get("partner_city"):
        requests = requests.filter(
            Exists(
                ExchangeRequest.preferred_partner_cities.through.objects.filter(
                    exchangerequest_id=OuterRef("pk"), city_id=filters["partner_city"].pk
                )
            )
        )
    if filters.get("topic"):
        requests = requests.filter(_has_topic("pk", filters["topic"].pk))
    if filters.get("min_age") is not None:
        requests = requests.filter(submitted_at__lte=timezone.now() - timedelta(days=filters["min_age"]))
    assignee = filters.get("assignee")
    if assignee == "me":
        requests = requests.filter(assignee=user)
    elif assignee == "none":
        requests = requests.filter(assignee__isnull=True)
    return requests.with_list_data().order_by(
        *SORT_ORDER.get(filters.get("sort") or "oldest", SORT_ORDER["oldest"])
    )


def timeline_for(*, user: User, request: ExchangeRequest) -> QuerySet[TimelineEntry]:
    entries = request.timeline.select_related("actor", "on_behalf_of")
    return entries if is_coordination(user, request) else entries.filter(is_public=True)


def comments_for(*, user: User, request: ExchangeRequest) -> QuerySet[Comment]:
    comments = request.comments.select_related("author")
    return comments if is_coordination(user, request) else comments.filter(is_internal=False)


# --- matching -----------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    expert: ExpertProfile
    score: int
    reasons: list[str]


def expert_suggestions(
    *, request: ExchangeRequest, limit: int = 15
) -> tuple[list[Suggestion], list[Suggestion]]:
    """Experts ranked for a request: those of the routed departments, then the rest of the pool.

    Everything the ranking needs is annotated in the database, so the list costs a fixed number of
    queries whatever the size of the pool.
    """
    year = timezone.localdate().year
    topic_ids = [topic.pk for topic in request.topics.all()]
    routed = list(request.routing_decisions.filter(is_routed=True).values_list("department_id", flat=True))
    asked = Invitation.objects.filter(request=request, status__in=["open", "accepted"]).values("expert_id")
    level_sum = (
        ExpertTopic.objects.filter(expert=OuterRef("pk"), topic_id__in=topic_ids)
        .order_by()
        .values("expert")
        .annotate(total=Sum("level"))
        .values("total")
    )
    load = (
        Invitation.objects.filter(expert=OuterRef("pk"), status="accepted", answered_at__year=year)
        .order_by()
        .values("expert")
        .annotate(n=Count("pk"))
        .values("n")
    )
    past = (
        Invitation.objects.filter(
            expert=OuterRef("pk"),
            status="accepted",
            request__status=Status.COMPLETED,
            request__topics__in=topic_ids,
        )
        .order_by()
        .values("expert")
        .annotate(n=Count("request", distinct=True))
        .values("n")
    )
    experts = (
        ExpertProfile.objects.filter(user__is_active=True)
        .exclude(user_id=request.requester_id)
        .exclude(pk__in=asked)
        .annotate(
            level_sum=Coalesce(Subquery(level_sum), 0),
            load=Coalesce(Subquery(load), 0),
            past=Coalesce(Subquery(past), 0),
        )
        .filter(Q(user__department_id__in=routed) | Q(level_sum__gt=0))
        .select_related("user", "user__home_city", "user__department__city")
        .prefetch_related(Prefetch("expert_topics", queryset=ExpertTopic.objects.select_related("topic")))
    )
    if not request.include_own_city:
        experts = experts.exclude(user__home_city_id=request.requester_city_id)
    experts = experts.order_by("-level_sum", "load", "user__display_name")[: limit * 3]

    first, second = [], []
    for expert in experts:
        reasons = [
            _("Topic %(topic)s (%(level)s)") % {"topic": et.topic.name, "level": et.get_level_display()}
            for et in expert.expert_topics.all()
            if et.topic_id in topic_ids
        ]
        reasons.append(
            f"{expert.user.home_city}, {expert.user.department.name if expert.user.department else '–'}"
        )
        reasons.append(
            _("%(load)d of at most %(max)d exchanges in %(year)d")
            % {"load": expert.load, "max": expert.max_exchanges_per_year, "year": year}
        )
        score = expert.level_sum * 10 + expert.past * 3 - expert.load * 2
        if expert.past:
            reasons.append(_("%(count)d earlier exchanges on these topics") % {"count": expert.past})
        if expert.load >= expert.max_exchanges_per_year:
            score -= 100
            reasons.append(_("yearly limit reached"))
        if not expert.is_available:
            score -= 50
            reasons.append(_("not available at present"))
        in_routed = expert.user.department_id in routed
        if in_routed:
            score += 20
            reasons.insert(0, _("Department the request was routed to"))
        (first if in_routed else second).append(Suggestion(expert, score, reasons))
    first.sort(key=lambda s: (-s.score, s.expert.user.display_name))
    second.sort(key=lambda s: (-s.score, s.expert.user.display_name))
    return first[:limit], second[:limit]


# --- knowledge base -------------------------------------------------------------------------------------


REFLECTION_TEXT_FIELDS = ("takeaway", "question", "learnt", "worked", "did_not_work", "follow_ups")


def knowledge_base(*, text: str = "", topic=None, city=None, year: int | None = None) -> QuerySet[Reflection]:  # type: ignore[no-untyped-def]
    """Completed, not internal reflections; German full-text search on PostgreSQL, word stems elsewhere."""
    reflections = Reflection.objects.defer("search_vector").filter(
        is_internal=False, request__status=Status.COMPLETED
    )
    # Filters as EXISTS, not joins: no duplicates, so no DISTINCT over every matching row.
    if topic is not None:
        reflections = reflections.filter(_has_topic("request_id", topic.pk))
    if city is not None:
        reflections = reflections.filter(Q(request__requester_city=city) | Q(request__meeting__city=city))
    if year is not None:
        reflections = reflections.filter(created_at__year=year)
    text = text.strip()
    if text:
        if connection.vendor == "postgresql":
            # The stored, GIN-indexed vector (migration 0012) of the texts and the request's title.
            reflections = reflections.filter(
                search_vector=SearchQuery(text, config="german", search_type="websearch")
            )
        else:
            for word in stems(text, fold_umlauts=False)[:8]:
                match = Q(request__title__icontains=word)
                for name in REFLECTION_TEXT_FIELDS:
                    match |= Q(**{f"{name}__icontains": word})
                reflections = reflections.filter(match)
    return (
        reflections.select_related("author", "request__requester", "request__requester_city")
        .prefetch_related("request__topics")
        .order_by("-created_at", "-pk")
    )


# --- travel claims -------------------------------------------------------------------------------------


def claims_of(user: User) -> QuerySet[TravelClaim]:
    """The claims a person travels in or entered ("Meine Abrechnungen")."""
    return TravelClaim.objects.filter(Q(traveller=user) | Q(submitted_by=user))


def claim_get_for_user(*, user: User, pk: int, own_only: bool = False) -> TravelClaim:
    """The claim if ``user`` may see it (``own_only``: only among their own); 404 for missing and
    forbidden alike."""
    claim = (
        (claims_of(user) if own_only else TravelClaim.objects.visible_to(user))
        .select_related("exchange", "traveller__home_city", "submitted_by", "rate_set", "decided_by")
        .prefetch_related("items__receipts", "events__actor")
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


def possible_duplicate_filter() -> ExpressionWrapper:
    """For querysets of claims (the finance queue): an overlapping trip of the same traveller, or a
    receipt whose content is on another claim — the same test as ``ClaimFlags.possible_duplicate``."""
    overlap = Exists(
        TravelClaim.objects.filter(
            traveller_id=OuterRef("traveller_id"),
            trip_start__lt=OuterRef("trip_end"),
            trip_end__gt=OuterRef("trip_start"),
        ).exclude(pk=OuterRef("pk"))
    )
    same_content = Exists(
        Receipt.objects.filter(claim_id=OuterRef("pk")).filter(
            Exists(Receipt.objects.filter(sha256=OuterRef("sha256")).exclude(claim_id=OuterRef("claim_id")))
        )
    )
    return ExpressionWrapper(overlap | same_content, output_field=BooleanField())


def finance_queue(*, user: User, filters: dict[str, Any]) -> QuerySet[TravelClaim]:
    """The finance queue with its filters (``FinanceQueueFilterForm``): submitted claims by default."""
    claims = (
        TravelClaim.objects.visible_to(user)
        .select_related("exchange", "traveller__home_city", "rate_set")
        .annotate(possible_duplicate=possible_duplicate_filter())
    )
    status = filters.get("status") or ""
    if status == "":
        claims = claims.filter(status=ClaimStatus.SUBMITTED)
    elif status != "all":
        claims = claims.filter(status=status)
    if filters.get("city"):
        claims = claims.filter(traveller__home_city=filters["city"])
    if filters.get("reference"):
        claims = claims.filter(exchange__reference__iexact=filters["reference"].strip())
    if filters.get("min_amount") is not None:
        claims = claims.filter(calculated_total__gte=filters["min_amount"])
    if filters.get("min_age") is not None:
        claims = claims.filter(submitted_at__lte=timezone.now() - timedelta(days=filters["min_age"]))
    if filters.get("late"):
        claims = claims.filter(filed_late=True)
    if filters.get("duplicates"):
        claims = claims.filter(possible_duplicate=True)
    if filters.get("trip_unfit"):
        claims = claims.filter(trip_unfit=True)
    return claims.order_by("submitted_at", "pk")


def export_batches() -> QuerySet[ExportBatch]:
    """Export batches, newest first, with the sum and number of their bookings."""
    return ExportBatch.objects.annotate(total=Sum("bookings__amount"), count=Count("bookings")).order_by(
        "-created_at"
    )


def bookings_for_finance(*, filters: dict[str, Any]) -> QuerySet[Booking]:
    """Bookings (one per approved claim) for the accounting system, optionally by year, batch or unbatched."""
    bookings = Booking.objects.select_related("claim__exchange", "claim__traveller", "batch")
    if filters.get("budget_year"):
        bookings = bookings.filter(budget_year=filters["budget_year"])
    if filters.get("batch"):
        bookings = bookings.filter(batch=filters["batch"])
    if filters.get("unbatched"):
        bookings = bookings.filter(batch__isnull=True)
    return bookings


def past_exchange_experts(*, request: ExchangeRequest, limit: int = 200) -> list[ExpertProfile]:
    """Who can be recorded as the expert of a past exchange: those asked for it, then the routed
    departments' experts and experts of the request's topics, then the rest of the pool — at most
    ``limit``, the requester never (a small network sees everyone; a large one the likely ones)."""
    asked = [invitation.expert for invitation in request.invitations.select_related("expert__user")]
    pool = (
        expert_pool()
        .exclude(user_id=request.requester_id)
        .filter(
            Q(
                user__department__routing_decisions__request=request,
                user__department__routing_decisions__is_routed=True,
            )
            | Q(topics__in=request.topics.all())
        )
        .distinct()
        .select_related("user__home_city")
        .order_by("user__home_city__name", "user__display_name")[:limit]
    )
    seen, experts = set(), []
    for expert in [*asked, *pool]:
        if expert.pk not in seen and expert.user_id != request.requester_id:
            seen.add(expert.pk)
            experts.append(expert)
    if len(experts) < limit:
        rest = (
            expert_pool()
            .exclude(user_id=request.requester_id)
            .exclude(pk__in=seen)
            .select_related("user__home_city")
            .order_by("user__home_city__name", "user__display_name")[: limit - len(experts)]
        )
        experts += list(rest)
    return experts[:limit]
