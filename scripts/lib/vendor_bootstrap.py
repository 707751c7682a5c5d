"""Bootstrap's CSS in static/vendor/bootstrap/, taken from the npm package and checked by sha256.

The portal serves its static files itself (WhiteNoise) and loads nothing from a CDN (strict CSP), so
Bootstrap's compiled CSS lives in the repository: the unchanged files of the package's ``dist/`` and its
licence. requirements/vendored.json pins the version, the tarball's sha256 and the sha256 of every file
taken from it.

    ./scripts/vendor-bootstrap                  # fetch the pinned tarball again, check it, write the files
    ./scripts/vendor-bootstrap --check          # offline: the files in static/ are the pinned ones
    ./scripts/vendor-bootstrap --version 5.3.10 # a new version: pins it (the tarball is checked against
                                                # the registry's sha512 integrity), then writes the files
"""

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PINS = ROOT / "requirements" / "vendored.json"
TARGET = ROOT / "static" / "vendor" / "bootstrap"
REGISTRY = "https://registry.npmjs.org/bootstrap"
# Files of the package, and where they go under TARGET. The map belongs to the minified CSS: its last
# line names it, and collectstatic's manifest storage refuses a CSS file whose source map is missing.
FILES = {
    "package/dist/css/bootstrap.min.css": "css/bootstrap.min.css",
    "package/dist/css/bootstrap.min.css.map": "css/bootstrap.min.css.map",
    "package/LICENSE": "LICENSE",
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - https only (the registry)
        return response.read()


def load_pins() -> dict:
    return json.loads(PINS.read_text())["bootstrap"]


def check() -> list[str]:
    """The vendored files that differ from their pinned sha256 (empty: all as pinned)."""
    pins = load_pins()
    problems = []
    for name, digest in pins["files"].items():
        path = TARGET / name
        if not path.is_file():
            problems.append(f"{path.relative_to(ROOT)} is missing")
        elif sha256(path.read_bytes()) != digest:
            problems.append(f"{path.relative_to(ROOT)} is not the file of bootstrap {pins['version']}")
    extra = {p.relative_to(TARGET).as_posix() for p in TARGET.rglob("*") if p.is_file()} - set(pins["files"])
    problems += [f"static/vendor/bootstrap/{name} is not a pinned file" for name in sorted(extra)]
    return problems


def pin_new_version(version: str) -> dict:
    meta = json.loads(fetch(f"{REGISTRY}/{version}"))
    algorithm, _, expected = meta["dist"]["integrity"].partition("-")
    if algorithm != "sha512":
        sys.exit(f"unexpected integrity {meta['dist']['integrity']!r}")
    tarball = fetch(meta["dist"]["tarball"])
    if base64.b64encode(hashlib.sha512(tarball).digest()).decode() != expected:
        sys.exit("the tarball does not match the registry's integrity")
    return {"version": version, "tarball": meta["dist"]["tarball"], "sha256": sha256(tarball)}


def write_files(pins: dict) -> dict:
    tarball = fetch(pins["tarball"])
    if sha256(tarball) != pins["sha256"]:
        sys.exit(f"{pins['tarball']} does not have the pinned sha256 {pins['sha256']}")
    digests = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member, target in FILES.items():
            source = archive.extractfile(member)
            if source is None:
                sys.exit(f"{member} is not in the tarball")
            data = source.read()
            path = TARGET / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            digests[target] = sha256(data)
    for path in TARGET.rglob("*"):
        if path.is_file() and path.relative_to(TARGET).as_posix() not in digests:
            path.unlink()
    return digests


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only check the vendored files (offline)")
    parser.add_argument("--version", help="pin and vendor this version of the npm package")
    args = parser.parse_args()
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        sys.exit(1 if problems else 0)
    pins = pin_new_version(args.version) if args.version else load_pins()
    pins["files"] = write_files(pins)
    PINS.write_text(json.dumps({"bootstrap": pins}, indent=2) + "\n")
    print(f"bootstrap {pins['version']} in {TARGET.relative_to(ROOT)}: {', '.join(sorted(pins['files']))}")


if __name__ == "__main__":
    main()
