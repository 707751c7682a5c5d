"""Single sign-on against a real OpenID Connect provider (tests/sso/provider) over loopback HTTP."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from cities.accounts.sso import Refusal, SsoRefused
from cities.directory.models import User
from cities.directory.roles import Role
from cities.operations.models import AuditEvent
from tests.cities.factories import PASSWORD, CityFactory, UserFactory
from tests.sso.conftest import PEOPLE, sso_login

pytestmark = [pytest.mark.django_db, pytest.mark.sso]

Kind = AuditEvent.Kind


@pytest.fixture
def leipzig(db):
    return CityFactory(slug="leipzig", name="Leipzig")


@pytest.fixture
def nuernberg(db):
    return CityFactory(slug="nuernberg", name="Nürnberg")


def _message(reason: Refusal) -> str:
    with translation.override("de"):
        return SsoRefused(reason).message


def _refused_with(client, response, reason: Refusal) -> None:
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    page = client.get(reverse("login"))
    assert escape(_message(reason)) in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_new_person_is_created_with_mapped_city_and_roles_and_logged_in(
    client, sso_settings, oidc_provider, leipzig
):
    # when
    response = sso_login(client, oidc_provider, "anna")

    # then: logged in and sent where a password log-in lands
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    anna = User.objects.get(email="anna.amsel@leipzig.example")
    assert int(client.session["_auth_user_id"]) == anna.pk
    assert anna.display_name == "Anna Amsel"
    assert anna.home_city == leipzig
    assert set(anna.groups.values_list("name", flat=True)) == {Role.COORDINATOR}
    assert anna.is_staff  # coordinators maintain master data
    assert not anna.has_usable_password()
    login = AuditEvent.objects.get(kind=Kind.LOGIN)
    assert login.actor == anna
    assert login.details == {"method": "oidc", "created": True, "roles": ["coordinator"]}
    assert not AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED).exists()

    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Anna Amsel" in home.content.decode()
    # Permissions come from the portal's own backend: the coordinator gets into the administration.
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_existing_local_account_is_linked_follows_the_providers_roles_and_keeps_its_password(
    client, sso_settings, oidc_provider, nuernberg
):
    # given: a local account under the same address in other capitalisation
    bernd = UserFactory(
        email="Bernd.Berg@nuernberg.example",
        display_name="B. Berg",
        home_city=nuernberg,
        roles=[Role.STAFF, Role.EXPERT],
    )

    # when
    response = sso_login(client, oidc_provider, "bernd", next_url=reverse("profile"))

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    assert User.objects.filter(email__iexact="bernd.berg@nuernberg.example").count() == 1
    assert int(client.session["_auth_user_id"]) == bernd.pk
    bernd.refresh_from_db()
    assert bernd.display_name == "Bernd Berg"  # given_name + family_name
    assert bernd.home_city == nuernberg
    assert set(bernd.groups.values_list("name", flat=True)) == {Role.CITY_CONTACT}
    role_change = AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED, subject=bernd).first()
    assert role_change is not None
    login = AuditEvent.objects.get(kind=Kind.LOGIN)
    assert login.details == {"method": "oidc", "created": False, "roles": ["city_contact"]}

    # and the password still works
    client.post(reverse("logout"))
    local = client.post(reverse("login"), {"username": "bernd.berg@nuernberg.example", "password": PASSWORD})
    assert local.status_code == 302
    assert int(client.session["_auth_user_id"]) == bernd.pk
    assert AuditEvent.objects.filter(kind=Kind.LOGIN).count() == 2
    assert AuditEvent.objects.filter(kind=Kind.LOGIN).first().details == {}


def test_without_role_sync_a_linked_account_keeps_its_roles(client, sso_settings, oidc_provider, nuernberg):
    sso_settings.OIDC_SYNC_ROLES = False
    bernd = UserFactory(email="bernd.berg@nuernberg.example", home_city=nuernberg, roles=[Role.EXPERT])

    response = sso_login(client, oidc_provider, "bernd")

    assert response["Location"] == reverse("home")
    assert int(client.session["_auth_user_id"]) == bernd.pk
    assert set(bernd.groups.values_list("name", flat=True)) == {Role.EXPERT}


def test_no_mapped_group_gives_the_default_roles(client, sso_settings, oidc_provider, leipzig):
    sso_settings.OIDC_DEFAULT_ROLES = ["staff", "expert"]

    sso_login(client, oidc_provider, "dora")

    dora = User.objects.get(email="dora.dohle@leipzig.example")
    assert set(dora.groups.values_list("name", flat=True)) == {Role.STAFF, Role.EXPERT}


def test_a_city_that_maps_to_no_partner_city_is_refused_and_nobody_created(
    client, sso_settings, oidc_provider, leipzig
):
    response = sso_login(client, oidc_provider, "carla")

    _refused_with(client, response, Refusal.UNKNOWN_CITY)
    assert not User.objects.filter(email=PEOPLE["carla"]["email"]).exists()
    refusal = AuditEvent.objects.get(kind=Kind.LOGIN_FAILED)
    assert refusal.actor is None
    assert refusal.details == {
        "method": "oidc",
        "reason": "unknown_city",
        "username": "carla.crane@atlantis.example",
        "city_claim": "Atlantis",
    }
    assert not AuditEvent.objects.filter(kind=Kind.LOGIN).exists()
    # The provider checked the password: django-axes counts nothing against this address.
    assert not AccessAttempt.objects.exists()


def test_an_unverified_address_does_not_log_into_the_account_that_has_it(
    client, sso_settings, oidc_provider, leipzig
):
    coordinator = UserFactory(
        email="coordinator@leipzig.example", home_city=leipzig, roles=[Role.COORDINATOR]
    )

    response = sso_login(client, oidc_provider, "eve")

    _refused_with(client, response, Refusal.NO_EMAIL)
    refusal = AuditEvent.objects.get(kind=Kind.LOGIN_FAILED)
    assert refusal.actor == coordinator
    assert refusal.details == {"method": "oidc", "reason": "no_email", "email_verified": False}


def test_without_creating_users_an_unknown_person_is_refused(client, sso_settings, oidc_provider, leipzig):
    sso_settings.OIDC_CREATE_USERS = False

    response = sso_login(client, oidc_provider, "anna")

    _refused_with(client, response, Refusal.NO_ACCOUNT)
    assert not User.objects.filter(email=PEOPLE["anna"]["email"]).exists()
    assert AuditEvent.objects.get(kind=Kind.LOGIN_FAILED).details["reason"] == "no_account"


def test_a_deactivated_account_is_refused(client, sso_settings, oidc_provider, leipzig):
    UserFactory(email=PEOPLE["dora"]["email"], home_city=leipzig, is_active=False)

    response = sso_login(client, oidc_provider, "dora")

    _refused_with(client, response, Refusal.INACTIVE)
    assert AuditEvent.objects.get(kind=Kind.LOGIN_FAILED).details["reason"] == "inactive"


def test_a_provider_that_refuses_the_code_exchange_gives_a_message_not_an_error_page(
    client, sso_settings, oidc_provider, leipzig
):
    sso_settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"

    response = sso_login(client, oidc_provider, "anna")

    _refused_with(client, response, Refusal.PROVIDER_ERROR)
    assert not User.objects.filter(email=PEOPLE["anna"]["email"]).exists()
    details = AuditEvent.objects.get(kind=Kind.LOGIN_FAILED).details
    assert details == {"method": "oidc", "reason": "provider_error", "error": "HTTPError"}


def test_an_error_answer_of_the_provider_is_shown_and_audited(client, sso_settings, leipzig):
    response = client.get(reverse("oidc_authentication_callback"), {"error": "access_denied", "state": "x"})

    _refused_with(client, response, Refusal.PROVIDER_ERROR)
    details = AuditEvent.objects.get(kind=Kind.LOGIN_FAILED).details
    assert details == {"method": "oidc", "reason": "provider_error", "error": "access_denied"}


def test_the_discovery_command_prints_the_providers_endpoints(oidc_provider):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("oidc_discover", oidc_provider.url, stdout=out)
    lines = out.getvalue().splitlines()
    assert f"OIDC_OP_AUTHORIZATION_ENDPOINT={oidc_provider.endpoint('authorize')}" in lines
    assert f"OIDC_OP_TOKEN_ENDPOINT={oidc_provider.endpoint('token')}" in lines
    assert f"OIDC_OP_USER_ENDPOINT={oidc_provider.endpoint('userinfo')}" in lines
    assert f"OIDC_OP_JWKS_ENDPOINT={oidc_provider.endpoint('jwks')}" in lines
    assert "OIDC_RP_SIGN_ALGO=RS256" in lines


def test_an_answer_for_a_log_in_this_browser_never_started_is_refused_with_a_message(
    client, sso_settings, oidc_provider
):
    # no log-in started at all
    response = client.get(reverse("oidc_authentication_callback"), {"code": "abc", "state": "forged"})
    _refused_with(client, response, Refusal.PROVIDER_ERROR)
    # a log-in started, but the answer names another state (mozilla-django-oidc: SuspiciousOperation)
    client.get(reverse("oidc_authentication_init"))
    response = client.get(reverse("oidc_authentication_callback"), {"code": "abc", "state": "forged"})
    _refused_with(client, response, Refusal.PROVIDER_ERROR)

    refusals = AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED)
    assert [event.details for event in refusals] == [
        {"method": "oidc", "reason": "provider_error", "error": "unknown_state"}
    ] * 2


def test_a_bare_visit_of_the_callback_is_sent_to_the_log_in_page_without_an_audit_entry(client, sso_settings):
    response = client.get(reverse("oidc_authentication_callback"))

    assert response["Location"] == reverse("login")
    assert not AuditEvent.objects.exists()


def test_an_id_token_signed_otherwise_than_configured_is_refused(
    client, sso_settings, oidc_provider, leipzig
):
    sso_settings.OIDC_RP_SIGN_ALGO = "HS256"  # the provider signs with RS256

    response = sso_login(client, oidc_provider, "anna")

    _refused_with(client, response, Refusal.PROVIDER_ERROR)
    assert not User.objects.filter(email=PEOPLE["anna"]["email"]).exists()
    assert AuditEvent.objects.get(kind=Kind.LOGIN_FAILED).details["error"] == "SuspiciousOperation"
