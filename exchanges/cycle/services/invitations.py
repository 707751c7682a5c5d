"""Propose experts, let them answer (in the portal or by a signed link), remind them, withdraw the rest."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.directory.models import ExpertProfile, User
from cities.directory.rules import is_coordinator
from exchanges.cycle.models import (
    AnswerChannel,
    ExchangeRequest,
    Invitation,
    InvitationStatus,
    Status,
    TimelineEntry,
)
from exchanges.cycle.rules import (
    can_propose_experts,
    may_propose_experts,
    may_record_answer,
    may_withdraw_invitations,
)
from exchanges.cycle.services.deadlines import add_working_days
from exchanges.cycle.services.requests import request_transition
from exchanges.notifications.services import notify
from koopstadt.errors import DomainError, NotPermitted, TransitionNotAllowed

LINK_SALT = "exchanges.invitation-answer"
LINK_MAX_AGE = timedelta(days=14)
REMINDER_WORKING_DAYS = 3


def invitation_link(invitation: Invitation) -> str:
    token = signing.dumps({"invitation": invitation.pk}, salt=LINK_SALT)
    return settings.SITE_URL + reverse("exchanges:invitation_answer_link", kwargs={"token": token})


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link is for. Raises DomainError for a tampered or expired link."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise DomainError(
            _("This link has expired (links are valid for 14 days). Please answer in the portal.")
        ) from error
    except signing.BadSignature as error:
        raise DomainError(
            _("This link is not valid. Please use the link from the e-mail or answer in the portal.")
        ) from error
    invitation_id = data.get("invitation") if isinstance(data, dict) else None
    if not isinstance(invitation_id, int):
        # Signed by us but not in the shape we sign (an old or foreign format): as good as tampered.
        raise DomainError(
            _("This link is not valid. Please use the link from the e-mail or answer in the portal.")
        )
    invitation = (
        Invitation.objects.select_related("request__requester_city", "expert__user")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise DomainError(_("This invitation no longer exists."))
    return invitation


def proposing_check_allowed(*, actor: User, request: ExchangeRequest) -> None:
    """Refuse, with the reason, what ``exchanges.cycle.rules.may_propose_experts`` does not allow: who
    (403 in the API) before when (409)."""
    if may_propose_experts(actor, request):
        return
    if not can_propose_experts(actor, request):
        raise NotPermitted(_("You may not propose experts for this request."))
    raise TransitionNotAllowed(_("Experts can be proposed while experts are being looked for."))


@transaction.atomic
def invitations_propose(
    *, request: ExchangeRequest, experts: Iterable[ExpertProfile], message: str, actor: User
) -> list[Invitation]:
    request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
    proposing_check_allowed(actor=actor, request=request)
    created = []
    for expert in experts:
        if expert.user_id == request.requester_id:
            continue
        if Invitation.objects.filter(
            request=request, expert=expert, status__in=["open", "accepted"]
        ).exists():
            continue
        invitation = Invitation.objects.create(
            request=request, expert=expert, proposed_by=actor, message=message.strip()
        )
        TimelineEntry.objects.create(
            request=request,
            actor=actor,
            action="invite",
            from_status=request.status,
            to_status=request.status,
            comment=str(expert),
            is_public=False,
        )
        notify(
            key=f"invitation:{invitation.pk}",
            recipients=[expert.user],
            template="invitation",
            request=request,
            context={"invitation": invitation, "link": invitation_link(invitation)},
            immediate=True,
        )
        created.append(invitation)
    if not created:
        raise DomainError(_("Please choose at least one expert who has not been asked yet."), field="experts")
    return created


def recorded_answer_check_allowed(*, actor: User | None, invitation: Invitation) -> None:
    """Refuse what ``exchanges.cycle.rules.may_record_answer`` does not allow (whether the invitation is
    still open is the answer's own check, with its own message)."""
    if actor is None or not may_record_answer(actor, invitation):
        raise NotPermitted(_("Only the coordination records an answer on an expert's behalf."))


def invitation_answer(
    *,
    invitation_id: int,
    accept: bool,
    note: str,
    actor: User | None,
    channel: str = AnswerChannel.PORTAL,
) -> Invitation:
    """The expert accepts or declines, or a coordinator records the answer the expert gave elsewhere.

    Works once: a second answer is refused and changes nothing. ``actor`` None means the answer came
    through the signed e-mail link without a log-in (the link is the expert's key). An acceptance while
    experts are looked for is the fact that moves the request to ``agreed``, in the same transaction.
    """

    note = (note or "").strip()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("expert__user").get(pk=invitation_id)
        )
        expert_user = invitation.expert.user
        on_behalf = actor is not None and actor.pk != expert_user.pk
        if on_behalf and channel != AnswerChannel.RECORDED:
            # Somebody else answering: only the coordination, only as an explicit record (never a link
            # opened in another person's session, never the expert's own form).
            raise NotPermitted(_("Only the invited expert can answer."))
        if channel == AnswerChannel.RECORDED:
            # A record on the expert's behalf (never the expert's own answer: they answer as themselves).
            recorded_answer_check_allowed(actor=actor, invitation=invitation)
            if not note:
                raise DomainError(
                    _("Please note how and when the expert answered (e.g. by phone on 03.03.)."), field="note"
                )
        if invitation.status != InvitationStatus.OPEN:
            raise TransitionNotAllowed(
                _("This invitation has already been answered or withdrawn (%(status)s).")
                % {"status": invitation.get_status_display()}
            )
        if not accept and not note:
            raise DomainError(
                _("Please give a short reason, so that the coordination can find someone else."), field="note"
            )
        invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        invitation.answer_note = note
        invitation.answered_at = timezone.now()
        invitation.answer_channel = channel
        invitation.answered_by = actor if actor is not None else expert_user
        invitation.save(
            update_fields=["status", "answer_note", "answered_at", "answer_channel", "answered_by"]
        )
        request = invitation.request
        TimelineEntry.objects.create(
            request=request,
            actor=actor if on_behalf else expert_user,
            on_behalf_of=expert_user if on_behalf else None,
            action="invitation_accepted" if accept else "invitation_declined",
            from_status=request.status,
            to_status=request.status,
            comment=note,
            is_public=accept,
        )
        recipients = [invitation.proposed_by] if invitation.proposed_by else []
        if on_behalf:
            recipients.append(expert_user)  # the expert learns what was recorded in their name
        notify(
            key=f"invitation-answer:{invitation.pk}",
            recipients=[person for person in recipients if actor is None or person.pk != actor.pk],
            template="invitation_answered",
            request=request,
            context={"invitation": invitation, "recorded_by": actor if on_behalf else None},
        )
        if accept and request.status == Status.MATCHING:
            request_transition(
                request_id=request.pk,
                action="agree",
                actor=None,
                expected_status=Status.MATCHING,
                from_service=True,
            )
    return invitation


