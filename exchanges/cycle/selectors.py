"""Reads of the C+R cycle: requests a person may see, inboxes, timelines, matching, the knowledge base."""

import operator
import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from typing import Any
from urllib.parse import urlencode

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from cities.directory.german_words import fold, stem_prefixes
from cities.directory.models import ExpertProfile, ExpertTopic, User
from cities.directory.selectors import expert_pool
from exchanges.cycle.models import (
    Comment,
    ExchangeRequest,
    Invitation,
    InvitationStatus,
    Reflection,
    RoutingDecision,
    Status,
    TimelineEntry,
)
from exchanges.cycle.models.requests import TRIAGE_STATUSES
from exchanges.cycle.rules import is_coordination, visible_reflections, visible_reflections_q


def tied_routing_decisions(decisions: list[RoutingDecision]) -> set[int]:
    """The ids of the portal's decisions that share their score with another one: for these the tie rule
    (fewer open exchanges, then more completed ones) decided the order, and the page shows its figures."""
    automatic = [d for d in decisions if d.score and d.open_exchanges is not None]
    scores = Counter(d.score for d in automatic)
    return {d.pk for d in automatic if scores[d.score] > 1}


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


def return_question(*, request: ExchangeRequest) -> TimelineEntry | None:
    """The question a returned request waits for an answer to: the newest "return for changes" step (its
    comment is required, and the requester sees it). None unless the request is returned."""
    if request.status != Status.RETURNED:
        return None
    return (
        request.timeline.filter(action="return_for_changes", is_public=True)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def comments_for(*, user: User, request: ExchangeRequest) -> QuerySet[Comment]:
    comments = request.comments.select_related("author")
    return comments if is_coordination(user, request) else comments.filter(is_internal=False)


# The request page shows the newest entries of its timeline and comments; older ones on demand.
HISTORY_PAGE_SIZE = 20


@dataclass
class History:
    """Entries of a timeline or of the comments, oldest first; ``older``: earlier ones are not shown."""

    entries: list
    older: bool


def newest(entries: QuerySet, *, everything: bool = False, count: int = HISTORY_PAGE_SIZE) -> History:
    """The newest ``count`` of ``entries`` (in their own order), or all of them: one query either way.

    One row more than shown is read to know whether there are older ones, without counting them.
    """
    if everything:
        return History(entries=list(entries), older=False)
    # The rows are chosen first and joined (to their authors) after: sorting all of the request's rows
    # with their joins let PostgreSQL hash every person of the network for twenty entries.
    chosen = entries.reverse().values("pk")[: count + 1]
    latest = list(entries.filter(pk__in=chosen).reverse())
    return History(entries=latest[:count][::-1], older=len(latest) > count)


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
            _("Topic %(topic)s (%(level)s)")
            % {"topic": et.topic.display_name, "level": et.get_level_display()}
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


REFLECTION_TEXT_FIELDS = ("takeaway", "question", "learnt", "worked", "did_not_work", "follow_ups")


def knowledge_base(*, text: str = "", topic=None, city=None, year: int | None = None) -> QuerySet[Reflection]:
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
            for word in stem_prefixes(text)[:8]:
                match = Q(request__title__icontains=word)
                for name in REFLECTION_TEXT_FIELDS:
                    match |= Q(**{f"{name}__icontains": word})
                reflections = reflections.filter(match)
    return (
        reflections.select_related("author", "request__requester", "request__requester_city")
        .prefetch_related("request__topics")
        .order_by("-created_at", "-pk")
    )


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


# Similar past exchanges while a request is written ("Vielleicht hilft das schon").
SIMILAR_MIN_WORDS = 3  # fewer meaningful words say too little to look for anything
SIMILAR_MAX_WORDS = 16  # the first words are enough, and keep the query small
SIMILAR_WORKED_CHARS = 240
# Words of three letters or more that say nothing about a need (the German text search drops them too,
# but they must not count towards the minimum).
_SIMILAR_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP_WORDS_TEXT = (
    "aber als also am auch auf aus bei bis das dass dem den der des die dies diese dieser dieses "
    "doch durch ein eine einem einen einer eines für gibt hat habe haben hier ich ihr ihre im in ist "
    "jetzt kann können mit nach nicht noch nur oder sehr sich sie sind soll sollen uns und unser "
    "unsere vom von vor war was wie wir wird wollen zum zur zu über the and for with"
)
_STOP_WORDS = frozenset(fold(word) for word in _STOP_WORDS_TEXT.split())
# How close the title of a past exchange must come to a part of the text (pg_trgm word_similarity).
SIMILAR_TITLE_THRESHOLD = 0.5


def meaningful_words(text: str) -> list[str]:
    """The words of ``text`` a search for similar exchanges looks at, in order, each once."""
    seen: dict[str, str] = {}
    for word in _SIMILAR_WORD.findall(text or ""):
        key = fold(word.lower())
        if key not in _STOP_WORDS and key not in seen:
            seen[key] = word
    return list(seen.values())[:SIMILAR_MAX_WORDS]


@dataclass(frozen=True)
class SimilarExchange:
    """What the panel shows of a completed exchange: only what the viewer may read."""

    pk: int
    reference: str
    title: str
    cities: list[str]
    worked: str
    experts: list[str]
    url: str  # the request page where the viewer may open it, else the knowledge base


def similar_exchanges(
    *, text: str, viewer: User, exclude_request_id: int | None = None, limit: int = 5
) -> list[SimilarExchange]:
    """Up to ``limit`` completed exchanges like ``text``, most similar first, as ``viewer`` may see them.

    An exchange is a candidate when the viewer may read one of its reflections (the knowledge base's
    public ones; internal ones only for the coordination side and their authors, ``visible_reflections``)
    or may open the request itself. It matches by the German full text of those reflections (the
    knowledge base's GIN-indexed vector, which holds the request's title too), any of the words, ranked
    by ts_rank; and by the trigram similarity of its title to a part of the text, which forgives other
    word forms and typing errors. Internal texts the viewer may not read never match nor rank, so the
    list does not betray them. Three queries, whatever is found.
    """
    words = meaningful_words(text)
    if len(words) < SIMILAR_MIN_WORDS or not viewer.is_authenticated:
        return []
    seen = Reflection.objects.filter(visible_reflections_q(viewer))
    candidates = ExchangeRequest.objects.filter(status=Status.COMPLETED).filter(
        Exists(seen.filter(request_id=OuterRef("pk")))
        | Q(pk__in=ExchangeRequest.objects.visible_to(viewer).values("pk"))
    )
    if exclude_request_id is not None:
        candidates = candidates.exclude(pk=exclude_request_id)
    if connection.vendor == "postgresql":
        query = reduce(operator.or_, (SearchQuery(word, config="german") for word in words))
        rank = (
            seen.filter(request_id=OuterRef("pk"), search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank")
            .values("rank")[:1]
        )
        candidates = (
            candidates.annotate(
                text_rank=Coalesce(Subquery(rank, output_field=FloatField()), Value(0.0)),
                title_similarity=TrigramWordSimilarity(F("title"), Value(" ".join(words))),
            )
            .filter(Q(text_rank__gt=0) | Q(title_similarity__gte=SIMILAR_TITLE_THRESHOLD))
            .alias(score=F("text_rank") + F("title_similarity"))
            .order_by("-score", "-status_changed_at", "-pk")
        )
    else:
        stems = stem_prefixes(" ".join(words))[:SIMILAR_MAX_WORDS]
        match = Q(pk__in=[])
        for word in stems:
            in_texts = Q(request__title__icontains=word)
            for name in REFLECTION_TEXT_FIELDS:
                in_texts |= Q(**{f"{name}__icontains": word})
            match |= Q(title__icontains=word) | Exists(seen.filter(in_texts, request_id=OuterRef("pk")))
        candidates = candidates.filter(match).order_by("-status_changed_at", "-pk")
    exchanges = list(
        candidates.annotate(
            may_open=Exists(ExchangeRequest.objects.visible_to(viewer).filter(pk=OuterRef("pk")))
        )
        .select_related("requester_city")
        .prefetch_related(
            Prefetch(
                "reflections", queryset=Reflection.objects.defer("search_vector").order_by("-side", "pk")
            ),
            Prefetch(
                "invitations",
                queryset=Invitation.objects.filter(status=InvitationStatus.ACCEPTED)
                .select_related("expert__user__home_city")
                .order_by("expert__user__display_name", "pk"),
                to_attr="accepted_invitations",
            ),
        )[:limit]
    )
    results = []
    for exchange in exchanges:
        readable = visible_reflections(viewer, exchange, exchange.reflections.all())
        worked = next((r.worked for r in readable if r.worked.strip()), "")
        experts = [invitation.expert.user for invitation in exchange.accepted_invitations]
        cities = [exchange.requester_city.name]
        for expert in experts:
            if expert.home_city is not None and expert.home_city.name not in cities:
                cities.append(expert.home_city.name)
        url = (
            exchange.get_absolute_url()
            if exchange.may_open
            else f"{reverse('exchanges:knowledge_base')}?{urlencode({'q': exchange.title})}"
        )
        results.append(
            SimilarExchange(
                pk=exchange.pk,
                reference=exchange.reference,
                title=exchange.title,
                cities=cities,
                worked=Truncator(worked).chars(SIMILAR_WORKED_CHARS),
                experts=[expert.display_name for expert in experts],
                url=url,
            )
        )
    return results
