"""How well topic suggestion and routing find the right fields, measured on the labelled set (issue 23).

``routing_quality`` (the management command) prints the figures docs/routing.md reports. It needs the
demo directory (topics, departments, their vocabulary) in the database and changes nothing: the
requests it routes are written inside a transaction that is rolled back.

- **Topic suggestion**: top-1 — the first suggested topic is one of the case's right topic areas; top-3
  — one of the first three is.
- **Routing**: the departments ranked by ``score_departments`` (the definition ``routing_plan`` is
  tested against); a department is right when it works on one of the case's right topic areas. Top-1 —
  the best department is right; top-3 — one of the best three is. Measured three ways: the text alone
  (no topic chosen), with the topic the suggestion offers first (a requester who takes it), and with
  the right topics chosen. And a fourth way: the text alone with a model learnt (leave-one-out) from
  all the other cases, each taken as routed to the partner cities' departments of its right topics.
- **Learning** (``measure_learning``): leave-one-out over the history in the database (the demo's or the
  load data's completed exchanges): for each completed exchange, the model is trained on every other
  example and the exchange is routed again, with its own topics and by its text alone, once by the
  rules only and once with what was learnt. A hit: a department it was finally routed to ranks first
  (top-1) or among the first three (top-3).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cities.directory.german_words import content_stems
from cities.directory.models import City, Department, Topic, User
from cities.directory.suggestions import topic_suggestions
from exchanges.cycle.models import ExchangeRequest, RoutingModel, Status
from exchanges.cycle.services.routing import score_departments
from exchanges.cycle.services.routing_learning import _train, training_examples
from koopstadt.development.routing_cases import CASES, RoutingCase


@dataclass
class HitRate:
    name: str
    top1: int = 0
    top3: int = 0
    total: int = 0

    def count(self, ranked_right: list[bool]) -> None:
        self.total += 1
        self.top1 += bool(ranked_right[:1] and ranked_right[0])
        self.top3 += any(ranked_right[:3])

    def line(self) -> str:
        if not self.total:
            return f"{self.name:<44} –"
        return (
            f"{self.name:<44} top-1 {100 * self.top1 / self.total:5.1f} %   "
            f"top-3 {100 * self.top3 / self.total:5.1f} %   ({self.total} requests)"
        )


class _Rollback(Exception):
    pass


def _requesters() -> dict[str, User]:
    """One person per city to stand as the requester (the routing reads the requester's city)."""
    people = {}
    for city in City.objects.filter(is_network_member=True):
        person = User.objects.filter(home_city=city, is_active=True).order_by("pk").first()
        if person is not None:
            people[city.slug] = person
    return people


def _route(case: RoutingCase, requester: User, topics: Iterable[Topic]) -> list[Department]:
    request = ExchangeRequest.objects.create(
        requester=requester,
        requester_city=requester.home_city,
        requester_department=requester.department,
        title=case.title,
        need=case.need,
    )
    request.topics.set(list(topics))
    return [score.department for score in score_departments(request)]


def measure(cases: Iterable[RoutingCase] = CASES) -> list[HitRate]:
    """The hit rates of the labelled set against the vocabulary in the database."""
    cases = list(cases)
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    unknown = sorted({slug for case in cases for slug in case.topics} - set(topics))
    if unknown:
        raise ValueError(f"The database lacks the topics {', '.join(unknown)}: load the demo first.")
    department_topics = {
        department.pk: {topic.slug for topic in department.topics.all()}
        for department in Department.objects.prefetch_related("topics")
    }
    suggestion = HitRate("Topic suggestion")
    text_only = HitRate("Routing, text only")
    suggested = HitRate("Routing, with the first suggested topic")
    chosen = HitRate("Routing, with the right topics chosen")
    learned = HitRate("Routing, text only, learnt from other cases")
    requesters = _requesters()
    try:
        with transaction.atomic():
            RoutingModel.objects.all().delete()  # the rules alone first
            for case in cases:
                right = set(case.topics)
                suggested_topics = [s.topic for s in topic_suggestions(f"{case.title} {case.need}")]
                suggestion.count([topic.slug in right for topic in suggested_topics])
                requester = requesters.get(case.requester_city)
                if requester is None:
                    continue
                for rate, case_topics in (
                    (text_only, []),
                    (suggested, suggested_topics[:1]),
                    (chosen, [topics[slug] for slug in case.topics]),
                ):
                    ranked = _route(case, requester, case_topics)
                    rate.count([bool(department_topics[d.pk] & right) for d in ranked])
            _leave_one_out(cases, requesters, department_topics, learned)
            raise _Rollback
    except _Rollback:
        pass
    return [suggestion, text_only, suggested, chosen, learned]


def _leave_one_out(cases, requesters, department_topics, rate: HitRate) -> None:
    """Each case routed by its text alone with a model learnt from all the *other* cases, as if each had
    been routed to every partner city's department working on its right topics (what a coordinator's
    corrections would have taught): does what was learnt from similar wording help a new request?"""
    cities = {department.pk: department.city.slug for department in Department.objects.select_related("city")}
    examples = []
    for number, case in enumerate(cases):
        stems = content_stems(f"{case.title} {case.need}")
        for pk, slugs in department_topics.items():
            if slugs & set(case.topics) and cities[pk] != case.requester_city:
                examples.append((pk, f"SET-{number}", stems))
    for number, case in enumerate(cases):
        requester = requesters.get(case.requester_city)
        if requester is None:
            continue
        others = [example for example in examples if example[1] != f"SET-{number}"]
        model = None
        if others:  # nothing is learnt from nothing
            model = RoutingModel.objects.create(
                trained_at=timezone.now(), example_count=len(others), data=_train(others)
            )
        ranked = _route(case, requester, [])
        rate.count([bool(department_topics[d.pk] & set(case.topics)) for d in ranked])
        if model is not None:
            model.delete()


def measure_learning(limit: int = 400) -> list[HitRate]:
    """Leave-one-out over (at most ``limit``) completed exchanges: routing with and without learning."""
    examples = training_examples()
    routed_to: dict[str, set[int]] = {}
    for department_id, reference, _stems in examples:
        routed_to.setdefault(reference, set()).add(department_id)
    requests = list(
        ExchangeRequest.objects.filter(status=Status.COMPLETED, reference__in=list(routed_to))
        .order_by("-pk")
        .only("pk", "reference")[:limit]
    )
    rates = {
        (learning, topics): HitRate(
            f"Routing, {'rules + learning' if learning else 'rules only'}, "
            f"{'own topics' if topics else 'text only'}"
        )
        for topics in (True, False)
        for learning in (False, True)
    }
    try:
        with transaction.atomic():
            RoutingModel.objects.all().delete()
            for with_topics in (True, False):
                if not with_topics:
                    ExchangeRequest.topics.through.objects.filter(
                        exchangerequest_id__in=[r.pk for r in requests]
                    ).delete()
                for request in requests:
                    right = routed_to[request.reference]
                    fresh = ExchangeRequest.objects.get(pk=request.pk)
                    ranked = [score.department.pk for score in score_departments(fresh)]
                    rates[(False, with_topics)].count([pk in right for pk in ranked])
                    others = [example for example in examples if example[1] != request.reference]
                    model = None
                    if others:  # nothing is learnt from nothing
                        model = RoutingModel.objects.create(
                            trained_at=timezone.now(), example_count=len(others), data=_train(others)
                        )
                    ranked = [score.department.pk for score in score_departments(fresh)]
                    rates[(True, with_topics)].count([pk in right for pk in ranked])
                    if model is not None:
                        model.delete()
            raise _Rollback
    except _Rollback:
        pass
    return list(rates.values())
