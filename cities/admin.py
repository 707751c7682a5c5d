"""The administration of the ``cities`` app: each domain package registers its own models."""

from cities.accounts import admin as accounts_admin
from cities.directory import admin as directory_admin
from cities.mail import admin as mail_admin
from cities.operations import admin as operations_admin

__all__ = ["accounts_admin", "directory_admin", "mail_admin", "operations_admin"]
