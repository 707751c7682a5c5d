"""Schemathesis against the live API: every operation of the schema, as every role with a token of all
scopes, a bounded number of generated requests each. No answer may be a server error, and every answer
must match the schema (status, content type and body of a documented response)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cities.accounts.api_tokens import token_issue
from cities.accounts.models import ApiScope
from tests.security.attack_world import build_world

pytestmark = [pytest.mark.api, pytest.mark.django_db(transaction=True)]

ROLES = ["staff", "contact", "liaison", "coordinator", "expert", "finance"]
MAX_EXAMPLES = int(os.environ.get("KOOPSTADT_SCHEMATHESIS_EXAMPLES", "5"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_schemathesis_finds_no_server_error_and_no_answer_against_the_schema(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.API_THROTTLE_RATE = "1000000/hour"
    world = build_world()
    scopes = [ApiScope.READ, ApiScope.WRITE, ApiScope.FINANCE]
    ARTIFACTS.mkdir(exist_ok=True)
    failures, timings = [], {}
    for role in ROLES:
        _token, plain = token_issue(
            user=world.users[role], name=f"schemathesis {role}", scopes=scopes, actor=None
        )
        started = time.monotonic()
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("st")),
                "run",
                f"{live_server.url}/api/schema/?format=json",
                "--url",
                live_server.url,
                "--header",
                f"Authorization: Bearer {plain}",
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--max-examples",
                str(MAX_EXAMPLES),
                "--phases",
                "examples,fuzzing",
                "--workers",
                "1",
                "--seed",
                "20261201",
                "--no-shrink",
                "--suppress-health-check",
                "all",
                "--request-timeout",
                "30",
                "--warnings",
                "off",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
        )
        timings[role] = round(time.monotonic() - started, 1)
        (ARTIFACTS / f"schemathesis-{role}.txt").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            failures.append(
                f"--- {role} (exit {result.returncode}) ---\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
            )
    print("schemathesis seconds per role:", timings)
    assert not failures, "\n".join(failures)
