"""Log-in throttling (django-axes) and the audit of log-ins, log-outs and password changes."""

import logging

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from cities.models import AuditEvent
from tests.cities.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind


@pytest.fixture(autouse=True)
def _limits(settings):  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3


def _fail(client, email: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": email, "password": "falsch"}, REMOTE_ADDR=ip)


def test_after_the_limit_the_name_is_locked_with_a_german_page_even_for_the_right_password(client):
    user = UserFactory(email="anna@example.org")
    for _ in range(2):
        assert _fail(client, "anna@example.org").status_code == 200

    locked = _fail(client, "Anna@Example.org ")  # the same name in other capitalisation counts too
    html = locked.content.decode()
    assert locked.status_code == 429
    assert html.count("<h1") == 1
    assert "15" in html  # the cool-off period is named
    assert reverse("login") in html and reverse("password_reset") in html

    right = client.post(
        reverse("login"), {"username": "anna@example.org", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().username == "anna@example.org"
    lockouts = AuditEvent.objects.filter(kind=Kind.LOCKOUT)
    assert [(e.actor, e.ip_address) for e in lockouts] == [(user, "10.0.0.1")]


def test_the_lock_is_per_name_and_address_not_per_address_alone(client):
    UserFactory(email="anna@example.org")
    other = UserFactory(email="bernd@example.org")
    for _ in range(3):
        _fail(client, "anna@example.org")

    # Another person behind the same address (one city's network) still gets in …
    ok = client.post(
        reverse("login"), {"username": other.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert ok.status_code == 302
    client.logout()
    # … and the same person from another address as well.
    ok = client.post(
        reverse("login"), {"username": "anna@example.org", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert ok.status_code == 302


def test_a_successful_log_in_resets_the_count(client):
    UserFactory(email="anna@example.org")
    for _ in range(2):
        _fail(client, "anna@example.org")
    client.post(
        reverse("login"), {"username": "anna@example.org", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    client.logout()
    for _ in range(2):
        assert _fail(client, "anna@example.org").status_code == 200


def test_the_lock_ends_after_the_cool_off(client, settings):
    from datetime import timedelta

    UserFactory(email="anna@example.org")
    for _ in range(3):
        _fail(client, "anna@example.org")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    response = client.post(
        reverse("login"), {"username": "anna@example.org", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302


def test_failed_log_ins_are_logged_and_audited_with_the_person_or_the_typed_name(client, caplog):
    user = UserFactory(email="anna@example.org")
    with caplog.at_level(logging.WARNING, logger="koopstadt.security"):
        _fail(client, "ANNA@example.org")
        _fail(client, "niemand@example.org", ip="10.0.0.2")

    assert "Failed log-in for 'anna@example.org' from 10.0.0.1" in caplog.text
    known, unknown = AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED).order_by("id")
    assert known.actor == user and "username" not in known.details
    assert unknown.actor is None and unknown.details["username"] == "niemand@example.org"
    assert unknown.ip_address == "10.0.0.2"


def test_log_in_and_log_out_are_audited(client):
    user = UserFactory(email="anna@example.org")
    client.post(
        reverse("login"), {"username": "anna@example.org", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5"
    )
    client.post(reverse("logout"))
    events = list(AuditEvent.objects.order_by("id").values_list("kind", "actor", "ip_address"))
    assert (Kind.LOGIN, user.pk, "10.0.0.5") in events
    assert events[-1][:2] == (Kind.LOGOUT, user.pk)


def test_a_password_change_is_audited_and_a_common_password_is_refused(client, staff_user):
    client.force_login(staff_user)
    common = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert common.status_code == 200
    assert "Dieses Passwort ist zu üblich" in common.content.decode()
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(kind=Kind.PASSWORD_CHANGED).exists()

    good = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Neues-Passwort-2026!",
            "new_password2": "Neues-Passwort-2026!",
        },
    )
    assert good.status_code == 302
    event = AuditEvent.objects.get(kind=Kind.PASSWORD_CHANGED)
    assert event.actor == staff_user and event.details == {"how": "change"}


def test_a_password_set_through_the_reset_link_is_audited(client, django_capture_on_commit_callbacks):
    import re

    from django.core import mail

    user = UserFactory(email="reset@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "reset@example.org"})
    link = re.search(r"http://testserver(/konto/passwort-neu/\S+)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "Ganz-neues-Passwort-1", "new_password2": "Ganz-neues-Passwort-1"})

    event = AuditEvent.objects.get(kind=Kind.PASSWORD_CHANGED)
    assert event.actor == user and event.details == {"how": "reset"}
