"""Charts drawn on the server as SVG: no script, no external service, readable in greyscale and in print.

Every chart is an image with a title and a description (the table's text summary); the same numbers
are always in an accessible data table next to it, so the chart adds a picture and hides nothing.
Colours are dark enough for 3:1 against white (WCAG 1.4.11), and each series has a second cue that
keeps its meaning without colour: a fill pattern for bars, a marker shape and a dash pattern for lines.
Every text that comes from data is escaped.
"""

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from exchanges.statistics.formatting import format_cell, format_label, is_number, numeric_columns
from exchanges.statistics.tables import Cell, StatTable

WIDTH = 640
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
TEXT = "#212529"
GRID = "#767676"


@dataclass(frozen=True)
class SeriesStyle:
    colour: str  # ≥ 3:1 against white
    pattern: str  # bar fill: solid, hatch, dots, cross, lines
    marker: str  # line-chart point: circle, square, triangle, diamond, cross
    dash: str  # line-chart stroke-dasharray ("" for solid)


SERIES_STYLES = [
    SeriesStyle("#123c69", "solid", "circle", ""),
    SeriesStyle("#a1341c", "hatch", "square", "8 4"),
    SeriesStyle("#2b6a2f", "dots", "triangle", "2 3"),
    SeriesStyle("#5b3a8e", "cross", "diamond", "10 3 2 3"),
    SeriesStyle("#4d4d4d", "lines", "cross", "14 4"),
]


def series_style(index: int) -> SeriesStyle:
    return SERIES_STYLES[index % len(SERIES_STYLES)]


def chart_svg(table: StatTable, *, id_prefix: str = "chart") -> SafeString:
    """The chart that fits ``table.chart``; an empty string for "matrix", "none" or a table without numbers."""
    if table.chart not in {"bar", "stacked", "line"} or not table.rows:
        return SafeString("")
    series = chart_series(table)
    if not any(_number(row, index) for row in table.rows for index in series):
        return SafeString("")  # no numbers, or all zero: the table says so better than an empty chart
    chart_id = f"{id_prefix}-{_slug(table.key)}"
    if table.chart == "line":
        return _line_chart(table, series, chart_id)
    return _bar_chart(table, series if table.chart == "stacked" else series[:1], chart_id)


def chart_series(table: StatTable) -> list[int]:
    """The columns drawn: money columns when there are any (one unit per chart), else every number column."""
    columns = numeric_columns(table)
    money = [index for index in columns if index in table.money_columns]
    return money or columns


# --- bars ---------------------------------------------------------------------------------------------
BAR = 16  # height of one bar
BAR_GAP = 4
LABEL_LINE = 20  # the row label sits on its own line above the row's bars, so long labels never clip
ROW_GAP = 10
VALUE_SPACE = 120  # room right of the longest bar for its printed value
MARGIN = 8


def _bar_chart(table: StatTable, series: list[int], chart_id: str) -> SafeString:
    values = [_number(row, index) for row in table.rows for index in series]
    numbers = [value for value in values if value is not None]
    low, high = min([0.0, *numbers]), max([0.0, *numbers])
    span = (high - low) or 1.0
    plot_left, plot_right = MARGIN, WIDTH - VALUE_SPACE
    scale = (plot_right - plot_left) / span
    zero_x = plot_left + (0 - low) * scale

    parts: list[str] = []
    y = MARGIN
    if len(series) > 1:
        legend, y = _legend(table, series, chart_id, y, kind="bar")
        parts.append(legend)
    for row in table.rows:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="13" fill="{}">{}</text>',
                plot_left,
                y + 14,
                TEXT,
                _label(row[0]),
            )
        )
        y += LABEL_LINE
        for position, index in enumerate(series):
            value = _number(row, index)
            style = series_style(position)
            if value is not None and value != 0:
                start, end = sorted((zero_x, zero_x + value * scale))
                parts.append(
                    format_html(
                        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" fill="{}" '
                        'stroke="{}" stroke-width="1.5"/>',
                        _fmt(start),
                        y,
                        _fmt(max(end - start, 1.0)),
                        BAR,
                        _fill(style, chart_id, position),
                        style.colour,
                    )
                )
                text_x = max(zero_x, zero_x + value * scale) + 6
            else:
                text_x = zero_x + 6
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>',
                    _fmt(text_x),
                    y + BAR - 3,
                    TEXT,
                    format_cell(row[index] if index < len(row) else None, money=index in table.money_columns),
                )
            )
            y += BAR + BAR_GAP
        y += ROW_GAP
    # the zero line, so negative values (a city that received more than it gave) read as such
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            _fmt(zero_x),
            MARGIN,
            _fmt(zero_x),
            y,
            GRID,
        )
    )
    return _svg(table, chart_id, y + MARGIN, _patterns(chart_id, len(series)) + "".join(parts))


