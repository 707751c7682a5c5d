import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from cities.accounts.api_tokens import token_authenticate, token_issue, token_revoke
from cities.accounts.models import ApiToken
from cities.directory.roles import Role
from cities.operations.models import AuditEvent
from tests.api.conftest import issue, problem, token_client
from tests.cities.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


def test_a_token_is_stored_as_a_hash_only_and_acts_as_its_person(person):
    token, plain = token_issue(user=person, name="Intranet", scopes=["write"], actor=None)

    start, prefix, secret = plain.split("_", 2)
    assert (start, prefix) == ("kst", token.prefix)
    assert len(secret) >= 43  # 32 random bytes, URL-safe base64
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert stored.scopes == "read write"  # write implies read
    assert AuditEvent.objects.filter(
        kind="api_token_issued", subject=person, target=f"cities.apitoken:{token.pk}"
    ).exists()

    response = token_client(plain).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == person.pk and body["authentication"] == "token"
    assert body["token"]["scopes"] == ["read", "write"] and body["token"]["prefix"] == token.prefix
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_the_expiry_has_a_default_and_a_maximum(person, settings):
    settings.API_TOKEN_DEFAULT_DAYS, settings.API_TOKEN_MAX_DAYS = 90, 365
    token, _plain = token_issue(user=person, name="x", scopes=["read"], actor=None)
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    with pytest.raises(ValidationError) as error:
        token_issue(
            user=person,
            name="x",
            scopes=["read"],
            actor=None,
            expires_at=timezone.now() + timedelta(days=400),
        )
    assert "expires_at" in error.value.message_dict
    with pytest.raises(ValidationError):
        token_issue(user=person, name="x", scopes=["root"], actor=None)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda plain, token: plain[:-2] + "xx", id="wrong secret"),
        pytest.param(lambda plain, token: "kst_zzzzzzzz_" + plain.split("_", 2)[2], id="unknown prefix"),
        pytest.param(lambda plain, token: "not-a-token", id="malformed"),
        pytest.param(lambda plain, token: plain + " extra", id="two words"),
    ],
)
def test_a_wrong_token_is_refused_with_401_problem_json(person, spoil):
    token, plain = token_issue(user=person, name="x", scopes=["read"], actor=None)

    response = token_client(spoil(plain, token)).get(ME)

    assert response.status_code == 401
    body = problem(response)
    assert body["type"].endswith("/problems/authentication-failed")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_or_revoked_token_or_a_deactivated_person_is_refused(person):
    expired, expired_plain = token_issue(user=person, name="x", scopes=["read"], actor=None)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked, revoked_plain = token_issue(user=person, name="y", scopes=["read"], actor=None)
    token_revoke(token=revoked, actor=None)
    other = UserFactory(department=DepartmentFactory(), roles=[Role.STAFF])
    inactive_plain = issue(other)
    other.is_active = False
    other.save(update_fields=["is_active"])

    for plain in (expired_plain, revoked_plain, inactive_plain):
        response = token_client(plain).get(ME)
        assert response.status_code == 401
        assert problem(response)["title"] == "Falsche Anmeldedaten."  # DRF's German
    assert (
        AuditEvent.objects.filter(kind="api_token_revoked", target=f"cities.apitoken:{revoked.pk}").count()
        == 1
    )
    with pytest.raises(ValidationError):
        token_revoke(token=revoked, actor=None)  # twice: refused, nothing changes


def test_token_authenticate_never_says_why_a_token_is_refused_to_the_caller(person):
    token, plain = token_issue(user=person, name="x", scopes=["read"], actor=None)
    assert token_authenticate(raw=plain).pk == token.pk
    for spoiled in (plain[:-1], "kst__", ""):
        response = token_client(spoiled).get(ME)
        assert response.status_code == 401
        assert problem(response)["detail"] == response.json()["detail"]


def test_scope_read_may_only_read(person):
    read_only = token_client(issue(person, ["read"]))
    writer = token_client(issue(person, ["write"]))

    assert read_only.get(ME).status_code == 200
    refused = read_only.post(ME, {}, format="json")
    assert refused.status_code == 403
    assert problem(refused)["type"].endswith("/problems/permission-denied")
    # with the write scope the same request gets past the scope check (and /me/ has no POST)
    assert writer.post(ME, {}, format="json").status_code == 405


def test_the_browser_session_counts_as_every_scope_and_needs_csrf(client, person):
    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.force_login(person)

    response = csrf_client.get(ME)
    assert response.status_code == 200 and response.json()["authentication"] == "session"
    refused = csrf_client.post(ME, {}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in problem(refused)["detail"]


def test_anonymous_gets_401_in_german_by_default_and_english_on_request(client):
    german = client.get(ME)
    english = client.get(ME, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert german.status_code == english.status_code == 401
    assert problem(german)["title"] == "Anmeldedaten fehlen."
    assert german["Content-Language"] == "de"
    assert problem(english)["title"] == "Authentication credentials were not provided."
    assert english["Content-Language"] == "en"
    assert problem(german)["instance"] == ME


def test_the_token_persons_language_applies_without_accept_language(person):
    person.preferred_language = "en"
    person.save(update_fields=["preferred_language"])
    plain = issue(person, ["read"])

    assert (
        token_client(plain).post(ME, {}).json()["title"]
        == "You do not have permission to perform this action."
    )
    assert token_client(plain, "de").post(ME, {}).json()["title"].startswith("Sie sind nicht berechtigt")


def test_requests_are_throttled_per_token(person):
    first, second = issue(person, ["read"]), issue(person, ["read"])
    with override_settings(API_THROTTLE_RATE="3/minute"):
        answers = [token_client(first).get(ME).status_code for _ in range(4)]
        other = token_client(second).get(ME)
    assert answers == [200, 200, 200, 429]
    assert other.status_code == 200


def test_a_throttled_answer_is_problem_json_with_retry_after(person):
    plain = issue(person, ["read"])
    with override_settings(API_THROTTLE_RATE="1/hour"):
        token_client(plain).get(ME)
        response = token_client(plain).get(ME)
    assert response.status_code == 429
    assert problem(response)["type"].endswith("/problems/throttled")
    assert int(response["Retry-After"]) > 0


def test_unknown_api_addresses_answer_404_problem_json(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert problem(response)["title"] == "Nicht gefunden."
