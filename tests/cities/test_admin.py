import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cities.directory.models import City, Department, ExpertProfile, Topic, TopicKeyword, User
from cities.directory.roles import Role
from cities.directory.services.roles import role_permissions_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(demo_world, client, db):
    role_permissions_sync()
    client.force_login(User.objects.get(email="koordination@example.org"))
    return client


@pytest.mark.parametrize("model", [City, Department, Topic, ExpertProfile, User])
def test_coordinators_use_the_administration_with_search(coordinator_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert coordinator_client.get(changelist).status_code == 200
    assert coordinator_client.get(changelist, {"q": "Leipzig"}).status_code == 200
    obj = model.objects.first()
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert coordinator_client.get(change).status_code == 200


def test_city_and_department_lists_show_contact_persons_and_liaisons(coordinator_client):
    cities = coordinator_client.get(reverse("admin:cities_city_changelist")).content.decode()
    departments = coordinator_client.get(
        reverse("admin:cities_department_changelist"), {"q": "Wohnungsbau"}
    ).content.decode()
    assert "Martin Richter" in cities  # Leipzig's contact person
    assert "Steffen Krause" in departments  # liaison of the Amt für Wohnungsbau und Stadterneuerung


def test_coordinators_edit_topic_keywords_inline(coordinator_client):
    topic = Topic.objects.get(slug="wohnen")
    url = reverse("admin:cities_topic_change", args=[topic.pk])
    form = coordinator_client.get(url).context["adminform"].form
    keywords = list(topic.keywords.all())
    data = {
        "name": topic.name,
        "slug": topic.slug,
        "description": topic.description,
        "is_active": "on",
        "keywords-TOTAL_FORMS": str(len(keywords) + 1),
        "keywords-INITIAL_FORMS": str(len(keywords)),
        "keywords-MIN_NUM_FORMS": "0",
        "keywords-MAX_NUM_FORMS": "1000",
    }
    for index, keyword in enumerate(keywords):
        data |= {
            f"keywords-{index}-id": keyword.pk,
            f"keywords-{index}-topic": topic.pk,
            f"keywords-{index}-term": keyword.term,
            f"keywords-{index}-kind": keyword.kind,
        }
    data |= {
        f"keywords-{len(keywords)}-term": "Wohnraumnotstand",
        f"keywords-{len(keywords)}-kind": "synonym",
    }
    assert form is not None

    response = coordinator_client.post(url, data)

    assert response.status_code == 302
    assert TopicKeyword.objects.filter(topic=topic, term="Wohnraumnotstand", kind="synonym").exists()


def test_coordinators_cannot_make_anyone_an_administrator(coordinator_client):
    user = User.objects.get(email="anna.schmidt@example.org")
    page = coordinator_client.get(reverse("admin:cities_user_change", args=[user.pk])).content.decode()
    assert 'name="is_superuser"' not in page


def test_staff_cannot_enter_the_administration(client, demo):
    client.force_login(User.objects.get(email="anna.schmidt@example.org"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert not User.objects.get(email="anna.schmidt@example.org").has_role(Role.COORDINATOR)


def test_contact_and_liaison_lookups(demo):
    leipzig = City.objects.get(slug="leipzig")
    aws = Department.objects.get(city=leipzig, short_name="AWS")
    assert list(User.objects.city_contacts(leipzig.pk).values_list("email", flat=True)) == [
        "kontakt.leipzig@example.org"
    ]
    assert list(User.objects.liaisons_of(aws.pk).values_list("email", flat=True)) == [
        "ressort.leipzig@example.org"
    ]


def test_coordinators_see_requests_read_only_in_the_administration(coordinator_client):
    from exchanges.cycle.models import ExchangeRequest

    request = ExchangeRequest.objects.exclude(reference=None).first()
    listing = coordinator_client.get(reverse("admin:exchanges_exchangerequest_changelist"))
    detail = coordinator_client.get(reverse("admin:exchanges_exchangerequest_change", args=[request.pk]))
    assert listing.status_code == 200 and request.reference in listing.content.decode()
    assert detail.status_code == 200
    assert (
        coordinator_client.post(
            reverse("admin:exchanges_exchangerequest_change", args=[request.pk]), {"status": "completed"}
        ).status_code
        == 403
    )


def test_city_and_department_lists_need_no_query_per_row(coordinator_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cities.factories import CityFactory, DepartmentFactory

    def count(url: str) -> int:
        coordinator_client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert coordinator_client.get(url).status_code == 200
        return len(captured)

    cities, departments = (
        reverse("admin:cities_city_changelist"),
        reverse("admin:cities_department_changelist"),
    )
    before = (count(cities), count(departments))
    for _ in range(5):
        DepartmentFactory(city=CityFactory())
    assert (count(cities), count(departments)) == before


def test_a_persons_supervisor_is_set_in_the_administration_and_must_work_in_the_same_city(coordinator_client):
    anna = User.objects.get(email="anna.schmidt@example.org")
    page = coordinator_client.get(reverse("admin:cities_user_change", args=[anna.pk])).content.decode()
    assert 'name="supervisor"' in page and "Vorgesetzte/r" in page
    anna.supervisor = User.objects.get(email="kontakt.bremen@example.org")
    with pytest.raises(ValidationError) as refused:
        anna.full_clean()
    assert "supervisor" in refused.value.message_dict
    anna.supervisor = User.objects.get(email="ressort.leipzig@example.org")
    anna.full_clean()
