"""A real Celery worker process, Redis as broker and PostgreSQL: the production path."""

import re

import pytest
from django.urls import reverse

from cities.mail.models import OutgoingEmail
from tests.cities.factories import UserFactory
from tests.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_password_reset_mail_is_sent_by_the_worker_exactly_once(client, celery_worker_process):
    user = UserFactory(email="worker@example.org")

    response = client.post(reverse("password_reset"), {"email": "worker@example.org"})
    assert response.status_code == 302

    email = wait_for(lambda: OutgoingEmail.objects.filter(recipient=user, state="sent").first(), timeout=60)
    assert email.attempts == 1
    assert email.body == ""
    files = wait_for(lambda: list(celery_worker_process.mail_dir.iterdir()))
    assert len(files) == 1
    sent = files[0].read_text()
    assert "worker@example.org" in sent
    assert re.search(r"/konto/passwort-neu/\S+/\S+/", sent)
    assert "send_email_task" in celery_worker_process.log()


def test_the_same_email_task_delivered_twice_sends_one_email(celery_worker_process):
    from cities.mail.services import email_queue
    from cities.mail.tasks import send_email_task

    email = email_queue(key="twice:1", to_address="twice@example.org", subject="Zweimal", body="Text")
    send_email_task.delay(email.pk)  # a redelivery of the same message

    wait_for(lambda: OutgoingEmail.objects.get(pk=email.pk).state == "sent", timeout=60)
    wait_for(lambda: celery_worker_process.log().count("succeeded") >= 2, timeout=60)
    assert len(list(celery_worker_process.mail_dir.iterdir())) == 1
