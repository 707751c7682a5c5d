"""The deployment material: compose.yaml, the nginx site, the systemd units, the Dockerfile, the
environment example and scripts/release (docs/handbook.md).

compose.yaml is validated by Debian's docker-compose and the nginx site by Debian's nginx (`nginx -t`);
both are skipped when the tool is not installed, and fail instead with KOOPSTADT_REQUIRE_SERVICES=1
(CI; ./scripts/test installs both). No container is started: no container engine runs here.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, require_services
from tests.operations.nginx_site import NGINX_SITE, nginx_command, nginx_config

DEPLOY = ROOT / "docs" / "deploy"
SYSTEMD = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "koopstadt.env.example"
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
RELEASE = ROOT / "scripts" / "release"

# The lead engineer's decisions (docs/handbook.md): two worker kinds, one beat, gunicorn.
WEB_COMMAND = "gunicorn -c koopstadt/gunicorn.conf.py koopstadt.wsgi"
WORKER_COMMAND = "celery -A koopstadt worker -Q celery,routing,finance -n work@%h --loglevel=INFO"
MAIL_WORKER_COMMAND = "celery -A koopstadt worker -Q mail -n mail@%h --loglevel=INFO"
BEAT_COMMAND = "celery -A koopstadt beat --loglevel=INFO"
QUEUES = {"celery", "routing", "finance", "mail"}
UNIT_COMMANDS = {
    "koopstadt-web.service": WEB_COMMAND,
    "koopstadt-worker.service": WORKER_COMMAND,
    "koopstadt-worker-mail.service": MAIL_WORKER_COMMAND,
    "koopstadt-beat.service": BEAT_COMMAND,
}
# Read by koopstadt/settings.py but nothing an operator sets in production.
NOT_FOR_OPERATORS = {
    "DEBUG": "ignored in production",
    "KOOPSTADT_BENCH": "only for ./scripts/bench",
    "CELERY_TASK_ALWAYS_EAGER": "only for the test suite; off whenever a broker is set",
}


def docker_compose() -> str:
    path = shutil.which("docker-compose")
    require_services(path is not None, "docker-compose is not installed (apt-get install docker-compose)")
    return str(path)


# --- the environment ---------------------------------------------------------------------------------
def settings_variables() -> set[str]:
    text = (ROOT / "koopstadt" / "settings.py").read_text()
    return set(
        re.findall(
            r"\benv_(?:str|bool|int|float|list|required|name_map|names_map)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']",
            text,
        )
    )


def gunicorn_variables() -> set[str]:
    text = (ROOT / "koopstadt" / "gunicorn.conf.py").read_text()
    return set(re.findall(r"os\.environ\.get\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", text))


def example_variables() -> set[str]:
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))


def test_settings_are_parsed() -> None:
    # Guards the parsing below: it must find the variables we know of.
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "MEDIA_ROOT"} <= (
        settings_variables()
    )
    assert {"WEB_CONCURRENCY", "GUNICORN_BIND", "FORWARDED_ALLOW_IPS"} <= gunicorn_variables()


def test_env_example_lists_every_operator_variable() -> None:
    wanted = (settings_variables() | gunicorn_variables()) - NOT_FOR_OPERATORS.keys()
    missing = sorted(wanted - example_variables())
    assert not missing, f"add to docs/deploy/koopstadt.env.example (commented, with the default): {missing}"


def test_settings_doc_mentions_every_variable_of_the_settings() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text()
    missing = sorted(name for name in settings_variables() if not re.search(rf"\b{name}\b", doc))
    assert not missing, f"document in docs/settings.md: {missing}"


def test_env_example_requires_what_production_requires() -> None:
    lines = dict(
        line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if re.match(r"^[A-Z]", line)
    )
    assert lines["DJANGO_ENV"] == "production"
    # Empty on purpose: the portal refuses to start until the operator sets a key of their own.
    assert lines["SECRET_KEY"] == ""
    for name in ("ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"):
        assert lines[name], name
    assert lines["STATIC_ROOT"] == "/var/lib/koopstadt/static"
    assert lines["MEDIA_ROOT"] == "/var/lib/koopstadt/media"


# --- compose.yaml --------------------------------------------------------------------------------------
def compose_env_file(tmp_path: Path, **values: str) -> Path:
    text = ENV_EXAMPLE.read_text()
    text = re.sub(r"^SECRET_KEY=$", "SECRET_KEY=compose-config-test-key", text, flags=re.MULTILINE)
    path = tmp_path / "compose.env"
    path.write_text(text + "".join(f"{name}={value}\n" for name, value in values.items()))
    return path


def run_compose_config(env_file: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        # The shell's values would win over the file's in compose's interpolation.
        if name not in {"POSTGRES_PASSWORD", "SERVER_NAME", "KOOPSTADT_TLS_DIR", "HTTP_PORT", "HTTPS_PORT"}
    }
    env["KOOPSTADT_ENV_FILE"] = str(env_file)
    return subprocess.run(
        [docker_compose(), "--env-file", str(env_file), "-f", str(COMPOSE), "config", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_file_validates(tmp_path: Path) -> None:
    env_file = compose_env_file(tmp_path, POSTGRES_PASSWORD="secret", SERVER_NAME="cr.example.org")
    result = run_compose_config(env_file, "-q")
    assert result.returncode == 0, result.stderr
    services = run_compose_config(env_file, "--services")
    assert services.returncode == 0, services.stderr
    assert set(services.stdout.split()) == {
        "db",
        "redis",
        "release",
        "web",
        "worker",
        "worker-mail",
        "beat",
        "nginx",
    }
    volumes = run_compose_config(env_file, "--volumes")
    assert {"db", "media", "static"} <= set(volumes.stdout.split())


def test_compose_refuses_to_start_without_the_database_password(tmp_path: Path) -> None:
    env_file = compose_env_file(tmp_path, SERVER_NAME="cr.example.org")
    result = run_compose_config(env_file, "-q")
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr


def compose_commands() -> dict[str, str]:
    """Each service's `command: [...]` of compose.yaml (one JSON-compatible flow sequence per line)."""
    commands: dict[str, str] = {}
    service = None
    for line in COMPOSE.read_text().splitlines():
        if match := re.match(r"^  ([a-z][a-z-]*):\s*$", line):
            service = match.group(1)
        elif (match := re.match(r"^    command: (\[.*\])\s*$", line)) and service:
            commands[service] = " ".join(json.loads(match.group(1)))
    return commands


