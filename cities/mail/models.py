from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmailQuerySet(models.QuerySet):
    def pending(self) -> "OutgoingEmailQuerySet":
        return self.filter(state=OutgoingEmail.State.PENDING)


class OutgoingEmail(models.Model):
    """An e-mail the portal has decided to send, recorded before any worker touches it.

    The unique ``key`` names the event and the recipient, so the same event can never produce a
    second e-mail, whoever or whatever triggers it again.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")  # recorded, not yet handed to the mail server
        SENT = "sent", _("sent")  # accepted by the mail server
        FAILED = "failed", _("failed")  # gave up after the retries; listed for administrators

    key = models.CharField(_("event key"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        "cities.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("recipient"),
    )
    to_address = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("The text is erased once sent (e.g. password reset links)."),
    )
    attachment_name = models.CharField(_("attachment"), max_length=100, blank=True)
    attachment_mimetype = models.CharField(max_length=100, blank=True)
    attachment_content = models.TextField(blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"], name="outgoing_email_state_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address}"
