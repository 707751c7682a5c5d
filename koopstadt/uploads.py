"""Check uploaded files by their content, not by the name or type the browser claims.

Every check reads a bounded amount: the upload itself (at most ``UPLOAD_MAX_BYTES``), an archive's
directory and a few bytes of one member, an image's header. Nothing is unpacked or decoded whole, so a
small file built to expand enormously (a "decompression bomb") costs no more memory than its own size.
"""

import io
import logging
import struct
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from koopstadt import virus_scan
from koopstadt.errors import DomainError

log = logging.getLogger("koopstadt.security")


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: frozenset[str]
    # Office formats of today are ZIP archives; only these are ever opened as one.
    archive: bool = False


PDF = FileKind("application/pdf", frozenset({".pdf"}))
PNG = FileKind("image/png", frozenset({".png"}))
JPEG = FileKind("image/jpeg", frozenset({".jpg", ".jpeg"}))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    frozenset({".docx"}),
    archive=True,
)
XLSX = FileKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", frozenset({".xlsx"}), archive=True
)
PPTX = FileKind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    frozenset({".pptx"}),
    archive=True,
)
ODT = FileKind("application/vnd.oasis.opendocument.text", frozenset({".odt"}), archive=True)
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", frozenset({".ods"}), archive=True)
ODP = FileKind("application/vnd.oasis.opendocument.presentation", frozenset({".odp"}), archive=True)
OLE = FileKind("application/vnd.ms-office", frozenset({".doc", ".xls", ".ppt"}))

ATTACHMENT_KINDS = (PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS, ODP, OLE)
RECEIPT_KINDS = (PDF, PNG, JPEG)

_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF_TYPES = {kind.content_type: kind for kind in (ODT, ODS, ODP)}
# An ODF file's "mimetype" member is its first, stored and short; more than this is not one.
_MIMETYPE_READ = 128
_IMAGE_FORMATS = {"PNG": PNG, "JPEG": JPEG}
# End of central directory record (APPNOTE 4.3.16): signature, then the entry counts at bytes 8 and 10.
_ZIP_END = b"PK\x05\x06"
_ZIP_END_SIZE = 22
_ZIP_COMMENT_MAX = 0xFFFF
_ZIP_DIRECTORY_BYTES_PER_MEMBER = 300


class Refused(Exception):
    """The content is refused; ``message`` says why in words the person understands."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _zip_directory(data: bytes) -> tuple[int, int] | None:
    """Members and size of the archive's directory as its end record declares them (nothing parsed yet)."""
    start = max(0, len(data) - _ZIP_END_SIZE - _ZIP_COMMENT_MAX)
    position = data.rfind(_ZIP_END, start)
    if position < 0 or len(data) - position < _ZIP_END_SIZE:
        return None
    _disk, _disk_start, _on_disk, total, size, _offset = struct.unpack(
        "<4H2L", data[position + 4 : position + 20]
    )
    return total, size


def _zip_kind(data: bytes, name: str, candidates: tuple[FileKind, ...]) -> FileKind | None:
    """The office format of a ZIP archive, from its directory and a few bytes of one member.

    The declared sizes are checked before anything is read: an archive whose members would unpack to
    more than ``UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES`` (or that has more than ``UPLOAD_ARCHIVE_MAX_MEMBERS``
    members) is refused. The declared sizes may lie; the one member read is read to a fixed length.
    """
    directory = _zip_directory(data)
    if directory is None:
        return None
    count, size = directory
    # zipfile reads the whole directory into objects: its size bounds their memory, so it is checked
    # first (about 300 bytes per member is plenty; ZIP64 archives, marked 0xFFFF, are never office files).
    limit = settings.UPLOAD_ARCHIVE_MAX_MEMBERS
    if count >= 0xFFFF or count > limit or size > limit * _ZIP_DIRECTORY_BYTES_PER_MEMBER:
        log.warning("Refused upload %r: its archive declares %d members in %d bytes", name, count, size)
        raise Refused(
            _("The file %(name)s consists of too many parts to be checked (at most %(count)d).")
            % {"name": name, "count": limit}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            expanded = sum(member.file_size for member in members)
            if len(members) > limit:
                raise Refused(
                    _("The file %(name)s consists of too many parts to be checked (at most %(count)d).")
                    % {"name": name, "count": limit}
                )
            if expanded > settings.UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES:
                log.warning("Refused upload %r: its archive would unpack to %d bytes", name, expanded)
                raise Refused(
                    _(
                        "The file %(name)s would unpack to more than %(limit)s and is not accepted. Please save it again with your office program, or as PDF."
                    )
                    % {"name": name, "limit": filesizeformat(settings.UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES)}
                )
            names = {member.filename for member in members}
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(_MIMETYPE_READ)
                kind = _ODF_TYPES.get(declared.decode("ascii", "replace").strip())
            elif "[Content_Types].xml" in names:
                kind = next(
                    (
                        kind
                        for prefix, kind in _OOXML_PARTS.items()
                        if any(member_name.startswith(prefix) for member_name in names)
                    ),
                    None,
                )
            else:
                kind = None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError):
        return None
    return kind if kind in candidates else None


