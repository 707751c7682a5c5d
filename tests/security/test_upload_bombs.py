"""Decompression bombs: small uploads built to expand enormously are refused in bounded memory.

A 400 KB ZIP whose member unpacks to 400 MB once took a web worker from 127 MB to 917 MB, because the
content check read the member whole. Each test here sends such a file through a real view (the request
page's attachment, the API's receipt) and measures the test process's peak memory while it is checked:
Python's allocations with ``tracemalloc`` and the process's high-water mark with ``resource``.
"""

import io
import resource
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exchanges.cycle.models import Attachment
from exchanges.travel.models import ClaimItem, Receipt
from koopstadt.errors import DomainError
from koopstadt.uploads import ATTACHMENT_KINDS, RECEIPT_KINDS, check_upload
from tests.api.conftest import issue, problem, token_client
from tests.security.attack_world import World, world_fixture  # noqa: F401

pytestmark = [pytest.mark.security, pytest.mark.django_db]

MB = 1024 * 1024
EXPANDED = 400 * MB
# What checking one upload may add to the process's peak memory.
BUDGET = 50 * MB
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _deflated_zeros(archive: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of ``size`` zero bytes, written in pieces (the test never holds it whole)."""
    piece = b"\0" * MB
    with archive.open(name, "w") as member:
        for _ in range(size // MB):
            member.write(piece)


def _archive(members: Callable[[zipfile.ZipFile], None]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        members(archive)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def odt_bomb() -> bytes:
    """An "OpenDocument text" whose ``mimetype`` member (normally 39 bytes) unpacks to 400 MB."""
    data = _archive(lambda archive: _deflated_zeros(archive, "mimetype", EXPANDED))
    assert len(data) < 500 * 1024
    return data


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    def members(archive: zipfile.ZipFile) -> None:
        archive.writestr("[Content_Types].xml", "<Types/>")
        _deflated_zeros(archive, "word/document.xml", EXPANDED)

    return _archive(members)


@pytest.fixture(scope="module")
def lying_odt_bomb(odt_bomb: bytes) -> bytes:
    """The ODT bomb with its directory and local header claiming the member holds 39 bytes."""
    data = bytearray(odt_bomb)
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<L", data, local + 22, len(ODT_MIMETYPE))
    struct.pack_into("<L", data, central + 24, len(ODT_MIMETYPE))
    return bytes(data)


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` × ``height`` pixels (its pixel data would be a bomb; here it has none)."""
    ihdr = struct.pack(">2L5B", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">L", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">L", zlib.crc32(b"IHDR" + ihdr))
    end = struct.pack(">L", 0) + b"IEND" + struct.pack(">L", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + chunk + end


def _jpeg_header(width: int, height: int) -> bytes:
    frame = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(frame) + 2) + frame + b"\xff\xd9"


@dataclass
class Peak:
    python: int = 0  # bytes, tracemalloc's peak above the start
    process: int = 0  # bytes, growth of the process's maximum resident set size


@contextmanager
def peak_memory() -> Iterator[Peak]:
    peak = Peak()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    try:
        yield peak
    finally:
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak.python = top - start
        peak.process = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before


def assert_within_budget(peak: Peak) -> None:
    assert peak.python < BUDGET, f"Python allocations peaked {peak.python / MB:.0f} MB higher"
    assert peak.process < BUDGET, f"the process grew by {peak.process / MB:.0f} MB"


def _attach(client, world: World, name: str, data: bytes):
    draft = world["own"].requests["draft"]
    client.force_login(world["own"].staff)
    return client.post(
        reverse("exchanges:request_edit", args=[draft.pk]),
        {
            "title": draft.title,
            "need": draft.need,
            "version": draft.version,
            "new_attachment": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
        },
    )


def test_an_attachment_that_unpacks_to_400_mb_is_refused_in_bounded_memory(client, world, odt_bomb):
    before = Attachment.objects.count()
    with peak_memory() as peak:
        response = _attach(client, world, "bericht.odt", odt_bomb)

    assert_within_budget(peak)
    assert response.status_code == 200
    assert "Die Datei bericht.odt würde entpackt mehr als 200" in response.content.decode()
    assert Attachment.objects.count() == before


def test_an_archive_that_lies_about_its_size_is_still_read_only_a_little(client, world, lying_odt_bomb):
    before = Attachment.objects.count()
    with peak_memory() as peak:
        response = _attach(client, world, "bericht.odt", lying_odt_bomb)

    assert_within_budget(peak)
    assert response.status_code == 200
    assert "ist kein zulässiges Dokument" in response.content.decode()
    assert Attachment.objects.count() == before


def test_an_office_document_with_a_400_mb_part_is_refused_from_its_directory(client, world, docx_bomb):
    with peak_memory() as peak:
        response = _attach(client, world, "bericht.docx", docx_bomb)

    assert_within_budget(peak)
    assert response.status_code == 200
    assert "Die Datei bericht.docx würde entpackt mehr als 200" in response.content.decode()


def test_an_api_receipt_that_is_a_zip_bomb_is_refused_in_bounded_memory(world, odt_bomb):
    claim = world["own"].claims["draft"]
    api = token_client(issue(world["own"].staff))
    items_before, receipts_before = ClaimItem.objects.count(), Receipt.objects.count()
    with peak_memory() as peak:
        for name in ("quittung.pdf", "quittung.odt"):
            receipt = SimpleUploadedFile(name, odt_bomb, content_type="application/pdf")
            response = api.post(
                f"/api/v1/claims/{claim.pk}/items/",
                {"kind": "rail", "amount": "12.00", "receipt": receipt},
                format="multipart",
            )
            assert response.status_code == 400, response.content
            assert problem(response)["errors"][0]["field"] == "receipt"

    assert_within_budget(peak)
    assert (ClaimItem.objects.count(), Receipt.objects.count()) == (items_before, receipts_before)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("foto.png", _png_header(100_000, 100_000)),
        ("foto.jpg", _jpeg_header(60_000, 60_000)),
    ],
)
def test_an_image_that_declares_absurdly_many_pixels_is_refused(name, data):
    for kinds in (ATTACHMENT_KINDS, RECEIPT_KINDS):
        with pytest.raises(DomainError) as refused:
            check_upload(SimpleUploadedFile(name, data), kinds=kinds, field="receipt")
        assert "hat zu viele Bildpunkte" in refused.value.message
        assert refused.value.field == "receipt"


