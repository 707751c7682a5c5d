"""E-mails are plain text: subjects and bodies carry what people typed as typed, never HTML-escaped, and a
line break typed into a title can never add a mail header."""

import pytest
from django.core import mail
from django.urls import reverse

from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.notifications.models import Notification
from exchanges.notifications.services import notify
from tests.exchanges.conftest import make_request

pytestmark = pytest.mark.django_db

TITLE = 'Werkstatt "Wohnen & Arbeiten" <Nord>'


def _notify(request: ExchangeRequest, recipient, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            key="plain-text", recipients=[recipient], template="status_submit", request=request, context={}
        )


def test_subjects_and_bodies_show_a_title_as_typed(people, client, django_capture_on_commit_callbacks):
    request = make_request(people, Status.SUBMITTED)
    ExchangeRequest.objects.filter(pk=request.pk).update(title=TITLE)
    request.refresh_from_db()
    contact = people["contact"]

    _notify(request, contact, django_capture_on_commit_callbacks)

    message = mail.outbox[-1]
    assert message.subject == f"Neue C+R-Anfrage {request.reference}: {TITLE}"
    assert (
        "&quot;" not in message.subject and "&amp;" not in message.subject and "&lt;" not in message.subject
    )
    assert Notification.objects.get(key__startswith="plain-text").subject == message.subject
    # the portal's own page escapes it once, as HTML must
    client.force_login(contact)
    page = client.get(reverse("exchanges:notifications")).content.decode()
    assert "Werkstatt &quot;Wohnen &amp; Arbeiten&quot; &lt;Nord&gt;" in page
    assert "&amp;quot;" not in page


def test_a_line_break_in_a_title_cannot_add_a_mail_header(people, django_capture_on_commit_callbacks):
    request = make_request(people, Status.SUBMITTED)
    ExchangeRequest.objects.filter(pk=request.pk).update(
        title="Anfrage\r\nBcc: everyone@example.org\u2028X-Evil: 1"
    )
    request.refresh_from_db()

    _notify(request, people["contact"], django_capture_on_commit_callbacks)

    sent = mail.outbox[-1]
    assert "\n" not in sent.subject and "\r" not in sent.subject and "\u2028" not in sent.subject
    assert sent.subject.endswith("Anfrage Bcc: everyone@example.org X-Evil: 1")
    headers = sent.message()
    assert headers["Bcc"] is None and headers["X-Evil"] is None
    assert sent.recipients() == [people["contact"].email]
