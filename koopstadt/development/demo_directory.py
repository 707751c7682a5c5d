"""Load the demo network. Idempotent: a second run finds everything in place and changes nothing."""

from typing import Any, TypeVar

from django.db import models, transaction

from cities.directory.models import (
    City,
    Department,
    DepartmentKeyword,
    ExpertProfile,
    ExpertTopic,
    Topic,
    TopicKeyword,
    User,
)
from cities.directory.roles import Role
from cities.directory.services.users import user_create, user_set_roles
from koopstadt.development import demo_data

M = TypeVar("M", bound=models.Model)


def _upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
    """Create the row, or update only the fields that differ (so nothing changes on a rerun)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save(update_fields=changed)
    return obj


def _ensure_user(
    email: str, name: str, department: Department, roles: list[Role], phone: str, *, account: bool = True
) -> User:
    """The person; with ``account`` they log in with the demo password, without it they have none."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return user_create(
            email=email,
            display_name=name,
            password=demo_data.DEMO_PASSWORD if account else None,
            department=department,
            roles=roles,
            phone=phone,
        )
    user = _upsert(
        User,
        {"pk": user.pk},
        {"display_name": name, "home_city": department.city, "department": department, "phone": phone},
    )
    if set(user.roles) != {role.value for role in roles}:
        user_set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def demo_load() -> dict[str, int]:
    topics = {}
    for slug, name, description, keywords, synonyms in demo_data.TOPICS:
        topic = _upsert(
            Topic,
            {"slug": slug},
            {"name": name, "name_en": demo_data.TOPIC_NAMES_EN.get(slug, ""), "description": description},
        )
        topics[slug] = topic
        for term in keywords:
            _upsert(TopicKeyword, {"topic": topic, "term": term}, {"kind": TopicKeyword.Kind.KEYWORD})
        for term in synonyms:
            _upsert(TopicKeyword, {"topic": topic, "term": term}, {"kind": TopicKeyword.Kind.SYNONYM})

    cities = {
        slug: _upsert(
            City,
            {"slug": slug},
            {"name": name, "federal_state": state, "is_network_member": True, "rate_code": rate_code},
        )
        for slug, name, state, rate_code in demo_data.CITIES
    }

    departments = {}
    for key, city_slug, name, short_name, parent, email, topic_slugs, keywords in demo_data.DEPARTMENTS:
        department = _upsert(
            Department,
            {"city": cities[city_slug], "name": name},
            {"short_name": short_name, "parent_name": parent, "email": email},
        )
        wanted = {topics[slug].pk for slug in topic_slugs}
        if set(department.topics.values_list("pk", flat=True)) != wanted:
            department.topics.set(wanted)
        for term in keywords:
            _upsert(DepartmentKeyword, {"department": department, "term": term}, {})
        departments[key] = department

    for email, name, department_key, roles, phone in demo_data.PEOPLE:
        _ensure_user(email, name, departments[department_key], [Role(role) for role in roles], phone)

    for (
        email,
        name,
        department_key,
        position,
        topic_levels,
        experience,
        languages,
        phone,
    ) in demo_data.EXPERTS:
        user = _ensure_user(email, name, departments[department_key], [Role.EXPERT, Role.STAFF], phone)
        profile = _upsert(
            ExpertProfile,
            {"user": user},
            {"position": position, "experience": experience, "languages": languages},
        )
        for slug, level in topic_levels:
            _upsert(ExpertTopic, {"expert": profile, "topic": topics[slug]}, {"level": level})

    for email, name, department_key, account in demo_data.SUPERVISORS:
        _ensure_user(email, name, departments[department_key], [Role.STAFF], "", account=account)
    for email, supervisor_email in demo_data.SUPERVISED_BY.items():
        person = User.objects.get(email=email)
        _upsert(User, {"pk": person.pk}, {"supervisor": User.objects.get(email=supervisor_email)})

    return {
        "cities": len(cities),
        "departments": len(departments),
        "topics": len(topics),
        "people": len(demo_data.PEOPLE),
        "experts": len(demo_data.EXPERTS),
    }
