"""Form fields and widgets every form of the portal uses: amounts as people type them, dates."""

from django import forms
from django.utils.formats import get_format


class LocalizedDecimalField(forms.DecimalField):
    """An amount as people type it in the active language: "5.000,00" or "59,90" in German."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, localize=True, **kwargs)

    def to_python(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, str):
            thousands, decimal = get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")
            value = value.strip().replace(" ", "").replace("\u00a0", "").replace("€", "")
            whole = value.split(decimal)[0]
            groups = whole.split(thousands) if thousands else [whole]
            if decimal in value or (len(groups) > 1 and all(len(group) == 3 for group in groups[1:])):
                value = value.replace(thousands, "") if thousands else value
            value = value.replace(decimal, ".")
        return super().to_python(value)


def localize_decimal(field: forms.Field) -> None:
    """German amounts are typed with a comma ("59,90"): a text input that reads grouping and comma."""
    field.__class__ = LocalizedDecimalField
    field.localize = True
    field.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    field.widget.is_localized = True


DATE_WIDGET = forms.DateInput(
    format="%d.%m.%Y", attrs={"placeholder": "TT.MM.JJJJ", "inputmode": "numeric", "autocomplete": "off"}
)


DATETIME_WIDGET = forms.DateTimeInput(
    format="%d.%m.%Y %H:%M", attrs={"placeholder": "TT.MM.JJJJ HH:MM", "autocomplete": "off"}
)
