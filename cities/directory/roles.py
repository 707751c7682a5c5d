from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The portal's roles. Each is a Django group of the same name, created by a data migration."""

    STAFF = "staff", _("City staff")
    CITY_CONTACT = "city_contact", _("koopstadt contact person")
    DEPARTMENT_LIAISON = "department_liaison", _("Department liaison")
    COORDINATOR = "coordinator", _("koopstadt coordinator")
    EXPERT = "expert", _("Expert")
    FINANCE = "finance", _("Finance")


# Roles that may see experts' e-mail addresses and phone numbers.
CONTACT_DETAIL_ROLES = frozenset({Role.COORDINATOR, Role.CITY_CONTACT, Role.DEPARTMENT_LIAISON})
