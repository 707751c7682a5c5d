"""Every statistics table as a file: CSV as German spreadsheets expect it, and XLSX with real numbers."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from exchanges.statistics.formatting import is_number
from exchanges.statistics.tables import Cell, Period, StatTable
from exchanges.travel.services.exports import spreadsheet_safe

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = '#,##0.00 "€"'  # the € as a quoted literal: Excel and LibreOffice both read it
DATE_FORMAT = "DD.MM.YYYY"


def _csv_cell(value: Cell, *, money: bool) -> str | int:
    if value is None:
        return ""
    if isinstance(value, Decimal) or (money and is_number(value)):
        text = f"{Decimal(value):.2f}" if money else format(value, "f")
        return text.replace(".", ",")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, int):
        return value
    return spreadsheet_safe(str(value))


def _body(table: StatTable) -> list[list[Cell]]:
    return [*table.rows, *([table.totals] if table.totals else [])]


def table_csv(table: StatTable) -> bytes:
    """Semicolon separated, decimal comma, TT.MM.JJJJ, CRLF, UTF-8 with BOM; formula-like text defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(column) for column in table.columns])
    for row in _body(table):
        writer.writerow(
            [_csv_cell(value, money=index in table.money_columns) for index, value in enumerate(row)]
        )
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def sheet_title(title: str) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\ ."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'")
    return (cleaned or "Statistik")[:31]


def table_xlsx(table: StatTable) -> bytes:
    """Numbers stay numbers (money formatted "1.234,56 €" by the spreadsheet), a bold header and totals row."""

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(table.title)
    sheet.append([spreadsheet_safe(column) for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _body(table):
        sheet.append([spreadsheet_safe(value) for value in row])
        for index, cell in enumerate(sheet[sheet.max_row]):
            if index in table.money_columns and is_number(cell.value):
                cell.number_format = MONEY_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    if table.totals:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for index, column in enumerate(table.columns, start=1):
        longest = max(
            [len(str(column)), *(len(str(row[index - 1])) for row in table.rows if len(row) >= index)]
        )
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(
            max(longest + 2, 10), 60
        )
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(table: StatTable, period: Period, extension: str) -> str:
    """``requests_by_state-2026-01-01-2026-12-31.csv``: ASCII only, safe in a Content-Disposition header."""
    return f"{table.key}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.{extension}"
