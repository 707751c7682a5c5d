"""Edit records: who saved which fields of a versioned object, and when."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EditRecord(models.Model):
    """Who saved which fields of a versioned object, and which version that save made (append-only).

    Read when a stale save is refused, to tell the person who changed what and when in the meantime.
    """

    target = models.CharField(_("object"), max_length=120)  # "app_label.model:pk"
    version = models.PositiveIntegerField(_("version"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    fields = models.JSONField(_("fields"), default=list, blank=True)

    class Meta:
        verbose_name = _("edit record")
        verbose_name_plural = _("edit records")
        ordering = ["target", "version"]
        default_permissions = ("view",)
        constraints = [models.UniqueConstraint(fields=["target", "version"], name="edit_record_unique")]

    def __str__(self) -> str:
        return f"{self.target} v{self.version}"
