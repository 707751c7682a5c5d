"""Queue and deliver e-mails through the outbox table (``OutgoingEmail``)."""

import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cities.directory.models import User
from cities.mail.models import OutgoingEmail
from koopstadt.dispatch import enqueue_after_commit

logger = logging.getLogger(__name__)


def email_queue(
    *,
    key: str,
    to_address: str,
    subject: str,
    body: str,
    recipient: User | None = None,
    sensitive: bool = False,
    attachment: tuple[str, str, str] | None = None,
    new: bool = False,
) -> OutgoingEmail:
    """Record an e-mail for the event ``key`` and have a worker send it after the commit.

    Queueing the same key again returns the existing row and sends nothing new. ``new=True`` says
    the key cannot exist yet (it names a row made in this transaction) and saves the lookup.
    """
    fields = {
        "to_address": to_address,
        "subject": " ".join(subject.split())[:255],
        "body": body,
        "recipient": recipient,
        "sensitive": sensitive,
        **(
            {
                "attachment_name": attachment[0],
                "attachment_content": attachment[1],
                "attachment_mimetype": attachment[2],
            }
            if attachment
            else {}
        ),
    }
    if new:
        email, created = OutgoingEmail.objects.create(key=key, **fields), True
    else:
        email, created = OutgoingEmail.objects.get_or_create(key=key, defaults=fields)
    if created:
        enqueue_after_commit("cities.tasks.send_email_task", email.pk)
    return email


def email_deliver(*, email_id: int) -> bool:
    """Send one queued e-mail unless it was sent already. Returns whether this call sent it.

    The row is locked while sending, so two workers delivering the same message send it once.
    Errors propagate to the task, which retries transient ones.
    """
    try:
        with transaction.atomic():
            email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
            if email is None or email.state != OutgoingEmail.State.PENDING:
                return False
            message = EmailMessage(subject=email.subject, body=email.body, to=[email.to_address])
            if email.attachment_name:
                message.attach(email.attachment_name, email.attachment_content, email.attachment_mimetype)
            message.send()
            email.state = OutgoingEmail.State.SENT
            email.sent_at = timezone.now()
            email.attempts += 1
            email.last_error = ""
            update_fields = ["state", "sent_at", "attempts", "last_error"]
            if email.sensitive:
                email.body = ""
                update_fields.append("body")
            email.save(update_fields=update_fields)
    except Exception as exc:
        logger.warning("Sending e-mail %s failed: %s", email_id, exc)
        OutgoingEmail.objects.filter(pk=email_id, state=OutgoingEmail.State.PENDING).update(
            attempts=F("attempts") + 1, last_error=str(exc)[:2000]
        )
        raise
    return True


def email_mark_failed(*, email_id: int, error: str) -> None:
    """Mark an e-mail that ran out of retries, so administrators see it."""
    OutgoingEmail.objects.filter(pk=email_id, state=OutgoingEmail.State.PENDING).update(
        state=OutgoingEmail.State.FAILED, last_error=error[:2000]
    )


def email_reopen(*, email_id: int) -> bool:
    """Put an e-mail that ran out of retries back to pending, so that a retried task sends it."""
    return bool(
        OutgoingEmail.objects.filter(pk=email_id, state=OutgoingEmail.State.FAILED).update(
            state=OutgoingEmail.State.PENDING
        )
    )
