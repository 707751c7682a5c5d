"""The fast filter-field renderer writes the same HTML as crispy-bootstrap5 for every filter form."""

from datetime import date

import pytest
from django.template import Context, Template
from django.test.html import parse_html

from cities.directory.forms import ExpertFilterForm
from exchanges.cycle.forms import AssignForm, KnowledgeFilterForm, TriageFilterForm
from exchanges.statistics.forms import StatisticsFilterForm
from exchanges.travel.forms import FinanceQueueFilterForm
from tests.cities.factories import CityFactory, DepartmentFactory, TopicFactory

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")
FAST = Template("{% load fast_forms %}{{ field|as_filter_field }}")


def _forms(data):  # type: ignore[no-untyped-def]
    return [
        TriageFilterForm(data),
        FinanceQueueFilterForm(data),
        KnowledgeFilterForm(data),
        ExpertFilterForm(data),
        AssignForm(data),
        StatisticsFilterForm(data, today=date(2026, 12, 1), with_city=True),
    ]


@pytest.fixture
def choices():  # type: ignore[no-untyped-def]
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
    "late": "on",
    "available": "on",
    "q": '"><img src=x onerror=alert(1)>',
    "reference": "<script>",
}


@pytest.mark.parametrize("data", [None, {}, BAD], ids=["unbound", "empty", "invalid"])
def test_same_html_as_crispy_for_every_field(choices, data):
    compared = 0
    for form in _forms(data):
        if form.is_bound:
            form.is_valid()
        for field in form:
            crispy = parse_html(CRISPY.render(Context({"field": field})))
            fast = parse_html(FAST.render(Context({"field": field})))
            assert fast == crispy, f"{type(form).__name__}.{field.name}:\n{fast}\n---\n{crispy}"
            compared += 1
    assert compared >= 25


def test_errors_are_tied_to_the_field_and_input_is_escaped(choices):
    form = TriageFilterForm({"min_age": "-4", "status": "bogus"})
    assert not form.is_valid()
    html = FAST.render(Context({"field": form["min_age"]}))
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_min_age_error"' in html
    assert 'id="id_min_age_error"' in html
    assert "is-invalid" in html
    assert 'value="-4"' in html  # what the user typed stays
    form = KnowledgeFilterForm({"q": '"><img src=x onerror=alert(1)>'})
    form.is_valid()
    html = FAST.render(Context({"field": form["q"]}))
    assert "<img" not in html and "&quot;&gt;&lt;img" in html


def test_same_html_as_crispy_with_choices_selected(choices):
    data = {
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
    compared = 0
    for form in _forms(data):
        form.is_valid()
        for field in form:
            fast = FAST.render(Context({"field": field}))
            assert parse_html(fast) == parse_html(CRISPY.render(Context({"field": field}))), field.name
            compared += " selected" in fast
    assert compared >= 8
