"""Uploads larger than ``UPLOAD_MAX_BYTES``: counted while they arrive, never kept.

First in ``FILE_UPLOAD_HANDLERS``. Up to the limit a file passes on to Django's own handlers (memory,
then a temporary file). Once it is larger, what they kept is dropped, the rest is read and thrown away,
and the form gets a ``RefusedUpload`` in its place: the file's name and true size, no content. The upload
check (``koopstadt.uploads.check_upload``) refuses it by its size, so the page comes back with
the message next to the file field and everything else the person typed — instead of the bare 413
page that lost it all. Bodies larger than ``REQUEST_BODY_MAX_BYTES`` are still refused before they are
read (``koopstadt.security_middleware.RequestBodyLimitMiddleware``, and nginx before that).
"""

import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class RefusedUpload(UploadedFile):
    """Stands in for a file that was too large: its name, content type and size, but no content."""

    def __init__(self, name: str, size: int, content_type: str | None, field_name: str) -> None:
        super().__init__(file=io.BytesIO(), name=name, content_type=content_type, size=size)
        self.field_name = field_name

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        raise ValueError(f"The upload {self.name!r} was larger than UPLOAD_MAX_BYTES and was not kept.")

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        raise ValueError(f"The upload {self.name!r} was larger than UPLOAD_MAX_BYTES and was not kept.")


class OversizeUploadHandler(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received <= settings.UPLOAD_MAX_BYTES:
            return raw_data
        if not self.too_large:
            self.too_large = True
            # The handlers after this one kept the file's first part (in memory or a temporary file).
            for handler in self.request.upload_handlers:
                kept = getattr(handler, "file", None) if handler is not self else None
                if kept is not None:
                    kept.close()
        return None  # nothing more reaches the handlers after this one

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.too_large:
            return None  # an ordinary file: the next handler completes it
        return RefusedUpload(self.file_name, self.received, self.content_type, self.field_name)
