"""Statistics tables as CSV (German spreadsheet conventions) and XLSX (real numbers), read back."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from exchanges.statistics.exports import export_filename, sheet_title, table_csv, table_xlsx
from exchanges.statistics.tables import Period, StatTable


def costs_table() -> StatTable:
    return StatTable(
        "costs_by_city",
        "Reisekosten nach anfragender Stadt: Überblick über alle Jahre",
        ["Stadt", "Abrechnungen", "Reisekosten", "Anteil", "Letzte Zahlung"],
        [
            ["Leipzig", 3, Decimal("1234.5"), Decimal("0.75"), date(2026, 3, 9)],
            ['=HYPERLINK("http://x")', 1, Decimal("411.50"), Decimal("0.25"), None],
        ],
        money_columns=frozenset({2}),
        totals=["Summe", 4, Decimal("1646.00"), Decimal("1"), None],
    )


def test_csv_has_bom_semicolons_crlf_decimal_comma_and_german_dates():
    data = table_csv(costs_table())

    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and text.count("\r\n") == 4
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Stadt", "Abrechnungen", "Reisekosten", "Anteil", "Letzte Zahlung"]
    assert rows[1] == ["Leipzig", "3", "1234,50", "0,75", "09.03.2026"]
    assert rows[3] == ["Summe", "4", "1646,00", "1", ""]


def test_csv_defuses_formulas():
    rows = list(csv.reader(io.StringIO(table_csv(costs_table()).decode("utf-8-sig")), delimiter=";"))
    assert rows[2][0] == '\'=HYPERLINK("http://x")'


def test_xlsx_keeps_numbers_as_numbers_with_a_euro_format():
    workbook = load_workbook(io.BytesIO(table_xlsx(costs_table())))
    sheet = workbook.active

    assert sheet.title == "Reisekosten nach anfragender St"  # 31 characters at most
    assert [cell.value for cell in sheet[1]] == [
        "Stadt",
        "Abrechnungen",
        "Reisekosten",
        "Anteil",
        "Letzte Zahlung",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    leipzig = sheet[2]
    assert leipzig[1].value == 3
    assert (
        leipzig[2].value == 1234.5 and "€" in leipzig[2].number_format and "0.00" in leipzig[2].number_format
    )
    assert leipzig[3].value == 0.75 and "€" not in leipzig[3].number_format
    assert leipzig[4].value.date() == date(2026, 3, 9) and leipzig[4].number_format == "DD.MM.YYYY"
    assert sheet["A3"].value == '\'=HYPERLINK("http://x")'
    assert sheet["C4"].value == 1646 and sheet["A4"].font.bold  # totals


def test_sheet_title_drops_characters_excel_refuses():
    assert sheet_title("Kosten [2026]: Bremen/Leipzig?") == "Kosten  2026   Bremen Leipzig"
    assert len(sheet_title("x" * 80)) == 31


def test_export_filename_is_ascii_and_names_the_period():
    name = export_filename(costs_table(), Period(date(2026, 1, 1), date(2026, 6, 30)), "csv")
    assert name == "costs_by_city-2026-01-01-2026-06-30.csv"
