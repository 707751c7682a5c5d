"""Read-only views of requests for coordinators: every change goes through the portal's services."""

from django.contrib import admin
from django.http import HttpRequest

from exchanges.cycle.models import ExchangeRequest, TimelineEntry
from koopstadt.read_only_admin import ReadOnlyAdmin


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
