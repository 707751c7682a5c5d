"""Object rules for master data (django-rules). Views and templates ask these, never roles directly.

``is_coordinator`` is the one answer to "does this person act as the koopstadt coordination?": people with
the coordinator role and the portal's administrators (superusers), when active. Every page, service and
API view asks it (docs/workflow.md, "Who is the coordination"); ``User.objects.coordinators()`` is the
same rule as a list (whom to assign, whom to tell). ``is_finance`` is the same for the finance area.
"""

import rules

from cities.directory.roles import CONTACT_DETAIL_ROLES


@rules.predicate
def is_coordinator(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_coordinator)


@rules.predicate
def is_finance(user) -> bool:
    """Finance's pages and endpoints: the finance role or an administrator (``User.is_finance``)."""
    return bool(user is not None and user.is_authenticated and user.is_finance)


@rules.predicate
def sees_contact_details(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*CONTACT_DETAIL_ROLES))


rules.add_perm("cities.view_expert_contact", sees_contact_details)
# Changing the expert pool outside the administration (the REST API): coordinators and administrators.
rules.add_perm("cities.change_expert_pool", is_coordinator)
# The failed-task page (koopstadt/ops_views.py): coordinators and administrators.
rules.add_perm("cities.handle_failed_tasks", is_coordinator)
