"""The one shape every statistic takes: a titled table with a text summary.

Figures (``exchanges.statistics.figures``) produce ``StatTable`` objects from aggregate queries; the
dashboard renders them as charts *and* accessible tables, the exports write them as CSV/XLSX, and the
annual report prints them. A table's ``key`` is stable and appears in URLs (``/statistik/export/<key>.csv``).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Period:
    """A closed interval of days (both ends included), in the portal's time zone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError("start after end")


@dataclass
class StatTable:
    key: str  # stable slug, e.g. "requests_by_state"
    title: str  # translated, e.g. "Anfragen nach Status"
    columns: list[str]  # translated column headers; the first column labels the rows
    rows: list[list[Cell]]  # one list per row, same length as ``columns``
    summary: str = ""  # one or two translated sentences a screen-reader user gets instead of the chart
    # Which chart fits: "bar" (one series), "stacked" (several numeric columns), "line" (over time),
    # "matrix" (a heat-map like table, no chart), "none" (key figures, lists).
    chart: str = "bar"
    # Columns (by index) holding money (Decimal, EUR) — formatted as "1.234,56 €", exported as numbers.
    money_columns: frozenset[int] = field(default_factory=frozenset)
    # Rows to print after the body as totals (same length as columns), optional.
    totals: list[Cell] | None = None
    note: str = ""  # e.g. "Cancelled and withdrawn requests are never counted as held."
