"""The annual report ("Jahresbilanz") as a PDF: key figures, the city matrix, the costs and the list of
completed exchanges with the one-line takeaways of their reflections (never the internal ones).

The function takes the tables and the list already computed (``exchanges.statistics.figures``), so
what the PDF shows is exactly what the pages show, and the layout can be tested without a database.
"""

import io
from collections.abc import Iterable
from datetime import date, datetime
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from exchanges.statistics.formatting import format_cell, format_label, is_number
from exchanges.statistics.tables import Period, StatTable

PAGE_WIDTH = A4[0] - 40 * mm
# (heading, table keys) in the order of the report
SECTIONS = [
    ("Kennzahlen", ["key_figures"]),
    ("Wer hat wen beraten?", ["city_matrix_held", "city_balance"]),
    ("Reisekosten", ["costs_by_city", "costs_by_topic", "budget_use", "cost_per_exchange"]),
]


def annual_report_pdf(
    *,
    year: int,
    period: Period,
    tables: dict[str, StatTable],
    exchanges: list[dict],
    scope: str,
    created_at: datetime | None = None,
) -> bytes:
    """The "Jahresbilanz <year>" in German. ``scope`` says whose figures these are ("das ganze Netzwerk")."""
    created_at = timezone.localtime(created_at or timezone.now())
    with translation.override("de"):
        return _build(year, period, tables, exchanges, scope, created_at)


def _build(
    year: int,
    period: Period,
    tables: dict[str, StatTable],
    exchanges: list[dict],
    scope: str,
    created_at: datetime,
) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    title = f"Jahresbilanz {year}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=f"koopstadt C+R – {title}",
        author="koopstadt C+R",
        lang="de-DE",
    )
    story: list = [
        Paragraph(escape(f"koopstadt C+R – {title}"), styles["Title"]),
        Paragraph(
            escape(
                f"Zeitraum {period.start:%d.%m.%Y} bis {period.end:%d.%m.%Y} · Zahlen für {scope} · "
                f"erstellt am {created_at:%d.%m.%Y}"
            ),
            styles["Lead"],
        ),
        Spacer(1, 6 * mm),
    ]
    for heading, keys in SECTIONS:
        present = [tables[key] for key in keys if key in tables]
        if not present:
            continue
        story.append(Paragraph(escape(heading), styles["Heading1"]))
        for table in present:
            # a heading stays with its table; the section heading is not repeated as the table's own
            story.append(KeepTogether(_table_section(table, styles, repeat_title=table.title != heading)))
    story += _exchanges_section(exchanges, styles)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(20 * mm, 10 * mm, f"koopstadt C+R – {title}")
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Seite {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _styles() -> dict:
    sheet = getSampleStyleSheet()
    return {
        "Title": sheet["Title"],
        "Lead": ParagraphStyle("Lead", parent=sheet["BodyText"], fontSize=11, leading=15),
        "Heading1": ParagraphStyle("H1", parent=sheet["Heading1"], fontSize=16, spaceBefore=10),
        "Heading2": ParagraphStyle("H2", parent=sheet["Heading2"], fontSize=12.5, spaceBefore=8),
        "Heading3": ParagraphStyle(
            "H3", parent=sheet["Heading3"], fontSize=10.5, spaceBefore=6, spaceAfter=2
        ),
        "Body": ParagraphStyle("Body", parent=sheet["BodyText"], fontSize=9.5, leading=12.5),
        "Note": ParagraphStyle("Note", parent=sheet["Italic"], fontSize=8.5, leading=11),
        "Cell": ParagraphStyle("Cell", parent=sheet["BodyText"], fontSize=8.5, leading=10.5),
        "HeadCell": ParagraphStyle(
            "HeadCell", parent=sheet["BodyText"], fontSize=8.5, leading=10.5, fontName="Helvetica-Bold"
        ),
        "NumberHeadCell": ParagraphStyle(
            "NumberHeadCell",
            parent=sheet["BodyText"],
            fontSize=8.5,
            leading=10.5,
            fontName="Helvetica-Bold",
            alignment=2,
        ),
    }


def _table_section(table: StatTable, styles: dict, *, repeat_title: bool = True) -> list:
    parts: list = [Paragraph(escape(table.title), styles["Heading2"])] if repeat_title else []
    if table.summary:
        parts.append(Paragraph(escape(table.summary), styles["Body"]))
    if not table.rows:
        parts.append(Paragraph("Keine Daten im Zeitraum.", styles["Note"]))
        return parts
    parts.append(Spacer(1, 2 * mm))
    parts.append(stat_table_flowable(table, styles))
    if table.note:
        parts += [Spacer(1, 1 * mm), Paragraph(escape(table.note), styles["Note"])]
    return parts


def stat_table_flowable(table: StatTable, styles: dict | None = None) -> Table:
    """A ``StatTable`` as a reportlab table: text escaped, numbers right-aligned, totals in bold."""
    styles = styles or _styles()
    count = len(table.columns)
    numeric = [
        index > 0 and any(is_number(row[index]) for row in table.rows if index < len(row))
        for index in range(count)
    ]
    header = [
        Paragraph(escape(str(column)), styles["NumberHeadCell" if numeric[index] else "HeadCell"])
        for index, column in enumerate(table.columns)
    ]
    body = [_pdf_row(table, row, styles) for row in table.rows]
    if table.totals:
        body.append(_pdf_row(table, table.totals, styles))
    first = PAGE_WIDTH * (0.55 if count == 2 else 0.3 if count <= 5 else 0.22)
    rest = (PAGE_WIDTH - first) / max(count - 1, 1)
    flowable = Table([header, *body], colWidths=[first, *[rest] * (count - 1)], hAlign="LEFT", repeatRows=1)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7eef7")),
    ]
    style += [("ALIGN", (index, 1), (index, -1), "RIGHT") for index in range(count) if numeric[index]]
    if table.totals:
        style.append(("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"))
    flowable.setStyle(TableStyle(style))
    return flowable


