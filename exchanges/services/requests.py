"""Writes on C+R requests: drafts, the guarded transitions, comments, attachments, assignment."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cities.models import User
from exchanges.errors import DomainError, TransitionNotAllowed
from exchanges.models import (
    Attachment,
    Comment,
    ExchangeRequest,
    Occasion,
    ReferenceCounter,
    Status,
    TimelineEntry,
)
from exchanges.rules import actors_for, can_comment, can_comment_internally
from exchanges.services.deadlines import add_working_days
from exchanges.services.sequences import next_number
from exchanges.services.uploads import ATTACHMENT_KINDS, check_upload
from exchanges.workflow import TRANSITIONS, Actor
from koopstadt.dispatch import enqueue_after_commit

# The fields a requester fills in; nothing else (status, reference, requester, …) can be set through a form.
DRAFT_FIELDS = (
    "title",
    "need",
    "occasion",
    "occasion_date",
    "preferred_format",
    "direction",
    "include_own_city",
    "earliest_date",
    "latest_date",
    "travellers",
    "estimated_costs",
)
REQUIRED_FOR_SUBMISSION = (
    "title",
    "need",
    "occasion",
    "preferred_format",
    "direction",
    "earliest_date",
    "latest_date",
    "travellers",
)


def request_period_errors(data: dict[str, Any], *, today: date) -> dict[str, str]:
    """Date problems in request data (used by the form and again on submission)."""
    errors = {}
    earliest, latest, occasion_date = (
        data.get("earliest_date"),
        data.get("latest_date"),
        data.get("occasion_date"),
    )
    if earliest and earliest < today:
        errors["earliest_date"] = _("The earliest date lies in the past.")
    if latest and latest < today:
        errors["latest_date"] = _("The latest date lies in the past.")
    if earliest and latest and earliest > latest:
        errors.setdefault("latest_date", _("The latest date must not be before the earliest date."))
    if occasion_date and occasion_date < today:
        errors["occasion_date"] = _("The date of the event lies in the past.")
    return errors


def request_completeness_errors(request: ExchangeRequest, *, today: date) -> dict[str, str]:
    """What is missing or wrong before a draft may be submitted."""
    errors = {}
    for field in REQUIRED_FOR_SUBMISSION:
        if getattr(request, field) in (None, ""):
            errors[field] = _("Please fill in this field before submitting.")
    if request.pk and not request.topics.exists():
        errors["topics"] = _("Please choose at least one topic.")
    if request.occasion == Occasion.EVENT and not request.occasion_date:
        errors["occasion_date"] = _("Please give the date of the event.")
    values = {name: getattr(request, name) for name in ("earliest_date", "latest_date", "occasion_date")}
    errors.update(request_period_errors(values, today=today))
    return errors


@transaction.atomic
def request_save_draft(
    *,
    requester: User,
    data: dict[str, Any],
    request: ExchangeRequest | None = None,
    topics: Iterable[Any] = (),
    partner_cities: Iterable[Any] = (),
) -> ExchangeRequest:
    """Create a draft, or save changes to a draft or returned request of the requester."""
    if requester.home_city_id is None:
        raise DomainError(
            _("Only people with a home city can ask for an exchange. Please contact the coordination.")
        )
    if request is None:
        request = ExchangeRequest(
            requester=requester,
            requester_city_id=requester.home_city_id,
            requester_department_id=requester.department_id,
        )
    else:
        request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
        if request.requester_id != requester.pk:
            raise TransitionNotAllowed(_("Only the requester can change the request."))
        if not request.is_editable:
            raise TransitionNotAllowed(
                _("The request can no longer be changed: it is '%(status)s'.")
                % {"status": request.get_status_display()}
            )
    for field in DRAFT_FIELDS:
        if field in data:
            setattr(request, field, data[field])
    errors = request_period_errors(data, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    request.full_clean(exclude=["reference"])
    request.save()
    request.topics.set(topics)
    request.preferred_partner_cities.set(partner_cities)
    return request


def _next_reference(year: int) -> str:
    return f"CR-{year}-{next_number(ReferenceCounter, year):04d}"


def request_transition(
    *,
    request_id: int,
    action: str,
    actor: User | None,
    comment: str = "",
    expected_status: str | None = None,
) -> ExchangeRequest:
    """Take one step of the lifecycle (``exchanges.workflow.TRANSITIONS``), or refuse and change nothing.

    ``actor`` None means the portal itself (a Celery task). ``expected_status`` is the status the user
    saw when they clicked, so a stale form or a double click is refused instead of acting twice.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("This action does not exist."))
    comment = (comment or "").strip()
    with transaction.atomic():
        request = ExchangeRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise TransitionNotAllowed(_("This request does not exist."))
        current = Status(request.status)
        if expected_status is not None and expected_status != current:
            raise TransitionNotAllowed(
                _(
                    "The request was changed in the meantime and is now '%(status)s'. Nothing was done; please check."
                )
                % {"status": current.label}
            )
        if current not in transition.sources:
            raise TransitionNotAllowed(
                _("'%(action)s' is not possible while the request is '%(status)s'.")
                % {"action": transition.label, "status": current.label}
            )
        actors = frozenset({Actor.SYSTEM}) if actor is None else actors_for(actor, request)
        if not actors & transition.actors:
            raise TransitionNotAllowed(_("You may not take this step for this request."))
        if transition.comment_required and not comment:
            raise TransitionNotAllowed(_("Please give a reason."), field="comment")

        now = timezone.now()
        update_fields = ["status", "status_changed_at", "updated_at"]
        if action == "submit":
            errors = request_completeness_errors(request, today=timezone.localdate())
            if errors:
                raise ValidationError(errors)
            if not request.reference:
                request.reference = _next_reference(timezone.localdate().year)
                update_fields.append("reference")
            request.submitted_at = now
            request.contact_due_on = add_working_days(
                timezone.localdate(),
                settings.CONTACT_DEADLINE_WORKING_DAYS,
                request.requester_city.federal_state,
            )
            update_fields += ["submitted_at", "contact_due_on"]
        request.status = transition.target
        request.status_changed_at = now
        request.save(update_fields=update_fields)
        entry = TimelineEntry.objects.create(
            request=request,
            actor=actor,
            action=action,
            from_status=current,
            to_status=transition.target,
            comment=comment,
            is_public=transition.public,
            notification_pending=True,
        )
        from exchanges.tasks import notify_timeline_entry_task

        enqueue_after_commit(notify_timeline_entry_task, entry.pk)
        if transition.follow_up:
            follow_up = import_string(transition.follow_up)
            enqueue_after_commit(follow_up, request.pk)
    return request


