"""The administration of the ``exchanges`` app: each domain package registers its own models."""

from exchanges.cycle import admin as cycle_admin
from exchanges.notifications import admin as notifications_admin
from exchanges.privacy import admin as privacy_admin

__all__ = ["cycle_admin", "notifications_admin", "privacy_admin"]
