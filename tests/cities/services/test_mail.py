import smtplib

import pytest
from django.core import mail

from cities.mail.models import OutgoingEmail
from cities.mail.services import email_deliver, email_mark_failed, email_queue
from cities.mail.tasks import send_email_task
from tests.cities.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_event_key_gives_one_email_however_often_it_is_queued(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(key="evt:1", to_address=user.email, subject="Hallo", body="Text", recipient=user)
        email_queue(key="evt:1", to_address=user.email, subject="Hallo", body="Text", recipient=user)

    assert OutgoingEmail.objects.count() == 1
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get().state == OutgoingEmail.State.SENT


def test_delivering_twice_sends_once(django_capture_on_commit_callbacks):
    email = email_queue(key="evt:2", to_address="a@example.org", subject="S", body="B")

    assert email_deliver(email_id=email.pk) is True
    assert email_deliver(email_id=email.pk) is False
    send_email_task.apply(args=[email.pk])

    assert len(mail.outbox) == 1


def test_sensitive_text_is_erased_once_sent():
    email = email_queue(
        key="evt:3", to_address="a@example.org", subject="S", body="secret link", sensitive=True
    )
    email_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.body == ""
    assert mail.outbox[0].body == "secret link"


def test_a_failing_mail_server_is_recorded_and_the_error_raised(monkeypatch):
    email = email_queue(key="evt:4", to_address="a@example.org", subject="S", body="B")

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert email.state == OutgoingEmail.State.PENDING
    assert email.attempts == 1
    assert "gone" in email.last_error

    email_mark_failed(email_id=email.pk, error="gave up")
    email.refresh_from_db()
    assert email.state == OutgoingEmail.State.FAILED