@transaction.atomic
def invitations_withdraw_open(*, request: ExchangeRequest, actor: User) -> int:
    """A coordinator withdraws the invitations nobody has answered yet (``may_withdraw_invitations``)."""
    request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
    if not may_withdraw_invitations(actor, request):
        if not is_coordinator(actor):
            raise NotPermitted(_("Only coordinators withdraw invitations."))
        raise TransitionNotAllowed(_("There are no open invitations to withdraw."))
    return _withdraw_open(request, actor)


def _withdraw_open(request: ExchangeRequest, actor: User | None) -> int:
    open_invitations = list(
        Invitation.objects.select_for_update()
        .select_related("expert__user")
        .filter(request=request, status=InvitationStatus.OPEN)
    )
    for invitation in open_invitations:
        invitation.status = InvitationStatus.WITHDRAWN
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["status", "answered_at"])
        TimelineEntry.objects.create(
            request=request,
            actor=actor,
            action="invitation_withdrawn",
            from_status=request.status,
            to_status=request.status,
            comment=str(invitation.expert),
            is_public=False,
        )
    return len(open_invitations)


def invitations_close(*, request: ExchangeRequest, actor: User | None) -> None:
    """Effect of closing a request (withdraw, reject, cancel): open invitations are withdrawn, and every
    expert who was asked or had agreed is told that nothing more is needed."""
    asked = list(
        Invitation.objects.filter(
            request=request, status__in=[InvitationStatus.OPEN, InvitationStatus.ACCEPTED]
        ).select_related("expert__user")
    )
    _withdraw_open(request, actor)
    notify(
        key=f"request-closed:{request.pk}:{request.status}",
        recipients=[invitation.expert.user for invitation in asked],
        template="request_closed_expert",
        request=request,
        context={},
    )


def remind_open_invitations(*, today) -> int:
    """Remind experts who have not answered within 3 working days of their city, once per invitation."""
    sent = 0
    candidates = Invitation.objects.filter(status=InvitationStatus.OPEN).select_related(
        "expert__user__home_city", "request"
    )
    for invitation in candidates:
        state = invitation.expert.user.home_city.federal_state if invitation.expert.user.home_city else ""
        due = add_working_days(timezone.localdate(invitation.created_at), REMINDER_WORKING_DAYS, state)
        if due > today:
            continue
        sent += notify(
            key=f"invitation-reminder:{invitation.pk}",
            recipients=[invitation.expert.user],
            template="invitation_reminder",
            request=invitation.request,
            context={"invitation": invitation, "link": invitation_link(invitation)},
            immediate=True,
        )
    return sent