def _pdf_row(table: StatTable, row: list, styles: dict) -> list:
    cells: list = []
    for index, value in enumerate(row):
        text = format_cell(value, money=index in table.money_columns) if index else format_label(value)
        # numbers as plain strings (right-aligned by the table style); text as an escaped Paragraph
        cells.append(text if index > 0 and is_number(value) else Paragraph(escape(text), styles["Cell"]))
    return cells


def _exchanges_section(exchanges: list[dict], styles: dict) -> list:
    parts: list = [Paragraph("Abgeschlossene Austausche", styles["Heading1"])]
    if not exchanges:
        return [*parts, Paragraph("Im Zeitraum wurde kein Austausch abgeschlossen.", styles["Body"])]
    parts.append(
        Paragraph(
            escape(
                f"{len(exchanges)} abgeschlossene Austausche mit den Kernaussagen ihrer Reflexionen "
                "(ohne intern markierte Reflexionen)."
            ),
            styles["Body"],
        )
    )
    for exchange in exchanges:
        facts = []
        if exchange.get("requester_city"):
            facts.append(f"Anfragende Stadt: {exchange['requester_city']}")
        experts = _text_list(exchange.get("expert_cities"))
        if experts:
            facts.append(f"Expertise aus: {experts}")
        meeting = exchange.get("meeting_date")
        if isinstance(meeting, datetime):
            meeting = timezone.localtime(meeting).date() if timezone.is_aware(meeting) else meeting.date()
        if isinstance(meeting, date):
            facts.append(f"Termin: {meeting:%d.%m.%Y}")
        heading = " – ".join(
            filter(None, [str(exchange.get("reference") or ""), str(exchange.get("title") or "")])
        )
        block: list = [Paragraph(escape(heading), styles["Heading3"])]
        if facts:
            block.append(Paragraph(escape(" · ".join(facts)), styles["Body"]))
        takeaways = [str(text) for text in exchange.get("takeaways") or [] if str(text).strip()]
        if takeaways:
            block.append(
                ListFlowable(
                    [ListItem(Paragraph(escape(text), styles["Body"]), leftIndent=12) for text in takeaways],
                    bulletType="bullet",
                    start="•",
                    leftIndent=12,
                )
            )
        else:
            block.append(Paragraph("Keine Kernaussage freigegeben.", styles["Note"]))
        parts.append(KeepTogether(block))
    return parts


def _text_list(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return ", ".join(str(item) for item in value)
    return str(value)
