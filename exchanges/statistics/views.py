"""Statistics pages for the coordination (the whole network) and the city contacts (their own city):
the dashboard, the city matrix, the costs, the table exports and the annual report.

The views parse the period, authorise and render; every number comes from ``exchanges.statistics.figures``.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from exchanges.statistics import figures
from exchanges.statistics.charts import chart_svg
from exchanges.statistics.formatting import display_rows, display_totals, numeric_columns
from exchanges.statistics.selection import Selection, network_wide, statistics_selection
from exchanges.statistics.services import (
    FILE_FORMATS,
    StatisticsFile,
    statistics_report_export,
    statistics_table_export,
)
from exchanges.statistics.tables import StatTable

FIRST_REPORT_YEAR, LAST_REPORT_YEAR = 2000, 2100
PAGES = {
    "dashboard": (
        "key_figures",
        "requests_by_state",
        "requests_by_topic",
        "requests_by_format",
        "requests_by_city",
        "held_per_year",
    ),
    "cities": ("city_matrix_held", "city_matrix_requests", "city_balance"),
    "costs": (
        "costs_by_year",
        "costs_by_month",
        "costs_by_city",
        "costs_by_topic",
        "budget_use",
        "cost_per_exchange",
    ),
}


@dataclass
class Section:
    """One table on a page: chart, accessible table and its download links."""

    table: StatTable
    chart: str
    header: list[tuple[str, bool]]
    rows: list
    totals: list | None
    csv_url: str
    xlsx_url: str


def _section(table: StatTable, query: str) -> Section:
    numeric = set(numeric_columns(table))

    def url(file_format: str) -> str:
        path = reverse("exchanges:statistics_export", kwargs={"key": table.key, "file_format": file_format})
        return f"{path}?{query}"

    return Section(
        table=table,
        chart=chart_svg(table),
        header=[(column, index in numeric) for index, column in enumerate(table.columns)],
        rows=display_rows(table),
        totals=display_totals(table),
        csv_url=url("csv"),
        xlsx_url=url("xlsx"),
    )


def _sections_html(page: str, computed: figures.CachedFigures, selection: Selection, query: str) -> str:
    """The page's charts and tables, rendered once per computed set of figures (and then shared)."""

    def render_sections() -> str:
        sections = [_section(computed.tables[key], query) for key in PAGES[page] if key in computed.tables]
        return render_to_string("exchanges/statistics/_sections.html", {"sections": sections})

    html = figures.shared(
        ["html", page, selection.city_id, computed.computed_at.isoformat(), query], render_sections
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own template, escaped there


def _page(request: HttpRequest, page: str) -> HttpResponse:
    selection = statistics_selection(user=request.user, params=request.GET)
    computed = figures.cached_statistics_for(
        user=request.user, period=selection.period, city_id=selection.city_id
    )
    query = selection.query()
    report_year = min(selection.period.end.year, timezone.localdate().year)
    report_query = (
        urlencode({"city": selection.city.pk}) if selection.city and network_wide(request.user) else ""
    )
    report_url = reverse("exchanges:statistics_report", kwargs={"year": report_year})
    return render(
        request,
        f"exchanges/statistics/{page}.html",
        {
            "page": page,
            "query": query,
            "form": selection.form,
            "period": selection.period,
            "scope_city": selection.city,
            "sections_html": _sections_html(page, computed, selection, query),
            "report_year": report_year,
            "computed_at": computed.computed_at,
            "cache_minutes": max(1, settings.STATISTICS_CACHE_SECONDS // 60)
            if settings.STATISTICS_CACHE_SECONDS
            else 0,
            "report_url": f"{report_url}?{report_query}" if report_query else report_url,
        },
    )


@login_required
@require_GET
def statistics_dashboard(request: HttpRequest) -> HttpResponse:
    return _page(request, "dashboard")


@login_required
@require_GET
def statistics_cities(request: HttpRequest) -> HttpResponse:
    return _page(request, "cities")


@login_required
@require_GET
def statistics_costs(request: HttpRequest) -> HttpResponse:
    return _page(request, "costs")


@login_required
@require_GET
def statistics_export(request: HttpRequest, key: str, file_format: str) -> HttpResponse:
    if key not in figures.TABLE_KEYS or file_format not in FILE_FORMATS:
        raise Http404
    selection = statistics_selection(user=request.user, params=request.GET)
    exported = statistics_table_export(
        user=request.user, selection=selection, key=key, file_format=file_format, request=request
    )
    if exported is None:
        raise Http404
    return _download(exported)


@login_required
@require_GET
def statistics_report(request: HttpRequest, year: int) -> HttpResponse:
    if not FIRST_REPORT_YEAR <= year <= LAST_REPORT_YEAR:
        raise Http404
    # Only its city counts here: the report covers the whole year.
    selection = statistics_selection(user=request.user, params=request.GET)
    return _download(
        statistics_report_export(user=request.user, year=year, selection=selection, request=request)
    )


def _download(exported: StatisticsFile) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
