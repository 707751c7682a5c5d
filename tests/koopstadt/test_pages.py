import json

import pytest
from django.db import OperationalError
from django.urls import path, reverse

from tests.cities.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_health_is_ok_with_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "ok", "checks": {"database": "ok"}}


def test_health_is_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["database"] == "error"


def test_unknown_page_is_a_friendly_german_404_in_the_layout(client, settings):
    settings.DEBUG = False
    response = client.get("/gibt-es-nicht/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Seite nicht gefunden" in html
    assert "Erklärung zur Barrierefreiheit" in html  # the layout's footer


def _explode(request):
    raise RuntimeError("boom")


urlpatterns = [path("explode/", _explode)]


@pytest.mark.urls("tests.koopstadt.test_pages")
def test_a_server_error_is_a_friendly_500_page(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/explode/")
    assert response.status_code == 500
    assert "Ein technischer Fehler ist aufgetreten" in response.content.decode()


@pytest.mark.parametrize("name", ["accessibility", "imprint"])
def test_legal_pages_are_public_and_linked_from_every_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    login = client.get(reverse("login")).content.decode()
    assert reverse(name) in login


def test_the_language_switch_changes_the_ui_and_is_remembered_for_the_user(client):
    user = UserFactory(preferred_language="de")
    client.force_login(user)

    response = client.post(reverse("language_switch"), {"language": "en", "next": reverse("profile")})

    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    user.refresh_from_db()
    assert user.preferred_language == "en"
    html = client.get(reverse("profile")).content.decode()
    assert '<html lang="en">' in html
    assert "My account" in html


def test_the_language_switch_works_for_visitors_and_ignores_foreign_redirects(client):
    response = client.post(
        reverse("language_switch"), {"language": "en", "next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("home")
    assert "Log in to the C+R portal" in client.get(reverse("login")).content.decode()

    client.post(reverse("language_switch"), {"language": "xx"})
    assert "Log in to the C+R portal" in client.get(reverse("login")).content.decode()


def test_static_assets_come_from_the_portal_itself(client):
    html = client.get(reverse("login")).content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
