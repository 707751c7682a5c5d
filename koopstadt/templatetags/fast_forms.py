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


def _options(widget: forms.Select, value: object) -> SafeString:
    """The <option>s, selected as Django's Select marks them, without a dict or a template per option.

    Each value and label is escaped with ``conditional_escape`` (a city named ``<b>`` stays text); the
    joined string is then safe by construction.
    """
    selected = {str(v) for v in widget.format_value(value)}
    multiple = widget.allow_multiple_selected
    found = False

    def option(option_value: object, label: object) -> str:
        nonlocal found
        text = "" if option_value is None else str(option_value)
        is_selected = text in selected and (multiple or not found)
        found = found or is_selected
        return '<option value="%s"%s>%s</option>' % (  # noqa: UP031 - cheaper than format_html per option
            conditional_escape(text),
            " selected" if is_selected else "",
            conditional_escape(label),
        )

    html = []
    for option_value, label in widget.choices:
        if isinstance(label, (list, tuple)):
            inner = "".join(option(v, sub_label) for v, sub_label in label)
            html.append(f'<optgroup label="{conditional_escape(option_value)}">{inner}</optgroup>')
        else:
            html.append(option(option_value, label))
    return mark_safe("".join(html))  # noqa: S308 - every value and label above is escaped


def _widget(field: BoundField, attrs: dict) -> SafeString:
    widget = field.field.widget
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        select_attrs = widget.build_attrs(widget.attrs, field.build_widget_attrs(attrs))
        multiple = select_attrs.pop("multiple", False) or widget.allow_multiple_selected
        return format_html(
            '<select name="{}"{}{}>{}</select>',
            field.html_name,
            mark_safe(" multiple") if multiple else "",
            flatatt(select_attrs),
            _options(widget, field.value()),
        )
    context = widget.get_context(field.html_name, field.value(), field.build_widget_attrs(attrs))["widget"]
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
