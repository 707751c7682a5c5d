"""The lock files (./scripts/lock): every package pinned, with hashes; the portal's lock a subset of the
tests' lock at the same versions."""

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT


def test_the_lock_files_pin_every_package_with_hashes():
    for name in ("main", "test"):
        text = (ROOT / f"requirements/{name}.txt").read_text()
        pins = re.findall(r"^([A-Za-z0-9._-]+)==", text, flags=re.MULTILINE)
        blocks = re.split(r"^(?=[A-Za-z0-9._-]+==)", text, flags=re.MULTILINE)[1:]
        assert len(pins) == len(blocks) > 50
        assert all("--hash=sha256:" in block for block in blocks), name
    main = (ROOT / "requirements/main.txt").read_text()
    test = (ROOT / "requirements/test.txt").read_text()
    versions = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", test, flags=re.MULTILINE))
    for name, version in re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", main, flags=re.MULTILINE):
        assert versions[name] == version, f"{name}: main.txt {version}, test.txt {versions[name]}"
    assert re.search(r"^django==5\.2\.\d+ ", main, flags=re.MULTILINE)
    assert re.search(r"^gunicorn==27\.", main, flags=re.MULTILINE)
    assert "pytest" not in main and "xstatic" not in main.lower()


def locked(name: str) -> dict[str, str]:
    text = (ROOT / f"requirements/{name}.txt").read_text()
    return {canonicalize_name(n): v for n, v in re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", text, flags=re.M)}


def test_the_lock_files_satisfy_pyproject():
    """pyproject.toml changed without ./scripts/lock: a requirement that the lock lacks or contradicts."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for lock, requirements in (
        ("main", project["dependencies"]),
        ("test", project["dependencies"] + project["optional-dependencies"]["test"]),
    ):
        versions = locked(lock)
        for line in requirements:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            assert name in versions, f"{name} is not in requirements/{lock}.txt: run ./scripts/lock"
            assert requirement.specifier.contains(versions[name], prereleases=True), (
                f"requirements/{lock}.txt has {name}=={versions[name]}, pyproject.toml wants {line}"
            )
