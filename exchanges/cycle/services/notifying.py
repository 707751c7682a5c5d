"""Who hears of what in the C+R cycle: each step's audience (from the transition table), comments, overdue requests."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from cities.directory.models import Department, User
from cities.directory.rules import is_coordinator
from exchanges.cycle.models import Comment, ExchangeRequest, Status, TimelineEntry
from exchanges.cycle.workflow import TRANSITIONS, Audience
from exchanges.notifications.services import notify


def coordinators_for(request: ExchangeRequest) -> list[User]:
    if request.assignee_id and is_coordinator(request.assignee):
        return [request.assignee]
    return list(User.objects.coordinators())


def notify_liaisons(request: ExchangeRequest, departments: Iterable[Department]) -> None:
    """Tell the liaisons of these departments (once per request and department, whoever asks twice)."""
    for department in departments:
        notify(
            key=f"routed:{request.pk}:{department.pk}",
            recipients=User.objects.liaisons_of(department.pk),
            template="routed",
            request=request,
            context={"department": department},
        )


def _audience(request: ExchangeRequest, entry: TimelineEntry, audience: Audience) -> list[User]:
    if audience == Audience.REQUESTER:
        return [request.requester]
    if audience == Audience.CITY_CONTACTS:
        return list(User.objects.city_contacts(request.requester_city_id))
    if audience == Audience.COORDINATION:
        return coordinators_for(request)
    if audience == Audience.COORDINATION_IF_ACCEPTED:
        before_acceptance = {Status.DRAFT, Status.SUBMITTED, Status.RETURNED}
        return [] if entry.from_status in before_acceptance else coordinators_for(request)
    return []


@transaction.atomic
def notify_timeline_entry(*, entry_id: int) -> int:
    """Tell the people a step concerns, as its row in ``exchanges.cycle.workflow.TRANSITIONS`` says."""
    entry = (
        TimelineEntry.objects.select_related("request__requester", "request__assignee", "actor")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        return 0
    TimelineEntry.objects.filter(pk=entry.pk).update(notification_pending=False)
    transition = TRANSITIONS.get(entry.action)
    if transition is None:
        return 0
    request = entry.request
    if Audience.LIAISONS in transition.notify:
        routed = request.routing_decisions.filter(is_routed=True).select_related("department")
        notify_liaisons(request, [decision.department for decision in routed])
    recipients = [
        person for audience in sorted(transition.notify) for person in _audience(request, entry, audience)
    ]
    recipients = [user for user in recipients if user.pk != entry.actor_id]
    if not recipients:
        return 0
    return notify(
        key=f"timeline:{entry.pk}",
        recipients=recipients,
        template=f"status_{entry.action}",
        request=request,
        context={"entry": entry},
    )


@transaction.atomic
def notify_comment(*, comment_id: int) -> int:
    """A public comment tells the other side: the requester, or the coordination side."""
    comment = (
        Comment.objects.select_related("request__requester", "request__assignee", "author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    Comment.objects.filter(pk=comment.pk).update(notification_pending=False)
    if comment.is_internal:
        return 0
    request = comment.request
    if comment.author_id == request.requester_id:
        recipients = list(User.objects.city_contacts(request.requester_city_id))
        if request.status not in {Status.SUBMITTED, Status.RETURNED}:
            recipients += coordinators_for(request)
    else:
        recipients = [request.requester]
    recipients = [user for user in recipients if user.pk != comment.author_id]
    return notify(
        key=f"comment:{comment.pk}",
        recipients=recipients,
        template="comment",
        request=request,
        context={"comment": comment},
    )


def remind_overdue(*, today: date) -> int:
    """Remind the city contacts of each submitted request past its deadline, once per request and deadline."""
    sent = 0
    overdue = ExchangeRequest.objects.filter(
        status=Status.SUBMITTED, contact_due_on__lt=today
    ).select_related("requester")
    for request in overdue:
        sent += notify(
            key=f"overdue:{request.pk}:{request.contact_due_on.isoformat()}",
            recipients=User.objects.city_contacts(request.requester_city_id),
            template="overdue",
            request=request,
            context={},
        )
    return sent
