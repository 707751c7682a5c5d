"""pip-audit of the lock file in ./scripts/test: fails on a known vulnerability, never on the network.

PyPI's vulnerability service (pip-audit's default) answers https://pypi.org/pypi/<name>/<version>/json.
One request for a locked package first tells whether it is reachable from here; if not, the audit is
skipped with one line saying so. A run that breaks off (a network hiccup half-way) is reported in one
line as well and does not fail the tests; a known vulnerability does, unless requirements/audit-ignore.txt
lists its id with a reason.
"""

import json
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "test.txt"
IGNORE = ROOT / "requirements" / "audit-ignore.txt"
SERVICE = "https://pypi.org/pypi/{name}/{version}/json"
TIMEOUT = 10


def say(text: str) -> None:
    print(f"==> pip-audit: {text}", flush=True)


def locked_version(name: str, lock: Path = LOCK) -> str:
    match = re.search(rf"^{re.escape(name)}==([^\s;]+)", lock.read_text(), flags=re.MULTILINE | re.IGNORECASE)
    if not match:
        raise SystemExit(f"{name} is not in {lock}")
    return match.group(1)


def unreachable_reason(name: str = "django", version: str | None = None) -> str:
    """Why the vulnerability service cannot be asked from here; empty when it answers."""
    url = SERVICE.format(name=name, version=version or locked_version(name))
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - a fixed https URL
            json.load(response)
    except urllib.error.HTTPError as error:
        return f"{url} answers HTTP {error.code}"
    except (OSError, ValueError) as error:
        return f"{url} does not answer ({error})"
    return ""


def ignored(path: Path = IGNORE) -> list[str]:
    ids = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        entry, _, reason = line.partition("#")
        if not entry.strip():
            continue
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {entry.strip()} needs a reason after '#'")
        ids.append(entry.strip())
    return ids


def audit(lock: Path, ignore: list[str], service: tuple[str, ...] = ()) -> tuple[int, dict | None, str]:
    """Runs pip-audit on the lock file: its exit code, its JSON report (None if it wrote none), stderr.
    ``service``: other options of pip-audit's, e.g. another vulnerability service (the tests' own)."""
    with tempfile.TemporaryDirectory() as directory:
        report = Path(directory) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--requirement", str(lock)]
        command += ["--format", "json", "--output", str(report), "--progress-spinner", "off"]
        command += ["--timeout", str(TIMEOUT), *service]
        for vulnerability in ignore:
            command += ["--ignore-vuln", vulnerability]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        try:
            data = json.loads(report.read_text())
        except (OSError, ValueError):
            data = None
    return done.returncode, data, done.stderr


def main(lock: Path = LOCK, ignore_file: Path = IGNORE, service: tuple[str, ...] = ()) -> int:
    reason = "" if service else unreachable_reason()
    if reason:
        say(f"SKIPPED – PyPI's vulnerability service is not reachable from here ({reason}).")
        return 0
    ignore = ignored(ignore_file)
    code, data, stderr = audit(lock, ignore, service)
    if data is None:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        say(f"did not finish (exit code {code}: {last}); the lock file was not audited this time.")
        return 0
    found = [(d["name"], d["version"], v) for d in data["dependencies"] for v in d.get("vulns", [])]
    skipped = [d["name"] for d in data["dependencies"] if "skip_reason" in d]
    for name, version, vulnerability in found:
        fixes = ", ".join(vulnerability.get("fix_versions", [])) or "none yet"
        print(f"    {name} {version}: {vulnerability['id']} (fixed in: {fixes})", file=sys.stderr)
    if found:
        say(
            f"{len(found)} known vulnerabilities in the locked packages: upgrade them (./scripts/lock "
            "--upgrade-package NAME) or list the id with a reason in requirements/audit-ignore.txt."
        )
        return 1
    audited = len(data["dependencies"]) - len(skipped)
    note = f"; {len(skipped)} not found by the service: {', '.join(skipped)}" if skipped else ""
    say(f"no known vulnerabilities in {audited} locked packages ({len(ignore)} ignored){note}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
