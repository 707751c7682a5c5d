"""Tagged PDFs (PDF/UA-1) from HTML templates, rendered by WeasyPrint: the documents a screen reader can
read (the claim PDF, the annual report).

The template is ordinary HTML: ``<html lang>`` becomes the document's language, ``<title>`` its title,
headings, lists and tables with ``th``/``scope`` become the structure tree, and an image's ``alt`` (an
SVG's ``<title>``) its alternative text. The portal's own stylesheet and the paged-media stylesheet
``static/css/pdf.css`` give the documents the portal's look; fonts come from the system (Debian's
fonts-dejavu-core), so rendering needs no network.

Nothing is fetched from the network while rendering: the URL fetcher hands out only files below the
portal's static directories (and ``data:`` addresses); every other address is refused, so even a link
that reached a template could not make the server call out.

A document is written in the active language (the language of the person who asks for it; German, the
portal's default, outside a request): ``<html lang>``, the texts of the templates and the page numbers
in the page footer ("Seite 1 von 3", "Page 1 of 3").
"""

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The portal's stylesheet (colours, charts, tables) and the page layout for print, in this order.
STYLESHEETS = ("css/koopstadt.css", "css/pdf.css")
# PDF/UA-1: tagged PDF (structure tree, MarkInfo /Marked true), the title shown as the window title.
PDF_VARIANT = "pdf/ua-1"


def static_roots() -> list[Path]:
    """The directories the portal's static files come from: the only place a PDF may read files from."""
    roots = [Path(settings.STATIC_ROOT)]
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple | list) else entry))
    return [root.resolve() for root in roots]


class StaticFilesOnly(URLFetcher):
    """A WeasyPrint URL fetcher that reads the portal's static files and refuses everything else: no
    http(s), ftp or file outside the static directories is ever opened while a PDF is rendered."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=1)
        self._roots = static_roots()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"PDFs read no external addresses: {url[:80]}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_file() or not any(path.is_relative_to(root) for root in self._roots):
            raise ValueError(f"PDFs read only the portal's static files: {url[:80]}")
        return URLFetcherResponse(path.as_uri(), path.read_bytes())


def stylesheets(fetcher: URLFetcher) -> list[CSS]:
    found = []
    for name in STYLESHEETS:
        path = finders.find(name)
        if not path:
            raise FileNotFoundError(f"static file {name} not found")
        found.append(CSS(filename=path, url_fetcher=fetcher))
    return found


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal: quotes and backslashes escaped, line breaks as ``\\A``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("\r", "")
    return f'"{escaped}"'


def page_numbers_css() -> str:
    """The page footer's "Seite 1 von 3" in the active language, as a rule for the ``@page`` margin box
    (a CSS ``content`` cannot be translated in the static stylesheet)."""
    # Translators: the page number in the footer of a PDF page; keep both placeholders.
    text = gettext("Page %(page)s of %(pages)s")
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", text):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return f"@page {{ @bottom-right {{ content: {' '.join(parts) or 'counter(page)'}; }} }}"


def document_language() -> str:
    """The language a document is written in: the active one, else the portal's default."""
    return translation.get_language() or settings.LANGUAGE_CODE


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """``template`` rendered with ``context`` as a tagged PDF (PDF/UA-1) in the active language. The
    template sets the document's language (``<html lang>``, from ``document_language``) and its title
    (``<title>``); templates extend ``pdf/base.html``."""
    html = render_to_string(template, {"document_language": document_language(), **context})
    fetcher = StaticFilesOnly()
    base_url = static_roots()[-1].as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher, media_type="print")
    styles = [*stylesheets(fetcher), CSS(string=page_numbers_css(), url_fetcher=fetcher)]
    return document.write_pdf(stylesheets=styles, pdf_variant=PDF_VARIANT)
