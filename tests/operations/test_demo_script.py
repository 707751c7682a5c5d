"""``PORT=… ./scripts/demo`` shows the product: links on its own port, the portal's own error pages, its name.

Starts the real script (migrate, load_demo, runserver) on a free port with a SQLite file of its own; its
console is kept in test-artifacts/demo/console-<port>.log.
"""

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import ARTIFACTS, ROOT
from tests.operations.nginx_site import free_port


@dataclass
class Demo:
    base_url: str
    port: int
    console: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("demo")
    logs = ARTIFACTS / "demo"
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    console = logs / f"console-{port}.log"  # its own: a second start of the module never mixes in
    env = {
        # A fresh clone's environment: no DJANGO_ENV, no broker, no SITE_URL; only the port is chosen.
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL"}},
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    with console.open("wb") as log:
        process = subprocess.Popen(
            ["./scripts/demo"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            assert process.poll() is None, console.read_text()[-3000:]
            try:
                if requests.get(base_url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, console.read_text()[-3000:]
            time.sleep(0.5)
        yield Demo(base_url, port, console)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # runserver and its autoreloading child
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_the_expert_links_on_the_console_point_to_the_demos_port(demo):
    text = demo.console.read_text()
    links = re.findall(r"^http://127\.0\.0\.1:(\d+)(/einladung/\S+)$", text, re.M)  # each on its own line
    assert links, text[-3000:]
    assert {port for port, _ in links} == {str(demo.port)}
    assert "127.0.0.1:8000" not in text
    answer = requests.get(demo.base_url + links[-1][1], timeout=10)
    assert "<h1>Seite nicht gefunden</h1>" not in answer.text and "site-brand" in answer.text


def test_console_emails_are_readable_and_nothing_warns(demo):
    text = demo.console.read_text()
    assert re.search(r"^Subject: Neue C\+R-Anfrage CR-\d{4}-\d{4}: \S", text, re.M)
    assert "=?utf-8?" not in text
    assert "No hostname was supplied" not in text and "kombu" not in text
    assert "SetuptoolsDeprecationWarning" not in text and "Traceback" not in text


def test_an_unknown_address_answers_the_portals_german_404_page_in_the_layout(demo):
    response = requests.get(demo.base_url + "/no-such-page/", timeout=10)
    assert response.status_code == 404
    html = response.text
    assert "<h1>Seite nicht gefunden</h1>" in html
    assert (
        '<a class="site-brand" href="/">koopstadt C+R</a>' in html
        and "Erklärung zur Barrierefreiheit" in html
    )
    assert "Using the URLconf" not in html and "DEBUG = True" not in html  # not Django's debug page
    assert requests.get(demo.base_url + "/static/css/koopstadt.css", timeout=10).status_code == 200


def test_the_log_in_page_shows_the_portals_name(demo):
    html = requests.get(demo.base_url + "/konto/anmelden/", timeout=10).text
    assert "<title>Anmelden – koopstadt C+R</title>" in html
    assert '<a class="site-brand" href="/">koopstadt C+R</a>' in html
    assert f"127.0.0.1:{demo.port}" not in html
