"""Every API list pages by cursor over a stable unique key (the id), so pages never shift or repeat."""

import re
from base64 import b64decode
from typing import TYPE_CHECKING
from urllib import parse

from django.conf import settings
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


# Offsets and positions (ids: every list is ordered by id) are whole numbers.
_DIGITS = re.compile(r"^[0-9]{1,18}$")


class IdCursorPagination(CursorPagination):
    """Ordered by ``id`` (oldest first) unless the view sets ``cursor_ordering`` (e.g. ``("-id",)``)."""

    ordering = ("id",)
    page_size_query_param = "page_size"

    def __init__(self) -> None:
        self.page_size = settings.API_PAGE_SIZE
        self.max_page_size = settings.API_MAX_PAGE_SIZE

    def decode_cursor(self, request: "Request") -> Cursor | None:
        """DRF's decoding, strict: only a cursor as ``encode_cursor`` writes it, anything else 404.

        DRF reads what it can and ignores the rest, so ``?cursor=Zm9v`` ("foo") answered 200 with the
        first page, and a position that is no id (``p=abc``) reached the database: a 500.
        """
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            text = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse.parse_qs(text, keep_blank_values=True, strict_parsing=True)
        except (TypeError, ValueError, UnicodeError):
            raise NotFound(self.invalid_cursor_message) from None
        values = {key: value[0] for key, value in tokens.items() if len(value) == 1}
        if (
            not tokens
            or len(values) != len(tokens)
            or set(values) - {"o", "r", "p"}
            or not _DIGITS.match(values.get("o", "0"))
            or values.get("r", "1") != "1"
            or not _DIGITS.match(values.get("p", "0"))
        ):
            raise NotFound(self.invalid_cursor_message)
        return super().decode_cursor(request)

    def get_ordering(self, request: "Request", queryset: QuerySet, view: "APIView") -> tuple[str, ...]:
        return tuple(getattr(view, "cursor_ordering", self.ordering))

    def get_schema_operation_parameters(self, view: "APIView") -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
