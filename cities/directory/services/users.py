from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cities.directory.models import City, Department, User
from cities.directory.roles import Role

# Roles that maintain data in the Django administration.
ADMIN_ROLES = frozenset({Role.COORDINATOR})


@transaction.atomic
def user_create(
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    home_city: City | None = None,
    department: Department | None = None,
    roles: Iterable[Role] = (),
    phone: str = "",
    organisation: str = "",
    preferred_language: str = "de",
) -> User:
    if department is not None and home_city is None:
        home_city = department.city
    user = User.objects.create_user(
        email=email,
        password=password,
        display_name=display_name,
        home_city=home_city,
        department=department,
        phone=phone,
        organisation=organisation,
        preferred_language=preferred_language,
    )
    user_set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role]) -> User:
    """Give the user exactly these roles; coordinators also get access to the administration."""
    role_set = {Role(role) for role in roles}
    user.groups.set(Group.objects.filter(name__in=[role.value for role in role_set]))
    is_staff = user.is_superuser or bool(role_set & ADMIN_ROLES)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user._roles_cache = frozenset(role.value for role in role_set)
    return user


def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("This language is not available."))
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user
