"""Who is who for a request, and what that allows. Views, services, templates and the API all ask here.

Each ``may_*`` is the one answer to its question: the page shows a button only when it says yes, the
service refuses when it says no, and the API asks the same function (docs/workflow.md).
"""

from collections.abc import Iterable

import rules
from django.db.models import Q

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.rules import is_coordinator
from exchanges.cycle.models import ExchangeRequest, Invitation, InvitationStatus, Meeting, Reflection, Status
from exchanges.cycle.workflow import TRANSITIONS, Actor, Transition

# States in which date and place can be set or changed (the first save is the step "schedule"; later
# saves change the meeting of a scheduled exchange), and in which travel costs can be claimed.
MEETING_STATUSES = TRANSITIONS["schedule"].sources | {TRANSITIONS["schedule"].target}
CLAIMABLE_STATUSES = frozenset({Status.SCHEDULED, Status.HELD, Status.COMPLETED})
# The routing is corrected, and experts are proposed, while experts are looked for (proposing also once one
# has agreed).
ROUTING_STATUSES = frozenset({Status.ROUTING, Status.MATCHING})
PROPOSING_STATUSES = frozenset({Status.MATCHING, Status.AGREED})


def meeting_participant_ids(request: ExchangeRequest) -> set[int]:
    """The people of the (not cancelled) meeting, read once per request object."""
    cached = getattr(request, "_participant_ids", None)
    if cached is None:
        cached = set(
            Meeting.participants.through.objects.filter(
                meeting__request_id=request.pk, meeting__is_cancelled=False
            ).values_list("user_id", flat=True)
        )
        request._participant_ids = cached
    return cached


def actors_for(user: User, request: ExchangeRequest) -> frozenset[Actor]:
    """The capacities in which ``user`` acts on ``request``."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    actors = set()
    if request.requester_id == user.pk:
        actors.add(Actor.REQUESTER)
    if user.has_role(Role.CITY_CONTACT) and user.home_city_id == request.requester_city_id:
        actors.add(Actor.CITY_CONTACT)
    if is_coordinator(user):
        actors.add(Actor.COORDINATOR)
    if request.status in {Status.SCHEDULED, Status.HELD} and user.pk in meeting_participant_ids(request):
        actors.add(Actor.PARTICIPANT)
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
    """Who proposes experts for a request (in any state; ``may_propose_experts`` adds the state)."""
    return is_coordinator(user) or is_routed_liaison(user, request)


def may_propose_experts(user: User, request: ExchangeRequest) -> bool:
    """Suggestions and the form to ask experts: the coordination and the routed liaisons, while proposing."""
    return request.status in PROPOSING_STATUSES and can_propose_experts(user, request)


def may_correct_routing(user: User, request: ExchangeRequest) -> bool:
    """The coordination adds or removes a department while experts are looked for."""
    return is_coordinator(user) and request.status in ROUTING_STATUSES


def open_invitations_exist(request: ExchangeRequest) -> bool:
    """Read once per request object (a page that loaded the invitations sets it: remember_cycle_data)."""
    cached = getattr(request, "_open_invitations", None)
    if cached is None:
        cached = request.invitations.filter(status=InvitationStatus.OPEN).exists()
        request._open_invitations = cached
    return cached


def may_withdraw_invitations(user: User, request: ExchangeRequest) -> bool:
    """The coordination withdraws the invitations nobody has answered yet (when there are some)."""
    return is_coordinator(user) and open_invitations_exist(request)


def can_see_routing(user: User, request: ExchangeRequest) -> bool:
    return is_coordinator(user) or is_routed_liaison(user, request)


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


def visible_reflections_q(user: User) -> Q:
    """``visible_reflections`` as a filter on reflections, for searches that must not match (nor rank by)
    the words of an internal reflection the person may not read: everything for the coordinators; the
    public ones, their own, and those of their city's requests for a city contact (is_coordination)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if is_coordinator(user):
        return Q()
    seen = Q(is_internal=False) | Q(author_id=user.pk)
    if user.has_role(Role.CITY_CONTACT) and user.home_city_id:
        seen |= Q(request__requester_city_id=user.home_city_id)
    return seen


def missing_facts(transition: Transition, request: ExchangeRequest) -> list[str]:
    """What has not happened yet that ``transition`` needs (empty: its facts hold)."""
    return [message for fact in transition.requires if (message := fact(request))]


def may_take(user: User | None, request: ExchangeRequest, transition: Transition) -> bool:
    """May ``user`` (None: the portal itself) take ``transition`` now, as far as state, role and facts go?"""
    actors = frozenset({Actor.SYSTEM}) if user is None else actors_for(user, request)
    return (
        request.status in transition.sources
        and bool(actors & transition.actors)
        and not missing_facts(transition, request)
    )


def available_transitions(user: User, request: ExchangeRequest) -> list[Transition]:
    """The steps offered as buttons (and API actions) to ``user`` now: only those the service allows."""
    return [t for t in TRANSITIONS.values() if t.is_direct and may_take(user, request, t)]


