"""Two runs of the same notification event at the same moment (a retried task, the web request and a
task): one notification and one e-mail per person, and neither run fails."""

import pytest
from django.db import connection

from cities.mail.models import OutgoingEmail
from exchanges.notifications import services as notifications
from exchanges.notifications.models import Notification
from tests.cities.factories import UserFactory
from tests.conftest import twice_at_once
from tests.exchanges.factories import ExchangeRequestFactory


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_one_event_at_once_make_one_notification_and_neither_fails(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    request = ExchangeRequestFactory()
    person = UserFactory()
    comment = type("Comment", (), {"author": person, "body": "Bitte Termin prüfen"})()
    # Neither run found the notification; both create it now.
    results = twice_at_once(
        monkeypatch,
        notifications,
        "_render",
        lambda: notifications.notify(
            key="comment:race",
            recipients=[person],
            template="comment",
            request=request,
            context={"comment": comment},
            immediate=True,
        ),
    )
    assert sorted(results, key=str) == [0, 1], results
    assert Notification.objects.filter(key=f"comment:race:{person.pk}").count() == 1
    assert OutgoingEmail.objects.filter(to_address=person.email).count() == 1
