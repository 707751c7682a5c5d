"""Backup and restore (docs/backup.md): scripts/backup and scripts/restore run as an operator runs them.

The PostgreSQL tests back up the test database with committed data (the demo, travel claims with
receipt files, approved and booked, an exported batch, an attachment), restore it into a database and a
MEDIA_ROOT of their own and compare row by row and file by file. The SQLite test does the same for the
embedded default.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal as D
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from cities.directory.models import User
from exchanges.cycle.models import Attachment, ExchangeRequest, Status
from exchanges.cycle.services.requests import attachment_add
from exchanges.travel.models import Booking, ClaimStatus, ExportBatch, Receipt
from exchanges.travel.services.claims import claim_approve, claim_book, claim_item_add, claim_submit
from exchanges.travel.services.exports import batch_create, batch_mark_exported
from tests.conftest import REQUIRE_SERVICES, ROOT
from tests.exchanges.claims_world import held_exchange
from tests.exchanges.services.test_claims import _claim_a

LATEST_EXCHANGES_MIGRATION = sorted((ROOT / "exchanges" / "migrations").glob("0*.py"))[-1].stem

pytestmark = pytest.mark.integration

# The same queries on the original and on the restored database: what must come back, row by row.
QUERIES = {
    "requests": "SELECT reference, status, title FROM exchanges_exchangerequest ORDER BY reference, id",
    "claims": "SELECT id, status, calculated_total, traveller_id FROM exchanges_travelclaim ORDER BY id",
    "items": "SELECT id, claim_id, kind, amount FROM exchanges_claimitem ORDER BY id",
    "receipts": "SELECT claim_id, file, original_name, sha256, size FROM exchanges_receipt ORDER BY id",
    "attachments": "SELECT request_id, file, original_name, sha256 FROM exchanges_attachment ORDER BY id",
    "bookings": (
        "SELECT b.number, b.amount, b.budget_year, b.cost_centre, b.payee, b.claim_id, x.number "
        "FROM exchanges_booking b LEFT JOIN exchanges_exportbatch x ON x.id = b.batch_id ORDER BY b.number"
    ),
    "batches": "SELECT number, exported_at IS NOT NULL FROM exchanges_exportbatch ORDER BY number",
    "people": "SELECT email, display_name FROM cities_user ORDER BY email",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def script_env(database_url: str, media_root: Path) -> dict[str, str]:
    """The portal's environment for the scripts, without anything of this test run that could leak in."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update(
        DJANGO_ENV="test",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        KOOPSTADT_PYTHON=sys.executable,  # never install packages from a test
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    return env


def only_backup_dir(parent: Path) -> Path:
    entries = list(parent.iterdir())
    assert len(entries) == 1, entries
    return entries[0]


# --- PostgreSQL --------------------------------------------------------------------------------------


def pg_url(name: str) -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def pg_connect(name: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or None,
        password=db.get("PASSWORD") or None,
        dbname=name,
        autocommit=True,
    )


def pg_exists(name: str) -> bool:
    with pg_connect("postgres") as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


@pytest.fixture
def postgres(transactional_db) -> None:
    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("Backup tests need PostgreSQL (KOOPSTADT_REQUIRE_SERVICES=1).")
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump and pg_restore are missing: apt-get install postgresql-client")


