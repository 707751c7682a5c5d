"""Audit of changes to accounts, wherever they are made (portal, administration, shell).

Role changes arrive as ``m2m_changed`` on ``User.groups``; administrator rights and deactivation as
a change of the user row. The acting person is the logged-in person of the current request
(``koopstadt.acting_user``), None only where no person acted. Deactivating a person also ends
all their sessions. Receivers are connected in ``cities.apps.CitiesConfig.ready``.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.utils import timezone

from cities.directory.models import User
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent
from koopstadt.acting_user import acting_request, acting_user

log = logging.getLogger("koopstadt.security")

_WATCHED = ("is_active", "is_staff", "is_superuser")


def user_sessions_end(*, user_id: int) -> int:
    """Delete every stored session of the person (sessions live in the database). Returns how many."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            ended.append(session.session_key)
    if ended:
        Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def _role_names(user_ids: Iterable[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {pk: [] for pk in user_ids}
    for user_id, name in User.groups.through.objects.filter(user_id__in=names).values_list(
        "user_id", "group__name"
    ):
        names[user_id].append(name)
    return {pk: sorted(roles) for pk, roles in names.items()}


def on_groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in {"pre_clear", "post_add", "post_remove", "post_clear"}:
        return
    if action == "pre_clear":
        # The cleared groups are not passed to post_clear: remember them now.
        if reverse:
            instance._koopstadt_cleared = list(instance.user_set.values_list("pk", flat=True))
        else:
            instance._koopstadt_cleared = sorted(instance.groups.values_list("name", flat=True))
        return
    if reverse:  # a group's members changed
        user_ids = sorted(pk_set or getattr(instance, "_koopstadt_cleared", []))
        changes = {pk: [instance.name] for pk in user_ids}
    else:
        if action == "post_clear":
            names = getattr(instance, "_koopstadt_cleared", [])
        else:
            names = sorted(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
        changes = {instance.pk: names}
    changes = {pk: names for pk, names in changes.items() if names}
    if not changes:
        return
    key = "added" if action == "post_add" else "removed"
    now_roles = _role_names(changes)
    actor = acting_user()
    users = User.objects.in_bulk(list(changes))
    for pk, names in changes.items():
        log.info("Roles of user %s %s: %s (by %s)", pk, key, names, actor.pk if actor else "-")
        audit_record(
            kind=AuditEvent.Kind.ROLE_CHANGED,
            actor=actor,
            subject=users.get(pk),
            target=users.get(pk),
            request=acting_request(),
            **{key: names, "roles": now_roles[pk]},
        )


def on_user_pre_save(
    sender: Any, instance: User, update_fields: Iterable[str] | None = None, **kwargs: Any
) -> None:
    instance._koopstadt_before = None
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not set(update_fields) & set(_WATCHED):
        return
    instance._koopstadt_before = User.objects.filter(pk=instance.pk).values(*_WATCHED).first()


def on_user_post_save(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_koopstadt_before", None)
    instance._koopstadt_before = None
    if created or not before:
        return
    actor = acting_user()
    request = acting_request()
    if before["is_active"] and not instance.is_active:
        ended = user_sessions_end(user_id=instance.pk)
        log.info(
            "User %s deactivated by %s; %d sessions ended", instance.pk, actor.pk if actor else "-", ended
        )
        audit_record(
            kind=AuditEvent.Kind.USER_DEACTIVATED,
            actor=actor,
            subject=instance,
            target=instance,
            request=request,
            sessions_ended=ended,
        )
    rights = {
        field: instance.__dict__[field]
        for field in ("is_staff", "is_superuser")
        if before[field] != instance.__dict__[field]
    }
    if rights:
        audit_record(
            kind=AuditEvent.Kind.ROLE_CHANGED,
            actor=actor,
            subject=instance,
            target=instance,
            request=request,
            **rights,
        )
