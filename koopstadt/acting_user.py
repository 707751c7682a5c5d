"""Who is acting in the current request, for audit records written by signal handlers.

Signal handlers (role changes through ``User.groups``, deactivation in the administration) have no
request of their own. ``koopstadt.security_middleware.ActingUserMiddleware`` sets the logged-in person
here for the duration of each request, so that such changes are recorded with the person who made
them. Outside a request (tasks, management commands) there is no acting person.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

    from cities.directory.models import User

_acting_user: ContextVar["User | None"] = ContextVar("koopstadt_acting_user", default=None)
_acting_request: ContextVar["HttpRequest | None"] = ContextVar("koopstadt_acting_request", default=None)


def acting_user() -> "User | None":
    """The logged-in person of the current request, or None outside a request."""
    return _acting_user.get()


def acting_request() -> "HttpRequest | None":
    return _acting_request.get()


@contextmanager
def acting_as(user: "User | None", request: "HttpRequest | None" = None) -> Iterator[None]:
    """Record ``user`` (and ``request``) as acting for the duration of the block."""
    user_token = _acting_user.set(user if user is not None and user.is_authenticated else None)
    request_token = _acting_request.set(request)
    try:
        yield
    finally:
        _acting_user.reset(user_token)
        _acting_request.reset(request_token)
