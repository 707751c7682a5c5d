"""Routing, invitations, the meeting and the reflection: the C+R cycle after acceptance."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from koopstadt.versioning import Versioned


class RoutingDecision(models.Model):
    """How well one department fits a request, why, and whether the request was routed to it."""

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", _("automatic")
        MANUAL = "manual", _("corrected by the coordination")

    request = models.ForeignKey(
        "exchanges.ExchangeRequest", on_delete=models.CASCADE, related_name="routing_decisions"
    )
    department = models.ForeignKey(
        "cities.Department", on_delete=models.CASCADE, related_name="routing_decisions"
    )
    score = models.PositiveIntegerField(_("score"), default=0)
    rank = models.PositiveIntegerField(_("rank"), default=0)
    reasons = models.JSONField(_("reasons"), default=list)
    is_routed = models.BooleanField(_("routed"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.AUTOMATIC)
    note = models.TextField(_("note"), blank=True)
    # What broke a tie of equal points when the portal routed (exchanges.cycle.services.routing._key):
    # the department's open exchanges and its earlier completed ones at that moment. Empty for
    # departments a coordinator added.
    open_exchanges = models.PositiveIntegerField(_("open exchanges when routed"), null=True, blank=True)
    past_routings = models.PositiveIntegerField(_("completed exchanges when routed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")
        ordering = ["rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "department"], name="routing_decision_unique")
        ]
        indexes = [models.Index(fields=["department", "is_routed"], name="routing_department_routed_idx")]

    def __str__(self) -> str:
        return f"{self.department} ({self.score})"


class RoutingModel(models.Model):
    """What routing learnt from earlier routings (exchanges.cycle.services.routing_learning): a naive
    Bayes model over the stems of requests' titles and needs, one class per department. Only the
    latest one is kept."""

    trained_at = models.DateTimeField(_("trained"), db_index=True)
    example_count = models.PositiveIntegerField(_("examples"), default=0)
    # {"departments": {"<id>": {"examples": n, "log_prior": x, "unseen": y, "stems": {stem: log p},
    #   "requests": [[reference, [stems]], ...]}}}
    data = models.JSONField(_("model"), default=dict)

    class Meta:
        verbose_name = _("learnt routing model")
        verbose_name_plural = _("learnt routing models")

    def __str__(self) -> str:
        return f"{self.trained_at:%d.%m.%Y %H:%M} ({self.example_count})"


class InvitationStatus(models.TextChoices):
    OPEN = "open", _("waiting for an answer")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


# The invitations that let an expert read the request: still to be answered, or accepted.
PARTICIPATING_INVITATIONS = (InvitationStatus.OPEN, InvitationStatus.ACCEPTED)


class AnswerChannel(models.TextChoices):
    PORTAL = "portal", _("in the portal")
    LINK = "link", _("by the link in the e-mail")
    API = "api", _("through the API")
    RECORDED = "recorded", _("recorded by the coordination on the expert's behalf")
    CLOSED = "closed", _("closed with the request")


class Invitation(models.Model):
    """An expert asked to take part in a request's exchange."""

    request = models.ForeignKey(
        "exchanges.ExchangeRequest", on_delete=models.CASCADE, related_name="invitations"
    )
    expert = models.ForeignKey("cities.ExpertProfile", on_delete=models.PROTECT, related_name="invitations")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    message = models.TextField(_("message to the expert"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.OPEN
    )
    answer_note = models.TextField(_("answer"), blank=True)
    answer_channel = models.CharField(
        _("answered through"), max_length=10, choices=AnswerChannel.choices, blank=True
    )
    # Who entered the answer: the expert, or a coordinator recording an answer given by phone.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answer entered by"),
    )
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["created_at", "pk"]
        constraints = [
            # An expert is asked once per request while an invitation is open or accepted.
            models.UniqueConstraint(
                fields=["request", "expert"],
                condition=Q(status__in=["open", "accepted"]),
                name="invitation_one_active_per_expert",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="invitation_status_idx")]

    def __str__(self) -> str:
        return f"{self.expert} – {self.get_status_display()}"


class Meeting(Versioned):
    """Date, place and participants of the exchange (one per request; changes update the calendar entry)."""

    request = models.OneToOneField(
        "exchanges.ExchangeRequest", on_delete=models.CASCADE, related_name="meeting"
    )
    starts_at = models.DateTimeField(_("begins"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    city = models.ForeignKey(
        "cities.City",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("city"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    format = models.CharField(_("format"), max_length=20)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="meetings", verbose_name=_("participants")
    )
    travellers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="travels", blank=True, verbose_name=_("who travels")
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: raised with every change"
    )
    is_cancelled = models.BooleanField(default=False)
    held_reminder_sent = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request} @ {self.starts_at:%Y-%m-%d}"

    @property
    def calendar_uid(self) -> str:
        return f"cr-request-{self.request_id}@koopstadt"


class Reflection(models.Model):
    """What was learnt: by the requester (completes the request) or by an expert."""

    class Side(models.TextChoices):
        REQUESTER = "requester", pgettext_lazy("side of a reflection", "requester")
        EXPERT = "expert", pgettext_lazy("side of a reflection", "expert")

    request = models.ForeignKey(
        "exchanges.ExchangeRequest", on_delete=models.CASCADE, related_name="reflections"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="reflections"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    takeaway = models.CharField(_("the takeaway in one line"), max_length=200)
    question = models.TextField(_("what was the question"))
    learnt = models.TextField(_("what we learnt"))
    worked = models.TextField(_("what worked"), blank=True)
    did_not_work = models.TextField(_("what did not work"), blank=True)
    follow_ups = models.TextField(_("follow-ups"), blank=True)
    # German full-text index of the texts above and the request's title, kept by a PostgreSQL trigger
    # (migration 0012); unused on SQLite, where the knowledge base searches word stems instead.
    search_vector = SearchVectorField(null=True, editable=False)
    would_recommend = models.BooleanField(_("I would recommend the format"), default=True)
    is_internal = models.BooleanField(
        _("internal"),
        default=False,
        help_text=_("Only the coordination sees it; it is not in the knowledge base."),
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "author"], name="reflection_one_per_author")
        ]
        indexes = [
            # The knowledge base lists the newest public reflections first.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(is_internal=False),
                name="reflection_public_newest_idx",
            )
        ]

    def __str__(self) -> str:
        return self.takeaway
