"""Object rules for master data (django-rules). Views and templates ask these, never roles directly."""

import rules

from cities.roles import CONTACT_DETAIL_ROLES, Role


@rules.predicate
def is_coordinator(user) -> bool:  # type: ignore[no-untyped-def]
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.COORDINATOR))


@rules.predicate
def sees_contact_details(user) -> bool:  # type: ignore[no-untyped-def]
    return user.is_authenticated and (user.is_superuser or user.has_role(*CONTACT_DETAIL_ROLES))


rules.add_perm("cities.view_expert_contact", sees_contact_details)
# Changing the expert pool outside the administration (the REST API): coordinators and administrators.
rules.add_perm("cities.change_expert_pool", is_coordinator)
# The failed-task page (koopstadt/ops_views.py): coordinators and administrators.
rules.add_perm("cities.handle_failed_tasks", is_coordinator)
