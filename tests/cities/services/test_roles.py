import pytest
from django.contrib.auth.models import Group

from cities.directory.roles import Role
from cities.directory.services.roles import role_permissions_sync
from cities.directory.services.users import user_create, user_set_roles
from tests.cities.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_migrations_create_every_role_as_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_coordinators_may_maintain_master_data_and_others_may_not():
    role_permissions_sync()
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    staff = UserFactory(roles=[Role.STAFF])

    assert coordinator.has_perm("cities.change_topic")
    assert coordinator.has_perm("cities.add_departmentkeyword")
    assert not coordinator.has_perm("cities.delete_city")
    assert not staff.has_perm("cities.change_topic")


def test_setting_roles_grants_and_withdraws_the_administration():
    user = UserFactory()
    user_set_roles(user=user, roles=[Role.COORDINATOR])
    user.refresh_from_db()
    assert user.is_staff

    user_set_roles(user=user, roles=[Role.STAFF])
    user.refresh_from_db()
    assert not user.is_staff
    assert set(user.groups.values_list("name", flat=True)) == {"staff"}


def test_user_create_takes_the_city_from_the_department():
    department = DepartmentFactory()
    user = user_create(email="Neu@Example.org", display_name="Neu", department=department, roles=[Role.STAFF])
    assert user.email == "neu@example.org"
    assert user.home_city == department.city
    assert user.has_role(Role.STAFF)
