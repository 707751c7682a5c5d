import hashlib
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from exchanges.cycle.states import TIMELINE_TEXT


class TimelineEntry(models.Model):
    """What happened to a request: appended by the transition services, never edited."""

    request = models.ForeignKey(
        "exchanges.ExchangeRequest", on_delete=models.CASCADE, related_name="timeline"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # Set when the actor acted for somebody else: a coordinator recording an expert's answer given by phone.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    is_public = models.BooleanField(_("visible to the requester"), default=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # True from the commit until the notifications for this entry were created: the sweeper queues
    # again what a broker outage lost (docs/reliability.md).
    notification_pending = models.BooleanField(_("notification pending"), default=False)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(notification_pending=True),
                name="timeline_notification_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("Timeline entries are never changed.")
        super().save(*args, **kwargs)

    @property
    def action_label(self) -> str:

        return str(TIMELINE_TEXT.get(self.action, self.action))


class Comment(models.Model):
    request = models.ForeignKey(
        "exchanges.ExchangeRequest", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    is_internal = models.BooleanField(
        _("internal"),
        default=False,
        help_text=_("Internal comments are seen by the coordination only, not by the requester."),
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    # See TimelineEntry.notification_pending.
    notification_pending = models.BooleanField(_("notification pending"), default=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(notification_pending=True),
                name="comment_notification_pending",
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the user's file name on disk: only a random name in a folder per request.
    return f"attachments/{instance.request_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class Attachment(models.Model):
    request = models.ForeignKey(
        "exchanges.ExchangeRequest", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()
