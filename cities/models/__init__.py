from cities.models.audit import AppendOnlyError, AuditEvent, EditRecord, FailedTask
from cities.models.experts import ExpertProfile, ExpertTopic
from cities.models.mail import OutgoingEmail
from cities.models.places import City, Department, DepartmentKeyword, FederalState
from cities.models.tokens import ApiScope, ApiToken
from cities.models.topics import Topic, TopicKeyword
from cities.models.users import User

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
