"""The notification centre (names in the ``exchanges`` namespace)."""

from django.urls import path

from exchanges.notifications import views as notifications

urlpatterns = [
    path("benachrichtigungen/", notifications.notification_list, name="notifications"),
]
