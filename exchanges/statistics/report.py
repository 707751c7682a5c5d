"""The annual report ("Jahresbilanz") as a PDF: key figures, the city matrix, the costs and the list of
completed exchanges with the one-line takeaways of their reflections (never the internal ones).

A tagged PDF (PDF/UA-1) a screen reader can read, rendered from ``templates/pdf/annual_report.html``
(koopstadt/pdf.py): headings, tables with column and row headers, charts with a text alternative. It is
written in the active language (the language of the person who downloads it; German outside a request),
the language the tables were computed in.
The function takes the tables and the list already computed (``exchanges.statistics.figures``), so
what the PDF shows is exactly what the pages show, and the layout can be tested without a database.
"""

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exchanges.statistics.charts import chart_svg
from exchanges.statistics.formatting import display_rows, display_totals, numeric_columns
from exchanges.statistics.tables import Period, StatTable
from koopstadt.pdf import render_pdf

# (heading, table keys) in the order of the report
SECTIONS = [
    (gettext_lazy("Key figures"), ["key_figures"]),
    (gettext_lazy("Who coached whom?"), ["city_matrix_held", "city_balance"]),
    (gettext_lazy("Travel costs"), ["costs_by_city", "costs_by_topic", "budget_use", "cost_per_exchange"]),
]


@dataclass(frozen=True)
class ReportTable:
    """One table of the report as the template shows it."""

    table: StatTable
    show_title: bool  # the section heading is not repeated as the table's own
    header: list[tuple[str, bool]]  # (text, right-aligned)
    rows: list[list[tuple[str, bool]]]
    totals: list[tuple[str, bool]] | None
    chart: str  # the chart as a data: address (SVG), "" for none
    chart_alt: str


def annual_report_pdf(
    *,
    year: int,
    period: Period,
    tables: dict[str, StatTable],
    exchanges: list[dict],
    scope: str,
    created_at: datetime | None = None,
) -> bytes:
    """The "Jahresbilanz <year>" in the active language. ``scope`` says whose figures these are, in that
    language ("das ganze Netzwerk", "Leipzig")."""
    created_at = timezone.localtime(created_at or timezone.now())
    title = _("koopstadt C+R – Annual report %(year)s") % {"year": year}
    sections = []
    for heading, keys in SECTIONS:
        present = [_report_table(tables[key], str(heading)) for key in keys if key in tables]
        if present:
            sections.append({"heading": str(heading), "tables": present})
    return render_pdf(
        "pdf/annual_report.html",
        {
            "document_title": title,
            # each part kept on one line
            "lead": [
                _("Period %(start)s to %(end)s")
                % {"start": f"{period.start:%d.%m.%Y}", "end": f"{period.end:%d.%m.%Y}"},
                _("Figures for %(city)s") % {"city": scope},
                _("created on %(day)s") % {"day": f"{created_at:%d.%m.%Y}"},
            ],
            "sections": sections,
            "exchanges": [_exchange(exchange) for exchange in exchanges],
        },
    )


def _report_table(table: StatTable, heading: str) -> ReportTable:
    numeric = set(numeric_columns(table))
    svg = chart_svg(table, id_prefix="report")
    return ReportTable(
        table=table,
        show_title=table.title != heading,
        header=[(str(column), index in numeric) for index, column in enumerate(table.columns)],
        rows=display_rows(table),
        totals=display_totals(table),
        # As an image with its own alternative text; the same figures are in the table below it.
        chart=f"data:image/svg+xml;base64,{base64.b64encode(str(svg).encode()).decode()}" if svg else "",
        chart_alt=_chart_alt(table),
    )


def _chart_alt(table: StatTable) -> str:
    """The chart's text alternative: what it shows, its summary, and where its figures are."""
    summary = (table.summary or "").strip()
    if summary and not summary.endswith((".", "!", "?")):
        summary += "."
    parts = [
        _("Chart: %(title)s.") % {"title": table.title},
        summary,
        _("The figures are in the table below it."),
    ]
    return " ".join(part for part in parts if part)


def _exchange(exchange: dict) -> dict:
    facts = []
    if exchange.get("requester_city"):
        facts.append(_("Requesting city: %(city)s") % {"city": exchange["requester_city"]})
    experts = _text_list(exchange.get("expert_cities"))
    if experts:
        facts.append(_("Expertise from: %(cities)s") % {"cities": experts})
    meeting = exchange.get("meeting_date")
    if isinstance(meeting, datetime):
        meeting = timezone.localtime(meeting).date() if timezone.is_aware(meeting) else meeting.date()
    if isinstance(meeting, date):
        facts.append(_("Meeting: %(day)s") % {"day": f"{meeting:%d.%m.%Y}"})
    return {
        "heading": " – ".join(
            filter(None, [str(exchange.get("reference") or ""), str(exchange.get("title") or "")])
        ),
        "facts": " · ".join(facts),
        "takeaways": [str(text) for text in exchange.get("takeaways") or [] if str(text).strip()],
    }


def _text_list(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return ", ".join(str(item) for item in value)
    return str(value)
