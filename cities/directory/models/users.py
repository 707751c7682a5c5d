from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.directory.roles import Role


class UserQuerySet(models.QuerySet):
    def active(self) -> "UserQuerySet":
        return self.filter(is_active=True)

    def with_role(self, role: Role) -> "UserQuerySet":
        return self.filter(groups__name=Role(role).value)

    def city_contacts(self, city_id: int) -> "UserQuerySet":
        """The koopstadt contact persons of a city: active people of that city with the role."""
        return self.active().with_role(Role.CITY_CONTACT).filter(home_city_id=city_id)

    def liaisons_of(self, department_id: int) -> "UserQuerySet":
        """A department's liaisons: its active members with the liaison role (so always of its city)."""
        return self.active().with_role(Role.DEPARTMENT_LIAISON).filter(department_id=department_id)

    def coordinators(self) -> "UserQuerySet":
        """Everyone for whom ``User.is_coordinator`` holds, as a list to choose from or to tell: active
        people with the coordinator role, and active administrators (the same rule, read by the database)."""
        role_holders = self.model.groups.through.objects.filter(group__name=Role.COORDINATOR.value)
        administrators = self.model.objects.filter(is_superuser=True).order_by()
        return self.active().filter(pk__in=role_holders.values("user_id").union(administrators.values("pk")))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        # Log-in by e-mail address, whatever the capitalisation typed.
        return self.get(email__iexact=username)

    def _create(self, email: str, password: str | None, **fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("display_name", "Administrator")
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address. Roles are groups (see ``cities.directory.roles``)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    organisation = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        help_text=_("For staff of independent institutions or associations working with a city."),
    )
    home_city = models.ForeignKey(
        "cities.City",
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        verbose_name=_("home city"),
    )
    department = models.ForeignKey(
        "cities.Department",
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("department"),
    )
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervisor"),
        help_text=_(
            "Approves the person's business trips: a person of the same city (docs/travel-costs.md)."
        ),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="de"
    )

    class NotificationMode(models.TextChoices):
        IMMEDIATE = "immediate", _("an e-mail for every notification")
        DIGEST = "digest", _("one e-mail a day with everything new")

    notification_mode = models.CharField(
        _("e-mails about notifications"),
        max_length=10,
        choices=NotificationMode.choices,
        default=NotificationMode.IMMEDIATE,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("may use the administration"),
        default=False,
        help_text=_("Coordinators and administrators maintain master data in the administration."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Set when the person's data were anonymised (data protection); the account cannot log in again.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=Q(department__isnull=True) | Q(home_city__isnull=False),
                name="user_department_needs_home_city",
            ),
        ]
        # Lists of people and the expert pool are sorted by name.
        indexes = [models.Index(fields=["display_name"], name="user_display_name_idx")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.department_id and self.department.city_id != self.home_city_id:
            raise ValidationError({"department": _("The department must belong to the person's home city.")})
        if self.supervisor_id and (
            self.supervisor_id == self.pk or self.supervisor.home_city_id != self.home_city_id
        ):
            raise ValidationError(
                {"supervisor": _("The supervisor must be another person of the same city.")}
            )

    # --- roles -----------------------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[str]:
        """The names of the user's roles, read once per instance."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            if not self.pk:
                return frozenset()
            cached = frozenset(self.groups.values_list("name", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: Role) -> bool:
        return any(role.value in self.roles for role in roles)

    @property
    def is_coordinator(self) -> bool:
        """The one definition of "acts as the koopstadt coordination" (asked through cities.directory.rules)."""
        return self.is_active and (self.is_superuser or self.has_role(Role.COORDINATOR))

    @property
    def is_finance(self) -> bool:
        """The one definition of "works in the finance area" (queue, bookings, export batches, budget,
        rate sets): an active person with the finance role, or an active administrator. Deciding on a
        claim needs the finance role itself (``exchanges.travel.rules.decides_claims``)."""
        return self.is_active and (self.is_superuser or self.has_role(Role.FINANCE))
