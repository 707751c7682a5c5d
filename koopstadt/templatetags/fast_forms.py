"""``{{ form.field|as_filter_field }}``: the markup of crispy-bootstrap5's ``as_crispy_field``, built in Python.

The filter forms above the long lists (triage, finance queue, expert pool, knowledge base,
statistics) are rendered on every page view, and their selects grow with the network (one option per
city). crispy and Django's widget templates render each option through a template include, which
made the filter form cost more than the list itself (docs/performance.md). This filter writes the
same HTML – label, widget with Bootstrap classes, ``aria-invalid``/``aria-describedby``, the error
and help texts with their ids – directly. Forms with more than filters keep using crispy.
"""

from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _options(context: dict) -> SafeString:
    html = []
    for group_name, options, _index in context["optgroups"]:
        rows = format_html_join(
            "",
            '<option value="{}"{}{}>{}</option>',
            (
                (
                    option["value"] if option["value"] is not None else "",
                    mark_safe(" selected") if option["selected"] else "",
                    flatatt({k: v for k, v in option["attrs"].items() if k != "selected"}),
                    option["label"],
                )
                for option in options
            ),
        )
        html.append(
            format_html('<optgroup label="{}">{}</optgroup>', group_name, rows) if group_name else rows
        )
    return format_html_join("", "{}", ((part,) for part in html))


def _widget(field: BoundField, attrs: dict) -> SafeString:
    widget = field.field.widget
    context = widget.get_context(field.html_name, field.value(), field.build_widget_attrs(attrs))["widget"]
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        multiple = (
            mark_safe(" multiple")
            if context["attrs"].get("multiple") or widget.allow_multiple_selected
            else ""
        )
        return format_html(
            '<select name="{}"{}{}>{}</select>',
            context["name"],
            multiple,
            flatatt({k: v for k, v in context["attrs"].items() if k != "multiple"}),
            _options(context),
        )
    if isinstance(widget, forms.Textarea):
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            context["name"],
            flatatt(context["attrs"]),
            context["value"] or "",
        )
    if isinstance(widget, Input):
        value = {} if context["value"] is None else {"value": context["value"]}
        return format_html(
            '<input type="{}" name="{}"{}>',
            context["type"],
            context["name"],
            flatatt({**value, **context["attrs"]}),
        )
    return format_html("{}", field.as_widget(attrs=attrs))


@register.filter
def as_filter_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    if widget.is_hidden:
        return format_html("{}", field)
    checkbox = isinstance(widget, forms.CheckboxInput)
    css = [
        widget.__class__.__name__.lower(),
        "form-check-input"
        if checkbox
        else ("form-select" if isinstance(widget, forms.Select) else "form-control"),
    ]
    if widget.attrs.get("class"):
        css = widget.attrs["class"].split() + css
    attrs: dict = {}
    if field.auto_id and "id" not in widget.attrs:
        attrs["id"] = field.auto_id
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        css.append("is-invalid")
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    attrs["class"] = " ".join(dict.fromkeys(css))
    widget_html = _widget(field, attrs)
    required = mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""
    errors = (
        format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((i, field.auto_id, e) for i, e in enumerate(field.errors, start=1)),
            ),
        )
        if field.errors
        else ""
    )
    help_text = (
        format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text)
        if field.help_text
        else ""
    )
    label = conditional_escape(field.label)
    if checkbox:
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}'
            '<label for="{}" class="form-check-label">{}{}</label>{}{}</div></div>',
            field.auto_id,
            widget_html,
            field.id_for_label,
            label,
            required,
            errors,
            help_text,
        )
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}{}</label>{}{}{}</div>',
        field.auto_id,
        field.id_for_label,
        label,
        required,
        widget_html,
        errors,
        help_text,
    )
