"""./scripts/test's pip-audit step (scripts/lib/audit.py): real pip-audit against a vulnerability service
on loopback that speaks OSV's API, so that nothing here depends on the network."""

import importlib.util
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts/lib/audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

VULNERABILITY = {
    "id": "PYSEC-2099-1",
    "summary": "SQL injection in an example",
    "affected": [
        {
            "package": {"name": "django", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}],
        }
    ],
}


@pytest.fixture
def service():
    """An OSV-like service: Django has one known vulnerability; status 500 when told to fail."""
    state = {"fail": False, "asked": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state["asked"].append(query["package"]["name"])
            body = {"vulns": [VULNERABILITY]} if query["package"]["name"] == "django" else {}
            self.send_response(500 if state["fail"] else 200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["options"] = (
        "--vulnerability-service",
        "osv",
        "--osv-url",
        f"http://127.0.0.1:{server.server_port}/",
    )
    yield state
    server.shutdown()


def lock_of(tmp_path, *names):
    """A lock file with these packages' entries (versions and hashes) from requirements/test.txt."""
    text = (ROOT / "requirements/test.txt").read_text()
    entries = [re.search(rf"^{name}==.*?(?=^\S)", text, flags=re.MULTILINE | re.DOTALL)[0] for name in names]
    path = tmp_path / "lock.txt"
    path.write_text("".join(entries))
    return path


def test_a_known_vulnerability_fails_the_run(tmp_path, service, capsys):
    lock = lock_of(tmp_path, "django", "sqlparse")
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("# none\n")
    assert audit.main(lock, ignore, service["options"]) == 1
    out, err = capsys.readouterr()
    assert f"django {audit.locked_version('django')}: PYSEC-2099-1 (fixed in: 99.0)" in err
    assert "1 known vulnerabilities in the locked packages" in out
    assert sorted(service["asked"]) == ["django", "sqlparse"]


def test_an_ignored_vulnerability_needs_a_reason_and_then_passes(tmp_path, service, capsys):
    lock = lock_of(tmp_path, "django")
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("PYSEC-2099-1\n")
    with pytest.raises(SystemExit, match="PYSEC-2099-1 needs a reason"):
        audit.main(lock, ignore, service["options"])
    ignore.write_text("PYSEC-2099-1  # the portal never calls the affected function\n")
    assert audit.main(lock, ignore, service["options"]) == 0
    assert "no known vulnerabilities in 1 locked packages (1 ignored)" in capsys.readouterr().out


def test_a_service_that_breaks_off_does_not_fail_the_run(tmp_path, service, capsys):
    service["fail"] = True
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("")
    assert audit.main(lock_of(tmp_path, "django"), ignore, service["options"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("==> pip-audit: did not finish (exit code 1")


def test_an_unreachable_service_is_skipped_with_one_line(monkeypatch, capsys):
    monkeypatch.setattr(audit, "SERVICE", "http://127.0.0.1:1/pypi/{name}/{version}/json")
    assert audit.main() == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("==> pip-audit: SKIPPED – PyPI's vulnerability service is not reachable from here")