# --- lines ----------------------------------------------------------------------------------------------
LINE_HEIGHT = 300
AXIS_LEFT = 80
AXIS_BOTTOM = 64


def _line_chart(table: StatTable, series: list[int], chart_id: str) -> SafeString:
    parts: list[str] = []
    legend, top = _legend(table, series, chart_id, MARGIN, kind="line")
    parts.append(legend)
    top += 8
    bottom = top + LINE_HEIGHT - AXIS_BOTTOM
    left, right = AXIS_LEFT, WIDTH - 24
    numbers = [v for row in table.rows for i in series if (v := _number(row, i)) is not None]
    ticks = nice_ticks(min([0.0, *numbers]), max([0.0, *numbers]))
    low, high = ticks[0], ticks[-1]
    span = (high - low) or 1.0
    money = any(index in table.money_columns for index in series)

    def y_of(value: float) -> float:
        return bottom - (value - low) / span * (bottom - top)

    count = len(table.rows)
    step = (right - left) / max(count - 1, 1)

    def x_of(position: int) -> float:
        return left + position * step if count > 1 else (left + right) / 2

    for tick in ticks:
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="0.5"/>'
                '<text x="{}" y="{}" font-size="12" text-anchor="end" fill="{}">{}</text>',
                left,
                _fmt(y_of(tick)),
                right,
                _fmt(y_of(tick)),
                GRID,
                left - 6,
                _fmt(y_of(tick) + 4),
                TEXT,
                _tick_label(tick, money=money),
            )
        )
    # x labels: turned when they would not fit side by side
    longest = max(len(_label(row[0])) for row in table.rows)
    turned = longest * 7 > step and count > 1
    # with many points (months of several years) only every n-th label and marker is drawn, so nothing
    # overlaps; the data table lists every value
    every = max(1, math.ceil((16 if turned else longest * 7 + 8) / step)) if count > 1 else 1
    for position, row in enumerate(table.rows):
        if position % every:
            continue
        x = x_of(position)
        if turned:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="12" text-anchor="end" fill="{}" '
                    'transform="rotate(-40 {} {})">{}</text>',
                    _fmt(x),
                    bottom + 16,
                    TEXT,
                    _fmt(x),
                    bottom + 16,
                    _label(row[0]),
                )
            )
        else:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="{}">{}</text>',
                    _fmt(x),
                    bottom + 18,
                    TEXT,
                    _label(row[0]),
                )
            )
    for position, index in enumerate(series):
        style = series_style(position)
        points = [(x_of(p), _number(row, index)) for p, row in enumerate(table.rows)]
        for segment in _segments(points):
            if len(segment) > 1:
                parts.append(
                    format_html(
                        '<polyline class="chart-line" points="{}" fill="none" stroke="{}" stroke-width="2.5"'
                        ' stroke-dasharray="{}" stroke-linejoin="round"/>',
                        " ".join(f"{_fmt(x)},{_fmt(y_of(v))}" for x, v in segment),
                        style.colour,
                        style.dash or "none",
                    )
                )
        for point, (x, value) in enumerate(points):
            alone = all(points[n][1] is None for n in (point - 1, point + 1) if 0 <= n < count)
            if value is not None and (point % every == 0 or alone):
                parts.append(_marker(style, x, y_of(value)))
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            left,
            _fmt(y_of(0.0)),
            right,
            _fmt(y_of(0.0)),
            TEXT,
        )
    )
    height = bottom + AXIS_BOTTOM + (40 if turned else 0)
    return _svg(table, chart_id, height, "".join(parts))


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round axis values from ``low`` to ``high`` (inclusive), about ``target`` steps."""
    if high <= low:
        high = low + 1
    raw = (high - low) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if step < 1 and high - low >= 1:
        step = 1.0
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _tick_label(value: float, *, money: bool) -> str:
    number: int | Decimal = int(value) if float(value).is_integer() else Decimal(str(value))
    text = format_cell(number)
    return f"{text} €" if money else text


def _segments(points: list[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Split a series at missing values: a gap is shown as a gap, never as a line through zero."""
    segments: list[list[tuple[float, float]]] = [[]]
    for x, value in points:
        if value is None:
            segments.append([])
        else:
            segments[-1].append((x, value))
    return [segment for segment in segments if segment]


