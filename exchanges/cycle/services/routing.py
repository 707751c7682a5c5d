"""Route an accepted request to the best departments of the partner cities, with the reasons why."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Count,
    F,
    Prefetch,
    Q,
    Value,
)
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _
from django.utils.translation import override

from cities.directory.german_words import matched_word, stems, term_in
from cities.directory.models import Department, DepartmentKeyword, Topic, TopicKeyword, User
from cities.directory.rules import is_coordinator
from cities.directory.selectors import vocabulary_stems
from cities.directory.services.keywords import department_keyword_add, department_keyword_check
from exchanges.cycle.models import CLOSED_STATUSES, ExchangeRequest, RoutingDecision, Status, TimelineEntry
from exchanges.cycle.rules import may_correct_routing
from exchanges.cycle.services.notifying import coordinators_for, notify_liaisons
from exchanges.cycle.services.requests import request_transition
from exchanges.cycle.services.routing_learning import (
    Learned,
    active_routing_model,
    eligible_departments,
    learned_evidence,
)
from exchanges.notifications.services import notify
from koopstadt.errors import DomainError, NotPermitted, TransitionNotAllowed

TOPIC_POINTS = 10
DEPARTMENT_KEYWORD_POINTS = 6
TOPIC_KEYWORD_POINTS = 4
MAX_ROUTED_PER_CITY = 2


@dataclass
class Score:
    department: Department
    points: int = 0
    reasons: list[str] = field(default_factory=list)

    counted: set[str] = field(default_factory=set)
    # What breaks a tie of equal points (``_key``): open exchanges now, completed ones in the past.
    open_exchanges: int = 0
    past_routings: int = 0

    def add(self, points: int, reason: str, key: str = "") -> None:
        """Count ``points`` once per ``key`` (default: the reason): a term that is both a department's and
        its topic's keyword counts once, as the department's."""
        key = key or reason
        if key not in self.counted:
            self.counted.add(key)
            self.points += points
            self.reasons.append(reason)


def candidate_departments(request: ExchangeRequest):
    """Departments of the partner cities the request may go to (not its own city unless asked)."""
    departments = Department.objects.active().filter(city__is_network_member=True)
    partner_ids = [city.pk for city in request.preferred_partner_cities.all()]
    if partner_ids:
        city_ids = set(partner_ids) | ({request.requester_city_id} if request.include_own_city else set())
        departments = departments.filter(city_id__in=city_ids)
    elif not request.include_own_city:
        departments = departments.exclude(city_id=request.requester_city_id)
    return departments.select_related("city").prefetch_related(
        "keywords", Prefetch("topics__keywords", queryset=TopicKeyword.objects.order_by("term"))
    )


@dataclass
class RoutingInput:
    """What scoring a request needs besides the departments, read once per routing (a fixed number of
    queries): its topics, its text, the vocabulary and what routing learnt."""

    request: ExchangeRequest
    topic_ids: set[int]
    text: str
    text_stems: list[str]
    known: frozenset[str]
    learned: dict[int, Learned]


def routing_input(request: ExchangeRequest) -> RoutingInput:
    text = f"{request.title} {request.need}"
    model = active_routing_model()
    eligible = eligible_departments(model)
    learned = {}
    if model is not None and eligible:
        # Only departments the request may go to: never one outside the allowed cities.
        allowed = set(
            candidate_departments(request)
            .prefetch_related(None)
            .filter(pk__in=eligible)
            .values_list("pk", flat=True)
        )
        learned = learned_evidence(model, allowed, text)
    return RoutingInput(
        request=request,
        topic_ids={topic.pk for topic in request.topics.all()},
        text=text,
        text_stems=stems(text),
        known=vocabulary_stems(),
        learned=learned,
    )


def _topic_term_points(given: RoutingInput) -> dict[int, int]:
    """Per topic, the points its name and keywords earn in this text (the vocabulary is small)."""
    points = {}
    for topic in Topic.objects.prefetch_related("keywords"):
        terms = {
            term
            for term in [topic.name, *(k.term for k in topic.keywords.all())]
            if term_in(term, given.text_stems, given.known)
        }
        if terms:
            points[topic.pk] = TOPIC_KEYWORD_POINTS * len(terms)
    return points


def _score(department: Department, given: RoutingInput) -> Score:
    """The points and reasons of one department (its topics, keywords and topics' keywords prefetched).
    Each reason names what earned it and its points; a keyword also the word of the text it was found in."""
    score = Score(department)
    for topic in department.topics.all():
        if topic.pk in given.topic_ids:
            score.add(
                TOPIC_POINTS,
                _("Topic %(topic)s: +%(points)d") % {"topic": topic.name, "points": TOPIC_POINTS},
                key=f"topic:{topic.pk}",
            )
    terms = [(keyword.term, DEPARTMENT_KEYWORD_POINTS) for keyword in department.keywords.all()]
    for topic in department.topics.all():
        terms += [
            (term, TOPIC_KEYWORD_POINTS) for term in [topic.name, *(k.term for k in topic.keywords.all())]
        ]
    for term, points in terms:
        if term_in(term, given.text_stems, given.known):
            score.add(
                points,
                _("Keyword '%(term)s' (in the text: '%(word)s'): +%(points)d")
                % {
                    "term": term,
                    "word": matched_word(term, given.text, given.known) or term,
                    "points": points,
                },
                key=f"term:{term.casefold()}",
            )
    learned = given.learned.get(department.pk)
    if learned is not None:
        score.add(
            learned.points,
            _("learned from earlier routings (%(references)s): +%(points)d")
            % {"references": ", ".join(learned.references), "points": learned.points},
            key="learned",
        )
    return score


def _tie_figures(department_ids: list[int], request: ExchangeRequest) -> dict[int, tuple[int, int]]:
    """What breaks ties (``_key``), in one aggregate query: per department the open exchanges routed to it
    now and the completed exchanges it was routed to (this request aside)."""
    if not department_ids:
        return {}
    return {
        row["department_id"]: (row["open_exchanges"], row["past_routings"])
        for row in RoutingDecision.objects.filter(department_id__in=department_ids, is_routed=True)
        .exclude(request_id=request.pk)
        .order_by()
        .values("department_id")
        .annotate(
            open_exchanges=Count("pk", filter=~Q(request__status__in=CLOSED_STATUSES)),
            past_routings=Count("pk", filter=Q(request__status=Status.COMPLETED)),
        )
    }


def _with_tie_figures(
    scores: list[Score], request: ExchangeRequest, figures: dict[int, tuple[int, int]] | None = None
) -> list[Score]:
    """Fill in the tie figures of ``scores`` (read in one query unless ``figures`` are given)."""
    if figures is None:
        figures = _tie_figures([score.department.pk for score in scores], request)
    for score in scores:
        score.open_exchanges, score.past_routings = figures.get(score.department.pk, (0, 0))
    return scores


def _key(score: Score) -> tuple:
    """Best first. Equal points: the department with fewer open exchanges first (it has time), then the
    one with more completed exchanges (it has shown it fits), then city and department name (code-point
    order) and id, so that the order is always the same."""
    return (
        -score.points,
        score.open_exchanges,
        -score.past_routings,
        score.department.city.name,
        score.department.name,
        score.department.pk,
    )


def _sort(scores: list[Score]) -> list[Score]:
    return sorted(scores, key=_key)


def score_departments(request: ExchangeRequest) -> list[Score]:
    """Score every department the request may go to; pure reading, nothing is stored.

    Routing itself uses ``routing_plan``, which scores only what can change its result; this is the
    plain definition the tests compare it with.
    """
    with override("de"):  # reasons are stored once, in German, the network's language
        given = routing_input(request)
        scores = [_score(department, given) for department in candidate_departments(request)]
        return _sort(_with_tie_figures([score for score in scores if score.points], request))


def _upper_bounds(given: RoutingInput) -> list[tuple[int, int, str, str, int]]:
    """(department id, most points it can have, city name, name, city id), best first, from the database.

    The bound counts every matching topic and keyword without ``Score.add``'s merging of equal
    reasons, and the learnt points, so it is never below the real points. Keyword terms are matched
    exactly: the database offers the terms whose longest stem occurs in the text, Python checks each
    distinct term once.
    """
    request = given.request
    request_topic_ids = given.topic_ids
    topic_points = _topic_term_points(given)
    # Plain indexed reads instead of correlated subqueries per department (at scale 5 a request without
    # preferred cities has 1,500 candidates): the topic links and keyword hits of the departments the
    # request may go to, added up here, then the names for the order.
    allowed = candidate_departments(request).prefetch_related(None).order_by().values("pk")
    bounds: dict[int, int] = {}
    names: dict[int, tuple[str, str, int]] = {}
    relevant_topics = request_topic_ids | set(topic_points)
    if relevant_topics:
        links = Department.topics.through.objects.filter(
            topic_id__in=relevant_topics, department_id__in=allowed
        ).values_list(
            "department_id", "topic_id", "department__city__name", "department__name", "department__city_id"
        )
        for department_id, topic_id, city_name, name, city_id in links:
            points = (TOPIC_POINTS if topic_id in request_topic_ids else 0) + topic_points.get(topic_id, 0)
            bounds[department_id] = bounds.get(department_id, 0) + points
            names[department_id] = (city_name, name, city_id)
    # The database offers the keywords whose longest stem occurs in the text (a leading compound part
    # as well: it is a substring of the word's stem); Python checks each distinct term once, exactly
    # as ``_score`` does.
    offered = (
        DepartmentKeyword.objects.filter(match_stem__gt="", department_id__in=allowed)
        .filter(GreaterThan(StrIndex(Value(" ".join(given.text_stems)), F("match_stem")), 0))
        .values_list("department_id", "term")
    )
    matches: dict[str, bool] = {}
    for department_id, term in offered:
        if term not in matches:
            matches[term] = term_in(term, given.text_stems, given.known)
        if matches[term]:
            bounds[department_id] = bounds.get(department_id, 0) + DEPARTMENT_KEYWORD_POINTS
    # The learnt points are exact and only ever for allowed departments (``routing_input``).
    for department_id, learned in given.learned.items():
        bounds[department_id] = bounds.get(department_id, 0) + learned.points
    missing = [pk for pk in bounds if pk not in names]  # keyword hits and learnt points only: few
    if missing:
        for pk, city_name, name, city_id in Department.objects.filter(pk__in=missing).values_list(
            "pk", "city__name", "name", "city_id"
        ):
            names[pk] = (city_name, name, city_id)
    rows = [(pk, bound, *names[pk]) for pk, bound in bounds.items() if bound > 0]
    rows.sort(key=lambda row: (-row[1], row[2], row[3], row[0]))
    return rows


@dataclass
class RoutingPlan:
    ranked: list[tuple[int, Score]]  # (rank among all scored departments, score) of those to store
    routed: set[int]  # department ids whose liaisons are told


def _plan(scores: list[Score]) -> tuple[set[int], list[Score], int]:
    """From scores sorted best first: the routed departments, the runners-up, the number of cities."""
    best_per_city: dict[int, list[Score]] = {}
    for score in scores:
        city_best = best_per_city.setdefault(score.department.city_id, [])
        if len(city_best) < MAX_ROUTED_PER_CITY and (not city_best or city_best[0].points == score.points):
            city_best.append(score)
    # The best cities first (dicts keep the order in which the sorted scores met each city).
    routed_cities = list(best_per_city)[: settings.ROUTING_MAX_CITIES]
    routed = {score.department.pk for city in routed_cities for score in best_per_city[city]}
    runners_up = [score for score in scores if score.department.pk not in routed][
        : settings.ROUTING_KEPT_RUNNERS_UP
    ]
    return routed, runners_up, len(best_per_city)


def _row_key(row: tuple, figures: dict[int, tuple[int, int]]) -> tuple:
    """``_key`` of a department still waiting, with its bound for its points: never after its real key."""
    pk, bound, city_name, name, _city_id = row
    open_exchanges, past_routings = figures.get(pk, (0, 0))
    return (-bound, open_exchanges, -past_routings, city_name, name, pk)


def _second_may_wait(routed: set[int], settled: list[Score], waiting: list[tuple]) -> bool:
    """Whether a department still waiting could become a routed city's second routed department: its
    city has one routed department so far and the waiting one's bound reaches that one's points."""
    by_city: dict[int, list[Score]] = {}
    for score in settled:
        if score.department.pk in routed:
            by_city.setdefault(score.department.city_id, []).append(score)
    open_cities = {
        city_id: scores[0].points for city_id, scores in by_city.items() if len(scores) < MAX_ROUTED_PER_CITY
    }
    return any(row[4] in open_cities and row[1] >= open_cities[row[4]] for row in waiting)


def routing_plan(request: ExchangeRequest, *, batch: int = 40) -> RoutingPlan:
    """Which departments to route to and which decisions to store, scoring as few as possible.

    Departments are scored (with reasons, in Python) in the order of their upper bound from the
    database and their tie figures (read for all of them in one query, ``_tie_figures``): the order of
    ``_key`` with the bound for the points. What is scored before the first department still waiting
    in that order is final — a waiting department's real key is never before its row's. Once that
    prefix fills the plan – the best departments of ``ROUTING_MAX_CITIES`` cities and
    ``ROUTING_KEPT_RUNNERS_UP`` more – and no waiting department could be a routed city's second (equal
    points), the rest is never loaded. So departments tied on their bound (a topic keyword gives its
    points to every department of the topic) are settled by their figures instead of all being scored.
    The result is the same as scoring every department (tests/performance/test_routing_prefilter.py).
    """
    with override("de"):
        given = routing_input(request)
        bounds = _upper_bounds(given)
        figures = _tie_figures([row[0] for row in bounds], request)
        bounds.sort(key=lambda row: _row_key(row, figures))
        scored: list[Score] = []
        position = 0
        while True:
            ids = [row[0] for row in bounds[position : position + batch]]
            position += len(ids)
            if ids:
                departments = (
                    Department.objects.filter(pk__in=ids)
                    .select_related("city")
                    .prefetch_related(
                        "keywords",
                        Prefetch("topics__keywords", queryset=TopicKeyword.objects.order_by("term")),
                    )
                )
                scored += _with_tie_figures(
                    [score for d in departments if (score := _score(d, given)).points], request, figures
                )
            ordered = _sort(scored)
            if position < len(bounds):
                first_waiting = _row_key(bounds[position], figures)
                settled = [score for score in ordered if _key(score) < first_waiting]
            else:
                settled = ordered
            routed, runners_up, cities = _plan(settled)
            complete = (
                cities >= settings.ROUTING_MAX_CITIES
                and len(runners_up) >= settings.ROUTING_KEPT_RUNNERS_UP
                and not _second_may_wait(routed, settled, bounds[position:])
            )
            if complete or position >= len(bounds):
                break
    kept = routed | {score.department.pk for score in runners_up}
    return RoutingPlan(
        ranked=[(rank, score) for rank, score in enumerate(settled, start=1) if score.department.pk in kept],
        routed=routed,
    )


def _no_department_note() -> str:
    # Stored once in the network's language, like the routing reasons.
    with override("de"):
        return _("No fitting department was found; please complete the routing by hand.")


def request_route(*, request_id: int) -> bool:
    """Route a request in ``routing`` and move it to ``matching``. Returns whether this call routed it.

    Idempotent: a request that is no longer in ``routing`` or already has decisions is left alone,
    so a second run (a retry, a redelivered message, the sweeper) changes nothing and sends nothing.
    """

    with transaction.atomic():
        request = (
            ExchangeRequest.objects.select_for_update()
            .filter(pk=request_id)
            .prefetch_related("topics", "preferred_partner_cities")
            .first()
        )
        if request is None or request.status != Status.ROUTING or request.routing_decisions.exists():
            return False
        plan = routing_plan(request)
        routed = plan.routed
        RoutingDecision.objects.bulk_create(
            RoutingDecision(
                request=request,
                department=score.department,
                score=score.points,
                rank=rank,
                reasons=score.reasons,
                is_routed=score.department.pk in routed,
                open_exchanges=score.open_exchanges,
                past_routings=score.past_routings,
            )
            for rank, score in plan.ranked
        )
        if not routed:
            TimelineEntry.objects.create(
                request=request,
                actor=None,
                action="routing_failed",
                from_status=request.status,
                to_status=request.status,
                is_public=False,
                comment=_no_department_note(),
            )
            notify(
                key=f"routing-failed:{request.pk}",
                recipients=coordinators_for(request),
                template="routing_failed",
                request=request,
                context={},
            )
            return True
        # The liaisons hear of it through the "start_matching" timeline entry's notification task
        # (exchanges.cycle.services.notifying.notify_timeline_entry): the outbox makes sure they do,
        # and the routing itself stays short.
        request_transition(
            request_id=request.pk, action="start_matching", actor=None, expected_status=Status.ROUTING
        )
    return True


def routing_check_allowed(*, actor: User, request: ExchangeRequest) -> None:
    """Refuse, with the reason, what ``exchanges.cycle.rules.may_correct_routing`` does not allow."""
    if may_correct_routing(actor, request):
        return
    if not is_coordinator(actor):
        raise NotPermitted(_("Only coordinators correct the routing."))
    raise TransitionNotAllowed(_("The routing can only be corrected while experts are being looked for."))


@transaction.atomic
def routing_correct(
    *,
    request: ExchangeRequest,
    department: Department,
    routed: bool,
    note: str,
    actor: User,
    term: str = "",
) -> RoutingDecision:
    """A coordinator adds or removes a department; recorded with the note in the (internal) timeline.

    With a ``term`` (only when adding), the department's keywords gain it: routing counts it for this
    department from now on ("diesen Begriff künftig für dieses Fachressort werten").
    """

    request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
    routing_check_allowed(actor=actor, request=request)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Please say why you correct the routing."), field="note")
    term = (term or "").strip()
    if term:
        if not routed:
            raise DomainError(
                _("A term can only be added together with a department that is routed."), field="term"
            )
        term = department_keyword_check(department=department, term=term)
    decision, _created = RoutingDecision.objects.get_or_create(
        request=request,
        department=department,
        defaults={"score": 0, "rank": request.routing_decisions.count() + 1, "reasons": []},
    )
    if decision.is_routed == routed:
        raise DomainError(_("Nothing to change: the department is already so."))
    decision.is_routed = routed
    decision.source = RoutingDecision.Source.MANUAL
    decision.note = note
    decision.save(update_fields=["is_routed", "source", "note", "updated_at"])
    TimelineEntry.objects.create(
        request=request,
        actor=actor,
        action="routing_added" if routed else "routing_removed",
        from_status=request.status,
        to_status=request.status,
        comment=f"{department}: {note}",
        is_public=False,
    )
    if term:
        department_keyword_add(department=department, term=term)
        TimelineEntry.objects.create(
            request=request,
            actor=actor,
            action="routing_term_added",
            from_status=request.status,
            to_status=request.status,
            comment=f"{department}: {term}",
            is_public=False,
        )
    if routed:
        if request.status == Status.ROUTING:
            # Its start_matching entry tells the liaisons of every routed department, this one included.
            request_transition(
                request_id=request.pk, action="start_matching", actor=actor, expected_status=Status.ROUTING
            )
        else:
            notify_liaisons(request, [department])
    return decision
