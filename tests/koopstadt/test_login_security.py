"""Log-in throttling (django-axes) and the audit of log-ins, log-outs and password changes."""

import logging

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from cities.operations.models import AuditEvent
from tests.cities.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 3


def _fail(client, email: str, ip: str = "10.0.0.1"):
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
    link = re.search(r"http://127.0.0.1:8000(/konto/passwort-neu/\S+)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "Ganz-neues-Passwort-1", "new_password2": "Ganz-neues-Passwort-1"})

    event = AuditEvent.objects.get(kind=Kind.PASSWORD_CHANGED)
    assert event.actor == user and event.details == {"how": "reset"}


# --- behind the reverse proxy: the real address, a lock per address, a delay per account -------------
PROXY = "127.0.0.1"  # the documented nginx on the same host
ANNA_AT_WORK = "198.51.100.20"


def _through_proxy(client, email: str, password: str, address: str):
    """A log-in as the documented nginx passes it on: from 127.0.0.1, X-Forwarded-For set to the client."""
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    return settings


def test_failures_elsewhere_lock_only_that_address_and_the_audit_log_names_it(client, behind_nginx):
    from django.test import Client

    user = UserFactory(email="anna@example.org")
    attacker = Client()
    for _ in range(3):
        _through_proxy(attacker, "anna@example.org", "falsch", "203.0.113.7")
    assert _through_proxy(attacker, "anna@example.org", PASSWORD, "203.0.113.7").status_code == 429

    # Anna, behind the same proxy at her own address, is not locked out
    response = _through_proxy(client, "anna@example.org", PASSWORD, ANNA_AT_WORK)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    failed = AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED)
    assert {event.ip_address for event in failed} == {"203.0.113.7"}
    assert AuditEvent.objects.get(kind=Kind.LOCKOUT).ip_address == "203.0.113.7"
    assert AuditEvent.objects.get(kind=Kind.LOGIN).ip_address == ANNA_AT_WORK
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(client, behind_nginx):
    UserFactory(email="anna@example.org")
    # anyone else who sends the header gets their own address recorded, not the one they claim
    client.post(
        reverse("login"),
        {"username": "anna@example.org", "password": "falsch"},
        REMOTE_ADDR="192.0.2.50",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert AuditEvent.objects.get(kind=Kind.LOGIN_FAILED).ip_address == "192.0.2.50"


def test_without_trusted_proxies_the_direct_peer_is_the_client(client, settings):
    settings.TRUSTED_PROXIES = []
    UserFactory(email="anna@example.org")
    _through_proxy(client, "anna@example.org", "falsch", "203.0.113.7")
    assert AuditEvent.objects.get(kind=Kind.LOGIN_FAILED).ip_address == PROXY


def test_guessing_from_ever_new_addresses_slows_the_guesser_and_not_the_person(behind_nginx):
    from datetime import UTC, datetime

    import time_machine
    from django.test import Client

    behind_nginx.LOGIN_DELAY_AFTER = 3
    behind_nginx.LOGIN_DELAY_MAX_SECONDS = 4
    UserFactory(email="anna@example.org")
    annas_browser = Client()
    guesses = iter(range(1, 200))

    def guess():
        # a new address for every guess: the lock per address never comes into play
        return _through_proxy(Client(), "anna@example.org", "falsch", f"203.0.113.{next(guesses)}")

    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False) as clock:
        assert _through_proxy(annas_browser, "anna@example.org", PASSWORD, ANNA_AT_WORK).status_code == 302
        annas_browser.post(reverse("logout"))
        clock.shift(60)

        for _ in range(3):
            assert guess().status_code == 200  # counted: three failures, no wait yet
        waits = []
        for _ in range(5):
            early = guess()  # right after a failure: refused without looking at the password
            assert early.status_code == 429
            waits.append(int(early["Retry-After"]))
            assert "Bitte warten Sie" in early.content.decode()
            clock.shift(waits[-1])
            assert guess().status_code == 200  # after the wait: one more (counted) guess
        assert waits == [1, 2, 4, 4, 4]  # growing, up to LOGIN_DELAY_MAX_SECONDS

        # two guesses arriving together after the wait: one is heard, the other waits
        clock.shift(4)
        assert [guess().status_code, guess().status_code] == [200, 429]

        # Anna's own browser (she logged in with it before) is not delayed at all …
        assert _through_proxy(annas_browser, "anna@example.org", PASSWORD, ANNA_AT_WORK).status_code == 302
        # … and a browser she never used waits at most LOGIN_DELAY_MAX_SECONDS
        for _ in range(3):
            guess()
        new_browser = Client()
        for _ in range(2):
            response = _through_proxy(new_browser, "anna@example.org", PASSWORD, "198.51.100.99")
            if response.status_code == 429:
                assert int(response["Retry-After"]) <= 4
                clock.shift(int(response["Retry-After"]))
        assert response.status_code == 302

    # Refused attempts were not counted: no address reached the lock, and they are audited as delayed
    assert not AccessAttempt.objects.filter(failures_since_start__gte=3).exists()
    delayed = AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED, details__has_key="delayed_seconds")
    assert delayed.count() == 7
