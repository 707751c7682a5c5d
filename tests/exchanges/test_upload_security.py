"""Uploads: oversized bodies are refused before they are read, and every file passes the virus scan.

The scanner is a small server speaking clamd's INSTREAM protocol on a real Unix socket, started by
the test (the real clamd needs a signature download and cannot be installed here; docs/settings.md).
"""

import logging
import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exchanges.cycle.models import Attachment
from koopstadt.errors import DomainError
from koopstadt.uploads import ATTACHMENT_KINDS, check_upload
from koopstadt.virus_scan import ScannerUnavailable, scan_bytes
from tests.exchanges.conftest import make_request

pytestmark = pytest.mark.django_db

# The EICAR test string: harmless, and recognised as a "virus" by every scanner.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
INFECTED_PDF = b"%PDF-1.4\n" + EICAR + b"\n%%EOF"


class ClamdHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        assert command == b"zINSTREAM\0"
        data = b""
        while True:
            size = struct.unpack("!L", self._read(4))[0]
            if size == 0:
                break
            data += self._read(size)
        self.server.scanned.append(data)
        answer = b"stream: Eicar-Signature FOUND\0" if EICAR in data else b"stream: OK\0"
        self.request.sendall(answer)

    def _read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = self.request.recv(size - len(data))
            if not part:
                raise ConnectionError("client went away")
            data += part
        return data


class FakeClamd(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str) -> None:
        super().__init__(path, ClamdHandler)
        self.scanned: list[bytes] = []


