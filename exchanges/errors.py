"""The domain errors (defined in ``koopstadt.errors``, where every package can reach them)."""

from koopstadt.errors import DomainError, NotPermitted, StaleVersion, TransitionNotAllowed

__all__ = ["DomainError", "NotPermitted", "StaleVersion", "TransitionNotAllowed"]
