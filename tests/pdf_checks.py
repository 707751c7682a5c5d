"""Reading a generated PDF: its accessibility structure (PDF/UA: the structure tree, language and title)
and its text."""

import io
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf


@dataclass
class TaggedPdf:
    marked: bool
    language: str
    title: str
    display_title: bool
    pdfua_part: str
    tags: Counter = field(default_factory=Counter)  # structure types: H1, Table, TH, Figure, …
    figure_alts: list[str] = field(default_factory=list)
    # per data cell (TD): how many header cells (TH) it is tied to – its column's and, with
    # <th scope="row">, its row's
    cell_headers: list[int] = field(default_factory=list)


def tagged_pdf(content: bytes) -> TaggedPdf:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        root = pdf.Root
        mark_info = root.get("/MarkInfo")
        preferences = root.get("/ViewerPreferences")
        with pdf.open_metadata() as meta:
            title = meta.get("dc:title", "")
            part = meta.get("pdfuaid:part", "")
        found = TaggedPdf(
            marked=bool(mark_info is not None and mark_info.get("/Marked")),
            language=str(root.get("/Lang", "")),
            title=str(pdf.docinfo.get("/Title", "")) or title,
            display_title=bool(preferences is not None and preferences.get("/DisplayDocTitle")),
            pdfua_part=str(part),
        )
        tree = root.get("/StructTreeRoot")
        if tree is not None:
            _walk(tree.get("/K"), found, set())
        return found


def _walk(node, found: TaggedPdf, seen: set) -> None:
    if isinstance(node, pikepdf.Array):
        for child in node:
            _walk(child, found, seen)
        return
    if not isinstance(node, pikepdf.Dictionary):
        return
    if node.is_indirect:
        if node.objgen in seen:
            return
        seen.add(node.objgen)
    kind = node.get("/S")
    if kind is not None:
        tag = str(kind).lstrip("/")
        found.tags[tag] += 1
        if tag == "Figure":
            found.figure_alts.append(str(node.get("/Alt", "")))
        if tag == "TD":
            attributes = node.get("/A")
            headers = attributes.get("/Headers") if isinstance(attributes, pikepdf.Dictionary) else None
            found.cell_headers.append(len(headers) if headers is not None else 0)
    _walk(node.get("/K"), found, seen)


def pdf_text(content: bytes, *, layout: bool = False) -> str:
    """The text of a PDF as poppler's pdftotext reads it, whitespace collapsed to single spaces (with
    ``layout`` the lines as laid out). Needs poppler-utils (./scripts/test installs it)."""
    assert shutil.which("pdftotext"), "poppler-utils is needed to read the PDF (./scripts/test installs it)"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(content)
        text = subprocess.run(
            ["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    return text if layout else " ".join(text.split())
