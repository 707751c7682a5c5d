"""Addresses of travel claims and finance (names in the ``exchanges`` namespace)."""

from django.urls import path

from exchanges.travel import views as travel

urlpatterns = [
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
