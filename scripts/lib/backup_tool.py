"""The parts of scripts/backup and scripts/restore that bash does badly: settings, SQLite, checksums, JSON.

Runs with the portal's own environment (DATABASE_URL, MEDIA_ROOT, DJANGO_ENV …) and reads the portal's
settings, so a backup always covers the database and the files the portal really uses. Every failure
ends with one line on stderr and exit status 1. docs/backup.md describes the whole procedure.

    backup_tool.py info                      vendor, database and MEDIA_ROOT as key=value lines
    backup_tool.py migrations FILE           write the applied migrations (fails on an empty database)
    backup_tool.py with-pg-env CMD ARGS…     run a PostgreSQL client with PGHOST, PGPASSWORD … set
    backup_tool.py sqlite-backup FILE        consistent copy of the SQLite database (online backup API)
    backup_tool.py manifest DIR --migrations FILE   write manifest.json and SHA256SUMS
    backup_tool.py verify DIR                check a backup's checksums and that this version can restore it
    backup_tool.py target                    info, and what the restore would replace (key=value lines)
    backup_tool.py verify-media DIR FOLDER   check extracted files against the manifest
    backup_tool.py sqlite-restore FILE       copy a backed-up SQLite database into the configured one
    backup_tool.py summary                   counts read from the (restored) database
"""

import argparse
import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tarfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koopstadt.settings")

FORMAT = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
MEDIA_ARCHIVE = "media.tar.gz"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# What the restore summary counts, as (label, app label, model name).
COUNTED = [
    ("requests", "exchanges", "ExchangeRequest"),
    ("attachments", "exchanges", "Attachment"),
    ("travel claims", "exchanges", "TravelClaim"),
    ("receipts", "exchanges", "Receipt"),
    ("bookings", "exchanges", "Booking"),
    ("export batches", "exchanges", "ExportBatch"),
    ("people", "cities", "User"),
]


class Failure(Exception):
    """A failure the operator can act on; its message is all that is printed."""


# --- settings and connections ----------------------------------------------------------------------


def setup() -> None:
    import django

    django.setup()


def database() -> dict[str, Any]:
    from django.conf import settings

    return settings.DATABASES["default"]


def vendor() -> str:
    from django.db import connection

    if connection.vendor not in DUMP_FILES:
        raise Failure(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def media_root() -> Path:
    from django.conf import settings

    return Path(settings.MEDIA_ROOT).resolve()


def sqlite_path() -> Path:
    return Path(database()["NAME"]).resolve()


def pg_environment() -> dict[str, str]:
    """libpq's variables for the configured database: the password never appears on a command line."""
    db = database()
    env = dict(os.environ)
    values = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
    }
    options = db.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        values[f"PG{option.upper()}"] = options.get(option)
    env.update({key: str(value) for key, value in values.items() if value not in (None, "")})
    return env


def pg_connect(dbname: str):
    import psycopg

    db = database()
    options = db.get("OPTIONS") or {}
    return psycopg.connect(
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname=dbname,
        sslmode=options.get("sslmode"),
        connect_timeout=10,
        autocommit=True,
    )


def pg_database_exists(name: str) -> bool:
    import psycopg

    last_error: Exception | None = None
    for maintenance in ("postgres", "template1"):
        try:
            with pg_connect(maintenance) as conn:
                return (
                    conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                    is not None
                )
        except psycopg.OperationalError as exc:
            last_error = exc
    raise Failure(f"PostgreSQL is not reachable: {last_error}".strip())


def applied_migrations() -> dict[str, list[str]]:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def portal_tables() -> list[str]:
    from django.db import connection

    return [
        table
        for table in connection.introspection.table_names()
        if table == "django_migrations" or table.startswith(("cities_", "exchanges_"))
    ]


def counts() -> dict[str, int]:
    """Rows per counted model; tables a (possibly older) schema lacks are left out."""
    from django.apps import apps
    from django.db import connection

    tables = set(connection.introspection.table_names())
    result = {}
    with connection.cursor() as cursor:
        for label, app, model_name in COUNTED:
            table = apps.get_model(app, model_name)._meta.db_table
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                result[label] = cursor.fetchone()[0]
    return result


