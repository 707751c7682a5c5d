"""Writes on C+R requests: drafts, the guarded transitions, comments, attachments, assignment."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cities.directory.models import User
from cities.directory.rules import is_coordinator
from cities.records.versions import changed_fields, version_advance, version_check
from exchanges.cycle.facts import request_input_errors
from exchanges.cycle.models import (
    Attachment,
    Comment,
    ExchangeRequest,
    ReferenceCounter,
    Status,
    TimelineEntry,
)
from exchanges.cycle.rules import (
    actors_for,
    can_comment,
    can_comment_internally,
    can_edit_request,
    comment_required_for,
    may_request,
    missing_facts,
)
from exchanges.cycle.services.deadlines import add_working_days
from exchanges.cycle.workflow import TRANSITIONS, Actor
from koopstadt.dispatch import enqueue_after_commit
from koopstadt.errors import DomainError, NotPermitted, TransitionNotAllowed
from koopstadt.sequences import next_number
from koopstadt.uploads import ATTACHMENT_KINDS, check_upload

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


def request_check_may_ask(*, actor: User) -> None:
    """Refuse, with the reason, what ``exchanges.cycle.rules.may_request`` does not allow."""
    if not may_request(actor):
        raise NotPermitted(
            _("Only people with a home city can ask for an exchange. Please contact the coordination.")
        )


def request_check_editable(*, actor: User, request: ExchangeRequest) -> None:
    """Refuse, with the reason, what ``exchanges.cycle.rules.can_edit_request`` does not allow."""
    if can_edit_request(actor, request):
        return
    if request.requester_id != actor.pk:
        raise NotPermitted(_("Only the requester can change the request."))
    raise TransitionNotAllowed(
        _("The request can no longer be changed: it is '%(status)s'.")
        % {"status": request.get_status_display()}
    )


@transaction.atomic
def request_save_draft(
    *,
    requester: User,
    data: dict[str, Any],
    request: ExchangeRequest | None = None,
    topics: Iterable[Any] = (),
    partner_cities: Iterable[Any] = (),
    expected_version: int | None = None,
) -> ExchangeRequest:
    """Create a draft, or save changes to a draft or returned request of the requester.

    ``expected_version`` is the version the person's form (or API client) started from: a save on top of
    a newer version is refused with who changed what (``StaleVersion``) and changes nothing.
    """
    request_check_may_ask(actor=requester)
    if request is None:
        request = ExchangeRequest(
            requester=requester,
            requester_city_id=requester.home_city_id,
            requester_department_id=requester.department_id,
        )
    else:
        request = ExchangeRequest.objects.select_for_update().get(pk=request.pk)
        request_check_editable(actor=requester, request=request)
    topics, partner_cities = list(topics), list(partner_cities)
    if request.pk:
        version_check(request, expected_version)
        changed = changed_fields(
            request,
            {
                **{field: data[field] for field in DRAFT_FIELDS if field in data},
                "topics": topics,
                "preferred_partner_cities": partner_cities,
            },
        )
    for field in DRAFT_FIELDS:
        if field in data:
            setattr(request, field, data[field])
    errors = request_input_errors(data, today=timezone.localdate())
    if errors:
        raise ValidationError(errors)
    if request.pk and changed:
        version_advance(request, actor=requester, fields=changed)
    request.full_clean(exclude=["reference"])
    request.save()
    request.topics.set(topics)
    request.preferred_partner_cities.set(partner_cities)
    return request


def _next_reference(year: int) -> str:
    return f"CR-{year}-{next_number(ReferenceCounter, year):04d}"


def request_number_and_deadline(*, request: ExchangeRequest) -> list[str]:
    """What submitting sets on the request (``TRANSITIONS["submit"].sets``): the reference number (kept
    when a returned request comes back), the time of submission and the city contact's deadline in
    working days. Returns the fields it set."""
    fields = ["submitted_at", "contact_due_on"]
    if not request.reference:
        request.reference = _next_reference(timezone.localdate().year)
        fields.append("reference")
    request.submitted_at = request.status_changed_at
    request.contact_due_on = add_working_days(
        timezone.localdate(), settings.CONTACT_DEADLINE_WORKING_DAYS, request.requester_city.federal_state
    )
    return fields


def request_transition(
    *,
    request_id: int,
    action: str,
    actor: User | None,
    comment: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
    from_service: bool = False,
) -> ExchangeRequest:
    """Take one step of the lifecycle (``exchanges.cycle.workflow.TRANSITIONS``), or refuse and change nothing.

    Inside one transaction that locks the request: the state, who is acting, the step's facts and
    checks, the version the caller started from; then the new state, a timeline entry, the step's
    effects, and (after the commit) its notifications and follow-up task.

    ``actor`` None means the portal itself (a Celery task, or a step caused by another fact).
    ``expected_status`` is the status the person saw when they clicked, so a stale page or a double click
    is refused instead of acting twice; ``expected_version`` does the same for an API client's If-Match.
    ``from_service`` is set by the services that take the steps which are never buttons (``taken_by``).
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
        if not transition.is_direct and not from_service:
            raise TransitionNotAllowed(
                _("'%(action)s' is not a step of its own: it happens by %(how)s.")
                % {"action": transition.label, "how": transition.taken_by}
            )
        if current not in transition.sources:
            raise TransitionNotAllowed(
                _("'%(action)s' is not possible while the request is '%(status)s'.")
                % {"action": transition.label, "status": current.label}
            )
        actors = frozenset({Actor.SYSTEM}) if actor is None else actors_for(actor, request)
        if not actors & transition.actors:
            raise NotPermitted(_("You may not take this step for this request."))
        if not comment and comment_required_for(actor, request, transition):
            message = (
                _("Please give a reason.")
                if transition.comment_required
                else _("You were not there: please say who confirmed it to you.")
            )
            raise TransitionNotAllowed(message, field="comment")
        version_check(request, expected_version)
        for check in transition.checks:
            check(request)
        missing = missing_facts(transition, request)
        if missing:
            raise TransitionNotAllowed(" ".join(missing))

        request.status = transition.target
        request.status_changed_at = timezone.now()
        update_fields = ["status", "status_changed_at", "updated_at", "version"]
        for sets in transition.sets:
            update_fields += import_string(sets)(request=request)
        version_advance(request, actor=actor, fields=["status"])
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
        for effect in transition.effects:
            import_string(effect)(request=request, actor=actor)
        enqueue_after_commit("exchanges.tasks.notify_timeline_entry_task", entry.pk)
        if transition.follow_up:
            enqueue_after_commit(transition.follow_up, request.pk)
    return request


