"""The audit log: role changes and deactivations with the acting person, and its read-only administration."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.services.roles import role_permissions_sync
from cities.directory.services.users import user_set_roles
from cities.operations.models import AuditEvent
from tests.cities.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind


@pytest.fixture
def coordinator_client(client, coordinator):
    role_permissions_sync()
    client.force_login(coordinator)
    return client


def _admin_save(client, person: User, *, roles: list[Role], active: bool = True):
    data = {
        "email": person.email,
        "display_name": person.display_name,
        "phone": person.phone,
        "organisation": person.organisation,
        "preferred_language": person.preferred_language,
        "home_city": person.home_city_id or "",
        "department": person.department_id or "",
        "groups": [group.pk for group in Group.objects.filter(name__in=[r.value for r in roles])],
    }
    if active:
        data["is_active"] = "on"
    return client.post(reverse("admin:cities_user_change", args=[person.pk]), data)


def test_a_role_change_in_the_administration_records_who_changed_whose_roles(coordinator_client, coordinator):
    person = UserFactory(department=DepartmentFactory(), roles=[Role.STAFF])
    last = AuditEvent.objects.order_by("id").last()

    response = _admin_save(coordinator_client, person, roles=[Role.STAFF, Role.CITY_CONTACT])

    assert response.status_code == 302
    events = list(AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED, id__gt=last.pk if last else 0))
    added = [e for e in events if "added" in e.details]
    assert len(added) == 1
    assert added[0].actor == coordinator and added[0].subject == person
    assert added[0].details["added"] == [Role.CITY_CONTACT.value]
    assert added[0].details["roles"] == sorted([Role.CITY_CONTACT.value, Role.STAFF.value])
    assert all(e.actor == coordinator for e in events)


def test_a_role_change_outside_a_request_has_no_acting_person(db):
    person = UserFactory(roles=[Role.STAFF])
    user_set_roles(user=person, roles=[Role.EXPERT])
    removed, added = AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED, subject=person).order_by("id")[1:]
    assert removed.details["removed"] == [Role.STAFF.value] and removed.actor is None
    assert added.details == {"added": [Role.EXPERT.value], "roles": [Role.EXPERT.value]}


def test_deactivation_in_the_administration_is_recorded_with_the_coordinator(coordinator_client, coordinator):
    person = UserFactory(department=DepartmentFactory(), roles=[Role.STAFF])
    response = _admin_save(coordinator_client, person, roles=[Role.STAFF], active=False)
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind=Kind.USER_DEACTIVATED)
    assert (event.actor, event.subject) == (coordinator, person)
    assert event.ip_address == "127.0.0.1"


def test_giving_administrator_rights_is_recorded_as_a_role_change(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    person = UserFactory()
    client.force_login(admin)
    person.is_superuser = True
    # as the administration does it, inside a request of the administrator:
    from koopstadt.acting_user import acting_as

    with acting_as(admin):
        person.save()
    event = AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED, subject=person).latest("id")
    assert event.actor == admin and event.details == {"is_superuser": True}


def test_the_audit_log_is_read_only_for_coordinators_and_hidden_from_others(coordinator_client, client):
    event = AuditEvent.objects.create(kind=Kind.EXPORT, actor=None, target="exchanges.exportbatch:1")
    changelist = reverse("admin:cities_auditevent_changelist")

    page = coordinator_client.get(changelist, {"kind__exact": "export", "q": "exportbatch"})
    assert page.status_code == 200
    assert "exchanges.exportbatch:1" in page.content.decode()
    detail = coordinator_client.get(reverse("admin:cities_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert coordinator_client.get(reverse("admin:cities_auditevent_add")).status_code == 403
    assert (
        coordinator_client.get(reverse("admin:cities_auditevent_delete", args=[event.pk])).status_code == 403
    )
    assert (
        coordinator_client.post(reverse("admin:cities_auditevent_change", args=[event.pk]), {}).status_code
        == 403
    )

    finance = UserFactory(department=DepartmentFactory(), roles=[Role.FINANCE])
    User.objects.filter(pk=finance.pk).update(is_staff=True)  # may enter the administration …
    client.force_login(finance)  # … but has no permission for the audit log
    assert client.get(changelist).status_code == 403
