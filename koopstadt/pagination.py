"""Pagination whose cost does not grow with the network: the count stops at a cap.

Django's ``Paginator`` counts every matching row (``SELECT COUNT(*)``) on each page view; on the
triage inbox of a national network that is tens of thousands of rows per click, the culprit peers
have seen (docs/performance.md). ``CappedPaginator`` counts at most ``cap + 1`` rows
(``SELECT COUNT(*) FROM (… LIMIT cap + 1)``): below the cap it behaves exactly like Django's, above
it the list says "more than 1,000" and offers the first 1,000 – the filters are the way to the rest.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, cap: int | None = None, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap if cap is not None else settings.LIST_COUNT_CAP

    @cached_property
    def counted(self) -> int:
        # Without ORDER BY: counting needs no sort, and the LIMIT lets the scan stop at the cap.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows match than are counted and listed."""
        return self.counted > self.cap
