"""The settings module as an operator meets it: started in separate processes with real environments."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7!kq2@v9#m4p8$w1^z6&c3*b5(n0)r-t+y=u_i[o]a{s}d|f:g;h<j>k?l,q.w/e",
    "ALLOWED_HOSTS": "cr.example.org",
    "DATABASE_URL": "sqlite:////tmp/koopstadt-deploy-check.sqlite3",
    # As the handbook's environment file has it: nginx on the same host.
    "TRUSTED_PROXIES": "127.0.0.1,::1",
    # Shared by every web process (API throttling, the log-in delay); the check does not connect.
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    own = {"DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in own}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_prints_no_warning():
    result = manage("check", "--deploy", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_check_deploy_warns_when_the_proxy_is_not_trusted():
    result = manage("check", "--deploy", env={**PRODUCTION, "TRUSTED_PROXIES": ""})
    assert "koopstadt.W001" in result.stderr + result.stdout
    refused = manage("check", env={**PRODUCTION, "TRUSTED_PROXIES": "nginx"})
    assert refused.returncode != 0 and "TRUSTED_PROXIES" in refused.stderr


def test_check_deploy_warns_when_throttling_and_the_log_in_delay_would_count_per_process():
    result = manage("check", "--deploy", env={**PRODUCTION, "CACHE_URL": ""})
    output = result.stderr + result.stdout
    assert "koopstadt.W002" in output and "CACHE_URL" in output


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {**PRODUCTION, missing: ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_a_wrong_environment_name_is_refused():
    result = manage("check", env={"DJANGO_ENV": "prod"})
    assert result.returncode != 0
    assert "DJANGO_ENV must be" in result.stderr


def test_production_cookies_carry_the_host_prefix_and_are_secure_and_lax():
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.LANGUAGE_COOKIE_NAME, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_SAMESITE, "
        "s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH, s.LANGUAGE_COOKIE_PATH, "
        "s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN, s.LANGUAGE_COOKIE_DOMAIN)"
    )
    result = manage("shell", "-c", script, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "__Host-koopstadt_language",
        *["True"] * 3,
        *["Lax"] * 3,
        *["/"] * 3,
        *["None"] * 3,
    ]
