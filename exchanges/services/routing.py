"""Route an accepted request to the best departments of the partner cities, with the reasons why."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext as _
from django.utils.translation import override

from cities.models import Department, DepartmentKeyword, Topic, TopicKeyword, User
from exchanges.errors import DomainError, TransitionNotAllowed
from exchanges.models import ExchangeRequest, RoutingDecision, Status, TimelineEntry
from exchanges.services.german_words import stems, term_in
from exchanges.services.notifications import notify

TOPIC_POINTS = 10
DEPARTMENT_KEYWORD_POINTS = 6
TOPIC_KEYWORD_POINTS = 4
MAX_ROUTED_PER_CITY = 2


@dataclass
class Score:
    department: Department
    points: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, points: int, reason: str) -> None:
        if reason not in self.reasons:
            self.points += points
            self.reasons.append(reason)


def candidate_departments(request: ExchangeRequest, text_stems: list[str] | None = None):  # type: ignore[no-untyped-def]
    """Departments of the partner cities the request may go to (not its own city unless asked).

    With ``text_stems`` only those that can score at all: one of their topics is the request's or is
    named in its text, or the longest stem of one of their keywords occurs in the text. This is the
    necessary condition of every rule in ``score_departments``, asked of the database, so routing
    reads a handful of departments, not the network's thousands (docs/performance.md).
    """
    departments = Department.objects.active().filter(city__is_network_member=True)
    partner_ids = [city.pk for city in request.preferred_partner_cities.all()]
    if partner_ids:
        city_ids = set(partner_ids) | ({request.requester_city_id} if request.include_own_city else set())
        departments = departments.filter(city_id__in=city_ids)
    elif not request.include_own_city:
        departments = departments.exclude(city_id=request.requester_city_id)
    if text_stems is not None:
        topic_ids = {topic.pk for topic in request.topics.all()} | _topics_named_in(text_stems)
        department_topics = Department.topics.through.objects.filter(
            department_id=OuterRef("pk"), topic_id__in=topic_ids
        )
        keywords = DepartmentKeyword.objects.filter(department_id=OuterRef("pk"), match_stem__gt="").filter(
            GreaterThan(StrIndex(Value(" ".join(text_stems)), F("match_stem")), 0)
        )
        departments = departments.filter(Exists(department_topics) | Exists(keywords))
    return departments.select_related("city").prefetch_related(
        "keywords", Prefetch("topics__keywords", queryset=TopicKeyword.objects.order_by("term"))
    )


def _topics_named_in(text_stems: list[str]) -> set[int]:
    """Topics whose name or one of whose keywords occurs in the text (the vocabulary is small)."""
    named = set()
    for topic in Topic.objects.prefetch_related("keywords"):
        if any(term_in(term, text_stems) for term in [topic.name, *(k.term for k in topic.keywords.all())]):
            named.add(topic.pk)
    return named


def score_departments(request: ExchangeRequest, *, prefilter: bool = True) -> list[Score]:
    """Score every candidate department; pure reading, nothing is stored.

    ``prefilter=False`` scores every department the request may go to (the tests compare both).
    """
    with override("de"):  # reasons are stored once, in German, the network's language
        request_topic_ids = {topic.pk for topic in request.topics.all()}
        text_stems = stems(f"{request.title} {request.need}")
        scores = []
        for department in candidate_departments(request, text_stems if prefilter else None):
            score = Score(department)
            for topic in department.topics.all():
                if topic.pk in request_topic_ids:
                    score.add(TOPIC_POINTS, _("Topic %(topic)s") % {"topic": topic.name})
            for keyword in department.keywords.all():
                if term_in(keyword.term, text_stems):
                    score.add(DEPARTMENT_KEYWORD_POINTS, _("Keyword '%(term)s'") % {"term": keyword.term})
            for topic in department.topics.all():
                for term in [topic.name, *(keyword.term for keyword in topic.keywords.all())]:
                    if term_in(term, text_stems):
                        score.add(TOPIC_KEYWORD_POINTS, _("Keyword '%(term)s'") % {"term": term})
            if score.points:
                scores.append(score)
    scores.sort(key=lambda s: (-s.points, s.department.city.name, s.department.name))
    return scores


def _no_department_note() -> str:
    # Stored once in the network's language, like the routing reasons.
    with override("de"):
        return _("No fitting department was found; please complete the routing by hand.")


def _notify_liaisons(request: ExchangeRequest, departments: list[Department]) -> None:
    for department in departments:
        notify(
            key=f"routed:{request.pk}:{department.pk}",
            recipients=User.objects.liaisons_of(department.pk),
            template="routed",
            request=request,
            context={"department": department},
        )


def request_route(*, request_id: int) -> bool:
    """Route a request in ``routing`` and move it to ``matching``. Returns whether this call routed it.

    Idempotent: a request that is no longer in ``routing`` or already has decisions is left alone,
    so a second run (a retry, a redelivered message, the sweeper) changes nothing and sends nothing.
    """
    from exchanges.services.requests import request_transition

    with transaction.atomic():
        request = ExchangeRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None or request.status != Status.ROUTING or request.routing_decisions.exists():
            return False
        scores = score_departments(request)
        best_per_city: dict[int, list[Score]] = {}
        for score in scores:
            city_best = best_per_city.setdefault(score.department.city_id, [])
            if len(city_best) < MAX_ROUTED_PER_CITY and (
                not city_best or city_best[0].points == score.points
            ):
                city_best.append(score)
        # The best cities first (dicts keep the order in which the sorted scores met each city).
        routed_cities = list(best_per_city)[: settings.ROUTING_MAX_CITIES]
        routed = {score.department.pk for city in routed_cities for score in best_per_city[city]}
        runners_up = [score for score in scores if score.department.pk not in routed][
            : settings.ROUTING_KEPT_RUNNERS_UP
        ]
        kept = {score.department.pk for score in runners_up} | routed
        RoutingDecision.objects.bulk_create(
            RoutingDecision(
                request=request,
                department=score.department,
                score=score.points,
                rank=rank,
                reasons=score.reasons,
                is_routed=score.department.pk in routed,
            )
            for rank, score in enumerate(scores, start=1)
            if score.department.pk in kept
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
            from exchanges.services.notifications import coordinators_for

            notify(
                key=f"routing-failed:{request.pk}",
                recipients=coordinators_for(request),
                template="routing_failed",
                request=request,
                context={},
            )
            return True
        _notify_liaisons(request, [s.department for s in scores if s.department.pk in routed])
        request_transition(
            request_id=request.pk, action="start_matching", actor=None, expected_status=Status.ROUTING
        )
    return True


@transaction.atomic
def routing_correct(
    *, request: ExchangeRequest, department: Department, routed: bool, note: str, actor: User
) -> RoutingDecision:
    """A coordinator adds or removes a department; recorded with the note in the (internal) timeline."""
    from cities.roles import Role
    from exchanges.services.requests import request_transition

    if not (actor.is_superuser or actor.has_role(Role.COORDINATOR)):
        raise TransitionNotAllowed(_("Only coordinators correct the routing."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Please say why you correct the routing."), field="note")
    request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in {Status.ROUTING, Status.MATCHING}:
        raise TransitionNotAllowed(_("The routing can only be corrected while experts are being looked for."))
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
    if routed:
        _notify_liaisons(request, [department])
        if request.status == Status.ROUTING:
            request_transition(
                request_id=request.pk, action="start_matching", actor=actor, expected_status=Status.ROUTING
            )
    return decision
