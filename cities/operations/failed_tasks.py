"""Tasks that ran out of retries: record them, let a person retry or dismiss them, report them daily.

Celery sends ``task_failure`` only when a task gives up for good (after the last automatic retry), so
every row here is work that will not happen unless someone acts. ``failed_task_record`` is connected to
that signal in ``cities.apps``.
"""

import hashlib
import logging
import traceback as traceback_module
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cities.directory.models import User
from cities.mail.services import email_queue, email_reopen
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent, FailedTask
from koopstadt.celery import app
from koopstadt.dispatch import publish
from koopstadt.plain_text import render_plain, render_subject

logger = logging.getLogger(__name__)


class FailedTaskError(Exception):
    """The failed task cannot be retried or dismissed (someone handled it already). For the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _json_safe(value: Any) -> Any:
    """Task arguments are JSON already (JSON-only serialiser); anything else is kept as its text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    return repr(value)


def failed_task_record(
    *,
    task_id: str,
    task_name: str,
    args: Iterable[Any] | None,
    kwargs: dict[str, Any] | None,
    exception: BaseException | str,
    traceback: str = "",
) -> FailedTask:
    """Record a task that gave up. Recording the same ``task_id`` again returns the existing row."""
    if isinstance(exception, BaseException):
        exception = f"{type(exception).__name__}: {exception}"
    failed_task, _created = FailedTask.objects.get_or_create(
        task_id=task_id,
        defaults={
            "task_name": task_name[:200],
            "args": _json_safe(list(args or [])),
            "kwargs": _json_safe(dict(kwargs or {})),
            "exception": exception[:5000],
            "traceback": traceback[-20000:],
        },
    )
    return failed_task


def on_task_failure(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    args: Any = None,
    kwargs: Any = None,
    einfo: Any = None,
    **_ignored: Any,
) -> None:
    """Receiver of Celery's ``task_failure`` signal. Never raises: the worker must go on."""
    if not task_id:
        return
    for connection in connections.all(initialized_only=True):
        # The task's connection may be why it failed (a worker); start with a usable one. Inside a
        # transaction (an eager task in a request or a test) the connection is left alone.
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
    if einfo is not None:
        trace = str(einfo.traceback)
    elif exception is not None:
        trace = "".join(traceback_module.format_exception(exception))
    else:
        trace = ""
    try:
        failed_task_record(
            task_id=task_id,
            task_name=getattr(sender, "name", "") or "",
            args=args,
            kwargs=kwargs,
            exception=exception if exception is not None else "",
            traceback=trace,
        )
    except DatabaseError:
        logger.exception("Could not record the failed task %s[%s]", getattr(sender, "name", "?"), task_id)
    else:
        logger.error("Task %s[%s] failed for good and was recorded", getattr(sender, "name", "?"), task_id)


def _locked_open(failed_task_id: int) -> FailedTask:
    failed_task = FailedTask.objects.select_for_update().filter(pk=failed_task_id).first()
    if failed_task is None:
        raise FailedTask.DoesNotExist
    if failed_task.state != FailedTask.State.FAILED:
        raise FailedTaskError(_("This task was handled already."))
    return failed_task


def _send_again(failed_task: FailedTask, new_task_id: str) -> None:
    """Send the task by name with its arguments; if the broker is unreachable, reopen the row."""

    signature = app.signature(failed_task.task_name, args=failed_task.args, kwargs=failed_task.kwargs)
    if not publish(lambda: signature.apply_async(task_id=new_task_id), what=f"{failed_task.task_name} again"):
        FailedTask.objects.filter(pk=failed_task.pk, retry_task_id=new_task_id).update(
            state=FailedTask.State.FAILED, handled_at=None, handled_by=None, retry_task_id=""
        )


def _reopen_email(failed_task: FailedTask) -> None:

    email_id = failed_task.kwargs.get("email_id", failed_task.args[0] if failed_task.args else None)
    if isinstance(email_id, int):
        email_reopen(email_id=email_id)


# What must be undone before a task can do its work again: the e-mail task marks its e-mail as failed
# when it gives up, and a failed e-mail is never sent.
BEFORE_RETRY = {"cities.tasks.send_email_task": _reopen_email}


@transaction.atomic
def failed_task_retry(*, failed_task_id: int, actor: User) -> FailedTask:
    """Queue the task again with the same arguments (after the commit) and note who did it."""
    failed_task = _locked_open(failed_task_id)
    if failed_task.task_name in BEFORE_RETRY:
        BEFORE_RETRY[failed_task.task_name](failed_task)
    failed_task.state = FailedTask.State.RETRIED
    failed_task.handled_at = timezone.now()
    failed_task.handled_by = actor
    failed_task.retry_task_id = str(uuid.uuid4())
    failed_task.full_clean()
    failed_task.save(update_fields=["state", "handled_at", "handled_by", "retry_task_id"])
    audit_record(
        kind=AuditEvent.Kind.TASK_RETRY,
        actor=actor,
        target=failed_task,
        task=failed_task.task_name,
        task_id=failed_task.task_id,
        retry_task_id=failed_task.retry_task_id,
    )
    new_task_id = failed_task.retry_task_id
    transaction.on_commit(lambda: _send_again(failed_task, new_task_id))
    return failed_task


@transaction.atomic
def failed_task_dismiss(*, failed_task_id: int, actor: User) -> FailedTask:
    """Mark a failed task as looked at and not to be retried."""
    failed_task = _locked_open(failed_task_id)
    failed_task.state = FailedTask.State.DISMISSED
    failed_task.handled_at = timezone.now()
    failed_task.handled_by = actor
    failed_task.full_clean()
    failed_task.save(update_fields=["state", "handled_at", "handled_by"])
    return failed_task


def digest_recipients() -> list[str]:
    """The administrators: ``ADMIN_EMAILS`` and every active superuser, each address once."""
    addresses = [address for _name, address in settings.ADMINS]
    addresses += User.objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True)
    unique: dict[str, str] = {}
    for address in addresses:
        if address:
            unique.setdefault(address.strip().lower(), address.strip())
    return sorted(unique.values(), key=str.lower)


def _address_key(address: str) -> str:
    return hashlib.sha256(address.lower().encode()).hexdigest()[:24]


@transaction.atomic
def failed_tasks_digest(*, now: datetime | None = None) -> int:
    """Mail the administrators one list of the failed tasks not reported yet. Returns how many it lists.

    The rows are locked and marked in the same transaction as the e-mails are recorded, and the e-mail
    keys name the listed rows, so a second run (or two at once) reports nothing twice.
    """
    now = now or timezone.now()
    failed = list(
        FailedTask.objects.select_for_update(skip_locked=True)
        .filter(digest_sent_at__isnull=True)
        .order_by("failed_at", "pk")
    )
    recipients = digest_recipients()
    if not failed or not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "failed_tasks": failed,
            "page_url": settings.SITE_URL.rstrip("/") + reverse("failed_tasks"),
        }
        subject = render_subject("cities/email/failed_tasks_digest_subject.txt", context)
        body = render_plain("cities/email/failed_tasks_digest_body.txt", context)
    for address in recipients:
        email_queue(
            key=f"failed-tasks-digest:{failed[0].pk}-{failed[-1].pk}:{_address_key(address)}",
            to_address=address,
            subject=subject,
            body=body,
        )
    FailedTask.objects.filter(pk__in=[task.pk for task in failed]).update(digest_sent_at=now)
    return len(failed)
