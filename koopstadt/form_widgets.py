"""Form fields and widgets every form of the portal uses: amounts as people type them, dates, selects."""

import html
from collections.abc import Iterable

from django import forms
from django.forms.utils import flatatt
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _


class LocalizedDecimalField(forms.DecimalField):
    """An amount as people type it in the active language: "5.000,00" or "59,90" in German."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(*args, localize=True, **kwargs)

    def to_python(self, value):
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


# The hints follow the language: "TT.MM.JJJJ" in German, "DD.MM.YYYY" in English (the order stays the
# German one in both: koopstadt/formats/en/formats.py).
DATE_HINT = _("DD.MM.YYYY")
DATETIME_HINT = _("DD.MM.YYYY HH:MM")

DATE_WIDGET = forms.DateInput(
    format="%d.%m.%Y", attrs={"placeholder": DATE_HINT, "inputmode": "numeric", "autocomplete": "off"}
)


DATETIME_WIDGET = forms.DateTimeInput(
    format="%d.%m.%Y %H:%M", attrs={"placeholder": DATETIME_HINT, "autocomplete": "off"}
)


class FastSelect(forms.Select):
    """A select that writes its options in Python: the same HTML as Django's Select, several times faster.

    Django renders a select through a template and each of its options through a template include, with
    a dictionary of attributes per option; the filter forms above the long lists have selects with one
    option per city, topic or department of the network, which made the form cost more than the list
    (docs/performance.md). This widget builds the same markup directly: the selected options as Django
    marks them, every value and label escaped. crispy-forms renders the field around it (label, classes,
    ``aria-invalid``, ``aria-describedby``, errors, help text) as for every other field.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(final_attrs), self.options_html(value)
        )

    def options_html(self, value: object) -> SafeString:
        """The <option>s and <optgroup>s, selected as Django's ``Select.optgroups`` selects them."""
        selected = set(self.format_value(value))
        multiple = self.allow_multiple_selected
        found = False
        parts: list[str] = []
        for option_value, label in self.choices:
            group = isinstance(label, (list, tuple))
            if group:
                parts.append(f'<optgroup label="{_escape(option_value)}">')
            for sub_value, sub_label in (
                label if group else [("" if option_value is None else option_value, label)]
            ):
                text = str(sub_value)
                is_selected = (multiple or not found) and text in selected
                found = found or is_selected
                parts.append(
                    f'<option value="{_escape(text)}"{" selected" if is_selected else ""}>{_escape(sub_label)}</option>'
                )
            if group:
                parts.append("</optgroup>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label above is escaped


def _escape(value: object) -> str:
    """Django's ``conditional_escape`` (the same result: ``html.escape`` of the text, or the markup of a safe
    string), without its lazy-string wrapper, which cost more than the escaping for a few thousand options."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def mark_required_for(form: forms.BaseForm, names: Iterable[str], mark: str) -> None:
    """Say in the labels of ``names`` that they are needed for a later step, e.g. "(required for submission)".

    A draft may be saved with them empty, so the fields are not ``required`` (no browser or form check);
    the words are part of the label, so sighted people and screen readers get the same information (an
    ``aria-required`` would be wrong on radio buttons and checkboxes). ``field.plain_label`` keeps the
    label without the words for the error summary (``templates/includes/form_errors.html``).
    """
    for name in names:
        field = form.fields[name]
        field.plain_label = field.label
        field.label = format_html('{} <span class="required-mark">({})</span>', field.label, mark)
