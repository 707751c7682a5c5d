"""The filter forms of the lists fold behind a "Filters" button on phones (templates/includes/filter_toggle.html,
static/js/disclosure.js): open when a filter is set or the form has an error, so what narrows the list stays
in view; closed otherwise, so the first result is near the top of the screen."""

from dataclasses import dataclass

from django import template
from django.forms import Form

register = template.Library()

# Fields that order the list rather than narrow it.
NOT_FILTERS = frozenset({"sort"})


@dataclass(frozen=True)
class FilterState:
    count: int  # filters set
    open: bool


def _values(data, name: str) -> list:
    return data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]


@register.simple_tag
def filter_state(form: Form) -> FilterState:
    data = form.data if form.is_bound else {}
    count = sum(
        1
        for name in form.fields
        if name not in NOT_FILTERS and any(str(value).strip() for value in _values(data, name) if value)
    )
    return FilterState(count=count, open=bool(count) or (form.is_bound and bool(form.errors)))
