from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from exchanges.notifications.forms import NotificationSettingsForm
from exchanges.notifications.models import Notification
from exchanges.notifications.services import notifications_mark_read, user_set_notification_mode


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    settings_form = NotificationSettingsForm(initial={"notification_mode": request.user.notification_mode})
    if request.method == "POST":
        if "mark_read" in request.POST:
            notifications_mark_read(user=request.user)
            messages.success(request, _("All notifications are marked as read."))
            return redirect("exchanges:notifications")
        settings_form = NotificationSettingsForm(request.POST)
        if settings_form.is_valid():
            user_set_notification_mode(
                user=request.user, mode=settings_form.cleaned_data["notification_mode"]
            )
            messages.success(request, _("Your e-mail setting has been saved."))
            return redirect("exchanges:notifications")
    notifications = Notification.objects.filter(recipient=request.user).select_related("request")
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "exchanges/notifications.html", {"page": page, "settings_form": settings_form})
