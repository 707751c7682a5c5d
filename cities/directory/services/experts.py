"""Changes to the expert pool from outside the administration (the REST API: an HR system keeps the
experts' departments and topics current)."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cities.directory.models import Department, ExpertProfile, ExpertTopic, Topic, User
from cities.records.versions import changed_fields, version_advance, version_check

EXPERT_FIELDS = (
    "position",
    "experience",
    "languages",
    "is_available",
    "availability_note",
    "max_exchanges_per_year",
)
UNCHANGED: Any = object()


@transaction.atomic
def expert_profile_update(
    *,
    expert: ExpertProfile,
    actor: User,
    data: dict[str, Any],
    department: Department | None = UNCHANGED,
    topics: Iterable[tuple[Topic, int]] | None = None,
    expected_version: int | None = None,
) -> ExpertProfile:
    """Change a profile, the expert's department (in their home city) and their topics with levels.

    Coordinators (and administrators) only. ``topics`` replaces all topics when given. A change on top of
    a newer version than ``expected_version`` is refused (``StaleVersion``).
    """
    if not actor.has_perm("cities.change_expert_pool"):
        raise PermissionDenied(_("Only coordinators change the expert pool."))
    expert = ExpertProfile.objects.select_for_update().select_related("user").get(pk=expert.pk)
    version_check(expert, expected_version)
    changed = changed_fields(expert, {name: data[name] for name in EXPERT_FIELDS if name in data})
    if department is not UNCHANGED and getattr(department, "pk", None) != expert.user.department_id:
        changed.append("department")
    if topics is not None:
        topics = list(topics)
        if len({topic.pk for topic, _level in topics}) != len(topics):
            raise ValidationError({"topics": _("Each topic only once, please.")})
        wanted = {topic.pk: level for topic, level in topics}
        if wanted != dict(ExpertTopic.objects.filter(expert=expert).values_list("topic_id", "level")):
            changed.append("topics")
    if changed:
        version_advance(expert, actor=actor, fields=changed)
    for name in EXPERT_FIELDS:
        if name in data:
            setattr(expert, name, data[name])
    if department is not UNCHANGED:
        person = User.objects.select_for_update().get(pk=expert.user_id)
        if department is None:
            raise ValidationError({"department": _("An expert must belong to a department of their city.")})
        if department.city_id != person.home_city_id:
            raise ValidationError({"department": _("The department must belong to the person's home city.")})
        person.department = department
        person.full_clean(exclude=["password"])
        person.save(update_fields=["department"])
        expert.user = person
    expert.full_clean()
    expert.save()
    if topics is not None:
        levels = {topic.pk: level for topic, level in topics}
        ExpertTopic.objects.filter(expert=expert).exclude(topic_id__in=levels).delete()
        for topic_id, level in levels.items():
            link, created = ExpertTopic.objects.get_or_create(
                expert=expert, topic_id=topic_id, defaults={"level": level}
            )
            if not created and link.level != level:
                link.level = level
                link.full_clean()
                link.save(update_fields=["level"])
    return expert
