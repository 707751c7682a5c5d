"""Addresses of the C+R cycle: requests, inboxes, routing, invitations, the meeting, reflections,
the knowledge base (names in the ``exchanges`` namespace, see exchanges/urls.py)."""

from django.urls import path

from exchanges.cycle.views import cycle, inboxes, requests

urlpatterns = [
    path("anfragen/", requests.request_list, name="request_list"),
    path("anfragen/neu/", requests.request_create, name="request_create"),
    path("anfragen/themenvorschlaege/", requests.request_topic_suggestions, name="request_topic_suggestions"),
    path("anfragen/aehnliche/", requests.similar_exchanges_fragment, name="similar_exchanges"),
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
    path("anfragen/<int:pk>/nachtraeglich/", cycle.past_exchange_record, name="past_exchange_record"),
    path(
        "anfragen/<int:pk>/einladung/<int:invitation_pk>/antwort-erfassen/",
        cycle.invitation_record_answer,
        name="invitation_record_answer",
    ),
    path("anfragen/<int:pk>/reflexion/", cycle.reflection_create, name="reflection_create"),
    path("einladungen/", cycle.my_invitations, name="my_invitations"),
    path("einladungen/<int:invitation_pk>/", cycle.invitation_answer_in_portal, name="invitation_answer"),
    path("einladung/<str:token>/", cycle.invitation_answer_by_link, name="invitation_answer_link"),
    path("wissen/", cycle.knowledge_base_view, name="knowledge_base"),
    path("posteingang/", inboxes.contact_inbox, name="contact_inbox"),
    path("triage/", inboxes.triage_inbox, name="triage"),
]
