from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from exchanges.cycle.states import (
    CLOSED_STATUSES,
    EDITABLE_STATUSES,
    NEXT_STEP,
    STATUS_BADGE,
    TRIAGE_STATUSES,
    Status,
)
from koopstadt.versioning import Versioned

__all__ = ["CLOSED_STATUSES", "EDITABLE_STATUSES", "TRIAGE_STATUSES", "Status"]
from django.utils import timezone

from cities.directory.roles import Role
from cities.directory.rules import is_coordinator
from exchanges.cycle.models.cycle import PARTICIPATING_INVITATIONS, Invitation, RoutingDecision

# The columns of ExchangeRequest that the request lists need (with_list_data).
LIST_FIELDS = (
    "id",
    "reference",
    "title",
    "status",
    "requester_id",
    "requester_city_id",
    "assignee_id",
    "submitted_at",
    "contact_due_on",
    "created_at",
    "updated_at",
)


class Format(models.TextChoices):
    BILATERAL = "bilateral", _("Bilateral meeting")
    WORKSHOP = "workshop", _("Workshop")
    PUBLIC_EVENT = "public_event", _("Public event")
    SITE_VISIT = "site_visit", _("Site visit")
    VIDEO_CALL = "video_call", _("Video call")


class Direction(models.TextChoices):
    REQUESTER_TRAVELS = "requester_travels", _("I travel to the partner city")
    EXPERT_TRAVELS = "expert_travels", _("The expert travels to us")
    NO_TRAVEL = "no_travel", _("No travel (e.g. video call)")


class Occasion(models.TextChoices):
    EVENT = "event", _("A dated event (workshop, participation event, …)")
    QUESTION = "question", _("An open question to discuss")


class ExchangeRequestQuerySet(models.QuerySet):
    def open(self) -> "ExchangeRequestQuerySet":
        return self.exclude(status__in=CLOSED_STATUSES)

    def for_city(self, city_id: int) -> "ExchangeRequestQuerySet":
        return self.filter(requester_city_id=city_id)

    def visible_to(self, user) -> "ExchangeRequestQuerySet":
        """The requests a person may see. Lists and detail pages both use exactly this."""

        if not user.is_authenticated:
            return self.none()
        if is_coordinator(user):
            return self

        visible = Q(requester_id=user.pk)
        if user.has_role(Role.CITY_CONTACT) and user.home_city_id:
            visible |= Q(requester_city_id=user.home_city_id) & ~Q(status=Status.DRAFT)
        if user.has_role(Role.DEPARTMENT_LIAISON) and user.department_id:
            visible |= Exists(
                RoutingDecision.objects.filter(
                    request=OuterRef("pk"), department_id=user.department_id, is_routed=True
                )
            )
        # Experts see the requests they are asked for or take part in, whatever their role otherwise; a
        # declined or withdrawn invitation is not participation, so access ends with it.
        visible |= Exists(
            Invitation.objects.filter(
                request=OuterRef("pk"), expert__user_id=user.pk, status__in=PARTICIPATING_INVITATIONS
            )
        )
        return self.filter(visible)

    def with_list_data(self) -> "ExchangeRequestQuerySet":
        """What the request lists show, and only that (the lists are the portal's busiest pages)."""
        return (
            self.select_related("requester", "requester_city", "assignee")
            .only(
                *LIST_FIELDS,
                "requester__display_name",
                "requester_city__name",
                "assignee__display_name",
            )
            .prefetch_related("topics")
        )


class ExchangeRequest(Versioned):
    reference = models.CharField(_("reference number"), max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="exchange_requests",
        verbose_name=_("requester"),
    )
    requester_city = models.ForeignKey(
        "cities.City",
        on_delete=models.PROTECT,
        related_name="exchange_requests",
        verbose_name=_("requester's city"),
    )
    requester_department = models.ForeignKey(
        "cities.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange_requests",
        verbose_name=_("requester's department"),
    )
    title = models.CharField(_("title"), max_length=200)
    topics = models.ManyToManyField(
        "cities.Topic", blank=True, related_name="exchange_requests", verbose_name=_("topics")
    )
    need = models.TextField(_("your need"), blank=True)
    occasion = models.CharField(_("occasion"), max_length=20, choices=Occasion.choices, blank=True)
    occasion_date = models.DateField(_("date of the event"), null=True, blank=True)
    preferred_format = models.CharField(
        _("preferred format"), max_length=20, choices=Format.choices, blank=True
    )
    direction = models.CharField(_("who travels"), max_length=20, choices=Direction.choices, blank=True)
    preferred_partner_cities = models.ManyToManyField(
        "cities.City", blank=True, related_name="+", verbose_name=_("preferred partner cities")
    )
    include_own_city = models.BooleanField(_("experts of my own city are welcome too"), default=False)
    earliest_date = models.DateField(_("earliest date"), null=True, blank=True)
    latest_date = models.DateField(_("latest date"), null=True, blank=True)
    travellers = models.PositiveSmallIntegerField(_("number of travellers"), null=True, blank=True)
    estimated_costs = models.DecimalField(
        _("estimated travel costs (EUR)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assigned coordinator"),
    )
    contact_due_on = models.DateField(_("city contact to act by"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    objects = ExchangeRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("C+R request")
        verbose_name_plural = _("C+R requests")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="request_status_submitted_idx"),
            # The triage inbox's default list, oldest or newest first, without reading closed requests.
            models.Index(
                fields=["submitted_at", "id"],
                condition=models.Q(status__in=TRIAGE_STATUSES),
                name="request_triage_open_idx",
            ),
            models.Index(fields=["requester_city", "status"], name="request_city_status_idx"),
            models.Index(fields=["requester", "status"], name="request_requester_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(earliest_date__isnull=True)
                | Q(latest_date__isnull=True)
                | Q(earliest_date__lte=models.F("latest_date")),
                name="request_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(reference__isnull=False) | Q(status=Status.WITHDRAWN),
                name="request_submitted_has_reference",
            ),
            models.CheckConstraint(
                condition=Q(estimated_costs__gte=0) | Q(estimated_costs__isnull=True),
                name="request_costs_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or _('Draft')}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("exchanges:request_detail", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_overdue(self) -> bool:
        """The city contact's deadline has passed without an answer."""

        return (
            self.status == Status.SUBMITTED
            and bool(self.contact_due_on)
            and self.contact_due_on < timezone.localdate()
        )

    @property
    def next_step(self) -> str:

        return str(NEXT_STEP[Status(self.status)])

    @property
    def status_label(self) -> str:
        """The status's name; cheaper than ``get_status_display``, which hashes every status's label."""
        return str(Status(self.status).label)

    @property
    def topic_names(self) -> str:
        """The topics' names, comma-separated (the lists prefetch the topics: no query per row).

        Read from the prefetched rows directly when there are some: a related manager per row costs
        more than the join.
        """
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("topics")
        topics = prefetched if prefetched is not None else self.topics.all()
        return ", ".join(topic.display_name for topic in topics)

    @property
    def badge_class(self) -> str:

        return STATUS_BADGE[Status(self.status)]


class ReferenceCounter(models.Model):
    """The last reference number handed out in a year (row-locked while counting)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
