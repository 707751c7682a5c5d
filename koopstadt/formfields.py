"""Choice fields that refuse ids no database integer can hold, with the usual "not a valid choice".

Django's model choice fields pass a typed id straight into a query. PostgreSQL's lookups drop an id
beyond 64 bits quietly, but SQLite (the embedded default) raises ``OverflowError`` — a 500 for a
forged form. These fields answer such input like any other unknown choice. The single choice renders
with ``FastSelect``: its options are the cities, topics or departments of the whole network.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from koopstadt.form_widgets import FastSelect

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


def _fits_in_bigint(value: Any) -> bool:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return True  # not a number at all: Django's own check explains it
    return BIGINT_MIN <= number <= BIGINT_MAX


class ModelChoiceField(forms.ModelChoiceField):
    widget = FastSelect

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _fits_in_bigint(value):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        for item in value or ():
            if not _fits_in_bigint(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super()._check_values(value)
