"""The C+R cycle's background work: routing, notifications of steps and comments, reminders.

Thin: each task takes ids (or nothing), calls one service and is safe to run twice.
"""

from celery import shared_task
from django.utils import timezone

from exchanges.cycle.services import notifying
from exchanges.cycle.services.invitations import remind_open_invitations
from exchanges.cycle.services.meetings import remind_held
from exchanges.cycle.services.reflections import remind_reflections
from exchanges.cycle.services.routing import request_route
from exchanges.cycle.services.routing_learning import routing_model_train
from koopstadt.task_options import RETRY


@shared_task(name="exchanges.tasks.notify_timeline_entry_task", **RETRY)
def notify_timeline_entry_task(entry_id: int) -> int:
    return notifying.notify_timeline_entry(entry_id=entry_id)


@shared_task(name="exchanges.tasks.notify_comment_task", **RETRY)
def notify_comment_task(comment_id: int) -> int:
    return notifying.notify_comment(comment_id=comment_id)


@shared_task(name="exchanges.tasks.remind_overdue_requests_task", **RETRY)
def remind_overdue_requests_task() -> int:
    return notifying.remind_overdue(today=timezone.localdate())


@shared_task(name="exchanges.tasks.route_request_task", **RETRY)
def route_request_task(request_id: int) -> bool:
    return request_route(request_id=request_id)


@shared_task(name="exchanges.tasks.remind_open_invitations_task", **RETRY)
def remind_open_invitations_task() -> int:
    return remind_open_invitations(today=timezone.localdate())


@shared_task(name="exchanges.tasks.remind_held_task", **RETRY)
def remind_held_task() -> int:
    return remind_held(today=timezone.localdate())


@shared_task(name="exchanges.tasks.remind_reflections_task", **RETRY)
def remind_reflections_task() -> int:
    return remind_reflections(today=timezone.localdate())


@shared_task(name="exchanges.tasks.routing_learn_task", **RETRY)
def routing_learn_task() -> int:
    """Nightly: learn from the routings so far (a second run trains the same model again)."""
    return routing_model_train().example_count
