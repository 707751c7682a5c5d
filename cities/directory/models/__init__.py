"""The directory's models: cities, departments, topics, people (the user model) and the expert pool."""

from cities.directory.models.experts import ExpertProfile, ExpertTopic
from cities.directory.models.places import City, Department, DepartmentKeyword, FederalState
from cities.directory.models.topics import Topic, TopicKeyword
from cities.directory.models.users import User

__all__ = [
    "City",
    "Department",
    "DepartmentKeyword",
    "ExpertProfile",
    "ExpertTopic",
    "FederalState",
    "Topic",
    "TopicKeyword",
    "User",
]
