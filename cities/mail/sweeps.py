"""E-mails recorded in the outbox but never sent (their message lost in a broker outage)."""

from cities.mail.models import OutgoingEmail
from koopstadt.sweeping import register

register(
    "emails",
    "cities.tasks.send_email_task",
    lambda cutoff: OutgoingEmail.objects.pending().filter(created_at__lt=cutoff).values_list("pk", flat=True),
)
