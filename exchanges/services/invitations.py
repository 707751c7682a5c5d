"""Propose experts, let them answer (in the portal or by a signed link), remind them, withdraw the rest."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.models import ExpertProfile, User
from exchanges.errors import DomainError, TransitionNotAllowed
from exchanges.models import ExchangeRequest, Invitation, InvitationStatus, Status, TimelineEntry
from exchanges.rules import can_propose_experts
from exchanges.services.deadlines import add_working_days
from exchanges.services.notifications import notify

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


# Experts are suggested and asked while experts are looked for, and also once one has agreed.
PROPOSING_STATUSES = frozenset({Status.MATCHING, Status.AGREED})


def proposing_check_open(request: ExchangeRequest) -> None:
    if request.status not in PROPOSING_STATUSES:
        raise TransitionNotAllowed(_("Experts can be proposed while experts are being looked for."))


@transaction.atomic
def invitations_propose(
    *, request: ExchangeRequest, experts: Iterable[ExpertProfile], message: str, actor: User
) -> list[Invitation]:
    request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
    if not can_propose_experts(actor, request):
        raise TransitionNotAllowed(_("You may not propose experts for this request."))
    proposing_check_open(request)
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


def invitation_answer(*, invitation_id: int, accept: bool, note: str, actor: User | None) -> Invitation:
    """The expert accepts or declines. Works once: a second answer is refused and changes nothing.

    ``actor`` None means the answer came through the signed e-mail link (the expert, not logged in).
    """
    from exchanges.services.requests import request_transition

    note = (note or "").strip()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("expert__user").get(pk=invitation_id)
        )
        if actor is not None and actor.pk != invitation.expert.user_id:
            raise TransitionNotAllowed(_("Only the invited expert can answer."))
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
        invitation.save(update_fields=["status", "answer_note", "answered_at"])
        request = invitation.request
        expert_user = invitation.expert.user
        TimelineEntry.objects.create(
            request=request,
            actor=expert_user,
            action="invitation_accepted" if accept else "invitation_declined",
            from_status=request.status,
            to_status=request.status,
            comment=note,
            is_public=accept,
        )
        recipients = [invitation.proposed_by] if invitation.proposed_by else []
        notify(
            key=f"invitation-answer:{invitation.pk}",
            recipients=recipients,
            template="invitation_answered",
            request=request,
            context={"invitation": invitation},
        )
        if accept and request.status == Status.MATCHING:
            request_transition(
                request_id=request.pk, action="agree", actor=None, expected_status=Status.MATCHING
            )
    return invitation


@transaction.atomic
def invitations_withdraw_open(*, request: ExchangeRequest, actor: User) -> int:
    from cities.roles import Role

    if not (actor.is_superuser or actor.has_role(Role.COORDINATOR)):
        raise TransitionNotAllowed(_("Only coordinators withdraw invitations."))
    open_invitations = list(
        Invitation.objects.select_for_update().filter(request=request, status=InvitationStatus.OPEN)
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


def remind_open_invitations(*, today) -> int:  # type: ignore[no-untyped-def]
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
