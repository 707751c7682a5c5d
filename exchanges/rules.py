"""Who is who for a request, and what that allows. Views, services and templates all ask here."""

from collections.abc import Iterable

import rules

from cities.models import User
from cities.roles import Role
from exchanges.models import ExchangeRequest, Reflection, Status
from exchanges.workflow import TRANSITIONS, Actor, Transition


def actors_for(user: User, request: ExchangeRequest) -> frozenset[Actor]:
    """The capacities in which ``user`` acts on ``request``."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    actors = set()
    if request.requester_id == user.pk:
        actors.add(Actor.REQUESTER)
    if user.has_role(Role.CITY_CONTACT) and user.home_city_id == request.requester_city_id:
        actors.add(Actor.CITY_CONTACT)
    if user.is_superuser or user.has_role(Role.COORDINATOR):
        actors.add(Actor.COORDINATOR)
    return frozenset(actors)


def is_routed_liaison(user: User, request: ExchangeRequest) -> bool:
    """A liaison of a department the request was routed to."""
    return (
        user.is_authenticated
        and user.department_id is not None
        and user.has_role(Role.DEPARTMENT_LIAISON)
        and request.routing_decisions.filter(department_id=user.department_id, is_routed=True).exists()
    )


def can_propose_experts(user: User, request: ExchangeRequest) -> bool:
    return Actor.COORDINATOR in actors_for(user, request) or is_routed_liaison(user, request)


def can_see_routing(user: User, request: ExchangeRequest) -> bool:
    return Actor.COORDINATOR in actors_for(user, request) or is_routed_liaison(user, request)


def is_coordination(user: User, request: ExchangeRequest) -> bool:
    """Coordination side of a request: sees internal comments and the whole timeline."""
    return bool(actors_for(user, request) & {Actor.CITY_CONTACT, Actor.COORDINATOR})


def visible_reflections(
    user: User, request: ExchangeRequest, reflections: Iterable[Reflection]
) -> list[Reflection]:
    """Internal reflections stay with the coordination side and their own authors."""
    if is_coordination(user, request):
        return list(reflections)
    return [
        reflection
        for reflection in reflections
        if not reflection.is_internal or reflection.author_id == user.pk
    ]


def available_transitions(user: User, request: ExchangeRequest) -> list[Transition]:
    actors = actors_for(user, request)
    return [t for t in TRANSITIONS.values() if request.status in t.sources and actors & t.actors]


@rules.predicate
def can_edit_request(user: User, request: ExchangeRequest) -> bool:
    return request.is_editable and request.requester_id == user.pk


@rules.predicate
def can_comment(user: User, request: ExchangeRequest) -> bool:
    return request.status != Status.DRAFT and bool(actors_for(user, request))


@rules.predicate
def can_comment_internally(user: User, request: ExchangeRequest) -> bool:
    return is_coordination(user, request)


@rules.predicate
def is_coordinator(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.COORDINATOR))


@rules.predicate
def is_city_contact(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.CITY_CONTACT) and user.home_city_id is not None


@rules.predicate
def may_request(user: User) -> bool:
    return user.is_authenticated and user.home_city_id is not None


rules.add_perm("exchanges.create_request", may_request)
rules.add_perm("exchanges.edit_request", can_edit_request)
rules.add_perm("exchanges.comment_request", can_comment)
rules.add_perm("exchanges.comment_internally", can_comment_internally)
rules.add_perm("exchanges.triage", is_coordinator)
rules.add_perm("exchanges.city_inbox", is_city_contact)


@rules.predicate
def is_finance(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.FINANCE))


rules.add_perm("exchanges.finance", is_finance)
