"""Notifications, read-only in the administration."""

from django.contrib import admin

from exchanges.notifications.models import Notification
from koopstadt.read_only_admin import ReadOnlyAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "subject", "emailed", "read_at"]
    list_filter = ["emailed"]
    search_fields = ["subject", "recipient__email"]
    list_select_related = ["recipient"]
