"""Sessions end after inactivity, at a fixed time after log-in, and when the person is deactivated."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from cities.directory.models import User
from cities.operations.models import AuditEvent
from koopstadt import security_middleware
from koopstadt.security_middleware import LOGIN_AT, SEEN_AT
from tests.cities.factories import UserFactory

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, monkeypatch, start: float = 1_800_000_000.0) -> None:
        self.now = start
        monkeypatch.setattr(security_middleware, "_now", lambda: int(self.now))

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _log_in(client, user) -> None:
    client.force_login(user)
    client.cookies["koopstadt_language"] = "en"


def test_a_session_ends_after_the_idle_time_with_a_message(client, staff_user, clock, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    _log_in(client, staff_user)
    assert client.get(reverse("home")).status_code == 200

    clock.advance(29 * 60)
    assert client.get(reverse("home")).status_code == 200  # activity keeps it alive …
    clock.advance(29 * 60)
    assert client.get(reverse("home")).status_code == 200

    clock.advance(31 * 60)  # … inactivity ends it
    response = client.get(reverse("exchanges:request_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('exchanges:request_list')}"
    page = client.get(response["Location"])
    # in the person's own language (German), as the message is made while they are still logged in
    assert "Ihre Sitzung wurde zu Ihrer Sicherheit beendet. Bitte melden Sie sich erneut an." in (
        page.content.decode()
    )
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGOUT, details__reason="idle").count() == 1


def test_a_session_ends_at_the_absolute_limit_despite_activity(client, staff_user, clock, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    settings.SESSION_ABSOLUTE_SECONDS = 2 * 60 * 60
    _log_in(client, staff_user)
    for _ in range(4):
        clock.advance(25 * 60)
        assert client.get(reverse("home")).status_code == 200
    clock.advance(25 * 60)  # 125 minutes after log-in
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_last_seen_time_is_written_at_most_once_a_minute(client, staff_user, clock):
    _log_in(client, staff_user)
    client.get(reverse("home"))
    seen = client.session[SEEN_AT]
    clock.advance(30)
    client.get(reverse("home"))
    assert client.session[SEEN_AT] == seen  # the session was not written for this request

    clock.advance(31)
    client.get(reverse("home"))
    assert client.session[SEEN_AT] == seen + 61
    assert client.session[LOGIN_AT] == seen


def test_deactivating_a_person_ends_all_their_sessions(client, staff_user):
    other = UserFactory()
    first, second, bystander = client, client.__class__(), client.__class__()
    first.force_login(staff_user)
    second.force_login(staff_user)
    bystander.force_login(other)
    assert Session.objects.count() == 3

    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])

    assert Session.objects.count() == 1
    assert first.get(reverse("home")).status_code == 302
    assert second.get(reverse("home")).status_code == 302
    assert bystander.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.USER_DEACTIVATED)
    assert event.subject == staff_user and event.details["sessions_ended"] == 2


def test_a_person_deactivated_behind_the_portals_back_is_refused_on_the_next_request(client, staff_user):
    client.force_login(staff_user)
    User.objects.filter(pk=staff_user.pk).update(is_active=False)  # no signal, sessions stay
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
