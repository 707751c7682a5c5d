import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from cities.directory.models import Department, ExpertProfile, User
from tests.cities.factories import (
    CityFactory,
    DepartmentFactory,
    ExpertProfileFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_department_names_are_unique_per_city_whatever_the_case():
    leipzig = CityFactory(name="Leipzig", slug="leipzig")
    DepartmentFactory(city=leipzig, name="Stadtplanungsamt", short_name="SPA")

    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(city=leipzig, name="stadtplanungsamt", short_name="X")

    # The same name in another city is fine: Nürnberg has a Stadtplanungsamt too.
    nuernberg = CityFactory(name="Nürnberg", slug="nuernberg", federal_state="BY")
    assert Department.objects.create(city=nuernberg, name="Stadtplanungsamt", short_name="Stpl").pk


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the composite key exists on PostgreSQL only")
def test_the_database_refuses_a_department_of_another_city():
    bremen_department = DepartmentFactory(city=CityFactory(name="Bremen", slug="bremen", federal_state="HB"))
    leipzig = CityFactory(name="Leipzig", slug="leipzig")
    user = UserFactory(home_city=leipzig)

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(department=bremen_department)
        # PostgreSQL checks the deferred composite key at commit; force it inside the block.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    user.refresh_from_db()
    assert user.department is None


def test_model_validation_explains_a_department_of_another_city():
    department = DepartmentFactory()
    user = UserFactory.build(home_city=CityFactory(), department=department)

    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])

    assert "department" in error.value.message_dict


def test_email_addresses_are_unique_whatever_the_case():
    UserFactory(email="anna@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="Anna@Example.org")


def test_log_in_name_is_matched_without_regard_to_case():
    user = UserFactory(email="anna@example.org")
    assert User.objects.get_by_natural_key("ANNA@example.org") == user


def test_an_expert_needs_a_department():
    profile = ExpertProfile(user=UserFactory(), experience="x")
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert "user" in error.value.message_dict


def test_expert_topic_levels_and_languages():
    topic = TopicFactory(name="Wohnen", slug="wohnen")
    expert = ExpertProfileFactory(topics=[topic], languages="Deutsch, Englisch ,")
    assert expert.language_list == ["Deutsch", "Englisch"]
    assert expert.expert_topics.get().level == 3
    assert expert.topics.get() == topic