def _image_check(data: bytes, name: str, kind: FileKind) -> FileKind | None:
    """The image's header agrees with its kind and names a sensible size (nothing is decoded)."""
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own limit (and refuses at twice that); the portal's limit decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(_IMAGE_FORMATS)) as image:
                width, height = image.size
                found = _IMAGE_FORMATS.get(image.format or "")
        pixels = width * height
    except Image.DecompressionBombError:
        found, pixels = kind, settings.UPLOAD_IMAGE_MAX_PIXELS + 1
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    if found is not kind:
        return None
    if pixels > settings.UPLOAD_IMAGE_MAX_PIXELS:
        log.warning("Refused upload %r: an image of at least %d pixels", name, pixels)
        raise Refused(
            _(
                "The image %(name)s has too many pixels (at most %(limit)s million). Please send a smaller image or a PDF."
            )
            % {"name": name, "limit": settings.UPLOAD_IMAGE_MAX_PIXELS // 1_000_000}
        )
    return kind


def detect_kind(data: bytes, *, name: str, candidates: tuple[FileKind, ...]) -> FileKind | None:
    """The kind of file the bytes really are, if it is one of ``candidates``; else None.

    Only what the candidates need is looked at: an archive is opened only when an office format is
    allowed under this name, an image header read only for an image name. Raises ``Refused`` for a
    file that is the right kind but must not be accepted (too large when unpacked or decoded).
    """
    if data.startswith(b"%PDF-"):
        kind: FileKind | None = PDF
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif data.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = OLE
    elif data.startswith(b"PK\x03\x04"):
        archives = tuple(candidate for candidate in candidates if candidate.archive)
        return _zip_kind(data, name, archives) if archives else None
    else:
        return None
    if kind not in candidates:
        return None
    if kind in (PNG, JPEG):
        return _image_check(data, name, kind)
    return kind


def check_upload(
    upload: UploadedFile,
    *,
    kinds: tuple[FileKind, ...],
    max_bytes: int | None = None,
    field: str | None = None,
) -> tuple[bytes, FileKind]:
    """Read and check an upload; raise a DomainError the user understands (for form ``field``) when refused.

    In this order: the size; the name's extension against the allowed kinds; the content against the
    kinds that extension allows (with bounded reads, see ``detect_kind``); the virus scan.
    """
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    too_large = DomainError(
        _("The file %(name)s is larger than %(limit)s.")
        % {"name": upload.name, "limit": filesizeformat(limit)},
        field=field,
    )
    if upload.size is not None and upload.size > limit:
        raise too_large
    extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    candidates = tuple(kind for kind in kinds if extension in kind.extensions)
    allowed = ", ".join(sorted(ext for k in kinds for ext in k.extensions))
    not_accepted = DomainError(
        _(
            "The file %(name)s is not an accepted document, or its content does not match its name. Accepted: %(allowed)s."
        )
        % {"name": upload.name, "allowed": allowed},
        field=field,
    )
    if not candidates:
        raise not_accepted
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    try:
        kind = detect_kind(data, name=upload.name, candidates=candidates)
    except Refused as refused:
        raise DomainError(refused.message, field=field) from refused
    if kind is None:
        raise not_accepted
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
