"""Deliver the outbox's e-mails."""

import smtplib
import socket

from celery import shared_task
from django.db import OperationalError

from cities.mail.services import email_deliver, email_mark_failed

# Errors worth another try: the mail server or the database was briefly unreachable.
TRANSIENT_ERRORS = (smtplib.SMTPException, socket.error, TimeoutError, OperationalError)


@shared_task(
    name="cities.tasks.send_email_task",
    bind=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def send_email_task(self, email_id: int) -> bool:
    try:
        return email_deliver(email_id=email_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            email_mark_failed(email_id=email_id, error=str(exc))
        raise