def describe(numbers: dict[str, int]) -> str:
    return ", ".join(f"{label}: {count}" for label, count in numbers.items()) or "no portal rows"


# --- files -------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_listing(archive: Path) -> list[dict[str, Any]]:
    """Every regular file in the media archive with its checksum, as the restore will find it."""
    files = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            handle = tar.extractfile(member)
            assert handle is not None
            digest = hashlib.sha256()
            for block in iter(lambda handle=handle: handle.read(1 << 20), b""):
                digest.update(block)
            path = member.name[2:] if member.name.startswith("./") else member.name
            files.append({"path": path, "sha256": digest.hexdigest(), "size": member.size})
    return sorted(files, key=lambda entry: entry["path"])


def files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [path for path in folder.rglob("*") if path.is_file() or path.is_symlink()]


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True, timeout=20
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def portal_version() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        version = tomllib.load(handle)["project"]["version"]
    commit = git("rev-parse", "HEAD")
    changed = bool(git("status", "--porcelain", "--untracked-files=no")) if commit else None
    return {"version": version, "commit": commit or "unknown", "uncommitted_changes": changed}


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise Failure(f"{folder} holds no {MANIFEST}: it is not a complete backup made by scripts/backup.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Failure(f"{path} is damaged (not readable JSON: {exc}).") from exc
    if manifest.get("format") != FORMAT:
        raise Failure(f"{path} has format {manifest.get('format')!r}; this version reads format {FORMAT}.")
    return manifest


# --- commands ------------------------------------------------------------------------------------------


def cmd_info(args: argparse.Namespace) -> None:
    kind = vendor()
    name = str(sqlite_path()) if kind == "sqlite" else database()["NAME"]
    values = {
        "vendor": kind,
        "database": name,
        "dump_file": DUMP_FILES[kind],
        "media_root": str(media_root()),
    }
    for key, value in values.items():
        if "\n" in value:
            raise Failure(f"The {key} {value!r} contains a line break; backups cannot handle it.")
        print(f"{key}={value}")


def cmd_migrations(args: argparse.Namespace) -> None:
    """Record the migration state; also the early check that the database is there and is the portal's."""
    from django.db import DatabaseError

    kind = vendor()
    if kind == "sqlite" and not sqlite_path().is_file():
        raise Failure(f"The SQLite database {sqlite_path()} does not exist: nothing to back up.")
    try:
        applied = applied_migrations()
    except DatabaseError as exc:
        raise Failure(f"The database {database()['NAME']} is not reachable: {exc}".strip()) from exc
    if not applied:
        raise Failure(
            f"The database {database()['NAME']} holds no portal tables: nothing to back up "
            "(is DATABASE_URL the portal's?)."
        )
    Path(args.file).write_text(json.dumps(applied), encoding="utf-8")


def cmd_with_pg_env(args: argparse.Namespace) -> None:
    if vendor() != "postgresql":
        raise Failure("with-pg-env is only for a PostgreSQL database.")
    try:
        os.execvpe(args.command[0], args.command, pg_environment())  # noqa: S606
    except OSError as exc:
        raise Failure(
            f"{args.command[0]} cannot be run ({exc}); on Debian: apt-get install postgresql-client"
        ) from exc


def cmd_sqlite_backup(args: argparse.Namespace) -> None:
    source_path = sqlite_path()
    if not source_path.is_file():
        raise Failure(f"The SQLite database {source_path} does not exist: nothing to back up.")
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(args.file)
    try:
        # The online backup API copies a consistent state even while the portal writes.
        source.backup(target)
        # A self-contained file: no write-ahead log beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise Failure(f"Copying the SQLite database {source_path} failed: {exc}") from exc
    finally:
        target.close()
        source.close()
    if result != "ok":
        raise Failure(f"The copy of {source_path} fails SQLite's integrity check: {result}")


def cmd_manifest(args: argparse.Namespace) -> None:
    folder = Path(args.folder)
    before = json.loads(Path(args.migrations).read_text(encoding="utf-8"))
    if applied_migrations() != before:
        raise Failure("Migrations ran while the backup was being made; run scripts/backup again.")
    kind = vendor()
    dump_tool = ""
    if kind == "postgresql":
        dump_tool = subprocess.run(
            ["pg_dump", "--version"], capture_output=True, text=True, check=False, timeout=20
        ).stdout.strip()
    names = [DUMP_FILES[kind], MEDIA_ARCHIVE]
    files = []
    for name in names:
        path = folder / name
        if not path.is_file() or path.stat().st_size == 0:
            raise Failure(f"{name} is missing or empty in {folder}.")
        files.append({"name": name, "sha256": sha256_of(path), "size": path.stat().st_size})
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "portal": portal_version(),
        "database": {
            "vendor": kind,
            "name": sqlite_path().name if kind == "sqlite" else database()["NAME"],
            "file": DUMP_FILES[kind],
            "tool": dump_tool or f"sqlite3 online backup (SQLite {sqlite3.sqlite_version})",
        },
        "migrations": before,
        "files": files,
        "media": {"root": str(media_root()), "files": archive_listing(folder / MEDIA_ARCHIVE)},
    }
    (folder / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    # The same checksums for `sha256sum -c SHA256SUMS`, e.g. on an off-site machine without the portal.
    lines = [f"{entry['sha256']}  {entry['name']}" for entry in files]
    lines.append(f"{sha256_of(folder / MANIFEST)}  {MANIFEST}")
    (folder / SUMS).write_text("\n".join(lines) + "\n", encoding="utf-8")


def check_file(folder: Path, name: str, digest: str, size: int | None) -> None:
    path = folder / name
    if not path.is_file():
        raise Failure(f"{name} is missing from {folder}; nothing was restored.")
    found = sha256_of(path)
    if found != digest or (size is not None and path.stat().st_size != size):
        raise Failure(
            f"Checksum mismatch for {name}: the backup is damaged or was changed "
            f"(expected SHA-256 {digest}, found {found}); nothing was restored."
        )


def cmd_verify(args: argparse.Namespace) -> None:
    from django.db.migrations.loader import MigrationLoader

    folder = Path(args.folder)
    # The manifest itself first (its checksum is in SHA256SUMS), then every file it lists.
    sums = folder / SUMS
    if sums.is_file() and (folder / MANIFEST).is_file():
        for line in sums.read_text(encoding="utf-8", errors="replace").splitlines():
            digest, _, name = line.partition("  ")
            if name == MANIFEST:
                check_file(folder, name, digest, None)
    manifest = read_manifest(folder)
    for entry in manifest["files"]:
        check_file(folder, entry["name"], entry["sha256"], entry.get("size"))
    kind = manifest["database"]["vendor"]
    if kind != vendor():
        raise Failure(
            f"The backup holds a {kind} database but DATABASE_URL names a {vendor()} database; "
            "restore into the same kind of database."
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        commit = manifest["portal"].get("commit", "unknown")
        raise Failure(
            f"The backup was made by a newer version of the portal (commit {commit}); this version does "
            f"not know its migrations {', '.join(unknown[:5])}. Restore with that version."
        )
    portal = manifest["portal"]
    print(
        f"Backup of {manifest['created_at']} from {manifest.get('host', '?')}: portal {portal['version']} "
        f"(commit {portal['commit'][:12]}), {kind} database {manifest['database']['name']}, "
        f"{len(manifest['media']['files'])} uploaded files. Checksums correct."
    )


def cmd_target(args: argparse.Namespace) -> None:
    """Say what a restore would replace: database missing, empty or holding the portal, and files."""
    cmd_info(args)
    kind = vendor()
    if kind == "postgresql":
        state = "portal" if pg_database_exists(database()["NAME"]) else "missing"
    else:
        path = sqlite_path()
        state = "portal" if path.is_file() and path.stat().st_size > 0 else "missing"
    description = ""
    if state == "portal":
        if portal_tables():
            description = describe(counts())
        else:
            state = "empty"
    print(f"state={state}")
    print(f"description={description}")
    print(f"media_files={len(files_under(media_root()))}")


def cmd_verify_media(args: argparse.Namespace) -> None:
    manifest = read_manifest(Path(args.folder))
    extracted = Path(args.extracted)
    for entry in manifest["media"]["files"]:
        path = extracted / entry["path"]
        if not path.is_file():
            raise Failure(
                f"The uploaded file {entry['path']} is missing from the archive; nothing was restored."
            )
        if sha256_of(path) != entry["sha256"]:
            raise Failure(
                f"The uploaded file {entry['path']} does not match its checksum; nothing was restored."
            )


def cmd_sqlite_restore(args: argparse.Namespace) -> None:
    source_path = Path(args.file)
    target_path = sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        result = source.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise Failure(f"The backed-up database fails SQLite's integrity check: {result}")
        target = sqlite3.connect(target_path, timeout=30)
        try:
            # Replaces the whole content of the target, page by page, under SQLite's own locking.
            source.backup(target)
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise Failure(f"Restoring into {target_path} failed: {exc}") from exc
    finally:
        source.close()


def cmd_summary(args: argparse.Namespace) -> None:
    from django.apps import apps

    print(f"Restored: {describe(counts())}.")
    missing = []
    root = media_root()
    for model_name in ("Attachment", "Receipt"):
        for name in apps.get_model("exchanges", model_name).objects.values_list("file", flat=True):
            if name and not (root / name).is_file():
                missing.append(name)
    if missing:
        # Possible when a file was deleted between the database dump and the archive of the files.
        print(
            f"WARNING: {len(missing)} uploaded files the database refers to are not in {root}, "
            f"e.g. {', '.join(missing[:3])}",
            file=sys.stderr,
        )
    else:
        print(f"Every uploaded file the database refers to is in {root}.")


# Commands that use models or migrations; the others only read settings (a faster start).
NEEDS_APPS = {cmd_migrations, cmd_manifest, cmd_verify, cmd_target, cmd_summary}


def main(argv: list[str]) -> int:
    from django.db import DatabaseError

    parser = argparse.ArgumentParser(prog="backup_tool.py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command_name", required=True)
    commands.add_parser("info").set_defaults(run=cmd_info)
    sub = commands.add_parser("migrations")
    sub.add_argument("file")
    sub.set_defaults(run=cmd_migrations)
    sub = commands.add_parser("with-pg-env")
    sub.add_argument("command", nargs=argparse.REMAINDER)
    sub.set_defaults(run=cmd_with_pg_env)
    sub = commands.add_parser("sqlite-backup")
    sub.add_argument("file")
    sub.set_defaults(run=cmd_sqlite_backup)
    sub = commands.add_parser("manifest")
    sub.add_argument("folder")
    sub.add_argument("--migrations", required=True)
    sub.set_defaults(run=cmd_manifest)
    sub = commands.add_parser("verify")
    sub.add_argument("folder")
    sub.set_defaults(run=cmd_verify)
    commands.add_parser("target").set_defaults(run=cmd_target)
    sub = commands.add_parser("verify-media")
    sub.add_argument("folder")
    sub.add_argument("extracted")
    sub.set_defaults(run=cmd_verify_media)
    sub = commands.add_parser("sqlite-restore")
    sub.add_argument("file")
    sub.set_defaults(run=cmd_sqlite_restore)
    commands.add_parser("summary").set_defaults(run=cmd_summary)
    args = parser.parse_args(argv)
    if args.command_name == "with-pg-env" and not args.command:
        parser.error("with-pg-env needs a command")
    try:
        if args.run in NEEDS_APPS:
            setup()
        args.run(args)
    except Failure as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1
    except DatabaseError as exc:
        print(f"ERROR: The database {database()['NAME']} refused or failed: {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
