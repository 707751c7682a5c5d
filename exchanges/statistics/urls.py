"""Statistics and the annual report (names in the ``exchanges`` namespace)."""

from django.urls import path

from exchanges.statistics import views as statistics

urlpatterns = [
    path("statistik/", statistics.statistics_dashboard, name="statistics"),
    path("statistik/staedte/", statistics.statistics_cities, name="statistics_cities"),
    path("statistik/kosten/", statistics.statistics_costs, name="statistics_costs"),
    path(
        "statistik/export/<slug:key>.<slug:file_format>",
        statistics.statistics_export,
        name="statistics_export",
    ),
    path("statistik/jahresbilanz/<int:year>.pdf", statistics.statistics_report, name="statistics_report"),
]
