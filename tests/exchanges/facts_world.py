"""Test data for the facts behind each step: make them hold, or break one of them.

These write rows directly (test setup), so that the guard of each step can be tried with exactly one
fact missing, whatever path through the portal would normally lead there.
"""

from datetime import timedelta

from django.utils import timezone

from exchanges.cycle import facts
from exchanges.cycle.models import (
    ExchangeRequest,
    Invitation,
    InvitationStatus,
    Meeting,
    Reflection,
    RoutingDecision,
)
from exchanges.cycle.workflow import TRANSITIONS


def _expert_profile(people):
    return people["expert"].expert_profile


def hold_routed_department(request: ExchangeRequest, people) -> None:
    RoutingDecision.objects.update_or_create(
        request=request,
        department=people["expert"].department,
        defaults={"is_routed": True, "score": 5, "rank": 1, "reasons": ["Test"]},
    )


def hold_accepted_invitation(request: ExchangeRequest, people) -> None:
    if not request.invitations.filter(status=InvitationStatus.ACCEPTED).exists():
        Invitation.objects.create(
            request=request,
            expert=_expert_profile(people),
            status=InvitationStatus.ACCEPTED,
            answered_at=timezone.now(),
        )


def _meeting(request: ExchangeRequest, people, starts_at) -> None:
    meeting, _created = Meeting.objects.update_or_create(
        request=request,
        defaults={
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "format": "workshop",
            "address": "Rathaus",
            "is_cancelled": False,
        },
    )
    meeting.participants.set([request.requester, people["expert"]])


def hold_meeting_saved(request: ExchangeRequest, people) -> None:
    if facts.meeting_saved(request):
        _meeting(request, people, timezone.now() + timedelta(days=3))


def hold_meeting_begun(request: ExchangeRequest, people) -> None:
    _meeting(request, people, timezone.now() - timedelta(days=3))


def hold_requester_reflection(request: ExchangeRequest, people) -> None:
    Reflection.objects.get_or_create(
        request=request,
        author=request.requester,
        defaults={"side": Reflection.Side.REQUESTER, "takeaway": "T", "question": "Q", "learnt": "L"},
    )


HOLD = {
    facts.routed_department: hold_routed_department,
    facts.accepted_invitation: hold_accepted_invitation,
    facts.meeting_saved: hold_meeting_saved,
    facts.meeting_begun: hold_meeting_begun,
    facts.meeting_in_past: hold_meeting_begun,
    facts.requester_reflection: hold_requester_reflection,
}


def break_fact(request: ExchangeRequest, fact) -> None:
    """Make ``fact`` false for ``request`` (and only that one, as far as possible)."""
    if fact is facts.routed_department:
        RoutingDecision.objects.filter(request=request).update(is_routed=False)
    elif fact is facts.accepted_invitation:
        Invitation.objects.filter(request=request, status=InvitationStatus.ACCEPTED).update(
            status=InvitationStatus.DECLINED
        )
    elif fact is facts.meeting_saved:
        Meeting.objects.filter(request=request).delete()
    elif fact in (facts.meeting_begun, facts.meeting_in_past):
        future = timezone.now() + timedelta(days=5)
        Meeting.objects.filter(request=request).update(starts_at=future, ends_at=future + timedelta(hours=2))
    elif fact is facts.requester_reflection:
        Reflection.objects.filter(request=request).delete()
    else:  # pragma: no cover - a new fact needs its breaker here
        raise AssertionError(f"no breaker for {fact}")
    assert fact(request), f"{fact.__name__} still holds"


def make_facts_hold(request: ExchangeRequest, action: str, people) -> None:
    for fact in TRANSITIONS[action].requires:
        if fact(request):
            HOLD[fact](request, people)
    assert not [fact for fact in TRANSITIONS[action].requires if fact(request)]
