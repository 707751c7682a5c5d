"""A real OpenID Connect provider on loopback, and the portal configured to use it.

``oidc_provider`` starts the small django-oidc-provider project in ``tests/sso/provider`` as its own
process (``runserver --noreload`` on a free port, its own SQLite database), with a signing key, a
confidential client for the portal and the people below. ``sso_login`` then walks the authorization-code
flow as a browser would: the portal side through Django's test client, the provider side through a
``requests.Session`` that logs in on the provider's form; the portal fetches token, keys and user info
from the provider over HTTP.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

HERE = Path(__file__).resolve().parent
CLIENT_ID = "koopstadt-cr"
CLIENT_SECRET = "provider-test-secret-7d1e5c"
REDIRECT_URI = "http://testserver/konto/oidc/callback/"
PASSWORD = "provider-password-1"

# The provider's people. The portal's rules in ``sso_settings`` map "Stadt Leipzig" and "nuernberg".
PEOPLE = {
    "anna": {
        "email": "anna.amsel@leipzig.example",
        "name": "Anna Amsel",
        "city": "Stadt Leipzig",
        "groups": ["cr-koordination", "wlan-nutzer"],
    },
    "bernd": {
        "email": "bernd.berg@nuernberg.example",
        "given_name": "Bernd",
        "family_name": "Berg",
        "city": "nuernberg",
        "groups": ["cr-kontakt"],
    },
    "carla": {
        "email": "carla.crane@atlantis.example",
        "name": "Carla Crane",
        "city": "Atlantis",
        "groups": ["cr-koordination"],
    },
    "dora": {
        "email": "dora.dohle@leipzig.example",
        "name": "Dora Dohle",
        "city": "Stadt Leipzig",
        "groups": [],
    },
    "eve": {
        # Claims a coordinator's address the provider has not verified.
        "email": "coordinator@leipzig.example",
        "name": "Eve",
        "city": "Stadt Leipzig",
        "groups": ["cr-koordination"],
        "email_verified": False,
    },
}


@dataclass(frozen=True)
class Provider:
    url: str
    log_path: Path
    env: dict[str, str]
    workdir: Path

    def endpoint(self, name: str) -> str:
        return f"{self.url}/{name}"

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=self.workdir,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def allow_redirect_uri(self, uri: str) -> None:
        self.manage("idp_redirect_uri", CLIENT_ID, uri)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _provider_env(database: Path, url: str) -> dict[str, str]:
    # Nothing of the portal's configuration reaches the provider.
    own = ("DJANGO_", "DATABASE_", "OIDC_", "CELERY_", "PYTHON")
    env = {key: value for key, value in os.environ.items() if not key.startswith(own)}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "provider.settings",
        "PYTHONPATH": str(HERE),
        "PROVIDER_DATABASE": str(database),
        "PROVIDER_URL": url,
    }


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    workdir = tmp_path_factory.mktemp("oidc-provider")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = _provider_env(workdir / "provider.sqlite3", url)
    spec = workdir / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "client": {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [REDIRECT_URI],
                },
                "users": [{"username": name, "password": PASSWORD, **data} for name, data in PEOPLE.items()],
            }
        )
    )
    log_path = workdir / "provider.log"
    provider = Provider(url=url, log_path=log_path, env=env, workdir=workdir)
    provider.manage("migrate", "-v0")
    provider.manage("idp_setup", str(spec))
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(provider.endpoint(".well-known/openid-configuration"), timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"The OpenID provider did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def sso_settings(settings, oidc_provider: Provider):
    """The portal with single sign-on on, as koopstadt/settings.py sets it up from the environment."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = oidc_provider.endpoint("authorize")
    settings.OIDC_OP_TOKEN_ENDPOINT = oidc_provider.endpoint("token")
    settings.OIDC_OP_USER_ENDPOINT = oidc_provider.endpoint("userinfo")
    settings.OIDC_OP_JWKS_ENDPOINT = oidc_provider.endpoint("jwks")
    settings.OIDC_CITY_MAP = {"Stadt Leipzig": "leipzig", "nuernberg": "nuernberg"}
    settings.OIDC_ROLE_MAP = {"cr-koordination": ["coordinator"], "cr-kontakt": ["city_contact"]}
    settings.AUTHENTICATION_BACKENDS = [
        settings.AUTHENTICATION_BACKENDS[0],
        "cities.accounts.backends.PortalOIDCBackend",
        *settings.AUTHENTICATION_BACKENDS[1:],
    ]
    return settings


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sso_login(client: Client, provider: Provider, username: str, *, next_url: str = ""):
    """Log ``username`` in through the provider; returns the portal's answer to the callback."""
    start_url = reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else "")
    start = client.get(start_url)
    assert start.status_code == 302, start
    authorize = start["Location"]
    assert authorize.startswith(provider.endpoint("authorize") + "?")
    assert "code_challenge_method=S256" in authorize  # PKCE

    browser = requests.Session()
    to_login = browser.get(authorize, allow_redirects=False, timeout=10)
    assert to_login.status_code == 302, to_login.text
    login_url = urljoin(provider.url, to_login.headers["Location"])
    form = browser.get(login_url, timeout=10)
    token = _CSRF.search(form.text)
    assert token, form.text
    logged_in = browser.post(
        login_url,
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
            "next": parse_qs(urlsplit(login_url).query)["next"][0],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert logged_in.status_code == 302, logged_in.text
    # No consent page (require_consent off): the provider sends the browser back with a code.
    back = browser.get(
        urljoin(provider.url, logged_in.headers["Location"]), allow_redirects=False, timeout=10
    )
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == REDIRECT_URI
    return client.get(f"{callback.path}?{callback.query}")
