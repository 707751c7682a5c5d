"""Work of the C+R cycle recorded but never done: routing after acceptance, step and comment notices."""

from exchanges.cycle.models import Comment, ExchangeRequest, Status, TimelineEntry
from koopstadt.sweeping import register

register(
    "routing",
    "exchanges.tasks.route_request_task",
    lambda cutoff: ExchangeRequest.objects.filter(
        status=Status.ROUTING, status_changed_at__lt=cutoff, routing_decisions__isnull=True
    ).values_list("pk", flat=True),
)
register(
    "notifications",
    "exchanges.tasks.notify_timeline_entry_task",
    lambda cutoff: TimelineEntry.objects.filter(notification_pending=True, created_at__lt=cutoff).values_list(
        "pk", flat=True
    ),
)
register(
    "notifications",
    "exchanges.tasks.notify_comment_task",
    lambda cutoff: Comment.objects.filter(notification_pending=True, created_at__lt=cutoff).values_list(
        "pk", flat=True
    ),
)
