import pytest
from django.urls import reverse

from cities.directory.roles import Role
from tests.cities.factories import (
    CityFactory,
    DepartmentFactory,
    ExpertProfileFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool():
    wohnen = TopicFactory(name="Wohnen", slug="wohnen")
    mobil = TopicFactory(name="Mobilität", slug="mobilitaet")
    bremen = CityFactory(name="Bremen", slug="bremen", federal_state="HB")
    leipzig = CityFactory(name="Leipzig", slug="leipzig")
    return {
        "wohnen": wohnen,
        "mobil": mobil,
        "bremen": bremen,
        "leipzig": leipzig,
        "brandt": ExpertProfileFactory(
            user__display_name="Henrik Brandt",
            user__department=DepartmentFactory(city=bremen, name="Bau und Mobilität"),
            user__phone="0421 123",
            experience="Mobilitätsstationen im Quartier",
            topics=[mobil],
        ),
        "lehmann": ExpertProfileFactory(
            user__display_name="Katrin Lehmann",
            user__department=DepartmentFactory(city=leipzig, name="Amt für Wohnungsbau"),
            experience="Wohnungspolitisches Konzept",
            topics=[wohnen],
        ),
    }


def test_the_pool_is_only_for_signed_in_users(client):
    response = client.get(reverse("cities:expert_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Henrik Brandt", "Katrin Lehmann"}),
        ({"topic": "wohnen"}, {"Katrin Lehmann"}),
        ({"city": "bremen"}, {"Henrik Brandt"}),
        ({"q": "mobilitätsstationen"}, {"Henrik Brandt"}),
        ({"q": "Wohnungsbau"}, {"Katrin Lehmann"}),
        ({"q": "niemand"}, set()),
    ],
)
def test_filters(client, staff_user, pool, params, expected):
    client.force_login(staff_user)
    query = dict(params)
    if "topic" in query:
        query["topic"] = pool[query["topic"]].pk
    if "city" in query:
        query["city"] = pool[query["city"]].pk

    response = client.get(reverse("cities:expert_list"), query)

    assert response.status_code == 200
    shown = {expert.user.display_name for expert in response.context["page"].object_list}
    assert shown == expected
    for name in expected:
        assert name in response.content.decode()


def test_filter_by_department_and_availability(client, staff_user, pool):
    client.force_login(staff_user)
    pool["lehmann"].is_available = False
    pool["lehmann"].save(update_fields=["is_available"])

    by_department = client.get(
        reverse("cities:expert_list"), {"department": pool["lehmann"].user.department_id}
    )
    available = client.get(reverse("cities:expert_list"), {"available": "on"})

    assert [e.user.display_name for e in by_department.context["page"].object_list] == ["Katrin Lehmann"]
    assert "derzeit nicht verfügbar" in by_department.content.decode()
    assert [e.user.display_name for e in available.context["page"].object_list] == ["Henrik Brandt"]


def test_an_invalid_filter_is_explained_and_the_list_stays_usable(client, staff_user, pool):
    client.force_login(staff_user)
    response = client.get(reverse("cities:expert_list"), {"topic": "999999", "q": "Brandt"})
    assert response.status_code == 200
    assert "Bitte korrigieren Sie" in response.content.decode()
    assert 'value="Brandt"' in response.content.decode()


@pytest.mark.parametrize("value", ["¹", "٣", "²³"])
def test_a_digit_that_is_no_number_is_an_invalid_filter_not_an_error(client, staff_user, pool, value):
    # "¹".isdigit() is true, int("¹") fails: the fuzzer found a 500 on /experten/?department=¹.
    client.force_login(staff_user)
    for name in ("department", "city"):
        response = client.get(reverse("cities:expert_list"), {name: value, "q": "Brandt"})
        assert response.status_code == 200
        assert 'value="Brandt"' in response.content.decode()


def test_pagination(client, staff_user, settings):
    settings.EXPERT_POOL_PAGE_SIZE = 2
    ExpertProfileFactory.create_batch(5)
    client.force_login(staff_user)

    first = client.get(reverse("cities:expert_list"))
    last = client.get(reverse("cities:expert_list"), {"page": 3})

    assert len(first.context["page"].object_list) == 2
    assert "Seite 1 von 3" in first.content.decode()
    assert len(last.context["page"].object_list) == 1


def test_the_list_needs_the_same_number_of_queries_for_few_and_many_experts(client, staff_user):
    client.force_login(staff_user)
    topics = TopicFactory.create_batch(3)
    ExpertProfileFactory.create_batch(3, topics=topics)
    client.get(reverse("cities:expert_list"))  # warm the session and caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cities:expert_list"))
    ExpertProfileFactory.create_batch(15, topics=topics)
    client.get(reverse("cities:expert_list"))  # new people and cities renewed the filter's cached lists
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("cities:expert_list"))

    assert len(response.context["page"].object_list) == 18
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("roles", "sees_contact"),
    [
        ([Role.STAFF], False),
        ([Role.EXPERT], False),
        ([Role.FINANCE], False),
        ([Role.COORDINATOR], True),
        ([Role.CITY_CONTACT], True),
        ([Role.DEPARTMENT_LIAISON], True),
    ],
)
def test_contact_details_only_for_coordination_roles(client, pool, roles, sees_contact):
    viewer = UserFactory(department=DepartmentFactory(), roles=roles)
    client.force_login(viewer)
    expert = pool["brandt"]

    response = client.get(expert.get_absolute_url())
    listing = client.get(reverse("cities:expert_list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Henrik Brandt" in page
    assert "Mobilitätsstationen im Quartier" in page
    assert (expert.user.email in page) is sees_contact
    assert ("0421 123" in page) is sees_contact
    assert expert.user.email not in listing.content.decode()


def test_a_deactivated_experts_profile_is_not_found(client, staff_user, pool):
    client.force_login(staff_user)
    user = pool["brandt"].user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(pool["brandt"].get_absolute_url()).status_code == 404


def test_the_department_list_offers_the_chosen_citys_departments_only(client, staff_user, pool):
    client.force_login(staff_user)
    DepartmentFactory(city=pool["leipzig"], name="Amt für Stadtgrün")

    unfiltered = client.get(reverse("cities:expert_list")).content.decode()
    assert ">Bau und Mobilität (Bremen)</option>" not in unfiltered
    assert ">Amt für Stadtgrün (Leipzig)</option>" not in unfiltered
    assert "Wählen Sie zuerst eine Stadt" in unfiltered

    leipzig = client.get(reverse("cities:expert_list"), {"city": pool["leipzig"].pk}).content.decode()
    assert ">Amt für Stadtgrün (Leipzig)</option>" in leipzig
    assert ">Bau und Mobilität (Bremen)</option>" not in leipzig

    bremen = client.get(reverse("cities:expert_list"), {"city": pool["bremen"].pk}).content.decode()
    assert ">Bau und Mobilität (Bremen)</option>" in bremen
