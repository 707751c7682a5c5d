"""The reflection after the exchange: the requester's completes the request; experts may add theirs."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest, Reflection, Status
from exchanges.cycle.rules import may_write_reflection, reflection_side, reflection_statuses
from exchanges.cycle.services.deadlines import add_working_days
from exchanges.cycle.services.requests import request_transition
from exchanges.notifications.services import notify
from koopstadt.errors import DomainError, NotPermitted, TransitionNotAllowed

REFLECTION_FIELDS = (
    "takeaway",
    "question",
    "learnt",
    "worked",
    "did_not_work",
    "follow_ups",
    "would_recommend",
    "is_internal",
)
REMINDER_WORKING_DAYS = 10


def reflection_check_allowed(*, author: User, request: ExchangeRequest) -> None:
    """Refuse, with the reason, what ``exchanges.cycle.rules.may_write_reflection`` does not allow."""
    if may_write_reflection(author, request):
        return
    side = reflection_side(author, request)
    if side is None:
        raise NotPermitted(_("Only the requester and the experts who took part write reflections."))
    if request.status not in reflection_statuses(side):
        raise TransitionNotAllowed(_("A reflection can be written once the exchange has taken place."))
    raise TransitionNotAllowed(_("You have already written your reflection for this exchange."))


def reflection_submit(*, request: ExchangeRequest, author: User, data: dict[str, Any]) -> Reflection:

    with transaction.atomic():
        request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
        reflection_check_allowed(author=author, request=request)
        side = reflection_side(author, request)
        reflection = Reflection(
            request=request,
            author=author,
            side=side,
            **{k: data.get(k) for k in REFLECTION_FIELDS if k in data},
        )
        if not reflection.takeaway or not reflection.learnt or not reflection.question:
            raise DomainError(_("Please fill in the takeaway, the question and what you learnt."))
        reflection.full_clean()
        reflection.save()
        if side == Reflection.Side.REQUESTER:
            request_transition(
                request_id=request.pk,
                action="complete",
                actor=author,
                expected_status=Status.HELD,
                from_service=True,
            )
    return reflection


def remind_reflections(*, today) -> int:
    """Remind requesters whose exchange was held 10 working days ago and who wrote no reflection yet."""

    sent = 0
    held = ExchangeRequest.objects.filter(status=Status.HELD).select_related("requester", "requester_city")
    for request in held:
        since = timezone.localdate(request.status_changed_at) if request.status_changed_at else today
        if add_working_days(since, REMINDER_WORKING_DAYS, request.requester_city.federal_state) > today:
            continue
        sent += notify(
            key=f"reflection-reminder:{request.pk}",
            recipients=[request.requester],
            template="reflection_reminder",
            request=request,
            context={},
        )
    return sent
