"""Keep the roles' model permissions in the database in line with this table."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from cities.roles import Role

# Coordinators maintain the master data in the administration; everything else is checked by the
# portal's own rules (cities/rules.py, exchanges/rules.py) and needs no model permission.
ROLE_MODEL_PERMISSIONS: dict[Role, dict[str, tuple[str, ...]]] = {
    Role.COORDINATOR: {
        "city": ("add", "change", "view"),
        "department": ("add", "change", "view"),
        "departmentkeyword": ("add", "change", "delete", "view"),
        "topic": ("add", "change", "view"),
        "topickeyword": ("add", "change", "delete", "view"),
        "expertprofile": ("add", "change", "view"),
        "experttopic": ("add", "change", "delete", "view"),
        "user": ("add", "change", "view"),
        "outgoingemail": ("view",),
    },
}


@transaction.atomic
def role_permissions_sync() -> None:
    """Create any missing role group and give each role exactly the permissions of the table."""
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = ROLE_MODEL_PERMISSIONS.get(role, {})
        codenames = [f"{action}_{model}" for model, actions in wanted.items() for action in actions]
        permissions = Permission.objects.filter(content_type__app_label="cities", codename__in=codenames)
        if len(codenames) != permissions.count():
            # Permissions are created after the models' migration; the next migrate completes them.
            continue
        group.permissions.set(permissions)
