from django.urls import path

from exchanges.views import inboxes, notifications, requests

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
    path("posteingang/", inboxes.contact_inbox, name="contact_inbox"),
    path("triage/", inboxes.triage_inbox, name="triage"),
    path("benachrichtigungen/", notifications.notification_list, name="notifications"),
]
