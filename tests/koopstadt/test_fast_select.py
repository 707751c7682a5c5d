"""FastSelect writes the same HTML as Django's Select; crispy-forms renders the filter forms around it."""

import re
from datetime import date

import pytest
from django import forms
from django.template import Context, Template
from django.test.html import parse_html

from cities.directory.forms import ExpertFilterForm
from exchanges.cycle.forms import AssignForm, KnowledgeFilterForm, TriageFilterForm
from exchanges.statistics.forms import StatisticsFilterForm
from exchanges.travel.forms import FinanceQueueFilterForm
from koopstadt.form_widgets import FastSelect
from tests.cities.factories import CityFactory, DepartmentFactory, TopicFactory

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")


def crispy(field) -> str:
    return re.sub(r"\s+", " ", CRISPY.render(Context({"field": field})))


def _forms(data):
    return [
        TriageFilterForm(data),
        FinanceQueueFilterForm(data),
        KnowledgeFilterForm(data),
        ExpertFilterForm(data),
        AssignForm(data),
        StatisticsFilterForm(data, today=date(2026, 12, 1), with_city=True),
    ]


@pytest.fixture
def choices():
    city = CityFactory(name='Städt "<b>"')
    CityFactory(name="Zweite Stadt")
    department = DepartmentFactory(city=city)
    topic = TopicFactory(name="Mobilität & Verkehr")
    return {"city": city, "department": department, "topic": topic}


BAD = {
    "status": "bogus",
    "min_age": "-4",
    "min_amount": "abc",
    "requester_city": "999999999999999999999",
    "city": "x",
    "topic": "0",
    "year": "1800",
    "start": "31.02.2026",
    "end": "kein Datum",
    "q": '"><img src=x onerror=alert(1)>',
}


def selected_data(choices):
    return {
        "status": "routing",
        "requester_city": str(choices["city"].pk),
        "partner_city": str(choices["city"].pk),
        "city": str(choices["city"].pk),
        "topic": str(choices["topic"].pk),
        "department": str(choices["department"].pk),
        "year": "2025",
        "sort": "newest",
        "assignee": "me",
    }


def as_django_select(field):
    """The same bound field rendered by Django's own Select (templates, one include per option)."""
    widget = forms.Select(attrs=field.field.widget.attrs, choices=field.field.widget.choices)
    return widget.render(field.html_name, field.value(), {"id": field.auto_id, "class": "form-select"})


@pytest.mark.parametrize("kind", ["unbound", "empty", "invalid", "selected"])
def test_every_filter_select_is_fast_and_writes_what_django_writes(choices, kind):
    data = {"unbound": None, "empty": {}, "invalid": BAD, "selected": selected_data(choices)}[kind]
    compared = selected = 0
    for form in _forms(data):
        if form.is_bound:
            form.is_valid()
        for field in form:
            if not isinstance(field.field.widget, forms.Select):
                continue
            assert type(field.field.widget) is FastSelect, f"{type(form).__name__}.{field.name}"
            fast = field.field.widget.render(
                field.html_name, field.value(), {"id": field.auto_id, "class": "form-select"}
            )
            assert parse_html(fast) == parse_html(as_django_select(field)), field.name
            compared += 1
            selected += " selected" in fast
    assert compared >= 13
    if kind == "selected":
        assert selected >= 10


def test_groups_empty_values_and_several_selected_options_as_django_has_them():
    grouped = [
        (None, "none"),
        ("Nord", [("1", "Bremen"), ("2", "<Kiel>")]),
        ("Süd", [(3, "Nürnberg"), (None, "nothing")]),
        ("1", "again 1"),
    ]
    for value in ("1", "", None, "3", "None"):
        fast = FastSelect(choices=grouped).render("c", value, {"id": "id_c"})
        assert parse_html(fast) == parse_html(
            forms.Select(choices=grouped).render("c", value, {"id": "id_c"})
        )
    multiple = type("FastMultiple", (FastSelect,), {"allow_multiple_selected": True})(choices=grouped)
    django = forms.SelectMultiple(choices=grouped).render("c", ["1", "3"], {"required": True})
    assert parse_html(multiple.render("c", ["1", "3"], {"required": True})) == parse_html(django)
    assert multiple.render("c", ["1", "3"]).count(" selected") == 3  # "1" twice, as Django does


def test_crispy_renders_the_field_around_it_with_its_label_and_errors(choices):
    form = TriageFilterForm({"min_age": "-4", "status": "bogus", "requester_city": "x"})
    assert not form.is_valid()
    html = crispy(form["status"])
    assert '<label for="id_status" class="form-label"> Status </label>' in html
    assert (
        '<select name="status" aria-describedby="id_status_error" aria-invalid="true" '
        'class="fastselect form-select is-invalid" id="id_status">'
    ) in html
    assert re.search(r'<div id="id_status_error" class="invalid-feedback"> ?<p id="error_1_id_status">', html)
    html = crispy(form["min_age"])
    assert 'value="-4"' in html  # what the user typed stays
    city = crispy(TriageFilterForm()["requester_city"])
    assert "Städt &quot;&lt;b&gt;&quot;" in city and "<b>" not in city
    form = KnowledgeFilterForm({"q": '"><img src=x onerror=alert(1)>'})
    form.is_valid()
    html = crispy(form["q"])
    assert "<img" not in html and "&quot;&gt;&lt;img" in html