def comment_check_allowed(*, author: User, request: ExchangeRequest, is_internal: bool = False) -> None:
    """Refuse what ``can_comment`` (and, for an internal comment, ``can_comment_internally``) does not allow."""
    if not can_comment(author, request):
        raise NotPermitted(_("You may not comment on this request."))
    if is_internal and not can_comment_internally(author, request):
        raise TransitionNotAllowed(
            _("Only the coordination may write internal comments."), field="is_internal"
        )


@transaction.atomic
def comment_add(*, request: ExchangeRequest, author: User, body: str, is_internal: bool = False) -> Comment:
    comment_check_allowed(author=author, request=request, is_internal=is_internal)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Please write a comment."), field="body")
    comment = Comment(
        request=request, author=author, body=body, is_internal=is_internal, notification_pending=True
    )
    comment.full_clean()
    comment.save()
    enqueue_after_commit("exchanges.tasks.notify_comment_task", comment.pk)
    return comment


@transaction.atomic
def attachment_add(*, request: ExchangeRequest, upload: UploadedFile, actor: User) -> Attachment:
    if not can_edit_request(actor, request):
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
    if not can_edit_request(actor, attachment.request):
        raise TransitionNotAllowed(_("Files can only be removed while the requester edits the request."))
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


@transaction.atomic
def requests_assign(*, request_ids: Iterable[int], assignee: User | None, actor: User) -> int:
    """Assign requests to a coordinator (or to nobody). Recorded in each request's internal timeline."""
    if not is_coordinator(actor):
        raise NotPermitted(_("Only coordinators assign requests."))
    if assignee is not None and not is_coordinator(assignee):
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
        version_advance(request, actor=actor, fields=["assignee"])
        request.save(update_fields=["assignee", "updated_at", "version"])
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
