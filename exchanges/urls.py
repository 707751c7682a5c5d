from django.urls import path

from exchanges.views import cycle, inboxes, notifications, requests, travel

app_name = "exchanges"

urlpatterns = [
    path("anfragen/", requests.request_list, name="request_list"),
    path("anfragen/neu/", requests.request_create, name="request_create"),
    path("anfragen/<int:pk>/", requests.request_detail, name="request_detail"),
    path("anfragen/<int:pk>/bearbeiten/", requests.request_edit, name="request_edit"),
    path("anfragen/<int:pk>/schritt/<slug:action>/", requests.request_action, name="request_action"),
    path("anfragen/<int:pk>/kommentar/", requests.comment_create, name="comment_create"),
    path(
        "anfragen/<int:pk>/anhang/<int:attachment_pk>/",
        requests.attachment_download,
        name="attachment_download",
    ),
    path("anfragen/<int:pk>/zuordnung/", cycle.routing_correction, name="routing_correction"),
    path("anfragen/<int:pk>/vorschlagen/", cycle.propose_experts, name="propose_experts"),
    path(
        "anfragen/<int:pk>/einladungen-zurueckziehen/",
        cycle.withdraw_open_invitations,
        name="withdraw_invitations",
    ),
    path("anfragen/<int:pk>/termin/", cycle.meeting_edit, name="meeting_edit"),
    path("anfragen/<int:pk>/termin.ics", cycle.meeting_calendar, name="meeting_calendar"),
    path("anfragen/<int:pk>/reflexion/", cycle.reflection_create, name="reflection_create"),
    path("einladungen/", cycle.my_invitations, name="my_invitations"),
    path("einladungen/<int:invitation_pk>/", cycle.invitation_answer_in_portal, name="invitation_answer"),
    path("einladung/<str:token>/", cycle.invitation_answer_by_link, name="invitation_answer_link"),
    path("wissen/", cycle.knowledge_base_view, name="knowledge_base"),
    path("anfragen/<int:pk>/reisekosten/neu/", travel.claim_create_view, name="claim_create"),
    path("reisekosten/", travel.my_claims, name="my_claims"),
    path("reisekosten/<int:pk>/", travel.claim_detail, name="claim_detail"),
    path("reisekosten/<int:pk>/bearbeiten/", travel.claim_edit, name="claim_edit"),
    path("reisekosten/<int:pk>/position/", travel.claim_item_add_view, name="claim_item_add"),
    path(
        "reisekosten/<int:pk>/position/<int:item_pk>/entfernen/",
        travel.claim_item_remove_view,
        name="claim_item_remove",
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
    path("posteingang/", inboxes.contact_inbox, name="contact_inbox"),
    path("triage/", inboxes.triage_inbox, name="triage"),
    path("benachrichtigungen/", notifications.notification_list, name="notifications"),
]
