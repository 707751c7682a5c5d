"""Figures leaving the portal: a table as a file, the annual report, the tables through the API. Each is
written to the audit log here, so every way out — the statistics pages and the REST API — leaves the same
entry (docs/statistics.md, "Pages and exports")."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cities.directory.models import User
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent
from exchanges.statistics import figures
from exchanges.statistics.exports import XLSX_CONTENT_TYPE, export_filename, table_csv, table_xlsx
from exchanges.statistics.report import annual_report_pdf
from exchanges.statistics.selection import Selection
from exchanges.statistics.tables import Period

FILE_FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_CONTENT_TYPE}


@dataclass(frozen=True)
class StatisticsFile:
    content: bytes
    filename: str
    content_type: str


def _record(*, actor: User, request: Any, action: str, **details: Any) -> None:
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        actor=actor,
        target="statistics",
        request=request,
        action=action,
        **details,
    )


def _period(selection: Selection) -> dict[str, Any]:
    return {
        "start": selection.period.start.isoformat(),
        "end": selection.period.end.isoformat(),
        "city": selection.city_id,
    }


def statistics_table_export(
    *, user: User, selection: Selection, key: str, file_format: str, request: Any = None
) -> StatisticsFile | None:
    """One table of ``selection`` as CSV or XLSX (None: no such table in the person's scope), audited."""
    tables = figures.cached_statistics_for(
        user=user, period=selection.period, city_id=selection.city_id, fold=False
    ).tables
    table = tables.get(key)
    if table is None or file_format not in FILE_FORMATS:
        return None
    _record(
        actor=user,
        request=request,
        action="statistics_export",
        table=key,
        format=file_format,
        **_period(selection),
    )
    content = table_csv(table) if file_format == "csv" else table_xlsx(table)
    return StatisticsFile(
        content, export_filename(table, selection.period, file_format), FILE_FORMATS[file_format]
    )


def statistics_tables_export(
    *, user: User, selection: Selection, request: Any = None
) -> figures.CachedFigures:
    """Every table of ``selection``, unfolded, for the REST API: the same export, audited the same way."""
    computed = figures.cached_statistics_for(
        user=user, period=selection.period, city_id=selection.city_id, fold=False
    )
    _record(
        actor=user,
        request=request,
        action="statistics_export",
        table="all",
        format="json",
        **_period(selection),
    )
    return computed


def statistics_report_export(
    *, user: User, year: int, selection: Selection, request: Any = None
) -> StatisticsFile:
    """The annual report ("Jahresbilanz") of ``year`` for the selection's city or the network, audited.
    Always computed afresh, in the language of the person who asks for it."""
    period = Period(date(year, 1, 1), date(year, 12, 31))
    tables = figures.statistics_for(user=user, period=period, city_id=selection.city_id)
    exchanges = figures.completed_exchanges(user=user, period=period, city_id=selection.city_id)
    scope = selection.city.name if selection.city else _("the whole network")
    pdf = annual_report_pdf(year=year, period=period, tables=tables, exchanges=exchanges, scope=scope)
    _record(actor=user, request=request, action="annual_report", year=year, city=selection.city_id)
    suffix = f"-{selection.city.slug}" if selection.city else ""
    name = pgettext("file name of the annual report PDF", "Annual-report")
    return StatisticsFile(pdf, f"{name}-{year}{suffix}.pdf", "application/pdf")
