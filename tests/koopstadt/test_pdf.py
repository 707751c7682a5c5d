"""Rendering PDFs reads nothing from the network: only the portal's static files (koopstadt/pdf.py)."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from weasyprint import HTML

from koopstadt.pdf import StaticFilesOnly
from tests.pdf_checks import tagged_pdf


def test_the_fetcher_reads_the_portals_static_files():
    path = Path(settings.BASE_DIR) / "static" / "css" / "pdf.css"
    response = StaticFilesOnly().fetch(path.as_uri())
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/logo.png",
        "http://127.0.0.1:8000/static/css/pdf.css",
        "ftp://example.org/file",
        "file:///etc/passwd",
        # out of the static directory by "..", and a file of the source tree that is not a static file
        (Path(settings.BASE_DIR) / "static" / ".." / "pyproject.toml").as_uri(),
        "file://example.org/share/file.css",
    ],
)
def test_the_fetcher_refuses_every_other_address(url):
    with pytest.raises(ValueError, match="PDFs read"):
        StaticFilesOnly().fetch(url)


class _Counter(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_document_naming_a_web_address_is_rendered_without_calling_it():
    server = HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"http://127.0.0.1:{server.server_port}"
        html = (
            f'<html lang="de"><head><title>T</title><link rel="stylesheet" href="{address}/a.css"></head>'
            f'<body><h1>T</h1><img src="{address}/b.png" alt="Bild"></body></html>'
        )
        pdf = HTML(string=html, url_fetcher=StaticFilesOnly()).write_pdf(pdf_variant="pdf/ua-1")
    finally:
        server.shutdown()
        server.server_close()
    assert _Counter.hits == 0
    assert tagged_pdf(pdf).language == "de"
