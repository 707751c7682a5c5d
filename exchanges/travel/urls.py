"""Addresses of travel claims and finance (names in the ``exchanges`` namespace)."""

from django.urls import path

from exchanges.travel import trip_pdf_views
from exchanges.travel import trip_views as trips
from exchanges.travel import views as travel

urlpatterns = [
    path("anfragen/<int:pk>/dienstreise/neu/", trips.trip_create_view, name="trip_create"),
    path("dienstreisen/", trips.my_trips, name="my_trips"),
    path("dienstreisen/zu-genehmigen/", trips.trips_to_approve_view, name="trips_to_approve"),
    path("dienstreisen/genehmigung/<str:token>/", trips.trip_approval_link, name="trip_approval_link"),
    path(
        "dienstreisen/genehmigung/<str:token>/dokument.pdf",
        trip_pdf_views.trip_approval_link_pdf,
        name="trip_approval_link_pdf",
    ),
    path("dienstreisen/<int:pk>/", trips.trip_detail, name="trip_detail"),
    path("dienstreisen/<int:pk>/bearbeiten/", trips.trip_edit, name="trip_edit"),
    path("dienstreisen/<int:pk>/einreichen/", trips.trip_submit_view, name="trip_submit"),
    path(
        "dienstreisen/<int:pk>/vorgesetzte/", trips.trip_supervisor_decide_view, name="trip_supervisor_decide"
    ),
    path("dienstreisen/<int:pk>/kosten/", trips.trip_cost_decide_view, name="trip_cost_decide"),
    path("dienstreisen/<int:pk>/stornieren/", trips.trip_cancel_view, name="trip_cancel"),
    path("dienstreisen/<int:pk>/neuer-link/", trips.trip_link_resend_view, name="trip_link_resend"),
    path("dienstreisen/<int:pk>/abrechnung/", trips.trip_claim_view, name="trip_claim"),
    path("dienstreisen/<int:pk>/genehmigung.pdf", trip_pdf_views.trip_pdf_view, name="trip_pdf"),
    path("anfragen/<int:pk>/reisekosten/neu/", travel.claim_create_view, name="claim_create"),
    path("reisekosten/", travel.my_claims, name="my_claims"),
    path("reisekosten/<int:pk>/", travel.claim_detail, name="claim_detail"),
    path("reisekosten/<int:pk>/bearbeiten/", travel.claim_edit, name="claim_edit"),
    path("reisekosten/<int:pk>/berechnen/", travel.claim_calculate_view, name="claim_calculate"),
    path("reisekosten/<int:pk>/position/", travel.claim_item_add_view, name="claim_item_add"),
    path(
        "reisekosten/<int:pk>/position/<int:item_pk>/entfernen/",
        travel.claim_item_remove_view,
        name="claim_item_remove",
    ),
    path(
        "reisekosten/<int:pk>/position/<int:item_pk>/beleg/",
        travel.claim_receipt_add_view,
        name="claim_receipt_add",
    ),
    path(
        "reisekosten/<int:pk>/position/<int:item_pk>/kuerzen/",
        travel.claim_item_reduce_view,
        name="claim_item_reduce",
    ),
    path("reisekosten/<int:pk>/einreichen/", travel.claim_submit_view, name="claim_submit"),
    path("reisekosten/<int:pk>/abrechnung.pdf", travel.claim_pdf_view, name="claim_pdf"),
    path("reisekosten/<int:pk>/entscheidung/", travel.claim_decide, name="claim_decide"),
    path("reisekosten/<int:pk>/beleg/<int:receipt_pk>/", travel.receipt_download, name="receipt_download"),
    path("finanzen/", travel.finance_queue, name="finance_queue"),
    path("finanzen/exporte/", travel.batch_list, name="batch_list"),
    path("finanzen/exporte/<int:pk>/", travel.batch_detail, name="batch_detail"),
    path("finanzen/exporte/<int:pk>/<slug:kind>/", travel.batch_download, name="batch_download"),
    path("finanzen/budget/", travel.budget_overview, name="budget"),
    path("finanzen/saetze/", travel.rate_set_list, name="rate_sets"),
    path(
        "finanzen/saetze/<int:pk>/neuer-zeitraum/",
        travel.rate_set_new_period_view,
        name="rate_set_new_period",
    ),
]
