"""The production stack on loopback, started exactly as the handbook says, and one request through it.

A database of its own is migrated by the release step (``./scripts/release``), then the processes are
started with the command lines of the systemd units in docs/deploy/systemd/ (the handbook installs those
units): gunicorn, a worker for the queues celery/routing/finance, a worker for the queue mail, and two
celery beats (only one may send). Chromium drives the C+R cycle through gunicorn – accept → routed →
expert asked → accepts by the link in the e-mail the mail worker sent → scheduled → held → reflection →
completed; a travel claim → approved → booked by the finance queue – and the request id of the accept
is looked up in the web log and in both workers' logs.

Logs: test-artifacts/prodstack/*.log. Run alone: ./scripts/test tests/operations/test_production_stack.py
"""

import email
import json
import os
import re
import shlex
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from koopstadt.development.demo_data import DEMO_PASSWORD
from koopstadt.development.demo_exchanges import DEMO_HELD_TITLE
from tests.conftest import ARTIFACTS, ROOT, require_services
from tests.operations.nginx_site import nginx_command, nginx_config

pytestmark = [pytest.mark.integration, pytest.mark.browser]

UNITS = ROOT / "docs" / "deploy" / "systemd"
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"
SECRET = "prodstack-" + "k3y" * 20
REDIS_DB = 7
WORKERS = ("worker", "worker-mail")
REQUEST = "Erfahrungen mit Mobilitätsstationen im Quartier"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unit_command(unit: str) -> list[str]:
    """The ExecStart of a handbook unit, with the install path /opt/koopstadt replaced by this checkout."""
    text = (UNITS / unit).read_text()
    line = next(line for line in text.splitlines() if line.startswith("ExecStart=")).replace("%%", "%")
    command = shlex.split(line.removeprefix("ExecStart="))
    program = Path(command[0])
    assert program.parent == Path("/opt/koopstadt/.venv/bin"), f"{unit}: {command[0]}"
    return [str(VENV_BIN / program.name), *command[1:]]