def _marker(style: SeriesStyle, x: float, y: float) -> str:
    colour, size = style.colour, 5.5
    if style.marker == "square":
        return format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
            _fmt(x - size),
            _fmt(y - size),
            _fmt(2 * size),
            _fmt(2 * size),
            colour,
        )
    if style.marker == "triangle":
        points = f"{_fmt(x)},{_fmt(y - size - 1)} {_fmt(x + size + 1)},{_fmt(y + size)} {_fmt(x - size - 1)},{_fmt(y + size)}"
        return format_html('<polygon points="{}" fill="{}"/>', points, colour)
    if style.marker == "diamond":
        s = size + 1.5
        points = (
            f"{_fmt(x)},{_fmt(y - s)} {_fmt(x + s)},{_fmt(y)} {_fmt(x)},{_fmt(y + s)} {_fmt(x - s)},{_fmt(y)}"
        )
        return format_html(
            '<polygon points="{}" fill="{}" stroke="#ffffff" stroke-width="1"/>', points, colour
        )
    if style.marker == "cross":
        return format_html(
            '<path d="M{} {}L{} {}M{} {}L{} {}" stroke="{}" stroke-width="3"/>',
            _fmt(x - size),
            _fmt(y - size),
            _fmt(x + size),
            _fmt(y + size),
            _fmt(x - size),
            _fmt(y + size),
            _fmt(x + size),
            _fmt(y - size),
            colour,
        )
    return format_html(
        '<circle cx="{}" cy="{}" r="{}" fill="#ffffff" stroke="{}" stroke-width="2.5"/>',
        _fmt(x),
        _fmt(y),
        _fmt(size),
        colour,
    )


# --- shared pieces ----------------------------------------------------------------------------------------
def _legend(table: StatTable, series: list[int], chart_id: str, y: float, *, kind: str) -> tuple[str, float]:
    """One line per series: its pattern (bars) or its marker and dash (lines), then the column name."""
    parts = []
    for position, index in enumerate(series):
        style = series_style(position)
        if kind == "bar":
            swatch = format_html(
                '<rect x="{}" y="{}" width="28" height="14" fill="{}" stroke="{}" stroke-width="1.5"/>',
                MARGIN,
                _fmt(y + 2),
                _fill(style, chart_id, position),
                style.colour,
            )
        else:
            swatch = format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5" stroke-dasharray="{}"/>',
                MARGIN,
                _fmt(y + 9),
                MARGIN + 36,
                _fmt(y + 9),
                style.colour,
                style.dash or "none",
            ) + _marker(style, MARGIN + 18, y + 9)
        parts.append(swatch)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="13" fill="{}">{}</text>',
                MARGIN + 46,
                _fmt(y + 14),
                TEXT,
                table.columns[index],
            )
        )
        y += 22
    return "".join(parts), y + 6


def _patterns(chart_id: str, count: int) -> str:
    """Fill patterns per series, defined once per chart (ids are prefixed with the chart's id)."""
    defs = []
    for position in range(count):
        style = series_style(position)
        if style.pattern == "solid":
            continue
        pattern_id = f"{chart_id}-pattern-{position}"
        colour = style.colour
        inner = {
            "hatch": f'<line x1="0" y1="0" x2="0" y2="8" stroke="{colour}" stroke-width="4"/>',
            "dots": f'<circle cx="4" cy="4" r="2.2" fill="{colour}"/>',
            "cross": (
                f'<line x1="0" y1="4" x2="8" y2="4" stroke="{colour}" stroke-width="2"/>'
                f'<line x1="4" y1="0" x2="4" y2="8" stroke="{colour}" stroke-width="2"/>'
            ),
            "lines": f'<line x1="0" y1="4" x2="8" y2="4" stroke="{colour}" stroke-width="3"/>',
        }[style.pattern]
        rotate = ' patternTransform="rotate(45)"' if style.pattern == "hatch" else ""
        defs.append(
            f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="8" height="8"{rotate}>'
            f'<rect width="8" height="8" fill="#ffffff"/>{inner}</pattern>'
        )
    return f"<defs>{''.join(defs)}</defs>" if defs else ""


def _fill(style: SeriesStyle, chart_id: str, position: int) -> str:
    return style.colour if style.pattern == "solid" else f"url(#{chart_id}-pattern-{position})"


def _svg(table: StatTable, chart_id: str, height: float, body: str) -> SafeString:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    opening = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="stat-chart" id="{}" role="img" '
        'aria-labelledby="{} {}" viewBox="0 0 {} {}" font-family="{}">'
        '<title id="{}">{}</title><desc id="{}">{}</desc>',
        chart_id,
        title_id,
        desc_id,
        WIDTH,
        _fmt(height),
        FONT,
        title_id,
        table.title,
        desc_id,
        table.summary or table.title,
    )
    # ``body`` is built only from format_html pieces and fixed markup: every data text is escaped there.
    return mark_safe(f"{opening}{body}</svg>")  # noqa: S308


def _number(row: list[Cell], index: int) -> float | None:
    value = row[index] if index < len(row) else None
    return float(value) if is_number(value) else None


def _label(value: Cell) -> str:
    """A row label as text (escaped by format_html where it is placed)."""
    return format_label(value)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _slug(key: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]+", "-", key) or "chart"
