"""Every transition: allowed for the right people in the right states, refused for everyone else."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from exchanges.cycle.models import ExchangeRequest, Status, TimelineEntry
from exchanges.cycle.services.requests import request_transition
from exchanges.cycle.workflow import TRANSITIONS, Actor
from koopstadt.errors import TransitionNotAllowed
from tests.exchanges.conftest import make_request
from tests.exchanges.facts_world import make_facts_hold

pytestmark = pytest.mark.django_db

# Which person of the ``people`` fixture takes each actor's part (None: the portal itself).
PERSON_FOR_ACTOR = {
    Actor.REQUESTER: "requester",
    Actor.CITY_CONTACT: "contact",
    Actor.COORDINATOR: "coordinator",
    Actor.PARTICIPANT: "expert",  # the expert is a participant of the meeting the facts set up
    Actor.SYSTEM: "system",
}
PEOPLE = [
    "requester",
    "colleague",
    "contact",
    "foreign_contact",
    "coordinator",
    "liaison",
    "expert",
    "finance",
]
ACTOR_OF_PERSON = {person: actor for actor, person in PERSON_FOR_ACTOR.items()}

ALLOWED = [
    (action, status, person)
    for action, t in TRANSITIONS.items()
    for status in sorted(t.sources)
    for person in [*PEOPLE, "system"]
    if ACTOR_OF_PERSON.get(person) in t.actors
]
REFUSED_STATE = [
    (action, status) for action, t in TRANSITIONS.items() for status in Status if status not in t.sources
]
REFUSED_PERSON = [
    (action, sorted(t.sources)[0], person)
    for action, t in TRANSITIONS.items()
    for person in PEOPLE
    if ACTOR_OF_PERSON.get(person) not in t.actors
]


def _actor(people, person):
    return None if person == "system" else people[person]


@pytest.mark.parametrize(("action", "status", "person"), ALLOWED)
def test_allowed_for_the_right_person_in_the_right_state_once_its_facts_hold(people, action, status, person):
    request = make_request(people, status)
    make_facts_hold(request, action, people)
    before = TimelineEntry.objects.filter(request=request).count()

    result = request_transition(
        request_id=request.pk,
        action=action,
        actor=_actor(people, person),
        comment="Begründung",
        from_service=not TRANSITIONS[action].is_direct,
    )

    assert result.status == TRANSITIONS[action].target
    request.refresh_from_db()
    assert request.status == TRANSITIONS[action].target
    entry = TimelineEntry.objects.filter(request=request, action=action).latest("pk")
    assert TimelineEntry.objects.filter(request=request).count() > before
    assert (entry.action, entry.from_status, entry.to_status, entry.actor) == (
        action,
        status,
        TRANSITIONS[action].target,
        _actor(people, person),
    )
    assert entry.comment == "Begründung"


def _unchanged(request: ExchangeRequest, status: Status, entries: int) -> None:
    request.refresh_from_db()
    assert request.status == status
    assert TimelineEntry.objects.filter(request=request).count() == entries


@pytest.mark.parametrize(("action", "status"), REFUSED_STATE)
def test_refused_in_every_other_state(people, action, status):
    request = make_request(people, status)
    entries = TimelineEntry.objects.filter(request=request).count()
    allowed_person = PERSON_FOR_ACTOR[sorted(TRANSITIONS[action].actors)[0]]

    with pytest.raises(TransitionNotAllowed) as error:
        request_transition(
            request_id=request.pk,
            action=action,
            actor=_actor(people, allowed_person),
            comment="x",
            from_service=True,
        )

    assert "nicht möglich" in error.value.message or "not possible" in error.value.message
    _unchanged(request, status, entries)


@pytest.mark.parametrize(("action", "status", "person"), REFUSED_PERSON)
def test_refused_for_every_other_person(people, action, status, person):
    request = make_request(people, status)
    make_facts_hold(request, action, people)
    entries = TimelineEntry.objects.filter(request=request).count()

    with pytest.raises(TransitionNotAllowed):
        request_transition(
            request_id=request.pk, action=action, actor=people[person], comment="x", from_service=True
        )

    _unchanged(request, status, entries)


@pytest.mark.parametrize("action", [a for a, t in TRANSITIONS.items() if not t.is_direct])
def test_steps_that_follow_facts_are_never_taken_as_a_step_of_their_own(people, action):
    transition = TRANSITIONS[action]
    status = sorted(transition.sources)[0]
    request = make_request(people, status)
    make_facts_hold(request, action, people)
    entries = TimelineEntry.objects.filter(request=request).count()
    person = PERSON_FOR_ACTOR[sorted(transition.actors)[0]]

    with pytest.raises(TransitionNotAllowed) as error:
        request_transition(request_id=request.pk, action=action, actor=_actor(people, person), comment="x")

    assert str(transition.taken_by) in error.value.message
    _unchanged(request, status, entries)


def test_a_double_click_or_stale_form_is_refused(people):
    request = make_request(people, Status.SUBMITTED)
    request_transition(
        request_id=request.pk, action="accept", actor=people["contact"], expected_status="submitted"
    )

    with pytest.raises(TransitionNotAllowed) as error:
        request_transition(
            request_id=request.pk, action="accept", actor=people["contact"], expected_status="submitted"
        )

    assert "in der Zwischenzeit" in error.value.message or "meantime" in error.value.message
    assert TimelineEntry.objects.filter(request=request, action="accept").count() == 1


@pytest.mark.parametrize("action", ["return_for_changes", "withdraw", "reject"])
def test_a_reason_is_required(people, action):
    request = make_request(people, Status.SUBMITTED)
    who = {"return_for_changes": "contact", "withdraw": "requester", "reject": "coordinator"}[action]
    with pytest.raises(TransitionNotAllowed) as error:
        request_transition(request_id=request.pk, action=action, actor=people[who], comment="  ")
    assert error.value.field == "comment"
    _unchanged(request, Status.SUBMITTED, 1)


def test_an_incomplete_draft_cannot_be_submitted(people):
    request = make_request(people, Status.DRAFT)
    request.need = ""
    request.save()
    request.topics.clear()

    with pytest.raises(ValidationError) as error:
        request_transition(request_id=request.pk, action="submit", actor=people["requester"])

    assert set(error.value.message_dict) >= {"need", "topics"}
    _unchanged(request, Status.DRAFT, 0)
    request.refresh_from_db()
    assert request.reference is None


def test_submission_assigns_reference_and_deadline(people):
    first = make_request(people, Status.SUBMITTED)
    second = make_request(people, Status.SUBMITTED)
    year = first.submitted_at.year
    assert first.reference == f"CR-{year}-0001"
    assert second.reference == f"CR-{year}-0002"
    assert first.contact_due_on is not None and first.contact_due_on > first.submitted_at.date()


def test_resubmission_keeps_the_reference(people):
    request = make_request(people, Status.RETURNED)
    reference = request.reference
    request_transition(request_id=request.pk, action="submit", actor=people["requester"])
    request.refresh_from_db()
    assert request.reference == reference
    assert request.status == Status.SUBMITTED


def test_the_portal_itself_may_take_system_steps(people):
    request = make_request(people, Status.ROUTING)
    make_facts_hold(request, "start_matching", people)
    request_transition(request_id=request.pk, action="start_matching", actor=None)
    request.refresh_from_db()
    assert request.status == Status.MATCHING
    assert TimelineEntry.objects.get(request=request, action="start_matching").actor is None


def test_timeline_entries_are_never_changed(people):
    request = make_request(people, Status.SUBMITTED)
    entry = TimelineEntry.objects.get(request=request)
    entry.comment = "geändert"
    with pytest.raises(ValidationError):
        entry.save()


# --- concurrency on PostgreSQL ---------------------------------------------------------------------


def _run_concurrently(target, count: int) -> list:
    results: list = []
    barrier = threading.Barrier(count)

    def worker() -> None:
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_concurrent_accepts_change_the_state_once(people):
    request = make_request(people, Status.SUBMITTED)

    results = _run_concurrently(
        lambda: request_transition(request_id=request.pk, action="accept", actor=people["contact"]), 2
    )

    assert sum(isinstance(r, ExchangeRequest) for r in results) == 1
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1
    request.refresh_from_db()
    assert request.status == Status.ROUTING
    assert TimelineEntry.objects.filter(request=request, action="accept").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_concurrent_submissions_get_distinct_sequential_references(people):
    drafts = [make_request(people, Status.DRAFT) for _ in range(6)]
    iterator = iter(drafts)
    lock = threading.Lock()

    def submit_next():
        with lock:
            draft = next(iterator)
        return request_transition(request_id=draft.pk, action="submit", actor=people["requester"]).reference

    references = _run_concurrently(submit_next, 6)

    assert all(isinstance(r, str) for r in references), references
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in references)
    assert numbers == [1, 2, 3, 4, 5, 6]
