"""Optimistic versions (``koopstadt.versioning.Versioned``): check the version a person started from, raise
it with every save, and remember who changed which fields — so a stale save is refused with that story.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cities.records.models import EditRecord
from koopstadt.errors import Change, StaleVersion
from koopstadt.versioning import Versioned


def version_target(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def field_label(model: type[models.Model], name: str) -> str:
    """A field's name as people read it (its verbose name, or the model's ``VERSION_LABELS``)."""
    extra = getattr(model, "VERSION_LABELS", {})
    if name in extra:
        return str(extra[name])
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name


def changed_fields(obj: models.Model, values: Mapping[str, Any]) -> list[str]:
    """The names in ``values`` whose value differs from what ``obj`` holds (many-to-many compared as sets)."""
    changed = []
    for name, new in values.items():
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_many:
            old_ids = set(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else set()
            new_ids = {getattr(item, "pk", item) for item in new}
            if old_ids != new_ids:
                changed.append(name)
        elif getattr(obj, field.attname) != (getattr(new, "pk", new) if field.is_relation else new):
            changed.append(name)
    return changed


def _when(moment) -> tuple[str, str]:
    local = timezone.localtime(moment)
    return formats.date_format(local, "SHORT_DATE_FORMAT"), formats.time_format(local, "H:i")


def stale_version_error(obj: Versioned, expected: int) -> StaleVersion:
    """The refusal of a save that started from ``expected``: who changed what and when since then."""
    records = (
        EditRecord.objects.filter(target=version_target(obj), version__gt=expected)
        .select_related("actor")
        .order_by("version")
    )
    model = type(obj)
    changes = [
        Change(
            version=record.version,
            actor_name=record.actor.display_name if record.actor else _("the portal"),
            at=record.at,
            fields=tuple(record.fields),
            labels=tuple(field_label(model, name) for name in record.fields),
        )
        for record in records
    ]
    told = []
    for change in changes[-3:]:
        day, time = _when(change.at)
        told.append(
            _("%(name)s on %(date)s at %(time)s (%(fields)s)")
            % {
                "name": change.actor_name,
                "date": day,
                "time": time,
                "fields": ", ".join(change.labels) or _("status"),
            }
        )
    if told:
        message = _(
            "Somebody else saved this after you opened it: %(changes)s. Your changes have not been saved; "
            "what you entered is kept. Please check it against the current state and save again."
        ) % {"changes": "; ".join(told)}
    else:
        message = _(
            "This was changed after you opened it. Your changes have not been saved; what you entered is "
            "kept. Please check it against the current state and save again."
        )
    return StaleVersion(message, expected=expected, current=obj.version, changes=changes)


def version_check(obj: Versioned, expected: int | None) -> None:
    """Refuse when ``obj`` (locked by the caller) moved on since the person loaded version ``expected``.

    ``None`` means the caller did not say (an API client without If-Match): allowed, as documented.
    """
    if expected is not None and int(expected) != obj.version:
        raise stale_version_error(obj, int(expected))


def version_advance(
    obj: Versioned, *, actor: Any, expected: int | None = None, fields: Iterable[str] = ()
) -> None:
    """Check ``expected``, raise ``obj.version`` and record the edit. The caller saves ``obj`` afterwards
    (with "version" in ``update_fields``), in the same transaction that locked the row.
    """
    version_check(obj, expected)
    obj.version += 1
    person = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    EditRecord.objects.create(
        target=version_target(obj), version=obj.version, actor=person, fields=sorted(set(fields))
    )
