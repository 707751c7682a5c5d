"""/api/: the schema, the docs and version 1 of the REST API (docs/api.md). URL names are namespaced ``api:``."""

from django.urls import path, re_path

from exchanges.api.views import cycle, docs, experts, portal, requests, travel, trips

app_name = "api"

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
    path("v1/me/", portal.MeView.as_view(), name="me"),
    path("v1/cities/", portal.CityListView.as_view(), name="city_list"),
    path("v1/departments/", portal.DepartmentListView.as_view(), name="department_list"),
    path("v1/topics/", portal.TopicListView.as_view(), name="topic_list"),
    path("v1/topics/suggest/", portal.TopicSuggestView.as_view(), name="topic_suggest"),
    path("v1/requests/", requests.RequestListView.as_view(), name="request_list"),
    path("v1/requests/<int:pk>/", requests.RequestDetailView.as_view(), name="request_detail"),
    path(
        "v1/requests/<int:pk>/actions/<slug:action>/",
        requests.RequestActionView.as_view(),
        name="request_action",
    ),
    path("v1/requests/<int:pk>/timeline/", requests.TimelineView.as_view(), name="request_timeline"),
    path("v1/requests/<int:pk>/comments/", requests.CommentListView.as_view(), name="request_comments"),
    path("v1/requests/<int:pk>/routing/", requests.RoutingView.as_view(), name="request_routing"),
    path("v1/requests/<int:pk>/suggestions/", cycle.SuggestionsView.as_view(), name="request_suggestions"),
    path(
        "v1/requests/<int:pk>/invitations/",
        cycle.RequestInvitationListView.as_view(),
        name="request_invitations",
    ),
    path("v1/requests/<int:pk>/meeting/", cycle.MeetingView.as_view(), name="request_meeting"),
    path(
        "v1/requests/<int:pk>/past-exchange/", cycle.PastExchangeView.as_view(), name="request_past_exchange"
    ),
    path("v1/requests/<int:pk>/reflections/", cycle.ReflectionListView.as_view(), name="request_reflections"),
    path("v1/invitations/", cycle.MyInvitationListView.as_view(), name="invitation_list"),
    path("v1/invitations/<int:pk>/answer/", cycle.InvitationAnswerView.as_view(), name="invitation_answer"),
    path(
        "v1/invitations/<int:pk>/recorded-answer/",
        cycle.RecordedAnswerView.as_view(),
        name="invitation_recorded_answer",
    ),
    path("v1/knowledge/", cycle.KnowledgeBaseView.as_view(), name="knowledge_base"),
    path("v1/experts/", experts.ExpertListView.as_view(), name="expert_list"),
    path("v1/experts/<int:pk>/", experts.ExpertDetailView.as_view(), name="expert_detail"),
    path("v1/claims/", travel.ClaimListView.as_view(), name="claim_list"),
    path("v1/claims/<int:pk>/", travel.ClaimDetailView.as_view(), name="claim_detail"),
    path("v1/claims/<int:pk>/items/", travel.ClaimItemListView.as_view(), name="claim_items"),
    path("v1/claims/<int:pk>/items/<int:item_pk>/", travel.ClaimItemDetailView.as_view(), name="claim_item"),
    path(
        "v1/claims/<int:pk>/items/<int:item_pk>/receipts/",
        travel.ClaimReceiptView.as_view(),
        name="claim_item_receipts",
    ),
    path("v1/claims/<int:pk>/submit/", travel.ClaimSubmitView.as_view(), name="claim_submit"),
    path("v1/claims/<int:pk>/decision/", travel.ClaimDecisionView.as_view(), name="claim_decision"),
    path(
        "v1/claims/<int:pk>/items/<int:item_pk>/reduction/",
        travel.ClaimItemReductionView.as_view(),
        name="claim_item_reduction",
    ),
    path("v1/trips/", trips.TripListView.as_view(), name="trip_list"),
    path("v1/trips/<int:pk>/", trips.TripDetailView.as_view(), name="trip_detail"),
    path("v1/trips/<int:pk>/submit/", trips.TripSubmitView.as_view(), name="trip_submit"),
    path(
        "v1/trips/<int:pk>/supervisor-decision/",
        trips.TripSupervisorDecisionView.as_view(),
        name="trip_supervisor_decision",
    ),
    path("v1/trips/<int:pk>/cost-decision/", trips.TripCostDecisionView.as_view(), name="trip_cost_decision"),
    path("v1/trips/<int:pk>/cancel/", trips.TripCancelView.as_view(), name="trip_cancel"),
    path("v1/trips/<int:pk>/claim/", trips.TripClaimView.as_view(), name="trip_claim"),
    path("v1/finance/queue/", travel.FinanceQueueView.as_view(), name="finance_queue"),
    path("v1/finance/bookings/", travel.BookingListView.as_view(), name="booking_list"),
    path("v1/finance/batches/", travel.ExportBatchListView.as_view(), name="batch_list"),
    path("v1/finance/batches/<int:pk>/", travel.ExportBatchDetailView.as_view(), name="batch_detail"),
    path("v1/statistics/", travel.StatisticsView.as_view(), name="statistics"),
    # Last: every other address under /api/ answers 404 as problem+json.
    re_path(r"^.*$", docs.NotFoundView.as_view(), name="not_found"),
]
