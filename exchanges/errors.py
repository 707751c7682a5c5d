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
