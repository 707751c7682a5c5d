"""Tasks that ran out of retries are recorded, shown to coordinators, retried or dismissed, and reported daily."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from celery import shared_task
from celery.signals import task_failure
from django.conf import settings
from django.core import mail
from django.db import OperationalError
from django.urls import reverse

from cities.directory.roles import Role
from cities.mail.models import OutgoingEmail
from cities.mail.tasks import send_email_task
from cities.operations.failed_tasks import failed_tasks_digest
from cities.operations.models import AuditEvent, FailedTask
from cities.operations.tasks import failed_tasks_digest_task
from tests.cities.factories import UserFactory

pytestmark = pytest.mark.django_db

ATTEMPTS: list[int] = []


@shared_task(
    bind=True,
    name="tests.reliability.always_failing_task",
    autoretry_for=(OperationalError,),
    max_retries=2,
    retry_backoff=False,
)
def always_failing_task(self, value: int, *, label: str = "") -> None:
    ATTEMPTS.append(self.request.retries)
    raise OperationalError(f"database unreachable ({label})")


@pytest.fixture
def retries_run_eagerly():
    """Eager tasks retry in place only when their errors are not raised at once (as in a worker)."""
    from koopstadt.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def failed(**fields) -> FailedTask:
    defaults = {
        "task_id": f"task-{FailedTask.objects.count() + 1}",
        "task_name": "cities.tasks.send_email_task",
        "args": [1],
        "exception": "SMTPServerDisconnected: Connection unexpectedly closed",
    }
    return FailedTask.objects.create(**{**defaults, **fields})


# --- recording ---------------------------------------------------------------------------------------
def test_a_task_that_runs_out_of_retries_is_recorded_once_after_the_last_retry(retries_run_eagerly):
    ATTEMPTS.clear()

    result = always_failing_task.delay(7, label="nightly")

    assert result.failed()
    assert ATTEMPTS == [0, 1, 2]  # the first run and two retries, then it gives up
    recorded = FailedTask.objects.get()
    assert recorded.task_name == "tests.reliability.always_failing_task"
    assert recorded.args == [7]
    assert recorded.kwargs == {"label": "nightly"}
    assert recorded.exception == "OperationalError: database unreachable (nightly)"
    assert "always_failing_task" in recorded.traceback
    assert recorded.state == FailedTask.State.FAILED


def test_a_retry_that_is_still_running_records_nothing(retries_run_eagerly):
    ATTEMPTS.clear()
    always_failing_task.max_retries = 5
    try:
        assert always_failing_task.delay(1).failed()
    finally:
        always_failing_task.max_retries = 2
    # five retries fired no failure signal; only the final one did
    assert len(ATTEMPTS) == 6
    assert FailedTask.objects.count() == 1


def test_the_same_failure_signalled_twice_is_one_row():
    for _ in range(2):
        task_failure.send(
            sender=send_email_task,
            task_id="0b7c-same",
            exception=OSError("Connection refused"),
            args=[42],
            kwargs={},
            traceback=None,
            einfo=None,
        )

    recorded = FailedTask.objects.get()
    assert (recorded.task_id, recorded.task_name, recorded.args) == (
        "0b7c-same",
        "cities.tasks.send_email_task",
        [42],
    )
    assert recorded.exception == "OSError: Connection refused"


# --- the page ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("roles", "superuser", "allowed"),
    [
        ([Role.COORDINATOR], False, True),
        ([], True, True),
        ([Role.STAFF], False, False),
        ([Role.CITY_CONTACT], False, False),
        ([Role.DEPARTMENT_LIAISON], False, False),
        ([Role.FINANCE], False, False),
        ([Role.EXPERT], False, False),
    ],
)
def test_only_coordinators_and_administrators_see_and_handle_failed_tasks(client, roles, superuser, allowed):
    task = failed()
    client.force_login(UserFactory(roles=roles, is_superuser=superuser, is_staff=superuser))

    page = client.get(reverse("failed_tasks"))
    operations = client.get(reverse("operations"))
    retry = client.post(reverse("failed_task_action", args=[task.pk, "retry"]))
    dismiss = client.post(reverse("failed_task_action", args=[task.pk, "dismiss"]))

    assert page.status_code == (200 if allowed else 403)
    assert operations.status_code == (200 if allowed else 403)
    home = client.get(reverse("home")).content.decode()
    assert (f'href="{reverse("operations")}"' in home) is allowed  # the navigation's "Betrieb" entry
    if allowed:  # which lists the failed tasks with how many wait
        assert f'href="{reverse("failed_tasks")}"' in operations.content.decode()
        assert "1 Aufgabe wartet auf eine Entscheidung." in operations.content.decode()
    if not allowed:
        assert retry.status_code == dismiss.status_code == 403
        assert FailedTask.objects.get().state == FailedTask.State.FAILED
        assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.TASK_RETRY).exists()


def test_anonymous_visitors_are_sent_to_the_log_in(client):
    task = failed()
    response = client.get(reverse("failed_tasks"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(reverse("failed_task_action", args=[task.pk, "dismiss"]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert FailedTask.objects.get().state == FailedTask.State.FAILED


def test_the_page_lists_task_time_error_and_state_in_an_accessible_table(client, coordinator):
    failed(
        task_name="exchanges.tasks.book_claim_task",
        args=[31],
        exception="OperationalError: server closed the connection",
        failed_at=datetime(2026, 3, 4, 5, 6, tzinfo=ZoneInfo("UTC")),
    )
    failed(task_name="exchanges.tasks.route_request_task", state=FailedTask.State.DISMISSED)
    client.force_login(coordinator)

    html = client.get(reverse("failed_tasks")).content.decode()

    assert html.count("<h1") == 1
    assert "<caption>" in html and 'scope="col"' in html
    assert "exchanges.tasks.book_claim_task" in html and "exchanges.tasks.route_request_task" in html
    assert "04.03.2026 06:06" in html  # TT.MM.JJJJ HH:MM, Berlin time
    assert "OperationalError: server closed the connection" in html
    assert "fehlgeschlagen" in html  # the state, in German
    # buttons only for the open task, each a POST form with the CSRF token
    assert len(re.findall(r'<form method="post" action="/betrieb/aufgaben/\d+/(retry|dismiss)/">', html)) == 2
    assert html.count("csrfmiddlewaretoken") >= 2


def test_the_actions_only_accept_post_and_known_actions(client, coordinator):
    task = failed()
    client.force_login(coordinator)
    assert client.get(reverse("failed_task_action", args=[task.pk, "retry"])).status_code == 405
    assert client.post(reverse("failed_task_action", args=[task.pk, "delete"])).status_code == 404
    assert client.post(reverse("failed_task_action", args=[task.pk + 99, "retry"])).status_code == 404
    assert FailedTask.objects.get().state == FailedTask.State.FAILED


def test_the_actions_need_the_csrf_token(coordinator):
    from django.test import Client

    task = failed()
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post(reverse("failed_task_action", args=[task.pk, "dismiss"])).status_code == 403
    assert FailedTask.objects.get().state == FailedTask.State.FAILED


# --- retry and dismiss -------------------------------------------------------------------------------
def test_retry_queues_the_task_again_by_name_and_leaves_an_audit_event(
    client, coordinator, django_capture_on_commit_callbacks
):
    from cities.mail.services import email_mark_failed, email_queue

    with django_capture_on_commit_callbacks(execute=False):
        email = email_queue(key="lost:9", to_address="ops@example.org", subject="Wichtig", body="Text")
    # the mail server was unreachable through all retries: the task gave up and marked the e-mail
    email_mark_failed(email_id=email.pk, error="Connection refused")
    task = failed(task_name="cities.tasks.send_email_task", args=[email.pk])
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("failed_task_action", args=[task.pk, "retry"]))

    assert response.status_code == 302 and response["Location"] == reverse("failed_tasks")
    assert len(callbacks) == 1  # sent only after the commit
    assert OutgoingEmail.objects.get(pk=email.pk).state == "sent"  # the task really ran again
    assert [m.subject for m in mail.outbox] == ["Wichtig"]
    task.refresh_from_db()
    assert task.state == FailedTask.State.RETRIED
    assert task.handled_by == coordinator and task.handled_at is not None
    assert task.retry_task_id and task.retry_task_id != task.task_id
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TASK_RETRY)
    assert event.actor == coordinator
    assert event.details["task"] == "cities.tasks.send_email_task"
    assert event.details["retry_task_id"] == task.retry_task_id

    # a second click (another tab) changes nothing and queues nothing
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("failed_task_action", args=[task.pk, "retry"]))
    assert callbacks == []
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.TASK_RETRY).count() == 1
    assert FailedTask.objects.get(pk=task.pk).retry_task_id == task.retry_task_id


def test_retry_keeps_the_keyword_arguments(
    coordinator, retries_run_eagerly, django_capture_on_commit_callbacks
):
    from cities.operations.failed_tasks import failed_task_retry

    ATTEMPTS.clear()
    task = failed(task_name="tests.reliability.always_failing_task", args=[3], kwargs={"label": "again"})

    with django_capture_on_commit_callbacks(execute=True):  # runs eagerly here and fails again
        failed_task_retry(failed_task_id=task.pk, actor=coordinator)

    assert ATTEMPTS == [0, 1, 2]
    # the new run failed for good as well and is a new row, under the new task id
    task.refresh_from_db()
    assert FailedTask.objects.get(task_id=task.retry_task_id).kwargs == {"label": "again"}


def test_dismiss_marks_the_task_as_handled(client, coordinator, django_capture_on_commit_callbacks):
    task = failed()
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("failed_task_action", args=[task.pk, "dismiss"]))

    assert response.status_code == 302
    assert callbacks == []  # nothing is queued
    task.refresh_from_db()
    assert (task.state, task.handled_by) == (FailedTask.State.DISMISSED, coordinator)
    html = client.get(reverse("failed_tasks")).content.decode()
    assert "/retry/" not in html  # no buttons any more
    assert client.post(reverse("failed_task_action", args=[task.pk, "retry"])).status_code == 302
    assert FailedTask.objects.get(pk=task.pk).state == FailedTask.State.DISMISSED


# --- the daily digest --------------------------------------------------------------------------------
@pytest.fixture
def administrators(settings):
    settings.ADMINS = [("Administrators", "ops@example.org")]
    UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    UserFactory(email="gone@example.org", is_superuser=True, is_staff=True, is_active=False)
    UserFactory(email="coordinator@example.org", roles=[Role.COORDINATOR])


def test_the_digest_mails_new_failures_to_the_administrators_once(
    administrators, django_capture_on_commit_callbacks
):
    reported = failed(
        task_name="exchanges.tasks.old_task", digest_sent_at=datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC"))
    )
    new = [
        failed(task_name="exchanges.tasks.book_claim_task", args=[31], exception="OperationalError: gone"),
        failed(task_name="cities.tasks.send_email_task", args=[5], state=FailedTask.State.DISMISSED),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        assert failed_tasks_digest_task.delay().result == 2

    assert sorted(m.to[0] for m in mail.outbox) == ["ops@example.org", "root@example.org"]
    body = mail.outbox[0].body
    assert "exchanges.tasks.book_claim_task [31]" in body and "OperationalError: gone" in body
    assert "cities.tasks.send_email_task [5]" in body
    assert "old_task" not in body
    assert f"{settings.SITE_URL}/betrieb/aufgaben/" in body
    assert "2" in mail.outbox[0].subject
    for task in new:
        task.refresh_from_db()
        assert task.digest_sent_at is not None
    assert FailedTask.objects.get(pk=reported.pk).digest_sent_at.year == 2026

    # run again (beat twice, a retry): nothing new, nothing sent
    with django_capture_on_commit_callbacks(execute=True):
        assert failed_tasks_digest() == 0
    assert len(mail.outbox) == 2
    assert OutgoingEmail.objects.count() == 2

    # a later failure is reported on its own
    failed(task_name="exchanges.tasks.route_request_task", args=[8])
    with django_capture_on_commit_callbacks(execute=True):
        assert failed_tasks_digest() == 1
    assert len(mail.outbox) == 4
    assert "route_request_task [8]" in mail.outbox[-1].body
    assert "book_claim_task" not in mail.outbox[-1].body


def test_no_digest_without_new_failures(administrators, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert failed_tasks_digest() == 0
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_the_digest_runs_daily_in_the_beat_schedule():
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "cities.tasks.failed_tasks_digest_task" in entries