@pytest.fixture
def restore_database(postgres) -> Iterator[str]:
    """The name of a database that does not exist yet; dropped afterwards, whatever happened."""
    name = f"koopstadt_restore_{uuid.uuid4().hex[:12]}"
    yield name
    with pg_connect("postgres") as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def portal_data(postgres, settings, tmp_path):
    """Committed data of every kind a backup must keep, with uploaded files in a MEDIA_ROOT of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    exchange = held_exchange()
    finance = User.objects.get(email="finanzen@example.org")
    travellers = [exchange.requester, User.objects.get(email="gesa.lueders@example.org")]
    for number, traveller in enumerate(travellers):
        claim = _claim_a(exchange, traveller=traveller)
        claim_item_add(
            claim=claim,
            actor=traveller,
            data={"kind": "other", "amount": D("12.50"), "explanation": "Parkgebühr"},
            upload=SimpleUploadedFile(f"beleg-{number}.pdf", b"%PDF-1.4 receipt " + str(number).encode()),
        )
        claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=traveller)
        claim_approve(claim_id=claim.pk, actor=finance)  # eager Celery books it after the commit
        claim_book(claim_id=claim.pk)  # in case it was not: exactly once either way
    batch = batch_create(actor=finance)
    batch_mark_exported(batch=batch, actor=finance)
    returned = ExchangeRequest.objects.get(status=Status.RETURNED)
    attachment_add(
        request=returned,
        upload=SimpleUploadedFile("konzept.pdf", b"%PDF-1.7\nKonzept\n"),
        actor=returned.requester,
    )
    # What the comparison relies on is really there.
    assert Booking.objects.filter(batch=batch).count() == 2
    assert set(batch.bookings.values_list("claim__status", flat=True)) == {ClaimStatus.BOOKED}
    # each claim: the ticket's receipt (a ticket needs one to be submitted) and the parking receipt
    assert Receipt.objects.count() == 4 and Attachment.objects.count() == 1
    assert ExportBatch.objects.filter(exported_at__isnull=False).count() == 1
    return settings.MEDIA_ROOT


def source_rows() -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        result = {}
        for name, query in QUERIES.items():
            cursor.execute(query)
            result[name] = [tuple(row) for row in cursor.fetchall()]
        return result


def restored_rows(name: str) -> dict[str, list[tuple]]:
    with pg_connect(name) as conn:
        return {key: [tuple(row) for row in conn.execute(query).fetchall()] for key, query in QUERIES.items()}


def test_a_backup_restores_every_request_claim_receipt_booking_and_batch(
    portal_data, restore_database, tmp_path
):
    # given: a backup of the running portal's database and files
    backups = tmp_path / "backups"
    made = run("backup", str(backups), env=script_env(pg_url(connection.settings_dict["NAME"]), portal_data))
    assert made.returncode == 0, made.stderr
    backup = only_backup_dir(backups)
    assert f"Backup complete: {backup}" in made.stdout
    assert {path.name for path in backup.iterdir()} == {
        "database.dump",
        "media.tar.gz",
        "manifest.json",
        "SHA256SUMS",
    }
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == "postgresql"
    assert manifest["migrations"]["exchanges"][-1] == LATEST_EXCHANGES_MIGRATION
    archived = {entry["path"]: entry["sha256"] for entry in manifest["media"]["files"]}
    assert {
        receipt.file.name: receipt.sha256 for receipt in Receipt.objects.all()
    }.items() <= archived.items()
    expected = source_rows()
    summary = (
        f"Restored: requests: {ExchangeRequest.objects.count()}, attachments: 1, travel claims: 2, "
        "receipts: 4, bookings: 2, export batches: 1"
    )

    # when: it is restored into a database and a MEDIA_ROOT that do not exist yet
    media = tmp_path / "restored-media"
    restored = run("restore", str(backup), env=script_env(pg_url(restore_database), media))

    # then: everything is there, row by row and file by file
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert summary in restored.stdout
    assert "Every uploaded file the database refers to is in" in restored.stdout
    assert restored_rows(restore_database) == expected
    assert len(expected["requests"]) >= 9  # the demo's
    totals = sorted(row[2] for row in expected["claims"])
    assert sorted(row[1] for row in expected["bookings"]) == totals and all(total > 0 for total in totals)
    for _claim, name, _original, digest, size in expected["receipts"]:
        copy = media / name
        assert copy.is_file(), name
        assert sha256(copy) == digest == sha256(portal_data / name)
        assert copy.stat().st_size == size
    for _request, name, _original, digest in expected["attachments"]:
        assert sha256(media / name) == digest

    # a second restore into the same database is refused without --force; nothing changes
    again = run("restore", str(backup), env=script_env(pg_url(restore_database), media))
    assert again.returncode != 0
    assert f"The database {restore_database} already holds portal data" in again.stderr
    assert "--force" in again.stderr
    assert restored_rows(restore_database) == expected

    # with --force it says what it replaces and puts the backup's content back
    with pg_connect(restore_database) as conn:
        conn.execute("UPDATE exchanges_booking SET amount = 0")
    forced = run("restore", "--force", str(backup), env=script_env(pg_url(restore_database), media))
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert f"Replacing the database {restore_database}, which holds requests: " in forced.stderr
    assert restored_rows(restore_database) == expected
    assert list(tmp_path.glob("restored-media.before-restore-*")), "the replaced files are kept"


def test_a_damaged_backup_is_refused_before_anything_is_changed(postgres, restore_database, tmp_path):
    backups = tmp_path / "backups"
    made = run(
        "backup", str(backups), env=script_env(pg_url(connection.settings_dict["NAME"]), tmp_path / "m")
    )
    assert made.returncode == 0, made.stderr
    backup = only_backup_dir(backups)
    checked = run(
        "restore", "--verify-only", str(backup), env=script_env(pg_url("unused"), tmp_path / "unused")
    )
    assert checked.returncode == 0, checked.stderr
    assert "Checksums correct" in checked.stdout

    dump = backup / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of the dump
    dump.write_bytes(bytes(data))
    media = tmp_path / "restored-media"
    refused = run("restore", str(backup), env=script_env(pg_url(restore_database), media))

    assert refused.returncode != 0
    assert "Checksum mismatch for database.dump" in refused.stderr
    assert "nothing was restored" in refused.stderr
    assert not pg_exists(restore_database)
    assert not media.exists()


def test_a_failed_backup_leaves_nothing_that_looks_complete(postgres, tmp_path):
    backups = tmp_path / "backups"
    missing = f"koopstadt_missing_{uuid.uuid4().hex[:12]}"
    failed = run("backup", str(backups), env=script_env(pg_url(missing), tmp_path / "m"))
    assert failed.returncode != 0
    assert missing in failed.stderr  # the message names the database it could not reach
    assert list(backups.iterdir()) == []


# --- SQLite (the embedded default) ---------------------------------------------------------------------


def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        return {key: conn.execute(query).fetchall() for key, query in QUERIES.items()}


def test_the_embedded_sqlite_database_round_trips_and_an_older_schema_is_upgraded(tmp_path):
    source, media = tmp_path / "portal.sqlite3", tmp_path / "media"
    env = script_env(f"sqlite:///{source}", media)
    # The demo's people in an older schema (the last travel-cost migration undone): the restore must
    # upgrade it. One process for all of it: each start of Django costs a second or more.
    prepare = (
        "from django.core.management import call_command as c; c('migrate', verbosity=0); "
        "from koopstadt.development.demo_directory import demo_load; demo_load(); "
        "c('migrate', 'exchanges', '0007_export_batches', verbosity=0)"
    )
    prepared = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", prepare],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
    )
    assert prepared.returncode == 0, prepared.stderr
    upload = media / "receipts" / "1" / "beleg.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 Beleg")

    made = run("backup", str(tmp_path / "backups"), env=env)
    assert made.returncode == 0, made.stderr
    backup = only_backup_dir(tmp_path / "backups")
    assert (backup / "database.sqlite3").is_file()

    target, restored_media = tmp_path / "restored.sqlite3", tmp_path / "restored-media"
    restored = run("restore", str(backup), env=script_env(f"sqlite:///{target}", restored_media))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Applying exchanges.0008_claim_filed_late... OK" in restored.stdout
    people = sqlite_rows(source)["people"]
    assert len(people) >= 31  # the demo's
    assert f"people: {len(people)}." in restored.stdout
    assert sqlite_rows(target) == sqlite_rows(source)
    with sqlite3.connect(target) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(exchanges_travelclaim)")]
    assert "filed_late" in columns
    assert sha256(restored_media / "receipts" / "1" / "beleg.pdf") == sha256(upload)
