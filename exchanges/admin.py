"""Read-only views of requests for coordinators: every change goes through the portal's services."""

from django.contrib import admin
from django.http import HttpRequest

from exchanges.models import ExchangeRequest, Notification, TimelineEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class TimelineInline(admin.TabularInline):
    model = TimelineEntry
    fields = ["created_at", "actor", "action", "from_status", "to_status", "comment", "is_public"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ExchangeRequest)
class ExchangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "status", "requester", "requester_city", "submitted_at", "assignee"]
    list_filter = ["status", "requester_city", "topics", "preferred_format"]
    search_fields = ["reference", "title", "need", "requester__display_name", "requester__email"]
    list_select_related = ["requester", "requester_city", "assignee"]
    date_hierarchy = "submitted_at"
    inlines = [TimelineInline]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "subject", "emailed", "read_at"]
    list_filter = ["emailed"]
    search_fields = ["subject", "recipient__email"]
    list_select_related = ["recipient"]
