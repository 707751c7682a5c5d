"""How a cell of a ``StatTable`` is written for people: pages, charts and the annual report agree."""

from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, number_format

from exchanges.statistics.tables import Cell, StatTable


def is_number(value: object) -> bool:
    return isinstance(value, int | Decimal | float) and not isinstance(value, bool)


def format_cell(value: Cell, *, money: bool = False) -> str:
    """A cell in the active language: "1.234,56 €" for money, "1.234" and "3,5" for numbers, TT.MM.JJJJ."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(value)
    if money and is_number(value):
        return f"{number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)} €"
    if isinstance(value, int):
        return number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, Decimal | float):
        return number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT", use_l10n=True)
    return str(value)


def format_label(value: Cell) -> str:
    """A row label (the first column): a year stays "2026", never "2.026"."""
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT", use_l10n=True)
    return "–" if value is None or value == "" else str(value)


def numeric_columns(table: StatTable) -> list[int]:
    """Columns after the first whose cells are all numbers (or empty), with at least one number."""
    found = []
    for index in range(1, len(table.columns)):
        values = [row[index] for row in table.rows if index < len(row) and row[index] not in (None, "")]
        if values and all(is_number(value) for value in values):
            found.append(index)
    return found


def display_rows(table: StatTable) -> list[list[tuple[str, bool]]]:
    """Every row as (text, right-aligned) pairs: the cells of number columns, empty ones too, align right."""
    numeric = set(numeric_columns(table))
    return [_display_row(table, row, numeric) for row in table.rows]


def display_totals(table: StatTable) -> list[tuple[str, bool]] | None:
    return _display_row(table, table.totals, set(numeric_columns(table))) if table.totals else None


def _display_row(table: StatTable, row: list[Cell], numeric: set[int]) -> list[tuple[str, bool]]:
    return [
        (
            format_cell(value, money=index in table.money_columns) if index else format_label(value),
            index in numeric or (index > 0 and is_number(value)),
        )
        for index, value in enumerate(row)
    ]
