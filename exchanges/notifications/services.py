"""Tell people what they must act on: a notification in the portal and an e-mail in their language."""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from cities.directory.models import User
from cities.mail.services import email_queue
from exchanges.notifications.models import Notification
from koopstadt.plain_text import render_plain, render_subject

if TYPE_CHECKING:  # the request an event concerns (only named in the signature)
    from exchanges.cycle.models import ExchangeRequest


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
    request: "ExchangeRequest | None",
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
