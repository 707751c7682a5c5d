"""Tokens and clients for the API tests: every role as a machine with a token, or as a browser session."""

from collections.abc import Callable, Iterable

import pytest
from rest_framework.test import APIClient

from cities.accounts.api_tokens import token_issue
from cities.accounts.models import ApiScope
from cities.directory.models import User
from cities.directory.roles import Role
from tests.cities.factories import DepartmentFactory, UserFactory

ALL_SCOPES = (ApiScope.READ, ApiScope.WRITE, ApiScope.FINANCE)


def issue(user: User, scopes: Iterable[str] = ALL_SCOPES, **kwargs: object) -> str:
    """A token for ``user``; returns its full text (shown once)."""
    _token, plain = token_issue(user=user, name="Test", scopes=scopes, actor=None, **kwargs)
    return plain


def token_client(plain: str, language: str | None = None) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    if language:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture
def api() -> Callable[..., APIClient]:
    """``api(user, scopes=...)``: a client that calls the API with a new token of ``user``."""

    def make(user: User, scopes: Iterable[str] = ALL_SCOPES, language: str | None = None) -> APIClient:
        return token_client(issue(user, scopes), language)

    return make


@pytest.fixture
def person(db) -> User:
    return UserFactory(department=DepartmentFactory(), roles=[Role.STAFF])


def problem(response) -> dict:
    """The problem+json body of an error answer, after checking its shape."""
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance", "errors"}, body
    assert body["status"] == response.status_code
    return body


# The people of the exchanges tests (one per role in Leipzig, outsiders in Bremen) and their requests.
from tests.exchanges.conftest import city, make_request, other_city, people, request_in  # noqa: E402, F401
