"""Too large uploads behind the handbook's nginx site and gunicorn (koopstadt/gunicorn.conf.py).

A body over ``client_max_body_size`` gets the portal's own German page (nginx fetches it with
``error_page 413``), not nginx's English one; a file over ``UPLOAD_MAX_BYTES`` in a body within the
limit comes back next to its field with everything typed. (The development server of scripts/demo:
tests/exchanges/test_upload_security.py.) Logs: test-artifacts/upload-stack/*.log.
"""

import os
import re
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.db import connection

from exchanges.cycle.models import Attachment
from tests.cities.factories import PASSWORD, UserFactory
from tests.conftest import ARTIFACTS, ROOT, require_services, worker_database_url
from tests.exchanges.factories import ExchangeRequestFactory
from tests.operations.nginx_site import free_port, nginx_command, nginx_config

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MIB = 1024 * 1024
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Stack:
    base_url: str
    logs: Path


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    require_services(connection.vendor == "postgresql", "needs PostgreSQL (gunicorn reads the test database)")
    logs = ARTIFACTS / "upload-stack"
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config, _http, https_port, _monitoring = nginx_config(
        tmp_path, upstream=f"127.0.0.1:{port}", server_name="localhost"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "VIRTUAL_ENV"}},
        "DJANGO_ENV": "test",
        "DATABASE_URL": worker_database_url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "TRUSTED_PROXIES": "127.0.0.1,::1",
        # nginx passes $host without the port: the handbook says to name the origin then.
        "CSRF_TRUSTED_ORIGINS": f"https://localhost:{https_port}",
        "LOG_FORMAT": "plain",
    }
    processes = []
    try:
        for name, command in (
            ("gunicorn", [str(VENV_BIN / "gunicorn"), "-c", "koopstadt/gunicorn.conf.py", "koopstadt.wsgi"]),
            ("nginx", nginx_command(config, "-g", "daemon off;")),
        ):
            with (logs / f"{name}.log").open("wb") as log:
                processes.append(
                    subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
                )
        base_url = f"https://localhost:{https_port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base_url + "/healthz", verify=False, timeout=2).status_code == 200:  # noqa: S501
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, (logs / "gunicorn.log").read_text()[-3000:]
            time.sleep(0.3)
        yield Stack(base_url, logs)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(autouse=True)
def _self_signed():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_a_body_over_nginxs_limit_gets_the_portals_german_page(stack):
    body = b"x" * (52 * MIB)  # over client_max_body_size 51m
    response = requests.post(
        stack.base_url + "/konto/anmelden/",
        data=body,
        headers={"Content-Type": "application/octet-stream"},
        verify=False,  # noqa: S501
        timeout=60,
    )
    assert response.status_code == 413
    assert "<h1>Datei zu groß</h1>" in response.text
    assert "nginx" not in response.text


def test_a_file_over_the_limit_comes_back_next_to_its_field_through_nginx_and_gunicorn(stack):
    person = UserFactory(email="anna@example.org")
    draft = ExchangeRequestFactory(requester=person)
    browser = requests.Session()
    browser.verify = False
    browser.trust_env = False  # a CA bundle from the environment would win over verify=False
    login_page = browser.get(stack.base_url + "/konto/anmelden/", timeout=30)
    browser.headers["Referer"] = stack.base_url + "/konto/anmelden/"  # as a browser sends it over HTTPS
    browser.post(
        stack.base_url + "/konto/anmelden/",
        {
            "username": person.email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": CSRF.search(login_page.text)[1],
        },
        timeout=30,
    )
    edit = f"{stack.base_url}/anfragen/{draft.pk}/bearbeiten/"
    form = browser.get(edit, timeout=30)
    assert form.status_code == 200, form.text[:300]

    browser.headers["Referer"] = edit
    response = browser.post(
        edit,
        data={
            "csrfmiddlewaretoken": CSRF.search(form.text)[1],
            "title": "Getippter neuer Titel",
            "need": "Ein langer, sorgfältig getippter Bedarf.",
            "version": str(draft.version),
        },
        files={"new_attachment": ("scan.pdf", b"%PDF-1.4" + b"0" * (20 * MIB), "application/pdf")},
        timeout=60,
    )

    assert response.status_code == 200, response.text[:2000]
    assert "Die Datei scan.pdf ist größer als 10,0\xa0MB." in response.text
    assert 'value="Getippter neuer Titel"' in response.text
    assert "Ein langer, sorgfältig getippter Bedarf." in response.text
    assert not Attachment.objects.exists()
