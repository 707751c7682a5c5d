from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from koopstadt.versioning import Versioned


class ExpertProfileQuerySet(models.QuerySet):
    def available(self) -> "ExpertProfileQuerySet":
        return self.filter(is_available=True, user__is_active=True)

    def with_directory_data(self) -> "ExpertProfileQuerySet":
        """Everything the directory and profile pages show, in a fixed number of queries."""
        # The stored search text is for the database's search only: not read with every row.
        return (
            self.defer("search_text")
            .select_related("user", "user__home_city", "user__department__city")
            .prefetch_related(
                models.Prefetch("expert_topics", queryset=ExpertTopic.objects.select_related("topic"))
            )
        )


class ExpertProfile(Versioned):
    """A person in the expert pool: someone of a city's department who coaches colleagues elsewhere.

    The expert's city and department are those of their user account, so the database constraint
    that ties a user's department to their home city holds for experts too.
    """

    user = models.OneToOneField(
        "cities.User", on_delete=models.CASCADE, related_name="expert_profile", verbose_name=_("person")
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    experience = models.TextField(
        _("experience"), help_text=_("A few sentences on projects and experience colleagues can draw on.")
    )
    # Name, position, experience, department, city and topics in one text for the pool's search,
    # kept by PostgreSQL triggers with a trigram index (migration 0010); unused on SQLite.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    languages = models.CharField(
        _("languages"), max_length=200, default="Deutsch", help_text=_("Separate several with commas.")
    )
    is_available = models.BooleanField(
        _("available for exchanges"), default=True, help_text=_("Switch off during parental leave etc.")
    )
    availability_note = models.CharField(_("note on availability"), max_length=300, blank=True)
    max_exchanges_per_year = models.PositiveSmallIntegerField(
        _("exchanges per year at most"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    topics = models.ManyToManyField(
        "cities.Topic", through="cities.ExpertTopic", related_name="experts", verbose_name=_("topics")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ExpertProfileQuerySet.as_manager()

    VERSION_LABELS = {"department": _("department")}

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")
        ordering = ["user__display_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_exchanges_per_year__gte=1, max_exchanges_per_year__lte=52),
                name="expert_max_exchanges_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("cities:expert_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.user_id and not self.user.department_id:
            raise ValidationError({"user": _("An expert must belong to a department of their city.")})

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]


class ExpertTopic(models.Model):
    class Level(models.IntegerChoices):
        BASIC = 1, _("basic knowledge")
        EXPERIENCED = 2, _("experienced")
        EXPERT = 3, _("expert")

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="expert_topics")
    topic = models.ForeignKey("cities.Topic", on_delete=models.PROTECT, related_name="expert_topics")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.EXPERIENCED)

    class Meta:
        verbose_name = _("topic of an expert")
        verbose_name_plural = _("topics of experts")
        ordering = ["-level", "topic__name"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "topic"], name="expert_topic_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=3), name="expert_topic_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.get_level_display()})"
