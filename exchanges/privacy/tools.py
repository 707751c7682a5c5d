"""What the personal-data export and the anonymisation of every domain share: sections of an export, scrubbing and redacting texts, deleting files after the commit."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Q

# What replaces a free text a person wrote once it is anonymised.
REDACTED = "[anonymisiert]"


def text_scrub(text: str, replacements: Iterable[tuple[str, str]]) -> str:
    """Replace every occurrence of each old value (any capitalisation) by its new value."""
    for old, new in replacements:
        if old and text:
            text = re.sub(re.escape(old), new, text, flags=re.IGNORECASE)
    return text


def rows_scrub(queryset: models.QuerySet, fields: Iterable[str], replacements: list[tuple[str, str]]) -> int:
    """Scrub old names and addresses out of ``fields`` of the rows that contain one; returns rows changed.

    One query finds the rows (``icontains`` in the database), one bulk update writes them. The
    update bypasses ``save()`` on purpose: append-only rows (timeline) keep everything but the name.
    """
    fields = list(fields)
    replacements = [(old, new) for old, new in replacements if old]
    if not replacements or not fields:
        return 0
    condition = Q()
    for name in fields:
        for old, _new in replacements:
            condition |= Q(**{f"{name}__icontains": old})
    model = queryset.model
    changed = []
    for row in queryset.filter(condition).only("pk", *fields):
        dirty = False
        for name in fields:
            value = getattr(row, name)
            new_value = text_scrub(value, replacements)
            max_length = model._meta.get_field(name).max_length
            if max_length:
                new_value = new_value[:max_length]
            if new_value != value:
                setattr(row, name, new_value)
                dirty = True
        if dirty:
            changed.append(row)
    if changed:
        model._base_manager.bulk_update(changed, fields, batch_size=200)
    return len(changed)


def texts_redact(queryset: models.QuerySet, fields: Iterable[str]) -> int:
    """Replace the non-empty ``fields`` of the rows by ``REDACTED`` (one update per field)."""
    count = 0
    for name in fields:
        count += (
            queryset.exclude(**{name: ""}).exclude(**{name: REDACTED}).order_by().update(**{name: REDACTED})
        )
    return count


def files_delete_after_commit(names: Iterable[tuple[Any, str]]) -> None:
    """Delete stored files once the transaction that removed their rows has committed."""
    for storage, name in names:
        if name:
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


@dataclass
class Section:
    """One part of the export: a table with labelled columns."""

    key: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    single: bool = False  # one record, shown as label/value pairs

    def as_json(self) -> Any:
        if self.single:
            return self.rows[0] if self.rows else None
        return self.rows


def label(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def columns(model: type[models.Model], *names: str) -> list[tuple[str, str]]:
    return [(name, label(model, name)) for name in names]


def values(obj: models.Model, *names: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in names:
        model_field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if getattr(model_field, "choices", None) and value not in (None, ""):
            value = str(getattr(obj, f"get_{name}_display")())
        row[name] = value
    return row
