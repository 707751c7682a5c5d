"""The audit log in the administration: read-only, for administrators and coordinators."""

from django.contrib import admin
from django.http import HttpRequest

from cities.operations.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "kind", "actor", "subject", "target", "ip_address"]
    list_filter = ["kind", ("occurred_at", admin.DateFieldListFilter)]
    date_hierarchy = "occurred_at"
    search_fields = [
        "actor__email",
        "actor__display_name",
        "subject__email",
        "subject__display_name",
        "target",
    ]
    list_select_related = ["actor", "subject"]
    readonly_fields = ["occurred_at", "kind", "actor", "subject", "target", "ip_address", "details"]
    fields = readonly_fields
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
