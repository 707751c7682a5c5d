"""Append-only records: the security audit log and tasks that ran out of retries."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted (retention: cities.operations.audit).")


class AuditEvent(models.Model):
    """One security-relevant event. Written once; the portal offers no way to change or delete it.

    On PostgreSQL a trigger refuses UPDATE and DELETE as well (migration 0008); only the retention
    purge (``cities.operations.audit.audit_purge_before``) may delete events older than the retention
    period, by setting a transaction-local flag the trigger checks.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("log-in")
        LOGIN_FAILED = "login_failed", _("failed log-in")
        LOCKOUT = "lockout", _("log-in locked")
        LOGOUT = "logout", _("log-out")
        PASSWORD_CHANGED = "password_changed", _("password changed")
        ROLE_CHANGED = "role_changed", _("roles changed")
        USER_DEACTIVATED = "user_deactivated", _("user deactivated")
        CLAIM_DECISION = "claim_decision", _("decision on a travel-cost claim")
        TRIP_DECISION = "trip_decision", _("decision on a business trip")
        EXPORT = "export", _("export")
        DATA_EXPORT = "data_export", _("personal data exported")
        ANONYMISATION = "anonymisation", _("person anonymised")
        RETENTION = "retention", _("data past retention anonymised")
        TASK_RETRY = "task_retry", _("failed task retried")
        API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")

    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices, db_index=True)
    # The person who acted. Empty only where no person acted (a periodic task, a failed log-in
    # with an unknown name).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("acting person"),
    )
    # The person the event is about, where that is someone else (role change, anonymisation).
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events_about",
        verbose_name=_("person concerned"),
    )
    target = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-occurred_at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.kind} {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")


class FailedTask(models.Model):
    """A Celery task that ran out of retries, kept so that a person can look at it and retry it."""

    class State(models.TextChoices):
        FAILED = "failed", _("failed")
        RETRIED = "retried", _("queued again")
        DISMISSED = "dismissed", _("dismissed")

    task_id = models.CharField(_("task id"), max_length=64, unique=True)
    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    exception = models.TextField(_("error"), blank=True)
    traceback = models.TextField(_("traceback"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now, db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.FAILED)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    retry_task_id = models.CharField(_("id of the new task"), max_length=64, blank=True)
    digest_sent_at = models.DateTimeField(_("reported to administrators"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")
        ordering = ["-failed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_id}"