def test_compose_runs_the_same_processes_as_the_systemd_units() -> None:
    commands = compose_commands()
    assert commands["release"] == "scripts/release"
    assert commands["worker"] == WORKER_COMMAND
    assert commands["worker-mail"] == MAIL_WORKER_COMMAND
    assert commands["beat"] == BEAT_COMMAND
    # web runs the image's default command.
    assert "web" not in commands
    assert WEB_COMMAND in DOCKERFILE.read_text().split("CMD", 1)[1]
    text = COMPOSE.read_text()
    assert "condition: service_completed_successfully" in text
    assert "image: postgres:15" in text
    assert "image: redis:7" in text
    assert not re.search(r"^version:", text, flags=re.MULTILINE)


# --- nginx ---------------------------------------------------------------------------------------------
def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    config, *_ports = nginx_config(tmp_path)
    result = subprocess.run(nginx_command(config, "-t"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_site_does_what_the_handbook_says() -> None:
    site = NGINX_SITE.read_text()
    assert "server 127.0.0.1:8000;" in site
    assert "client_max_body_size 51m;" in site
    assert "error_page 413 /datei-zu-gross/;" in site
    assert "location = /readyz {\n        return 404;" in site  # readiness only on the monitoring server
    assert "proxy_set_header X-Request-ID $request_id;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_set_header X-Forwarded-For" in site
    assert "proxy_set_header Host $host;" in site
    assert "return 301 https://$host$request_uri;" in site
    assert "root /var/lib/koopstadt;" in site  # /static/ → STATIC_ROOT /var/lib/koopstadt/static
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site
    assert "server_tokens off;" in site
    assert re.search(r"location = /metrics \{\s*return 404;", site)
    # Only the monitoring server on loopback proxies /metrics, with the host name and scheme the
    # public server would send.
    public, monitoring = site.split("listen 127.0.0.1:9180;")
    metrics_lines = [
        line.strip()
        for line in public.splitlines()
        if "metrics" in line and not line.lstrip().startswith("#")
    ]
    assert metrics_lines == ["location = /metrics {", "location ^~ /metrics/ {"]
    assert "allow 127.0.0.1;" in monitoring and "deny all;" in monitoring
    assert "proxy_set_header X-Forwarded-Proto https;" in monitoring
    assert "immutable" in site
    # Uploads are only handed out by the portal's views.
    directives = "\n".join(line for line in site.splitlines() if not line.lstrip().startswith("#"))
    assert "/media" not in directives
    # No CDN: the only address nginx talks to is gunicorn.
    addresses = set(re.findall(r"https?://[^\s;$]+", directives))
    assert addresses == {"http://koopstadt_web"}


# --- systemd -------------------------------------------------------------------------------------------
def unit_entries(path: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) of every assignment; repeated keys stay separate, as systemd reads them."""
    entries = []
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, value = line.split("=", 1)
        entries.append((section, key.strip(), value.strip()))
    return entries


def unit_values(path: Path, key: str) -> list[str]:
    return [value for section, name, value in unit_entries(path) if name == key and section == "Service"]


@pytest.mark.parametrize("unit", sorted(UNIT_COMMANDS))
def test_systemd_unit_runs_the_portal_as_decided(unit: str) -> None:
    path = SYSTEMD / unit
    (exec_start,) = unit_values(path, "ExecStart")
    binary, _, arguments = exec_start.partition(" ")
    assert binary.startswith("/opt/koopstadt/.venv/bin/")
    # %% is systemd's escape for a literal %, which Celery expands to the host name.
    command = f"{Path(binary).name} {arguments}".replace("%%", "%")
    assert command == UNIT_COMMANDS[unit]
    assert unit_values(path, "User") == ["koopstadt"]
    assert unit_values(path, "WorkingDirectory") == ["/opt/koopstadt"]
    assert unit_values(path, "EnvironmentFile") == ["/etc/koopstadt/koopstadt.env"]
    assert unit_values(path, "Restart") == ["on-failure"]
    assert unit_values(path, "NoNewPrivileges") == ["yes"]
    assert unit_values(path, "ProtectSystem") == ["strict"]
    assert unit_values(path, "PrivateTmp") == ["yes"]
    assert "/var/lib/koopstadt" in " ".join(unit_values(path, "ReadWritePaths")).split()
    assert ("Install", "WantedBy", "koopstadt.target") in unit_entries(path)
    assert ("Unit", "PartOf", "koopstadt.target") in unit_entries(path)


def test_systemd_units_share_out_every_queue_once() -> None:
    consumed: list[str] = []
    for unit in UNIT_COMMANDS:
        (exec_start,) = unit_values(SYSTEMD / unit, "ExecStart")
        if match := re.search(r"\s-Q\s+(\S+)", exec_start):
            consumed += match.group(1).split(",")
    assert sorted(consumed) == sorted(QUEUES)


def test_web_unit_gives_gunicorn_an_empty_metrics_directory() -> None:
    path = SYSTEMD / "koopstadt-web.service"
    assert unit_values(path, "RuntimeDirectory") == ["koopstadt/metrics"]
    assert unit_values(path, "Environment") == ["PROMETHEUS_MULTIPROC_DIR=/run/koopstadt/metrics"]
    assert unit_values(path, "Type") == ["notify"]


def test_systemd_analyze_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # verify checks that ExecStart's program exists; the venv of /opt/koopstadt does not exist here.
    for path in SYSTEMD.iterdir():
        text = re.sub(r"/opt/koopstadt/\.venv/bin/\S+", "/bin/true", path.read_text())
        (tmp_path / path.name).write_text(text)
    units = sorted(path.name for path in tmp_path.iterdir())
    assert "koopstadt.target" in units
    result = subprocess.run(
        [analyze, "verify", *units], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0 and "Failed to" in result.stderr and "bus" in result.stderr.lower():
        pytest.skip(f"systemd-analyze verify cannot run here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    # Unknown keys are only warned about; there must be none.
    assert result.stderr.strip() == "" and result.stdout.strip() == "", result.stderr + result.stdout


# --- Dockerfile ----------------------------------------------------------------------------------------
def dockerfile_stages() -> list[list[str]]:
    """The instructions of each stage (continuation lines joined), comments left out."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_dockerfile_runtime_stage_runs_as_a_non_root_user() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2, "multi-stage build"
    runtime = stages[-1]
    users = [line.split(None, 1)[1].strip() for line in runtime if line.upper().startswith("USER ")]
    assert users, "the runtime stage needs a USER"
    assert users[-1] not in {"root", "0", "0:0"}
    assert "useradd --system --uid 10001" in " ".join(runtime)
    assert any(line.startswith("HEALTHCHECK") and "/healthz" in line for line in runtime)
    assert any(line.startswith("CMD") and WEB_COMMAND in line for line in runtime)


def test_dockerfile_installs_the_lock_with_hashes_and_migrates_never() -> None:
    text = DOCKERFILE.read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim-bookworm" in text
    installs = [line for line in text.splitlines() if "pip install" in line]
    assert installs == [
        "RUN /opt/venv/bin/pip install --quiet --require-hashes --only-binary :all: "
        "--requirement requirements/main.txt"
    ]
    # Nothing else is installed: no unhashed pip upgrade, no build of the project.
    assert "COPY requirements/main.txt requirements/main.txt" in text
    assert "collectstatic" in text
    assert "migrate" not in " ".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv/"} <= set(ignored)
    # Production does not install the development package (demo and load data, bench hooks) nor the tests.
    assert {"koopstadt/development/", "tests/"} <= set(ignored)


# --- scripts/release -----------------------------------------------------------------------------------
def fake_python(tmp_path: Path, fail_on: str = "") -> tuple[Path, Path]:
    """A stand-in for Python that records the manage.py commands it is given."""
    calls = tmp_path / "calls.txt"
    script = tmp_path / "python"
    script.write_text(
        "#!/bin/sh\n"
        f'shift; echo "$*" >> "{calls}"\n'
        + (f'case "$1" in {fail_on}) exit 3;; esac\n' if fail_on else "")
        + "exit 0\n"
    )
    script.chmod(0o755)
    return script, calls


def run_release(root: Path, python: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(root / "scripts" / "release")],
        env={"PATH": os.environ["PATH"], "KOOPSTADT_PYTHON": str(python), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_release_runs_check_migrate_collectstatic_in_order(tmp_path: Path) -> None:
    python, calls = fake_python(tmp_path)
    result = run_release(ROOT, python, DJANGO_ENV="production")
    assert result.returncode == 0, result.stderr
    assert calls.read_text().splitlines() == [
        "check --deploy --fail-level WARNING",
        "migrate --noinput",
        "collectstatic --noinput --verbosity 1",
    ]
    assert "compilemessages skipped" in result.stdout


def test_release_stops_at_the_first_failure(tmp_path: Path) -> None:
    python, calls = fake_python(tmp_path, fail_on="migrate")
    result = run_release(ROOT, python, DJANGO_ENV="production")
    assert result.returncode == 3
    assert calls.read_text().splitlines() == ["check --deploy --fail-level WARNING", "migrate --noinput"]


def test_release_compiles_messages_only_when_a_mo_file_is_missing(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "scripts" / "lib").mkdir(parents=True)
    shutil.copy2(RELEASE, checkout / "scripts" / "release")
    shutil.copy2(ROOT / "scripts" / "lib" / "common.sh", checkout / "scripts" / "lib" / "common.sh")
    messages = checkout / "locale" / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text('msgid ""\nmsgstr ""\n')
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "msgfmt").write_text("#!/bin/sh\nexit 0\n")
    (tools / "msgfmt").chmod(0o755)
    python, calls = fake_python(tmp_path)
    result = run_release(checkout, python, DJANGO_ENV="test", PATH=f"{tools}:{os.environ['PATH']}")
    assert result.returncode == 0, result.stderr
    assert calls.read_text().splitlines() == [
        "check --deploy",
        "migrate --noinput",
        "collectstatic --noinput --verbosity 1",
        "compilemessages --ignore=.venv --verbosity 0",
    ]


# --- the Debian packages of the PDFs ---------------------------------------------------------------------
def pdf_debian_packages() -> list[str]:
    """PDF_DEBIAN_PACKAGES of scripts/lib/common.sh: what WeasyPrint needs (pango, a font)."""
    found = re.search(r"^PDF_DEBIAN_PACKAGES=\(([^)]*)\)", (ROOT / "scripts/lib/common.sh").read_text(), re.M)
    assert found
    return found.group(1).split()


def test_the_image_and_the_handbook_install_what_the_pdfs_need() -> None:
    packages = pdf_debian_packages()
    assert {"libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"} <= set(packages)
    runtime = " ".join(dockerfile_stages()[-1])
    handbook = (ROOT / "docs/handbook.md").read_text()
    installation = re.sub(r"\\\n\s*", " ", handbook[handbook.index("**2.1 Packages**") :])
    apt_line = next(line for line in installation.splitlines() if line.startswith("apt-get install"))
    for package in packages:
        assert f" {package}" in runtime, f"the Dockerfile does not install {package}"
        assert f" {package}" in apt_line, f"the handbook's section 2.1 does not install {package}"
