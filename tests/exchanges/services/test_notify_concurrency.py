"""Two runs of the same notification event at the same moment (a retried task, the web request and a
task): one notification and one e-mail per person, and neither run fails."""

import threading

import pytest
from django.db import connection

from cities.models import OutgoingEmail
from exchanges.models import Notification
from exchanges.services import notifications
from tests.cities.factories import UserFactory
from tests.exchanges.factories import ExchangeRequestFactory


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_one_event_at_once_make_one_notification_and_neither_fails(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    request = ExchangeRequestFactory()
    person = UserFactory()
    both_looked = threading.Barrier(2, timeout=10)
    real_render = notifications._render

    def render_after_both_looked(*args, **kwargs):  # type: ignore[no-untyped-def]
        both_looked.wait()  # neither run found the notification; both create it now
        return real_render(*args, **kwargs)

    monkeypatch.setattr(notifications, "_render", render_after_both_looked)
    comment = type("Comment", (), {"author": person, "body": "Bitte Termin prüfen"})()
    results: list[object] = []

    def run() -> None:
        try:
            results.append(
                notifications.notify(
                    key="comment:race",
                    recipients=[person],
                    template="comment",
                    request=request,
                    context={"comment": comment},
                    immediate=True,
                )
            )
        except Exception as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results, key=str) == [0, 1], results
    assert Notification.objects.filter(key=f"comment:race:{person.pk}").count() == 1
    assert OutgoingEmail.objects.filter(to_address=person.email).count() == 1