class Stack:
    def __init__(self, work: Path, database_url: str, redis_url: str, port: int) -> None:
        self.work = work
        self.port = port
        # nginx in front, with TLS, as the handbook sets it up.
        self.nginx_config, _http_port, self.https_port, self.monitoring_port = nginx_config(
            work, upstream=f"127.0.0.1:{port}", static_parent=work, server_name="localhost"
        )
        self.base_url = f"https://localhost:{self.https_port}"
        self.mail_dir = work / "mail"
        self.database_url = database_url
        self.redis_url = redis_url
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = ARTIFACTS / "prodstack"
        self.logs.mkdir(parents=True, exist_ok=True)
        keep = {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV"}
        self.env = {
            **{k: v for k, v in os.environ.items() if k in keep},
            # /etc/koopstadt/koopstadt.env as the handbook has it, with loopback addresses.
            "DJANGO_ENV": "production",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "localhost",
            # nginx passes $host, without the port: the handbook says to name the origin then.
            "CSRF_TRUSTED_ORIGINS": self.base_url,
            "SITE_URL": self.base_url,
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_url,
            "CACHE_URL": redis_url,
            # nginx on the same host, as the handbook's environment file has it (check --deploy asks).
            "TRUSTED_PROXIES": "127.0.0.1,::1",
            "STATIC_ROOT": str(work / "static"),
            "MEDIA_ROOT": str(work / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "LOG_FORMAT": "json",
        }

    def run(self, *command: str, **extra_env: str) -> str:
        result = subprocess.run(
            list(command),
            cwd=ROOT,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def start(self, name: str, command: list[str]) -> None:
        with (self.logs / f"{name}.log").open("wb") as log:
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def json_lines(self, name: str) -> list[dict]:
        lines = []
        for line in self.log(name).splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
        return lines

    def wait(self, condition, what: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise AssertionError(
                        f"{name} stopped while waiting for {what}:\n{self.log(name)[-3000:]}"
                    )
            if condition():
                return
            time.sleep(0.3)
        raise AssertionError(f"timed out waiting for {what}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def query(self, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def mails_to(self, address: str) -> list[str]:
        bodies = []
        for path in sorted(self.mail_dir.glob("*.log")) if self.mail_dir.exists() else []:
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if not chunk.strip():
                    continue
                message = email.message_from_bytes(chunk.strip(), policy=policy.default)
                if address in str(message["To"]):
                    body = message.get_body(preferencelist=("plain",))
                    bodies.append(body.get_content() if body is not None else "")
        return bodies


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    require_services(
        bool(settings.CELERY_BROKER_URL) and settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "needs PostgreSQL and Redis",
    )
    db = settings.DATABASES["default"]
    name = "koopstadt_prodstack"
    admin_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    broker = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    redis.Redis.from_url(broker).flushdb()
    stack = Stack(tmp_path, admin_url.rsplit("/", 1)[0] + f"/{name}", broker, _free_port())
    try:
        yield stack
    finally:
        stack.stop()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def log_in(page: Page, base_url: str, address: str) -> None:
    page.goto(base_url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(address)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Abmelden").click()


def test_the_production_stack_runs_the_whole_cycle_with_one_request_id(stack: Stack, browser: Browser):
    # Release step, then the demo network, then the processes of the systemd units.
    stack.run("./scripts/release")
    # The demo data lives in the development package, which production installs only on request.
    stack.run(str(VENV_BIN / "python"), "manage.py", "load_demo", KOOPSTADT_DEVELOPMENT_TOOLS="1")
    stack.start("web", unit_command("koopstadt-web.service"))
    stack.start("nginx", nginx_command(stack.nginx_config, "-g", "daemon off;"))
    stack.start("worker", unit_command("koopstadt-worker.service"))
    stack.start("worker-mail", unit_command("koopstadt-worker-mail.service"))
    # Two beats with the unit's command: celery-redbeat lets one send and keeps the other standing by.
    for number in (1, 2):
        stack.start(f"beat-{number}", unit_command("koopstadt-beat.service"))

    page = browser.new_context(ignore_https_errors=True, locale="de-DE").new_page()  # self-signed

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{stack.monitoring_port}/readyz", timeout=10) as r:
                return r.status == 200
        except Exception:
            return False

    stack.wait(ready, "/readyz 200 (database, broker, a worker)")
    stack.wait(
        lambda: (
            "beat: Acquired lock" in stack.log("beat-1") + stack.log("beat-2")
            and "celery beat stands by" in stack.log("beat-1") + stack.log("beat-2")
        ),
        "one beat holding the lock and one standing by",
    )
    base = stack.base_url
    (request_id,) = stack.query("SELECT id FROM exchanges_exchangerequest WHERE title = %s", REQUEST)[0]
    url = f"{base}/anfragen/{request_id}/"

    # The city contact accepts; routing (queue routing) and the e-mails (queue mail) follow.
    log_in(page, base, "kontakt.nuernberg@example.org")
    page.goto(url)
    with page.expect_response(lambda r: r.request.method == "POST" and "/schritt/accept/" in r.url) as answer:
        page.get_by_role("button", name="Annehmen und an die Koordination weiterleiten").click()
    accept_id = answer.value.headers["x-request-id"]
    stack.wait(
        lambda: (
            stack.query("SELECT status FROM exchanges_exchangerequest WHERE id = %s", request_id)[0][0]
            == "matching"
        ),
        "routing by the worker",
    )
    log_out(page)

    # The coordinator asks Henrik Brandt; the mail worker sends the invitation.
    log_in(page, base, "koordination@example.org")
    page.goto(url)
    expect(page.get_by_role("heading", name="Zuordnung zu Fachressorts")).to_be_visible()
    page.get_by_label(re.compile("Henrik Brandt")).check()
    page.get_by_label("Nachricht an die Expertinnen und Experten").fill("Hätten Sie im Frühjahr Zeit?")
    page.get_by_role("button", name="Ausgewählte Expertinnen und Experten anfragen").click()
    log_out(page)
    stack.wait(
        lambda: any("/einladung/" in m for m in stack.mails_to("henrik.brandt@example.org")), "invitation"
    )
    invitation = next(m for m in stack.mails_to("henrik.brandt@example.org") if "/einladung/" in m)
    link = re.search(r"https?://[^/\s]+(/einladung/\S+/)", invitation).group(1)
    page.goto(base + link)
    page.get_by_label("Ja, ich mache mit").check()
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.get_by_role("status")).to_contain_text("zugesagt")

    # Date and place, held, reflection: completed.
    log_in(page, base, "koordination@example.org")
    page.goto(url)
    page.get_by_role("link", name="Termin und Ort festlegen").click()
    start = timezone.localtime() + timedelta(days=21)
    page.get_by_label("Beginn").fill(start.strftime("%d.%m.%Y") + " 10:00")
    page.get_by_label("Ende").fill(start.strftime("%d.%m.%Y") + " 14:00")
    page.get_by_label("Adresse").fill("Verkehrsplanungsamt, Lorenzer Str. 30")
    page.get_by_role("button", name="Speichern und Kalendereinträge senden").click()
    log_out(page)
    # Three weeks later the meeting has taken place (moved into the past in the database: test data).
    stack.query(
        "UPDATE exchanges_meeting SET starts_at = now() - interval '1 day', "
        "ends_at = now() - interval '20 hours' WHERE request_id = %s RETURNING id",
        request_id,
    )
    log_in(page, base, "lukas.meyer@example.org")
    page.goto(url)
    page.get_by_role("button", name="Der Austausch hat stattgefunden").click()
    page.get_by_role("link", name="Reflexion schreiben").click()
    page.get_by_label("Die wichtigste Erkenntnis in einem Satz").fill("Erst ein Pilot, dann der Ausbau")
    page.get_by_label("Was war die Frage?").fill("Wie starten wir mit Mobilitätsstationen?")
    page.get_by_label("Was wir gelernt haben").fill("Bremen hat mit einer Pilotstation begonnen.")
    page.get_by_role("button", name="Reflexion absenden").click()
    expect(page.get_by_text("Abgeschlossen").first).to_be_visible()
    assert stack.query("SELECT status FROM exchanges_exchangerequest WHERE id = %s", request_id)[0][0] == (
        "completed"
    )
    log_out(page)

    # Travel costs of the demo's held exchange, claimed from Petra's trip approved before it: claimed,
    # approved, booked by the finance queue.
    (held_id,) = stack.query("SELECT id FROM exchanges_exchangerequest WHERE title = %s", DEMO_HELD_TITLE)[0]
    log_in(page, base, "petra.neumann@example.org")
    page.goto(f"{base}/anfragen/{held_id}/")
    page.get_by_role("link", name="Reisekosten abrechnen").click()
    page.get_by_role("button", name="Abrechnung aus dieser Dienstreise anlegen").click()
    page.locator("#id_item-kind").select_option("rail")
    page.locator("#id_item-amount").fill("59,90")
    page.locator("#id_item-receipt").set_input_files(
        files=[{"name": "fahrkarte.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 Fahrkarte"}]
    )
    page.get_by_role("button", name="Position hinzufügen").click()
    page.get_by_role("button", name="Abrechnung bei den Finanzen einreichen").click()
    log_out(page)
    log_in(page, base, "finanzen@example.org")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Finanzen").click()
    page.get_by_role("link", name="Petra Neumann").click()
    page.get_by_label("genehmigen").check()
    page.get_by_role("button", name="Entscheidung speichern").click()
    stack.wait(lambda: stack.query("SELECT count(*) FROM exchanges_booking")[0][0] == 1, "the booking")
    (number,) = stack.query("SELECT number FROM exchanges_booking")[0]
    page.reload()
    expect(page.get_by_text(f"Buchungsnummer {number}")).to_be_visible()

    # One request id: the accept in the web log, the routing in the worker, the e-mails in the mail worker.
    web = [line for line in stack.json_lines("web") if line.get("request_id") == accept_id]
    assert any(line["logger"] == "koopstadt.requests" and line.get("status") == 302 for line in web), (
        accept_id
    )
    worker = [line for line in stack.json_lines("worker") if line.get("request_id") == accept_id]
    assert any(line.get("task_name") == "exchanges.tasks.route_request_task" for line in worker)
    mail = [line for line in stack.json_lines("worker-mail") if line.get("request_id") == accept_id]
    assert any(line.get("task_name") == "cities.tasks.send_email_task" for line in mail)
    assert f"request_id={accept_id}" in (stack.work / "access.log").read_text()
    # Each worker did only its queues' work.
    ran = {name: {line.get("task_name") for line in stack.json_lines(name)} - {None} for name in WORKERS}
    assert ran["worker-mail"] == {"cities.tasks.send_email_task"}
    assert {"exchanges.tasks.route_request_task", "exchanges.tasks.book_claim_task"} <= ran["worker"]
    assert "cities.tasks.send_email_task" not in ran["worker"]

    # Metrics: closed to the public; Prometheus on the host reads them through nginx's local listener.
    assert page.request.get(base + "/metrics").status == 404
    assert page.request.get(base + "/readyz").status == 404
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.monitoring_port}/metrics", timeout=10) as answer:
        metrics = answer.read().decode()
    assert (
        'koopstadt_celery_tasks_total{state="SUCCESS",task="exchanges.tasks.book_claim_task"} 1.0' in metrics
    )
    assert (
        'koopstadt_http_requests_total{method="POST",status="302",view="exchanges:request_action"}' in metrics
    )
    assert 'koopstadt_celery_queue_length{queue="mail"}' in metrics
