"""What domains above the cycle attach to it, without the cycle importing them (docs/architecture.md).

- ``CLOSING_HOOKS``: run in the transaction that closes a request (withdrawn, rejected, cancelled), after
  the cycle's own closing effects — e.g. travel cancels the trips not yet claimed.
- ``REQUEST_PAGE_SECTIONS``: each returns what the request page shows of its domain for a person (a
  template and its context), or None — e.g. travel lists the exchange's trip requests.

Each domain registers from its app's ``ready()``.
"""

from collections.abc import Callable
from typing import Any

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest

CLOSING_HOOKS: list[Callable[..., None]] = []
REQUEST_PAGE_SECTIONS: list[Callable[[User, ExchangeRequest], dict[str, Any] | None]] = []


def on_request_closed(hook: Callable[..., None]) -> Callable[..., None]:
    if hook not in CLOSING_HOOKS:
        CLOSING_HOOKS.append(hook)
    return hook


def request_page_section(section: Callable[[User, ExchangeRequest], dict[str, Any] | None]):
    if section not in REQUEST_PAGE_SECTIONS:
        REQUEST_PAGE_SECTIONS.append(section)
    return section


def run_closing_hooks(*, request: ExchangeRequest, actor: User | None) -> None:
    """The closing effect the transition table names (``CLOSING_EFFECTS``)."""
    for hook in CLOSING_HOOKS:
        hook(request=request, actor=actor)


def request_page_sections(user: User, request: ExchangeRequest) -> list[dict[str, Any]]:
    return [shown for section in REQUEST_PAGE_SECTIONS if (shown := section(user, request))]
