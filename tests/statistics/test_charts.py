"""Server-side SVG charts: accessible names, one bar per row, escaped labels, cues beyond colour."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from exchanges.statistics.charts import SERIES_STYLES, chart_svg, nice_ticks
from exchanges.statistics.tables import StatTable

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def german():
    with translation.override("de"):
        yield


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 – our own output, not untrusted XML


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def bar_table(**overrides) -> StatTable:
    values = {
        "key": "requests_by_topic",
        "title": "Anfragen nach Thema",
        "columns": ["Thema", "Anfragen"],
        "rows": [["Wohnen", 7], ["Mobilität", 3], ["Bildung & Schule", 0]],
        "summary": "Wohnen ist das häufigste Thema (7 von 10 Anfragen).",
    }
    return StatTable(**{**values, **overrides})


def test_bar_chart_has_title_desc_and_one_bar_per_row():
    root = parse(chart_svg(bar_table()))

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Anfragen nach Thema"
    assert root.find(f"{SVG}desc").text == "Wohnen ist das häufigste Thema (7 von 10 Anfragen)."
    title_id, desc_id = root.find(f"{SVG}title").get("id"), root.find(f"{SVG}desc").get("id")
    assert root.get("aria-labelledby") == f"{title_id} {desc_id}"
    assert root.get("viewBox").startswith("0 0 640 ")
    assert "width" not in root.attrib  # scales with the page
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]
    assert len(bars) == 2  # 7 and 3; a zero draws no bar, but its label and value are printed
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[0] > widths[1] * 2
    shown = texts(root)
    for label in ("Wohnen", "Mobilität", "Bildung & Schule", "7", "3", "0"):
        assert label in shown


def test_every_label_is_escaped():
    table = bar_table(
        title="<b>Titel</b>",
        summary='Summe "<script>alert(1)</script>"',
        rows=[["<script>alert(1)</script>", 4], ["</svg><img src=x onerror=alert(1)>", 2]],
    )
    svg = str(chart_svg(table))

    assert "<script>" not in svg and "<img" not in svg and "<b>" not in svg
    root = parse(svg)  # still well-formed XML
    assert "<script>alert(1)</script>" in texts(root)
    assert root.find(f"{SVG}title").text == "<b>Titel</b>"


def test_stacked_chart_draws_every_series_with_its_own_pattern_and_a_legend():
    table = StatTable(
        "city_balance",
        "Geben und Nehmen",
        ["Stadt", "Gegeben", "Erhalten"],
        [["Bremen", 4, 2], ["Leipzig", 1, 5], ["Nürnberg", 3, 1]],
        summary="Leipzig hat mehr erhalten als gegeben.",
        chart="stacked",
    )
    root = parse(chart_svg(table))

    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]
    assert len(bars) == 6
    fills = {bar.get("fill") for bar in bars}
    assert len(fills) == 2 and any(fill.startswith("url(#") for fill in fills)  # a pattern, not colour alone
    patterns = {pattern.get("id") for pattern in root.iter(f"{SVG}pattern")}
    assert {fill[5:-1] for fill in fills if fill.startswith("url(#")} <= patterns
    assert {"Gegeben", "Erhalten"} <= set(texts(root))  # the legend names the series


def test_money_is_printed_in_euros_and_negative_values_read_as_such():
    table = StatTable(
        "costs_by_city",
        "Reisekosten nach Stadt",
        ["Stadt", "Reisekosten"],
        [["Leipzig", Decimal("1234.5")], ["Bremen", Decimal("-20.00")], ["Nürnberg", None]],
        money_columns=frozenset({1}),
    )
    shown = texts(parse(chart_svg(table)))
    assert "1.234,50 €" in shown
    assert "-20,00 €" in shown
    assert "–" in shown  # no value: a dash, never a zero


def test_line_chart_uses_different_marker_shapes_and_dashes_per_series():
    table = StatTable(
        "budget_use",
        "Budgetnutzung",
        ["Monat", "Genehmigt", "Gebucht", "Budget"],
        [
            [f"{month:02d}/2026", Decimal(month * 100), Decimal(month * 50), Decimal(5000)]
            for month in (1, 2, 3)
        ],
        summary="Bis März sind 300 € genehmigt.",
        chart="line",
        money_columns=frozenset({1, 2, 3}),
    )
    root = parse(chart_svg(table))

    lines = [line for line in root.iter(f"{SVG}polyline") if line.get("class") == "chart-line"]
    assert len(lines) == 3
    assert len({line.get("stroke-dasharray") for line in lines}) == 3
    assert root.findall(f"{SVG}circle") and root.findall(f"{SVG}rect") and root.findall(f"{SVG}polygon")
    shown = texts(root)
    assert {"01/2026", "02/2026", "03/2026", "Genehmigt", "Gebucht", "Budget"} <= set(shown)
    assert any(text.endswith("€") for text in shown)  # the axis speaks euros


def test_a_gap_in_a_line_is_not_drawn_as_zero():
    table = StatTable(
        "held_per_year",
        "Austausche",
        ["Jahr", "Austausche"],
        [[2020, 2], [2021, None], [2022, 4], [2023, 5]],
        chart="line",
    )
    root = parse(chart_svg(table))
    lines = [line for line in root.iter(f"{SVG}polyline") if line.get("class") == "chart-line"]
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # 2022–2023; 2020 stands alone
    assert "2021" in texts(root)


@pytest.mark.parametrize("kind", ["matrix", "none"])
def test_no_chart_for_matrix_and_key_figures(kind):
    assert chart_svg(bar_table(chart=kind)) == ""


def test_no_chart_without_rows_or_numbers():
    assert chart_svg(bar_table(rows=[])) == ""
    assert chart_svg(bar_table(rows=[["Wohnen", "viel"]])) == ""
    assert chart_svg(bar_table(rows=[["Wohnen", 0], ["Bildung", None]])) == ""


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("style", SERIES_STYLES)
def test_series_colours_have_3_to_1_contrast_against_white(style):
    assert 1.05 / (relative_luminance(style.colour) + 0.05) >= 3


def test_series_keep_their_meaning_in_greyscale():
    assert len({style.pattern for style in SERIES_STYLES}) == len(SERIES_STYLES)
    assert len({style.marker for style in SERIES_STYLES}) == len(SERIES_STYLES)
    assert len({style.dash for style in SERIES_STYLES}) == len(SERIES_STYLES)


def test_nice_ticks_cover_the_values_in_round_steps():
    assert nice_ticks(0, 9) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(0, 1234.5) == [0, 250, 500, 750, 1000, 1250]
    assert nice_ticks(0, 0) == [0, 1]


def test_many_points_draw_fewer_labels_so_none_overlap():
    months = [[f"{month:02d}/{year}", Decimal(month)] for year in range(2015, 2031) for month in range(1, 13)]
    table = StatTable(
        "costs_by_month", "Kosten", ["Monat", "Kosten"], months, chart="line", money_columns=frozenset({1})
    )
    root = parse(chart_svg(table))
    labels = [text for text in texts(root) if "/" in text]
    assert 10 <= len(labels) < len(months)
    assert "01/2015" in labels
    line = next(line for line in root.iter(f"{SVG}polyline") if line.get("class") == "chart-line")
    assert len(line.get("points").split()) == len(months)  # the line itself keeps every value


def test_table_cells_of_number_columns_align_right_even_when_empty():
    from exchanges.statistics.formatting import display_rows, display_totals

    table = StatTable(
        "key_figures",
        "Kennzahlen",
        ["Kennzahl", "Wert"],
        [["Anfragen", 1234], ["Median (Tage)", None], ["Jahr", 2026]],
        chart="none",
        totals=["Summe", Decimal("1234.5")],
    )
    assert display_rows(table) == [
        [("Anfragen", False), ("1.234", True)],
        [("Median (Tage)", False), ("–", True)],
        [("Jahr", False), ("2.026", True)],
    ]
    assert display_totals(table) == [("Summe", False), ("1.234,5", True)]
    year_rows = StatTable("held_per_year", "Austausche", ["Jahr", "Austausche"], [[2026, 3]], chart="line")
    assert display_rows(year_rows)[0][0] == ("2026", False)  # a year as a row label is never "2.026"
