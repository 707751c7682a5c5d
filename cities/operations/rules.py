"""Who may see the operations pages ("Betrieb"): the failed background tasks and the administration.

The main navigation shows one "Betrieb" entry to whoever may see one of them (exchanges.portal), and the
operations page lists what this person may open; the pages themselves ask the same functions.
"""

PERMISSION_FAILED_TASKS = "cities.handle_failed_tasks"  # cities.directory.rules: coordinators, administrators


def may_handle_failed_tasks(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(PERMISSION_FAILED_TASKS))


def may_use_administration(user) -> bool:
    """Django's administration: the same test as ``AdminSite.has_permission``."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def may_see_operations(user) -> bool:
    return may_handle_failed_tasks(user) or may_use_administration(user)
