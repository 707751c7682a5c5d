"""One id per web request, carried into every log line and into the Celery tasks the request caused.

The web process takes the ``X-Request-ID`` header the reverse proxy sets (nginx: ``$request_id``) or makes
one, answers with it, and keeps it in a context variable for the rest of the request. Every task queued
while it is set carries it as a message header; the worker sets it again before the task runs, so the
tasks' log lines (and the tasks those tasks queue) show the same id. A task that no request caused (a
periodic task of celery beat) starts an id of its own: its task id.
"""

import contextlib
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("koopstadt.requests")
task_logger = logging.getLogger("koopstadt.tasks")

HEADER = "X-Request-ID"
# Name of the Celery message header that carries the id.
TASK_HEADER = "request_id"
# Ids from outside are kept only if they look like ids: no spaces, quotes or line breaks in the logs.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
task_var: ContextVar[tuple[str, str] | None] = ContextVar("task", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


def current_task() -> tuple[str, str] | None:
    """(task name, task id) of the Celery task running in this context, if any."""
    return task_var.get()


def accepted_id(value: str | None) -> str:
    """The incoming id if it is a plausible one, else a new random id."""
    if value and _VALID_ID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Binds the request id, answers with it and logs one line per request (method, path, status, time)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_id(request.headers.get(HEADER))
        request.request_id = request_id
        # Kept until the response is closed (request_finished), so that Django's own lines about this
        # request (django.request, logged after the middleware) carry the id as well.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[HEADER] = request_id
        user = getattr(request, "user", None)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "http_method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


@receiver(request_finished, dispatch_uid="koopstadt.request_context.forget")
def forget_request_id(**_kwargs: Any) -> None:
    """The request is over: nothing logged from now on belongs to it."""
    request_id_var.set(None)


# --- Celery ----------------------------------------------------------------------------------------
# Tokens to restore the context after each task, by task id (a worker process runs one task at a time
# per thread; eager tasks nest inside the web request).
_task_tokens: dict[str, tuple[Token, Token]] = {}


def on_before_task_publish(headers: dict[str, Any] | None = None, **_kwargs: Any) -> None:
    """Put the current request id into the message of a task being queued."""
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def on_task_prerun(task_id: str | None = None, task: Any = None, **_kwargs: Any) -> None:
    request_id = getattr(task.request, TASK_HEADER, None) if task is not None else None
    # Eager tasks run inside the request: they keep its id. A periodic task starts its own.
    request_id = request_id or request_id_var.get() or task_id
    tokens = (request_id_var.set(request_id), task_var.set((getattr(task, "name", "?"), task_id or "")))
    if task_id:
        _task_tokens[task_id] = tokens
    task_logger.info("Task %s[%s] started", getattr(task, "name", "?"), task_id)


def on_task_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_kw: Any
) -> None:
    task_logger.info(
        "Task %s[%s] ended: %s", getattr(task, "name", "?"), task_id, state, extra={"state": state}
    )
    tokens = _task_tokens.pop(task_id or "", None)
    if tokens is not None:
        request_token, task_token = tokens
        # A task that ran in another context (a thread of its own) has nothing to restore here.
        with contextlib.suppress(ValueError):
            task_var.reset(task_token)
            request_id_var.reset(request_token)
