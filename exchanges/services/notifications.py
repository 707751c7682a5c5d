"""Tell people what they must act on: a notification in the portal and an e-mail in their language."""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from cities.models import Department, User
from cities.roles import Role
from cities.services.mail import email_queue
from exchanges.models import Comment, ExchangeRequest, Notification, Status, TimelineEntry
from exchanges.workflow import TRANSITIONS, Audience
from koopstadt.plain_text import render_plain, render_subject


def _render(template: str, recipient: User, context: dict) -> tuple[str, str]:
    with translation.override(recipient.preferred_language):
        subject = render_subject(f"exchanges/email/{template}_subject.txt", context)
        body = render_plain(f"exchanges/email/{template}_body.txt", context)
    return subject, body


def notify(
    *,
    key: str,
    recipients: Iterable[User],
    template: str,
    request: ExchangeRequest | None,
    context: dict,
    attachment: tuple[str, str, str] | None = None,
    immediate: bool = False,
) -> int:
    """Create one notification per recipient for the event ``key`` (idempotent) and mail it now or in the digest.

    ``immediate`` mails even people in digest mode (calendar invitations, personal links).
    Returns how many notifications were new.
    """
    created_count = 0
    base = {"request": request, "site_url": settings.SITE_URL, **context}
    people = {user.pk: user for user in recipients if user.is_active}
    # One query for all recipients; an insert (in a savepoint) per new notification. A concurrent run of
    # the same event (a retried task, the web request and a task) may insert a key first: then the
    # unique key refuses ours and that recipient is skipped, without failing the caller.
    done = set(
        Notification.objects.filter(key__in=[f"{key}:{pk}" for pk in people]).values_list("key", flat=True)
    )
    for recipient in people.values():
        if f"{key}:{recipient.pk}" in done:
            continue
        subject, body = _render(template, recipient, {**base, "recipient": recipient})
        mail_now = immediate or recipient.notification_mode == User.NotificationMode.IMMEDIATE
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    key=f"{key}:{recipient.pk}",
                    recipient=recipient,
                    request=request,
                    subject=subject,
                    body=body,
                    emailed=mail_now,
                )
        except IntegrityError:
            continue  # the concurrent run made it (and its e-mail)
        created_count += 1
        if mail_now:
            email_queue(
                key=f"notification:{notification.pk}",
                to_address=recipient.email,
                subject=subject,
                body=body,
                recipient=recipient,
                attachment=attachment,
                new=True,
            )
    return created_count


def coordinators_for(request: ExchangeRequest) -> list[User]:
    if request.assignee_id and request.assignee.is_active:
        return [request.assignee]
    return list(User.objects.active().with_role(Role.COORDINATOR))


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
    """Tell the people a step concerns, as its row in ``exchanges.workflow.TRANSITIONS`` says."""
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


def send_digests(*, today: date) -> int:
    """One e-mail per person in digest mode with everything not yet mailed (idempotent per day)."""
    sent = 0
    recipients = User.objects.filter(
        notification_mode=User.NotificationMode.DIGEST, is_active=True, notifications__emailed=False
    ).distinct()
    for recipient in recipients:
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update()
                .filter(recipient=recipient, emailed=False)
                .order_by("created_at")
            )
            if not pending:
                continue
            subject, body = _render(
                "digest",
                recipient,
                {"notifications": pending, "site_url": settings.SITE_URL, "recipient": recipient},
            )
            email_queue(
                key=f"digest:{recipient.pk}:{today.isoformat()}:{pending[-1].pk}",
                to_address=recipient.email,
                subject=subject,
                body=body,
                recipient=recipient,
            )
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed=True)
            sent += 1
    return sent


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def user_set_notification_mode(*, user: User, mode: str) -> User:
    if mode not in User.NotificationMode.values:
        raise ValueError(mode)
    if user.notification_mode != mode:
        user.notification_mode = mode
        user.save(update_fields=["notification_mode"])
    return user
