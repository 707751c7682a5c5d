"""Keep the roles' model permissions in the database in line with this table."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from cities.directory.roles import Role

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
        "auditevent": ("view",),
    },
}
# Read-only views of the exchanges app in the administration.
EXCHANGES_MODEL_PERMISSIONS: dict[Role, dict[str, tuple[str, ...]]] = {
    Role.COORDINATOR: {"exchangerequest": ("view",), "notification": ("view",), "timelineentry": ("view",)},
}


@transaction.atomic
def role_permissions_sync() -> None:
    """Create any missing role group and give each role exactly the permissions of the table."""
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = {
            "cities": ROLE_MODEL_PERMISSIONS.get(role, {}),
            "exchanges": EXCHANGES_MODEL_PERMISSIONS.get(role, {}),
        }
        query = Q(pk__in=[])
        expected = 0
        for app_label, models in wanted.items():
            codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
            expected += len(codenames)
            query |= Q(content_type__app_label=app_label, codename__in=codenames)
        permissions = Permission.objects.filter(query)
        if expected != permissions.count():
            # Permissions are created after the models' migration; the next migrate completes them.
            continue
        group.permissions.set(permissions)
