"""The ``cities`` app's model registry for Django (app loading, migrations, the admin).

Code imports models from their domain package (``cities.directory.models``, ``cities.accounts.models``,
``cities.mail.models``, ``cities.operations.models``); this module only gathers them, so that Django finds
every model of the app (docs/architecture.md).
"""

from cities.accounts.models import ApiScope, ApiToken
from cities.directory.models import (
    City,
    Department,
    DepartmentKeyword,
    ExpertProfile,
    ExpertTopic,
    FederalState,
    Topic,
    TopicKeyword,
    User,
)
from cities.mail.models import OutgoingEmail
from cities.operations.models import AppendOnlyError, AuditEvent, FailedTask
from cities.records.models import EditRecord

__all__ = [
    "ApiScope",
    "ApiToken",
    "AppendOnlyError",
    "AuditEvent",
    "City",
    "Department",
    "DepartmentKeyword",
    "EditRecord",
    "ExpertProfile",
    "ExpertTopic",
    "FailedTask",
    "FederalState",
    "OutgoingEmail",
    "Topic",
    "TopicKeyword",
    "User",
]
