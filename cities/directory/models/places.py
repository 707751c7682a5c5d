from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from cities.directory.german_words import stems


class FederalState(models.TextChoices):
    """German federal states; the codes are those the ``holidays`` package uses for subdivisions."""

    BW = "BW", "Baden-Württemberg"
    BY = "BY", "Bayern"
    BE = "BE", "Berlin"
    BB = "BB", "Brandenburg"
    HB = "HB", "Bremen"
    HH = "HH", "Hamburg"
    HE = "HE", "Hessen"
    MV = "MV", "Mecklenburg-Vorpommern"
    NI = "NI", "Niedersachsen"
    NW = "NW", "Nordrhein-Westfalen"
    RP = "RP", "Rheinland-Pfalz"
    SL = "SL", "Saarland"
    SN = "SN", "Sachsen"
    ST = "ST", "Sachsen-Anhalt"
    SH = "SH", "Schleswig-Holstein"
    TH = "TH", "Thüringen"


class CityQuerySet(models.QuerySet):
    def active(self) -> "CityQuerySet":
        return self.filter(is_active=True)

    def network_members(self) -> "CityQuerySet":
        return self.filter(is_active=True, is_network_member=True)


class City(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name in addresses"), max_length=100, unique=True)
    federal_state = models.CharField(_("federal state"), max_length=2, choices=FederalState.choices)
    is_network_member = models.BooleanField(
        _("member of the network"),
        default=True,
        help_text=_("Member cities send and receive C+R requests."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    rate_code = models.CharField(
        _("travel-expenses law"),
        max_length=10,
        default="BRKG",
        help_text=_("The rate set its staff travel under: BRKG (federal default), SN, BY, HB, …"),
    )

    objects = CityQuerySet.as_manager()

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="city_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class DepartmentQuerySet(models.QuerySet):
    def active(self) -> "DepartmentQuerySet":
        return self.filter(is_active=True, city__is_active=True)


class Department(models.Model):
    """A specialist department (Fachressort, Amt, Referat) of a city."""

    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="departments", verbose_name=_("city")
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    parent_name = models.CharField(
        _("part of"),
        max_length=200,
        blank=True,
        help_text=_("The division the department belongs to, e.g. 'Planungs- und Baureferat'."),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    topics = models.ManyToManyField(
        "cities.Topic", related_name="departments", blank=True, verbose_name=_("topics")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["city__name", "name"]
        constraints = [
            models.UniqueConstraint("city", Lower("name"), name="department_name_unique_per_city"),
            models.UniqueConstraint(
                "city",
                Lower("short_name"),
                condition=~Q(short_name=""),
                name="department_short_name_unique_per_city",
            ),
            # Target of the composite foreign key that ties a user's department to their home city
            # (see migration cities.0002).
            models.UniqueConstraint(fields=["id", "city"], name="department_id_city_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city.name})"


class DepartmentKeyword(models.Model):
    """A word that points requests to this department beyond its topics (used by routing)."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="keywords", verbose_name=_("department")
    )
    term = models.CharField(_("keyword"), max_length=100)
    # The keyword's longest word stem: a request can only match the keyword if its text contains this,
    # so routing asks the database for these departments first (exchanges.cycle.services.routing).
    match_stem = models.CharField(_("stem used for matching"), max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = _("department keyword")
        verbose_name_plural = _("department keywords")
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint("department", Lower("term"), name="department_keyword_unique"),
        ]

    def __str__(self) -> str:
        return self.term

    def save(self, *args, **kwargs) -> None:
        self.match_stem = self.stem_for(self.term)
        if kwargs.get("update_fields") is not None and "term" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "match_stem"}
        super().save(*args, **kwargs)

    @staticmethod
    def stem_for(term: str) -> str:

        candidates = [stem for stem in stems(term) if len(stem) >= 3]
        return max(candidates, key=len) if candidates else ""
