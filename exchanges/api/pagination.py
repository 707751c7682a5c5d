"""Every API list pages by cursor over a stable unique key (the id), so pages never shift or repeat."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet
from rest_framework.pagination import CursorPagination

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class IdCursorPagination(CursorPagination):
    """Ordered by ``id`` (oldest first) unless the view sets ``cursor_ordering`` (e.g. ``("-id",)``)."""

    ordering = ("id",)
    page_size_query_param = "page_size"

    def __init__(self) -> None:
        self.page_size = settings.API_PAGE_SIZE
        self.max_page_size = settings.API_MAX_PAGE_SIZE

    def get_ordering(self, request: "Request", queryset: QuerySet, view: "APIView") -> tuple[str, ...]:
        return tuple(getattr(view, "cursor_ordering", self.ordering))

    def get_schema_operation_parameters(self, view: "APIView") -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
