"""Routing that learns from earlier routings: a small, explainable naive Bayes model.

**Examples.** A request taught a department when the department was routed on a completed exchange
(the final routing, after every correction) or when a coordinator added it by hand. A department a
coordinator removed is routed no longer, so it is no example: the removal counts against it by leaving
it out. Each example is the request's title and need as content stems (``german_words.content_stems``).

**Model.** Multinomial naive Bayes, one class per department: its share of all examples (prior) and,
per stem, how often the stem occurs in its examples (Laplace smoothing). Stems no example ever used
carry no evidence and are skipped. Trained by ``manage.py routing_learn`` and nightly by celery beat;
kept in the database (``RoutingModel``, only the latest row), so routing reads it in one query.

**Use.** With fewer than ``ROUTING_LEARN_MIN_EXAMPLES`` examples overall, or fewer than
``ROUTING_LEARN_MIN_DEPARTMENT_EXAMPLES`` for a department, the rules alone decide. Otherwise the
posterior of each department among the request's allowed candidates is computed; one whose share is at
least ``ROUTING_LEARN_MIN_SHARE`` and whose examples share a stem with the request gains up to
``LEARNED_POINTS``, with the (up to three) past requests most like this one named in the reason.
"""

import math
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cities.directory.german_words import content_stems
from exchanges.cycle.models import RoutingDecision, RoutingModel, Status

LEARNED_POINTS = 6
# Per department: the latest requests kept to name as the reason (and their stems to find the most similar).
KEPT_REQUESTS = 30
NAMED_REQUESTS = 3
DIGITS = 4  # log-probabilities are stored rounded: the model stays small, the ranking the same


def training_examples() -> list[tuple[int, str, list[str]]]:
    """(department id, request reference, content stems) of every example, newest request first."""
    rows = (
        RoutingDecision.objects.filter(is_routed=True)
        .filter(Q(request__status=Status.COMPLETED) | Q(source=RoutingDecision.Source.MANUAL))
        .exclude(request__status=Status.DRAFT)
        .order_by("-request_id", "department_id")
        .values_list("department_id", "request__reference", "request__title", "request__need")
    )
    return [
        (department_id, reference, content_stems(f"{title} {need}"))
        for department_id, reference, title, need in rows
    ]


def _train(examples: list[tuple[int, str, list[str]]]) -> dict:
    counts: dict[int, Counter] = {}
    requests: dict[int, list] = {}
    for department_id, reference, text_stems in examples:
        counts.setdefault(department_id, Counter()).update(text_stems)
        kept = requests.setdefault(department_id, [])
        if len(kept) < KEPT_REQUESTS:
            kept.append([reference, sorted(set(text_stems))])
    vocabulary = {stem for counter in counts.values() for stem in counter}
    total = len(examples)
    per_department = Counter(department_id for department_id, _reference, _stems in examples)
    departments = {}
    for department_id, counter in counts.items():
        examples_of = per_department[department_id]
        # At least 1: examples whose texts hold no content word at all (only "Frage", say) teach no stem.
        denominator = max(1, sum(counter.values()) + len(vocabulary))
        departments[str(department_id)] = {
            "examples": examples_of,
            "log_prior": round(math.log(examples_of / total), DIGITS),
            "unseen": round(math.log(1 / denominator), DIGITS),
            "stems": {stem: round(math.log((n + 1) / denominator), DIGITS) for stem, n in counter.items()},
            "requests": requests[department_id],
        }
    return {"departments": departments}


@transaction.atomic
def routing_model_train() -> RoutingModel:
    """Train the model on all examples and keep it as the only one. Safe to run twice."""
    examples = training_examples()
    model = RoutingModel(trained_at=timezone.now(), example_count=len(examples), data=_train(examples))
    model.full_clean()
    model.save()
    RoutingModel.objects.exclude(pk=model.pk).delete()
    return model


def active_routing_model() -> RoutingModel | None:
    """The latest model (one query)."""
    return RoutingModel.objects.order_by("-trained_at", "-pk").first()


def eligible_departments(model: RoutingModel | None) -> set[int]:
    """The departments the model knows enough about to give points to (none with too little history)."""
    if model is None or model.example_count < settings.ROUTING_LEARN_MIN_EXAMPLES:
        return set()
    minimum = settings.ROUTING_LEARN_MIN_DEPARTMENT_EXAMPLES
    return {int(pk) for pk, d in model.data.get("departments", {}).items() if d["examples"] >= minimum}


@dataclass(frozen=True)
class Learned:
    points: int
    share: float
    references: list[str]


def learned_evidence(model: RoutingModel, candidates: set[int], text: str) -> dict[int, Learned]:
    """Per candidate department (allowed for the request and eligible) with strong learnt evidence: the
    points it gains and the most similar past requests that taught it."""
    departments = {pk: model.data["departments"][str(pk)] for pk in candidates}
    if not departments:
        return {}
    known = {stem for d in departments.values() for stem in d["stems"]}
    text_stems = [stem for stem in content_stems(text) if stem in known]
    if not text_stems:
        return {}
    log_posterior = {
        pk: d["log_prior"] + sum(d["stems"].get(stem, d["unseen"]) for stem in text_stems)
        for pk, d in departments.items()
    }
    top = max(log_posterior.values())
    weights = {pk: math.exp(value - top) for pk, value in log_posterior.items()}
    total = sum(weights.values())
    wanted = set(text_stems)
    found = {}
    for pk, weight in weights.items():
        share = weight / total
        if share < settings.ROUTING_LEARN_MIN_SHARE:
            continue
        similar = [
            (len(wanted & set(stems)), -position, reference)
            for position, (reference, stems) in enumerate(departments[pk]["requests"])
        ]
        similar = sorted((item for item in similar if item[0] > 0), reverse=True)[:NAMED_REQUESTS]
        if not similar:  # no example shares a word with this request: nothing to explain it with
            continue
        found[pk] = Learned(
            points=max(1, round(LEARNED_POINTS * share)),
            share=share,
            references=[reference for _overlap, _position, reference in similar],
        )
    return found
