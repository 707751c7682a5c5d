"""Reads of the operations: tasks that failed and wait for a person."""

from django.db.models import Case, IntegerField, Value, When

from cities.operations.models import FailedTask


def failed_tasks_open_count() -> int:
    """Failed tasks nobody has handled yet (the operations page, the metrics)."""

    return FailedTask.objects.filter(state=FailedTask.State.FAILED).count()


def failed_tasks_for_review():
    """Failed tasks for the operations page: still open ones first, then the newest."""

    return FailedTask.objects.select_related("handled_by").order_by(
        Case(
            When(state=FailedTask.State.FAILED, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        "-failed_at",
        "-pk",
    )
