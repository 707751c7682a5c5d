"""Check uploaded files by their content, not by the name or type the browser claims."""

import io
import logging
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from exchanges.errors import DomainError
from exchanges.services import virus_scan

log = logging.getLogger("koopstadt.security")


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: frozenset[str]


PDF = FileKind("application/pdf", frozenset({".pdf"}))
PNG = FileKind("image/png", frozenset({".png"}))
JPEG = FileKind("image/jpeg", frozenset({".jpg", ".jpeg"}))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", frozenset({".docx"})
)
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", frozenset({".xlsx"}))
PPTX = FileKind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", frozenset({".pptx"})
)
ODT = FileKind("application/vnd.oasis.opendocument.text", frozenset({".odt"}))
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", frozenset({".ods"}))
ODP = FileKind("application/vnd.oasis.opendocument.presentation", frozenset({".odp"}))
OLE = FileKind("application/vnd.ms-office", frozenset({".doc", ".xls", ".ppt"}))

ATTACHMENT_KINDS = (PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS, ODP, OLE)
RECEIPT_KINDS = (PDF, PNG, JPEG)

_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF_TYPES = {kind.content_type: kind for kind in (ODT, ODS, ODP)}


def _zip_kind(data: bytes) -> FileKind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                return _ODF_TYPES.get(archive.read("mimetype").decode("ascii", "replace").strip())
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def detect_kind(data: bytes) -> FileKind | None:
    """The kind of file the bytes really are, or None if it is none we accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def check_upload(
    upload: UploadedFile,
    *,
    kinds: tuple[FileKind, ...],
    max_bytes: int | None = None,
    field: str | None = None,
) -> tuple[bytes, FileKind]:
    """Read and check an upload; raise a DomainError the user understands (for form ``field``) when refused."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise DomainError(
            _("The file %(name)s is larger than %(limit)s.")
            % {"name": upload.name, "limit": filesizeformat(limit)},
            field=field,
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise DomainError(
            _("The file %(name)s is larger than %(limit)s.")
            % {"name": upload.name, "limit": filesizeformat(limit)},
            field=field,
        )
    kind = detect_kind(data)
    extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    allowed = ", ".join(sorted(ext for k in kinds for ext in k.extensions))
    if kind is None or kind not in kinds or extension not in kind.extensions:
        raise DomainError(
            _(
                "The file %(name)s is not an accepted document, or its content does not match its name. Accepted: %(allowed)s."
            )
            % {"name": upload.name, "allowed": allowed},
            field=field,
        )
    _scan(data, name=upload.name, field=field)
    return data, kind


def _scan(data: bytes, *, name: str, field: str | None) -> None:
    """Refuse a file the virus scanner rejects, and any file while a configured scanner is unreachable."""
    if not virus_scan.scanner_configured():
        return
    try:
        result = virus_scan.scan_bytes(data)
    except virus_scan.ScannerUnavailable as error:
        log.error("Virus scanner unavailable, upload %r refused: %s", name, error)
        raise DomainError(
            _(
                "The file %(name)s could not be checked for viruses just now, so it was not saved. Please try again later."
            )
            % {"name": name},
            field=field,
        ) from error
    if not result.clean:
        log.warning("Virus scan refused upload %r: %s", name, result.signature)
        raise DomainError(
            _("The file %(name)s was rejected by the virus check and has not been saved.") % {"name": name},
            field=field,
        )
