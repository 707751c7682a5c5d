"""Which task goes to which queue (docs/scaling.md): read by the router and by the metrics."""

from typing import Any

from django.conf import settings

# Tasks with a queue of their own (docs/scaling.md); all others go to the default queue ("celery").
TASK_QUEUES = {
    "exchanges.tasks.route_request_task": "routing",
    "cities.tasks.send_email_task": "mail",
    "exchanges.tasks.book_claim_task": "finance",
}


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any) -> dict | None:
    """Celery router (CELERY_TASK_ROUTES): the task's queue, unless CELERY_SEPARATE_QUEUES is off."""

    queue = TASK_QUEUES.get(name) if settings.CELERY_SEPARATE_QUEUES else None
    return {"queue": queue} if queue else None
