"""Forms that carry the version they started from, and show a refused stale save without losing input."""

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koopstadt.errors import StaleVersion


class VersionField(forms.IntegerField):
    """The hidden version a form was opened with (empty for a new object)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("label", gettext_lazy("Version"))
        super().__init__(**kwargs)


def stored_value_text(instance: models.Model, name: str) -> str:
    """What ``instance`` now holds in field ``name``, as a person reads it."""
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return ""
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(instance, name).all()) or "–"
    if getattr(field, "choices", None):
        return str(getattr(instance, f"get_{name}_display")()) or "–"
    value = getattr(instance, name)
    if value in (None, ""):
        return "–"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = str(value)
    return text if len(text) <= 300 else text[:300] + " …"


def form_show_stale(form: forms.BaseForm, error: StaleVersion, instance: models.Model | None = None) -> None:
    """Explain a refused stale save on ``form``, keeping everything typed.

    The message goes to the top; each field somebody else changed is marked with what is stored now;
    the form's version moves on to the current one, so saving again (after checking) is a deliberate
    overwrite of what the person has now seen.
    """
    form.add_error(None, error.message)
    if instance is not None:
        for name in sorted(error.changed_fields & set(form.fields)):
            if name == "version" or isinstance(form.fields[name].widget, forms.HiddenInput):
                continue
            form.add_error(
                name,
                _("Changed in the meantime. Stored now: “%(value)s”")
                % {"value": stored_value_text(instance, name)},
            )
    data = form.data.copy()
    data[form.add_prefix("version")] = str(error.current)
    form.data = data