@pytest.fixture
def clamd(settings, tmp_path) -> Iterator[FakeClamd]:
    path = str(tmp_path / "clamd.sock")
    server = FakeClamd(path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CLAMD_SOCKET = path
    settings.CLAMD_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def _upload(data: bytes, name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_the_scanner_protocol_answers_clean_and_infected(clamd):
    big = b"%PDF-1.4\n" + b"x" * 200_000  # more than one chunk
    assert scan_bytes(big).clean
    verdict = scan_bytes(INFECTED_PDF)
    assert not verdict.clean and verdict.signature == "Eicar-Signature"
    assert clamd.scanned == [big, INFECTED_PDF]


def test_an_infected_attachment_is_refused_with_a_field_error_and_not_stored(
    client, people, clamd, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    exchange = make_request(people)
    client.force_login(people["requester"])
    client.cookies["koopstadt_language"] = "en"
    data = {
        "title": exchange.title,
        "need": exchange.need,
        "new_attachment": _upload(INFECTED_PDF, "bericht.pdf"),
    }
    response = client.post(reverse("exchanges:request_edit", args=[exchange.pk]), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Die Datei bericht.pdf wurde von der Virenprüfung abgewiesen und nicht gespeichert." in html
    assert Attachment.objects.count() == 0
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_a_clean_file_is_stored_after_the_scan(people, clamd, settings, tmp_path):
    from exchanges.cycle.services.requests import attachment_add

    settings.MEDIA_ROOT = tmp_path / "media"
    exchange = make_request(people)
    attachment_add(request=exchange, upload=_upload(b"%PDF-1.4 clean"), actor=people["requester"])
    assert Attachment.objects.count() == 1
    assert clamd.scanned == [b"%PDF-1.4 clean"]


def test_an_unreachable_scanner_refuses_the_upload_and_is_logged(settings, tmp_path, caplog):
    settings.CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    with caplog.at_level(logging.ERROR, logger="koopstadt.security"), pytest.raises(DomainError) as refused:
        check_upload(_upload(b"%PDF-1.4 clean"), kinds=ATTACHMENT_KINDS, field="new_attachment")
    assert refused.value.field == "new_attachment"
    assert "konnte gerade nicht auf Viren geprüft werden" in refused.value.message
    assert "Virus scanner unavailable" in caplog.text


def test_a_scanner_over_tcp_that_hangs_up_counts_as_unavailable(settings):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def hang_up() -> None:
        connection, _address = listener.accept()
        connection.close()

    threading.Thread(target=hang_up, daemon=True).start()
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST, settings.CLAMD_PORT, settings.CLAMD_TIMEOUT = "127.0.0.1", port, 5
    with pytest.raises(ScannerUnavailable):
        scan_bytes(b"%PDF-1.4 clean")
    listener.close()


def test_without_a_scanner_configured_uploads_are_not_scanned(settings):
    settings.CLAMD_SOCKET = settings.CLAMD_HOST = ""
    _data, kind = check_upload(_upload(INFECTED_PDF), kinds=ATTACHMENT_KINDS)
    assert kind.content_type == "application/pdf"


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(client, people, settings, monkeypatch):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    exchange = make_request(people)
    client.force_login(people["requester"])

    def must_not_read(*args, **kwargs):
        raise AssertionError("the body was read")

    from django.core.handlers.wsgi import WSGIRequest

    monkeypatch.setattr(WSGIRequest, "_load_post_and_files", must_not_read)
    response = client.post(
        reverse("exchanges:request_edit", args=[exchange.pk]),
        {"title": "x", "new_attachment": _upload(b"%PDF-1.4" + b"0" * 5000)},
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert Attachment.objects.count() == 0


def test_a_body_within_the_limit_passes(client, staff_user, settings):
    settings.REQUEST_BODY_MAX_BYTES = 100_000
    client.force_login(staff_user)
    response = client.post(reverse("language_switch"), {"language": "en", "next": "/"})
    assert response.status_code == 302


# --- a file over the limit: the form comes back with the message and what was typed ------------------
def test_a_file_over_the_limit_comes_back_next_to_its_field_with_everything_typed(client, people, settings):
    """12 MB against the default limits (10 MiB per file, 51 MiB per body): read, not kept, explained."""
    exchange = make_request(people)
    client.force_login(people["requester"])
    big = _upload(b"%PDF-1.4" + b"0" * (12 * 1024 * 1024), "scan.pdf")

    response = client.post(
        reverse("exchanges:request_edit", args=[exchange.pk]),
        {
            "title": "Getippter neuer Titel",
            "need": "Ein langer, sorgfältig getippter Bedarf.",
            "version": exchange.version,
            "new_attachment": big,
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["new_attachment"] == ["Die Datei scan.pdf ist größer als 10,0\xa0MB."]
    html = response.content.decode()
    assert 'value="Getippter neuer Titel"' in html
    assert "Ein langer, sorgfältig getippter Bedarf." in html
    assert Attachment.objects.count() == 0
    exchange.refresh_from_db()
    assert exchange.title != "Getippter neuer Titel"  # nothing saved


def test_a_receipt_over_the_limit_through_the_api_is_a_400_problem_on_its_field(people):
    from tests.api.conftest import issue, problem, token_client
    from tests.security.attack_world import build_world

    world = build_world()
    claim = world["own"].claims["draft"]
    api = token_client(issue(world["own"].staff))
    receipt = _upload(b"%PDF-1.4" + b"0" * (12 * 1024 * 1024), "beleg.pdf")
    response = api.post(
        f"/api/v1/claims/{claim.pk}/items/",
        {"kind": "rail", "amount": "12.00", "receipt": receipt},
        format="multipart",
    )
    assert response.status_code == 400
    body = problem(response)
    assert body["errors"][0]["field"] == "receipt" and "größer als 10,0\xa0MB" in body["errors"][0]["message"]


def test_a_body_over_the_limit_to_the_api_is_a_413_problem(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    response = client.post("/api/v1/requests/", data="x" * 5000, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/api/problems/payload-too-large")


def test_the_page_for_the_web_server_is_the_portals_413_page(client):
    response = client.get(reverse("too_large"))
    assert response.status_code == 413
    assert "<h1>Datei zu groß</h1>" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_development_server_answers_a_too_large_body_with_the_german_page(live_server, settings):
    """scripts/demo runs Django's development server; Connection: close made it answer a bare English
    "A server error occurred" (a WSGI application must not set hop-by-hop headers)."""
    import http.client
    from urllib.parse import urlsplit

    settings.REQUEST_BODY_MAX_BYTES = 100_000
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request(
        "POST",
        reverse("login"),
        body=b"username=a&password=" + b"x" * 300_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    html = response.read().decode()
    connection.close()
    assert response.status == 413
    assert "<h1>Datei zu groß</h1>" in html and "A server error occurred" not in html
