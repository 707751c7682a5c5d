"""Operations pages ("Betrieb") for coordinators and administrators: the overview of the technical pages and
the background tasks that failed for good."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cities.operations.failed_tasks import FailedTaskError, failed_task_dismiss, failed_task_retry
from cities.operations.models import FailedTask
from cities.operations.rules import (
    PERMISSION_FAILED_TASKS,
    may_handle_failed_tasks,
    may_see_operations,
    may_use_administration,
)
from cities.operations.selectors import failed_tasks_for_review, failed_tasks_open_count

PERMISSION = PERMISSION_FAILED_TASKS


@login_required
def operations(request: HttpRequest) -> HttpResponse:
    """The technical pages under one entry of the navigation, each only for whom may open it."""
    user = request.user
    if not may_see_operations(user):
        raise PermissionDenied
    may_handle = may_handle_failed_tasks(user)
    return render(
        request,
        "portal/operations.html",
        {
            "may_handle_failed_tasks": may_handle,
            "may_use_administration": may_use_administration(user),
            "open_count": failed_tasks_open_count() if may_handle else 0,
        },
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
def failed_tasks(request: HttpRequest) -> HttpResponse:
    page = Paginator(failed_tasks_for_review(), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    open_count = failed_tasks_open_count()
    return render(request, "portal/failed_tasks.html", {"page": page, "open_count": open_count})


@require_POST
@login_required
@permission_required(PERMISSION, raise_exception=True)
def failed_task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    services = {"retry": failed_task_retry, "dismiss": failed_task_dismiss}
    if action not in services:
        raise Http404
    try:
        failed_task = services[action](failed_task_id=pk, actor=request.user)
    except FailedTask.DoesNotExist as missing:
        raise Http404 from missing
    except FailedTaskError as error:
        messages.error(request, error.message)
    else:
        if action == "retry":
            messages.success(request, _("%(task)s was queued again.") % {"task": failed_task.task_name})
        else:
            messages.success(request, _("%(task)s was dismissed.") % {"task": failed_task.task_name})
    return redirect("failed_tasks")
