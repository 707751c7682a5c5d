"""The claim-mapping rules of cities.accounts.sso, claim by claim (the whole flow: test_sso_login.py)."""

import pytest

from cities.accounts.sso import (
    Refusal,
    SsoRefused,
    claim_value,
    sso_city,
    sso_display_name,
    sso_email,
    sso_roles,
    sso_user_login,
)
from cities.directory.models import User
from cities.directory.roles import Role
from tests.cities.factories import CityFactory, DepartmentFactory, UserFactory
from tests.conftest import twice_at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def leipzig(db):
    return CityFactory(slug="leipzig", name="Leipzig")


def test_without_a_city_map_the_claim_matches_slug_or_name_in_any_capitalisation(settings, leipzig):
    settings.OIDC_CITY_MAP = {}
    nuernberg = CityFactory(slug="nuernberg", name="Nürnberg")

    assert sso_city(claims={"city": "LEIPZIG"}) == leipzig
    assert sso_city(claims={"city": "nürnberg"}) == nuernberg
    assert sso_city(claims={"city": ["Atlantis", "Nürnberg"]}) == nuernberg
    assert sso_city(claims={"city": "Atlantis"}) is None
    assert sso_city(claims={}) is None


def test_with_a_city_map_only_mapped_values_count(settings, leipzig):
    settings.OIDC_CITY_MAP = {"Stadt Leipzig": "leipzig", "Atlantis": "no-such-slug"}
    settings.OIDC_CITY_CLAIM = "organisation.city"

    assert sso_city(claims={"organisation": {"city": "stadt leipzig"}}) == leipzig
    assert sso_city(claims={"organisation": {"city": "leipzig"}}) is None  # not in the map
    assert sso_city(claims={"organisation": {"city": "Atlantis"}}) is None  # a slug no city has


def test_roles_come_from_a_list_a_string_or_a_nested_claim(settings):
    settings.OIDC_ROLE_MAP = {
        "CR-Koordination": ["coordinator", "staff"],
        "/koopstadt/finanzen": ["finance"],
        "3f1c9a2e-0000-4a5b-9c1d-7e2f00000001": ["city_contact"],
    }

    assert sso_roles(claims={"groups": ["cr-koordination", "wlan"]}) == {Role.COORDINATOR, Role.STAFF}
    assert sso_roles(claims={"groups": "/koopstadt/finanzen"}) == {Role.FINANCE}
    assert sso_roles(claims={"groups": ["3f1c9a2e-0000-4a5b-9c1d-7e2f00000001"]}) == {Role.CITY_CONTACT}
    assert sso_roles(claims={"groups": []}) == set()
    settings.OIDC_ROLES_CLAIM = "realm_access.roles"
    assert sso_roles(claims={"realm_access": {"roles": ["/koopstadt/finanzen"]}}) == {Role.FINANCE}
    assert claim_value({"a.b": 1, "a": {"b": 2}}, "a.b") == 1  # a claim named with a dot wins


def test_the_display_name_comes_from_name_or_given_and_family_name():
    assert sso_display_name(claims={"name": " Anna Amsel ", "given_name": "A"}) == "Anna Amsel"
    assert sso_display_name(claims={"given_name": "Bernd", "family_name": "Berg"}) == "Bernd Berg"
    assert sso_display_name(claims={"family_name": "Berg"}) == "Berg"
    assert sso_display_name(claims={"name": "x" * 300}) == "x" * 150


@pytest.mark.parametrize(
    "claims",
    [{}, {"email": "not-an-address"}, {"email": "a@b.example", "email_verified": False}],
    ids=["missing", "invalid", "unverified"],
)
def test_no_usable_address_is_refused(claims):
    with pytest.raises(SsoRefused) as refused:
        sso_email(claims=claims)
    assert refused.value.reason == Refusal.NO_EMAIL


def test_a_verified_or_unmarked_address_counts_in_lower_case():
    assert (
        sso_email(claims={"email": "Anna@Leipzig.Example", "email_verified": True}) == "anna@leipzig.example"
    )
    assert sso_email(claims={"email": "anna@leipzig.example"}) == "anna@leipzig.example"
    with pytest.raises(SsoRefused):
        sso_email(claims={"email": "anna@leipzig.example", "email_verified": "false"})


def test_a_linked_account_keeps_its_department_and_gets_a_home_city_only_where_it_had_none(settings, leipzig):
    settings.OIDC_CITY_MAP = {}
    settings.OIDC_SYNC_ROLES = False
    department = DepartmentFactory()
    with_department = UserFactory(department=department)
    homeless = UserFactory(home_city=None)

    user, details = sso_user_login(claims={"email": with_department.email, "city": "leipzig"})
    assert user == with_department
    assert (user.home_city, user.department) == (department.city, department)
    assert details == {"created": False, "roles": []}

    user, _ = sso_user_login(claims={"email": homeless.email, "city": "Leipzig", "locale": "en"})
    assert user.home_city == leipzig


def test_a_new_person_takes_the_language_of_the_locale_claim(settings, leipzig):
    settings.OIDC_CITY_MAP = {}

    user, details = sso_user_login(
        claims={"email": "new@leipzig.example", "city": "leipzig", "locale": "en-GB"}
    )

    assert user.preferred_language == "en"
    assert user.display_name == "new"  # no name claim: the address's local part
    assert details == {"created": True, "roles": ["staff"]}


@pytest.mark.django_db(transaction=True)
def test_two_first_log_ins_at_once_give_one_account_and_no_error(settings, monkeypatch):
    """Two tabs complete the same person's first single sign-on at the same moment (PostgreSQL)."""
    from django.db import connection

    from cities.accounts import sso

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    CityFactory(slug="leipzig", name="Leipzig")
    settings.OIDC_CITY_MAP = {}
    # Neither found an account; both create one now.
    results = twice_at_once(
        monkeypatch,
        sso,
        "user_create",
        lambda: sso_user_login(claims={"email": "neu@leipzig.de", "city": "Leipzig"}),
    )
    assert all(isinstance(result, tuple) for result in results), results
    assert sorted(details["created"] for _user, details in results) == [False, True]
    assert User.objects.filter(email="neu@leipzig.de").count() == 1


def test_roles_follow_the_claim_but_a_missing_claim_keeps_them(settings, leipzig):
    settings.OIDC_SYNC_ROLES = True
    settings.OIDC_ROLE_MAP = {"cr-koordination": ["coordinator"]}
    coordinator = UserFactory(home_city=leipzig, roles=[Role.COORDINATOR, Role.STAFF])

    # No groups claim at all (no mapper, or more groups than the provider puts into a token).
    user, details = sso_user_login(claims={"email": coordinator.email})
    assert set(user.groups.values_list("name", flat=True)) == {"coordinator", "staff"}
    # A groups claim that maps to nothing: the default roles, as documented.
    user, details = sso_user_login(claims={"email": coordinator.email, "groups": ["andere-gruppe"]})
    assert details["roles"] == ["staff"]
    user, details = sso_user_login(claims={"email": coordinator.email, "groups": ["cr-koordination"]})
    assert details["roles"] == ["coordinator"]
