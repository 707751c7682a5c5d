"""The outbox, read-only in the administration."""

from django.contrib import admin
from django.http import HttpRequest

from cities.mail.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to_address", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state"]
    search_fields = ["to_address", "subject", "key"]
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