@transaction.atomic
def comment_add(*, request: ExchangeRequest, author: User, body: str, is_internal: bool = False) -> Comment:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Please write a comment."), field="body")
    if not can_comment(author, request):
        raise TransitionNotAllowed(_("You may not comment on this request."))
    if is_internal and not can_comment_internally(author, request):
        raise TransitionNotAllowed(
            _("Only the coordination may write internal comments."), field="is_internal"
        )
    comment = Comment(
        request=request, author=author, body=body, is_internal=is_internal, notification_pending=True
    )
    comment.full_clean()
    comment.save()
    from exchanges.tasks import notify_comment_task

    enqueue_after_commit(notify_comment_task, comment.pk)
    return comment


@transaction.atomic
def attachment_add(*, request: ExchangeRequest, upload: UploadedFile, actor: User) -> Attachment:
    if request.requester_id != actor.pk or not request.is_editable:
        raise TransitionNotAllowed(_("Files can only be added while the requester edits the request."))
    data, kind = check_upload(upload, kinds=ATTACHMENT_KINDS, field="new_attachment")
    attachment = Attachment(
        request=request,
        original_name=upload.name[-255:],
        content_type=kind.content_type,
        size=len(data),
        sha256=Attachment.digest(data),
        uploaded_by=actor,
    )
    attachment.file.save(upload.name, ContentFile(data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: User) -> None:
    request = attachment.request
    if request.requester_id != actor.pk or not request.is_editable:
        raise TransitionNotAllowed(_("Files can only be removed while the requester edits the request."))
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


@transaction.atomic
def requests_assign(*, request_ids: Iterable[int], assignee: User | None, actor: User) -> int:
    """Assign requests to a coordinator (or to nobody). Recorded in each request's internal timeline."""
    from cities.roles import Role

    if not (actor.is_superuser or actor.has_role(Role.COORDINATOR)):
        raise TransitionNotAllowed(_("Only coordinators assign requests."))
    if assignee is not None and not (assignee.is_active and assignee.has_role(Role.COORDINATOR)):
        raise DomainError(_("Requests can only be assigned to coordinators."), field="assignee")
    changed = 0
    for request in (
        ExchangeRequest.objects.select_for_update()
        .filter(pk__in=list(request_ids))
        .exclude(status=Status.DRAFT)
    ):
        if request.assignee_id == (assignee.pk if assignee else None):
            continue
        request.assignee = assignee
        request.save(update_fields=["assignee", "updated_at"])
        TimelineEntry.objects.create(
            request=request,
            actor=actor,
            action="assign",
            from_status=request.status,
            to_status=request.status,
            comment=str(assignee) if assignee else _("nobody"),
            is_public=False,
        )
        changed += 1
    return changed
