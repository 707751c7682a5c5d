"""Schema, docs, admin issuing and revoking, cursor pagination."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from cities.accounts.models import ApiToken
from cities.directory.roles import Role
from cities.operations.models import AuditEvent
from tests.api.conftest import issue, problem, token_client
from tests.cities.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--lang", "en", "--file", str(target))
    text = target.read_text()
    assert "openapi: 3.0.3" in text and "/api/v1/me/" in text and "application/problem+json" in text


def test_the_schema_and_the_docs_are_public_and_work_under_the_csp(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "koopstadt C+R API"

    page = client.get("/api/docs/")
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and " style=" not in html, "inline style"
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert len(sources) == 3 and all(source.startswith("/") for source in sources)  # nothing from a CDN
    start_script = client.get(sources[-1].replace("&amp;", "&"))
    assert start_script.status_code == 200
    assert start_script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in start_script.content
    for name in ("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", "api/docs.css"):
        assert finders.find(name), name


def test_a_superuser_issues_a_token_in_the_administration_and_sees_it_once(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    owner = UserFactory(roles=[Role.STAFF])
    client.force_login(admin)

    response = client.post(
        "/admin/cities/apitoken/add/",
        {
            "user": owner.pk,
            "name": "Intranet",
            "scopes": ["read"],
            "expires_at_0": "01.01.2099",
            "expires_at_1": "12:00",
        },
    )
    # more than the maximum validity: refused next to the field, nothing issued
    assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    assert not ApiToken.objects.exists()

    from django.utils import timezone

    soon = timezone.localtime() + timezone.timedelta(days=30)
    response = client.post(
        "/admin/cities/apitoken/add/",
        {
            "user": owner.pk,
            "name": "Intranet",
            "scopes": ["read"],
            "expires_at_0": soon.strftime("%d.%m.%Y"),
            "expires_at_1": "12:00",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plain = re.search(r'value="(kst_[a-z0-9]{8}_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.user == owner and token.created_by == admin and plain.split("_")[1] == token.prefix
    assert token_client(plain).get("/api/v1/me/").json()["id"] == owner.pk
    # never again: neither the list nor the token's page shows the secret
    for url in ("/admin/cities/apitoken/", f"/admin/cities/apitoken/{token.pk}/change/"):
        page = client.get(url)
        assert page.status_code == 200 and plain not in page.content.decode()
    assert AuditEvent.objects.filter(kind="api_token_issued", actor=admin, subject=owner).exists()

    # revoked by the admin action: audited, refused from now on
    client.post(
        "/admin/cities/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(kind="api_token_revoked", actor=admin).exists()
    assert token_client(plain).get("/api/v1/me/").status_code == 401


def test_only_superusers_handle_tokens_in_the_administration(client):
    coordinator = UserFactory(roles=[Role.COORDINATOR], is_staff=True)
    client.force_login(coordinator)
    assert client.get("/admin/cities/apitoken/").status_code == 403
    assert client.get("/admin/cities/apitoken/add/").status_code == 403


def test_lists_page_by_cursor_without_gaps_or_repeats(person, settings):
    settings.API_PAGE_SIZE = 2
    topics = [TopicFactory() for _ in range(5)]
    client = token_client(issue(person, ["read"]))

    seen, url, pages = [], "/api/v1/topics/", 0
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [topic["id"] for topic in body["results"]]
        url, pages = body["next"], pages + 1
    assert seen == sorted(topic.pk for topic in topics)
    assert pages == 3
    assert client.get("/api/v1/topics/?page_size=5").json()["next"] is None
    bad = client.get("/api/v1/topics/?cursor=nonsense")
    assert bad.status_code == 404 and problem(bad)["type"].endswith("/problems/not-found")


@pytest.mark.parametrize(
    "cursor",
    [
        "Zm9v",  # "foo": no cursor fields at all
        "eD0x",  # "x=1": an unknown field
        "cD1hYmM=",  # "p=abc": a position that is no id
        "cj01",  # "r=5"
        "bz0tMQ==",  # "o=-1"
        "cD0xJnA9Mg==",  # "p=1&p=2"
        "cD0x!",  # not base64
        "",
    ],
)
def test_an_invalid_cursor_is_a_404_problem_as_documented(person, cursor):
    client = token_client(issue(person, ["read"]))
    response = client.get("/api/v1/requests/", {"cursor": cursor})
    assert response.status_code == 404
    assert problem(response)["type"].endswith("/problems/not-found")


def test_cursors_the_api_wrote_itself_lead_forwards_and_back(person, settings):
    settings.API_PAGE_SIZE = 2
    topics = [TopicFactory() for _ in range(5)]
    client = token_client(issue(person, ["read"]))
    last = client.get(client.get(client.get("/api/v1/topics/").json()["next"]).json()["next"]).json()
    assert [topic["id"] for topic in last["results"]] == [topics[4].pk]
    back = client.get(last["previous"]).json()
    assert [topic["id"] for topic in back["results"]] == [topics[2].pk, topics[3].pk]
    assert client.get(back["previous"]).status_code == 200
