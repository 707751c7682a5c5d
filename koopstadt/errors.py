"""The errors services raise for people to read. Pages show ``message`` next to ``field``; the API maps them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


class DomainError(Exception):
    """A business rule refused an action. ``message`` is for the user; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class TransitionNotAllowed(DomainError):
    pass


class NotPermitted(TransitionNotAllowed):
    """Refused because of who is acting (their role, or the four-eyes principle), whatever the state."""


@dataclass(frozen=True)
class Change:
    """One save somebody else made after the version a person started from."""

    version: int
    actor_name: str
    at: datetime
    fields: tuple[str, ...]  # model field names
    labels: tuple[str, ...]  # the same, as people read them


class StaleVersion(DomainError):
    """The object was changed after the person loaded it: their save is refused, their input is kept.

    ``changes`` says who changed what and when since ``expected``; ``current`` is the version now stored,
    which a form carries on so that a second, deliberate save goes through.
    """

    def __init__(self, message: str, *, expected: int, current: int, changes: Sequence[Change]) -> None:
        super().__init__(message)
        self.expected = expected
        self.current = current
        self.changes = tuple(changes)

    @property
    def changed_fields(self) -> set[str]:
        return {name for change in self.changes for name in change.fields}