def test_ordinary_images_and_office_documents_are_still_accepted():
    odt = _archive(
        lambda archive: (
            archive.writestr("mimetype", ODT_MIMETYPE, compress_type=zipfile.ZIP_STORED),
            archive.writestr("content.xml", "<office:document-content/>"),
        )
    )
    docx = _archive(
        lambda archive: (
            archive.writestr("[Content_Types].xml", "<Types/>"),
            archive.writestr("word/document.xml", "<w:document/>"),
        )
    )
    accepted = {
        "plan.odt": odt,
        "plan.docx": docx,
        "foto.png": _png_header(4000, 3000),
        "foto.jpeg": _jpeg_header(4000, 3000),
    }
    for name, data in accepted.items():
        _data, kind = check_upload(SimpleUploadedFile(name, data), kinds=ATTACHMENT_KINDS)
        assert name.endswith(tuple(kind.extensions))


def test_a_document_is_only_opened_as_the_kinds_its_name_allows():
    odt = _archive(lambda archive: archive.writestr("mimetype", ODT_MIMETYPE))
    for name in ("plan.pdf", "plan.docx", "plan"):
        with pytest.raises(DomainError):
            check_upload(SimpleUploadedFile(name, odt), kinds=ATTACHMENT_KINDS)
    with pytest.raises(DomainError):
        check_upload(SimpleUploadedFile("plan.odt", odt), kinds=RECEIPT_KINDS)
