import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core import serializers
from django.core.management import call_command
from django.test import RequestFactory

from cities.directory.models import City, Department, ExpertProfile, User
from koopstadt.development.demo_data import DEMO_PASSWORD, DEPARTMENTS, EXPERTS, PEOPLE
from koopstadt.development.demo_directory import demo_load

pytestmark = pytest.mark.django_db


def _snapshot() -> str:
    models = [*apps.get_app_config("cities").get_models(), *apps.get_app_config("exchanges").get_models()]
    return "".join(serializers.serialize("json", model.objects.order_by("pk")) for model in models)


def test_demo_loads_the_three_cities_with_their_real_departments():
    demo_load()

    assert list(City.objects.values_list("name", "federal_state")) == [
        ("Bremen", "HB"),
        ("Leipzig", "SN"),
        ("Nürnberg", "BY"),
    ]
    assert Department.objects.count() == len(DEPARTMENTS) == 14
    assert Department.objects.filter(
        city__name="Leipzig", name="Amt für Wohnungsbau und Stadterneuerung"
    ).exists()
    assert Department.objects.filter(city__name="Nürnberg", name="Stab Wohnen").exists()
    assert Department.objects.filter(city__name="Bremen", name="Der Senator für Kinder und Bildung").exists()
    assert ExpertProfile.objects.count() == len(EXPERTS) >= 15
    assert set(ExpertProfile.objects.values_list("user__home_city__name", flat=True)) == {
        "Bremen",
        "Leipzig",
        "Nürnberg",
    }


def test_running_the_demo_twice_changes_nothing():
    call_command("load_demo", stdout=io.StringIO())
    before = _snapshot()

    call_command("load_demo", stdout=io.StringIO())

    assert _snapshot() == before


def test_every_demo_account_logs_in_with_the_documented_password():
    demo_load()
    for email, *_rest in PEOPLE + [(e[0],) for e in EXPERTS]:
        # Log-in throttling (django-axes) needs the request to know the client's address.
        request = RequestFactory().post("/konto/anmelden/")
        assert authenticate(request, username=email, password=DEMO_PASSWORD) is not None, email


def test_demo_roles_one_contact_per_city_and_a_coordinator():
    demo_load()
    contacts = User.objects.with_role("city_contact")
    assert sorted(contacts.values_list("home_city__name", flat=True)) == ["Bremen", "Leipzig", "Nürnberg"]
    coordinator = User.objects.get(email="koordination@example.org")
    assert coordinator.is_coordinator and coordinator.is_staff
    assert User.objects.with_role("finance").count() == 1
    assert User.objects.with_role("department_liaison").count() >= 3


def test_the_demo_has_requests_in_several_states_including_the_real_examples():
    call_command("load_demo", stdout=io.StringIO())
    from exchanges.cycle.models import ExchangeRequest

    states = set(ExchangeRequest.objects.values_list("status", flat=True))
    assert states >= {"draft", "submitted", "returned", "routing", "matching", "withdrawn"}
    titles = set(ExchangeRequest.objects.values_list("title", flat=True))
    assert "Akteurswerkstätten zum Wohnungspolitischen Konzept" in titles
    assert "Erfahrungen mit Mobilitätsstationen im Quartier" in titles
    assert "Quartiersschulen und Bildungszentren planen" in titles


def test_demo_supervisors_approve_trips_with_or_without_an_account():
    from koopstadt.development.demo_data import SUPERVISED_BY, SUPERVISORS

    demo_load()
    for email, _name, _department, account in SUPERVISORS:
        request = RequestFactory().post("/konto/anmelden/")
        logged_in = authenticate(request, username=email, password=DEMO_PASSWORD) is not None
        assert logged_in is account, email
    for traveller, supervisor in SUPERVISED_BY.items():
        person = User.objects.get(email=traveller)
        assert person.supervisor.email == supervisor
        assert person.supervisor.home_city == person.home_city
    assert User.objects.get(email="petra.neumann@example.org").supervisor.display_name == "Dr. Ines Vogt"
