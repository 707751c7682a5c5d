from cities.models.experts import ExpertProfile, ExpertTopic
from cities.models.mail import OutgoingEmail
from cities.models.places import City, Department, DepartmentKeyword, FederalState
from cities.models.topics import Topic, TopicKeyword
from cities.models.users import User

__all__ = [
    "City",
    "Department",
    "DepartmentKeyword",
    "ExpertProfile",
    "ExpertTopic",
    "FederalState",
    "OutgoingEmail",
    "Topic",
    "TopicKeyword",
    "User",
]
