import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core import serializers

from cities.demo_data import DEMO_PASSWORD, DEPARTMENTS, EXPERTS, PEOPLE
from cities.models import City, Department, ExpertProfile, User
from cities.services.demo import demo_load

pytestmark = pytest.mark.django_db


def _snapshot() -> str:
    models = list(apps.get_app_config("cities").get_models())
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
    demo_load()
    before = _snapshot()

    demo_load()

    assert _snapshot() == before


def test_every_demo_account_logs_in_with_the_documented_password():
    demo_load()
    for email, *_rest in PEOPLE + [(e[0],) for e in EXPERTS]:
        assert authenticate(username=email, password=DEMO_PASSWORD) is not None, email


def test_demo_roles_one_contact_per_city_and_a_coordinator():
    demo_load()
    contacts = User.objects.with_role("city_contact")
    assert sorted(contacts.values_list("home_city__name", flat=True)) == ["Bremen", "Leipzig", "Nürnberg"]
    coordinator = User.objects.get(email="koordination@example.org")
    assert coordinator.is_coordinator and coordinator.is_staff
    assert User.objects.with_role("finance").count() == 1
    assert User.objects.with_role("department_liaison").count() >= 3