def comment_required_for(user: User | None, request: ExchangeRequest, transition: Transition) -> bool:
    """A reason is needed when the table says so, or when someone who was not there confirms a fact."""
    if transition.comment_required:
        return True
    if transition.witnesses and user is not None:
        return not (actors_for(user, request) & transition.witnesses)
    return False


def waiting_for_fact(user: User, request: ExchangeRequest, action: str) -> str:
    """Why ``action`` is not offered to ``user`` yet although it is theirs to take (e.g. the meeting's
    start), for a hint on the page; empty when it is offered or not theirs anyway."""
    transition = TRANSITIONS[action]
    if request.status not in transition.sources or not (actors_for(user, request) & transition.actors):
        return ""
    missing = missing_facts(transition, request)
    return missing[0] if missing else ""


def may_set_meeting(user: User, request: ExchangeRequest) -> bool:
    """Date, time, place and participants: who takes the step "schedule" in the table (the requester and
    the coordination), once an expert agreed, and again to change them while it is scheduled."""
    return request.status in MEETING_STATUSES and bool(
        actors_for(user, request) & TRANSITIONS["schedule"].actors
    )


def may_record_past_exchange(user: User, request: ExchangeRequest) -> bool:
    """The coordination records an exchange that took place before it was entered in the portal."""
    return is_coordinator(user) and request.status in TRANSITIONS["record_past"].sources


def may_record_answer(user: User, invitation: Invitation) -> bool:
    """The coordination records an answer the expert gave elsewhere (by phone), on the expert's behalf.
    (Whether the invitation is still open is the answer service's state check, with its own message.)"""
    return is_coordinator(user) and invitation.expert.user_id != user.pk


def may_answer_invitation(user: User | None, invitation: Invitation, *, by_link: bool = False) -> bool:
    """The invited expert answers an open invitation, once: in the portal, or by the signed link, which is
    the key without a log-in (signed in, the link answers only for its own expert)."""
    if invitation.status != InvitationStatus.OPEN:
        return False
    if user is None or not user.is_authenticated:
        return by_link
    return invitation.expert.user_id == user.pk


def reflection_side(user: User, request: ExchangeRequest) -> str | None:
    """Whose reflection ``user`` would write: the requester's, an accepted expert's, or none."""
    if user.pk == request.requester_id:
        return Reflection.Side.REQUESTER
    accepted = getattr(request, "_accepted_expert_ids", None)
    if accepted is not None:
        return Reflection.Side.EXPERT if user.pk in accepted else None
    if request.invitations.filter(expert__user=user, status=InvitationStatus.ACCEPTED).exists():
        return Reflection.Side.EXPERT
    return None


def reflection_statuses(side: str | None) -> frozenset[Status]:
    """The requester's reflection completes a held exchange; experts may add theirs afterwards too."""
    if side is None:
        return frozenset()
    return frozenset({Status.HELD} if side == Reflection.Side.REQUESTER else {Status.HELD, Status.COMPLETED})


def may_write_reflection(
    user: User, request: ExchangeRequest, reflections: Iterable[Reflection] | None = None
) -> bool:
    """The requester (while held) and the experts who accepted (held or completed), once each.
    ``reflections``: the request's reflections, when the page has read them already."""
    side = reflection_side(user, request)
    if request.status not in reflection_statuses(side):
        return False
    if reflections is not None:
        return not any(reflection.author_id == user.pk for reflection in reflections)
    return not Reflection.objects.filter(request=request, author=user).exists()


def claim_participants(request: ExchangeRequest) -> set[int]:
    """Who may claim travel costs for an exchange: the requester, the experts who accepted, and the
    participants of the meeting (requester side and expert side)."""
    accepted = getattr(request, "_accepted_expert_ids", None)
    if accepted is None:
        accepted = set(
            request.invitations.filter(status=InvitationStatus.ACCEPTED).values_list(
                "expert__user_id", flat=True
            )
        )
    return {request.requester_id, *accepted, *meeting_participant_ids(request)}


def remember_cycle_data(
    request: ExchangeRequest, *, invitations: list[Invitation] | None, meeting: Meeting | None
) -> None:
    """Let the rules read what a page has loaded already (the same answers, fewer queries)."""
    if invitations is not None:
        request._accepted_expert_ids = {
            invitation.expert.user_id
            for invitation in invitations
            if invitation.status == InvitationStatus.ACCEPTED
        }
        request._open_invitations = any(
            invitation.status == InvitationStatus.OPEN for invitation in invitations
        )
    request._participant_ids = (
        {person.pk for person in meeting.participants.all()}
        if meeting is not None and not meeting.is_cancelled
        else set()
    )


def may_claim(user: User, request: ExchangeRequest) -> bool:
    """A participant claims their own travel costs once the exchange is scheduled (or later)."""
    return (
        user.is_authenticated
        and request.status in CLAIMABLE_STATUSES
        and user.pk in claim_participants(request)
    )


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
