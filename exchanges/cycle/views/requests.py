"""The requester's pages and the request page everyone involved shares."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cities.directory.suggestions import topic_suggestions
from exchanges.cycle.facts import request_completeness_errors
from exchanges.cycle.forms import (
    CommentForm,
    ProposeExpertsForm,
    RecordAnswerForm,
    RequestForm,
    RoutingCorrectionForm,
    TransitionForm,
)
from exchanges.cycle.hooks import request_page_sections
from exchanges.cycle.models import ExchangeRequest, InvitationStatus, Meeting, Status
from exchanges.cycle.models.requests import CLOSED_STATUSES
from exchanges.cycle.progress import CLOSED_EARLY, cycle_steps, done_message, primary_step, who_acts_next
from exchanges.cycle.rules import (
    PROPOSING_STATUSES,
    available_transitions,
    can_comment,
    can_comment_internally,
    can_edit_request,
    can_see_routing,
    comment_required_for,
    is_coordination,
    may_claim,
    may_correct_routing,
    may_propose_experts,
    may_record_answer,
    may_record_past_exchange,
    may_request,
    may_set_meeting,
    may_take,
    may_withdraw_invitations,
    may_write_reflection,
    remember_cycle_data,
    visible_reflections,
    waiting_for_fact,
)
from exchanges.cycle.selectors import (
    comments_for,
    expert_suggestions,
    my_requests,
    newest,
    request_get_for_user,
    return_question,
    similar_exchanges,
    tied_routing_decisions,
    timeline_for,
)
from exchanges.cycle.services.requests import (
    attachment_add,
    attachment_remove,
    comment_add,
    request_check_editable,
    request_check_may_ask,
    request_save_draft,
    request_transition,
)
from exchanges.cycle.workflow import TRANSITIONS
from koopstadt.downloads import protected_download
from koopstadt.errors import DomainError, NotPermitted, StaleVersion
from koopstadt.versioned_forms import form_show_stale


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(my_requests(user=request.user), settings.LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "exchanges/request_list.html", {"page": page, "may_request": may_request(request.user)}
    )


def _suggestions_context(title: str, need: str, chosen: list[str]) -> dict:
    """The topics the text typed so far is about, and which of them are ticked already."""
    text = f"{title or ''} {need or ''}".strip()
    return {
        "topic_suggestions": topic_suggestions(text) if text else [],
        "topics_chosen": {int(pk) for pk in chosen if str(pk).isdigit()},
        "suggestions_text": bool(text),
    }


def _typed(form: RequestForm, name: str) -> str:
    """What the form shows in a text field now: what was sent, else its initial value or the draft's."""
    if form.is_bound:
        return form.data.get(name, "")
    if name in form.initial:
        return form.initial[name] or ""
    return getattr(form.instance, name, "") or ""


def _typed_topics(form: RequestForm) -> list[str]:
    if form.is_bound:
        return form.data.getlist("topics")
    if "topics" in form.initial:
        return [str(getattr(topic, "pk", topic)) for topic in form.initial["topics"]]
    return [str(pk) for pk in form.instance.topics.values_list("pk", flat=True)] if form.instance.pk else []


def _similar_context(
    user, *, text: str, exchange: ExchangeRequest | None, may_settle: bool | None = None
) -> dict:
    """The panel "Vielleicht hilft das schon": completed exchanges like ``text``, and for a request that can
    still be withdrawn by this person the one-click "hat sich erledigt" (the rule the service asks;
    ``may_settle`` when the caller has asked it already)."""
    if may_settle is None:
        may_settle = exchange is not None and may_take(user, exchange, TRANSITIONS["withdraw"])
    return {
        "similar": similar_exchanges(
            text=text, viewer=user, exclude_request_id=exchange.pk if exchange is not None else None
        ),
        "similar_exchange": exchange,
        "similar_text_given": bool(text.strip()),
        "may_settle": may_settle,
    }


def _form_page(
    http_request: HttpRequest, form: RequestForm, exchange: ExchangeRequest | None, *, status: int = 200
) -> HttpResponse:
    """The request form; a returned request's page shows the contact person's question above the answer.
    Beside the form, for the text typed so far (also without JavaScript): the topics it is about
    (``topic_suggestions``) and completed exchanges like it (``similar_exchanges``)."""
    title, need = _typed(form, "title"), _typed(form, "need")
    context = {
        "form": form,
        "exchange": exchange,
        "question": return_question(request=exchange) if exchange is not None else None,
        **_suggestions_context(title, need, _typed_topics(form)),
        **_similar_context(http_request.user, text=f"{title} {need}", exchange=exchange),
        "similar_live": True,
    }
    return render(http_request, "exchanges/request_form.html", context, status=status)


def _form_as_typed(http_request: HttpRequest, instance: ExchangeRequest | None) -> RequestForm:
    """The form again with everything that was sent (nothing saved, no errors shown): the answer to
    "suggest topics" and to a suggested topic chosen without JavaScript. The version sent is kept, so
    saving later still notices a change somebody else made meanwhile."""
    data = http_request.POST
    form = RequestForm(instance=instance, requester=http_request.user)
    initial = {}
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.CheckboxInput):
            initial[name] = name in data
        elif isinstance(field.widget, forms.CheckboxSelectMultiple):
            initial[name] = data.getlist(name)
        elif name in data and not isinstance(field, forms.FileField):
            initial[name] = data.get(name)
    added = data.get("add_topic", "")
    if added.isdigit() and added not in initial["topics"]:
        topic = form.fields["topics"].queryset.filter(pk=added).first()
        if topic is not None:
            initial["topics"] = [*initial["topics"], added]
            messages.info(
                http_request,
                _("Topic “%(topic)s” chosen. It is saved with “Save draft” or “Save and submit”.")
                % {"topic": topic.display_name},
            )
    if http_request.FILES.get("new_attachment"):
        messages.warning(
            http_request,
            _("Please choose the file %(name)s again: browsers do not keep a chosen file.")
            % {"name": http_request.FILES["new_attachment"].name},
        )
    return RequestForm(instance=instance, requester=http_request.user, initial=initial)


@login_required
def request_topic_suggestions(request: HttpRequest) -> HttpResponse:
    """The topic suggestions for the title and need typed so far (htmx asks as the requester writes)."""
    context = _suggestions_context(
        request.GET.get("title", ""), request.GET.get("need", ""), request.GET.getlist("topics")
    )
    response = render(request, "exchanges/_topic_suggestions.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _save_request_form(http_request: HttpRequest, instance: ExchangeRequest | None) -> HttpResponse:
    user = http_request.user
    form = RequestForm(
        http_request.POST or None, http_request.FILES or None, instance=instance, requester=user
    )
    if http_request.method == "POST" and (
        "suggest_topics" in http_request.POST or "add_topic" in http_request.POST
    ):
        return _form_page(http_request, _form_as_typed(http_request, instance), instance)
    if http_request.method == "POST" and form.is_valid():
        wants_submit = "submit" in http_request.POST
        note = form.cleaned_data.get("note", "")
        try:
            with transaction.atomic():
                saved = request_save_draft(
                    requester=user,
                    request=instance,
                    data=form.cleaned_data,
                    topics=form.cleaned_data["topics"],
                    partner_cities=form.cleaned_data["preferred_partner_cities"],
                    expected_version=form.cleaned_data.get("version") if instance else None,
                )
                for attachment in saved.attachments.filter(
                    pk__in=form.cleaned_data.get("remove_attachments") or []
                ):
                    attachment_remove(attachment=attachment, actor=user)
                if form.cleaned_data.get("new_attachment"):
                    attachment_add(request=saved, upload=form.cleaned_data["new_attachment"], actor=user)
        except ValidationError as error:
            _add_errors(form, error)
        except StaleVersion as error:
            # Somebody else (another tab, another person) saved first: nothing is overwritten, and the
            # form comes back with everything typed and what changed meanwhile.
            form_show_stale(form, error, ExchangeRequest.objects.get(pk=instance.pk))
            return _form_page(http_request, form, instance, status=409)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if not wants_submit:
                if note.strip():
                    # The note (the answer) is the comment of the step "submit": it is not sent yet, and the
                    # page keeps it instead of dropping it.
                    messages.warning(
                        http_request,
                        _(
                            "Your changes have been saved. Your answer has not been sent yet: it is sent with "
                            "the request when you choose “Save and submit”."
                        )
                        if saved.status == Status.RETURNED
                        else _(
                            "Your draft has been saved. Your note has not been sent yet: it is sent with the "
                            "request when you choose “Save and submit”."
                        ),
                    )
                    kept = RequestForm(instance=saved, requester=user, initial={"note": note})
                    return _form_page(http_request, kept, saved)
                messages.success(http_request, _("Your draft has been saved. You can continue later."))
                return redirect(saved)
            try:
                submitted = request_transition(
                    request_id=saved.pk,
                    action="submit",
                    actor=user,
                    comment=note,
                    expected_status=saved.status,
                    expected_version=saved.version,
                )
            except ValidationError as error:
                # The draft is saved; show what is missing next to the fields, with everything typed. The
                # form goes on from the version just saved (saving again is not somebody else's change).
                _add_errors(form, error)
                form.data = form.data.copy()
                form.data["version"] = str(saved.version)
                messages.warning(
                    http_request, _("Your draft has been saved, but it cannot be submitted yet.")
                )
                return _form_page(http_request, form, saved)
            except DomainError as error:
                messages.error(http_request, error.message)
                return redirect(saved)
            messages.success(http_request, done_message("submit", submitted, user))
            return redirect(saved)
    return _form_page(http_request, form, instance)


def _add_errors(form: RequestForm, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)


def _submission_incomplete(
    http_request: HttpRequest, exchange: ExchangeRequest, error: ValidationError, *, note: str
) -> HttpResponse:
    """ "Submit request" on the request page of an incomplete draft: its edit page, with each missing
    field marked next to it and named in the error summary (not one general message per field), and the
    note typed on the request page kept."""
    form = RequestForm(instance=exchange, requester=http_request.user, initial={"note": note})
    form.cleaned_data = {}  # an unbound form with errors: what the service found, not a validation
    _add_errors(form, error)
    messages.warning(http_request, _("The request has not been submitted yet: some information is missing."))
    return _form_page(http_request, form, exchange)


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    # The rule itself, not has_perm: administrators pass every has_perm, but a request needs a home city.
    try:
        request_check_may_ask(actor=request.user)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    return _save_request_form(request, None)


@login_required
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    # The rule itself (through the service's check), not has_perm: superusers pass every has_perm, but
    # only the requester edits.
    try:
        request_check_editable(actor=request.user, request=exchange)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(exchange)
    return _save_request_form(request, exchange)


def _detail(
    http_request: HttpRequest,
    exchange: ExchangeRequest,
    *,
    bound: TransitionForm | None = None,
    comment_form: CommentForm | None = None,
    routing_form: RoutingCorrectionForm | None = None,
    propose_form: ProposeExpertsForm | None = None,
    answer_forms: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    user = http_request.user
    transitions = available_transitions(user, exchange)
    transition_forms = []
    for transition in transitions:
        if bound is not None and bound.transition.action == transition.action:
            transition_forms.append(bound)
        else:
            transition_forms.append(
                TransitionForm(
                    transition=transition,
                    comment_required=comment_required_for(user, exchange, transition),
                    request=exchange,
                    initial={"expected_status": exchange.status},
                )
            )
    # The rules themselves, not has_perm (superusers pass every has_perm): what comment_add asks.
    may_comment = can_comment(user, exchange)
    if comment_form is None and may_comment:
        comment_form = CommentForm()
    if comment_form is not None and not can_comment_internally(user, exchange):
        comment_form.fields.pop("is_internal", None)
    cycle = _cycle_context(
        user, exchange, routing_form=routing_form, propose_form=propose_form, answer_forms=answer_forms
    )
    may_edit = can_edit_request(user, exchange)
    progress = _progress_context(user, exchange, cycle, transitions=transitions, may_edit=may_edit)
    for form in transition_forms:
        # One primary button per page: the person's next step; the other steps are secondary.
        button = form.transition.button_class
        form.button_class = (
            "btn-primary"
            if form.transition.action == progress["primary_step"]
            else "btn-outline-primary"
            if button == "btn-primary"
            else button
        )
    # ?timeline=all and ?comments=all unfold what the page shows of a long history (newest first).
    unfolded = {name for name in ("timeline", "comments") if http_request.GET.get(name) == "all"}
    coordination_view = is_coordination(user, exchange)
    context = {
        **cycle,
        **progress,
        "exchange": exchange,
        "timeline": newest(timeline_for(user=user, request=exchange), everything="timeline" in unfolded),
        "comments": newest(comments_for(user=user, request=exchange), everything="comments" in unfolded),
        # Links that unfold one list and keep the other as it is.
        "all_timeline_query": _unfold_query(unfolded | {"timeline"}),
        "all_comments_query": _unfold_query(unfolded | {"comments"}),
        "transition_forms": transition_forms,
        "comment_form": comment_form if may_comment else None,
        "may_edit": may_edit,
        "coordination_view": coordination_view,
        # Why "it took place" is not offered yet (the meeting has not begun), for those who will confirm it.
        "held_hint": waiting_for_fact(user, exchange, "mark_held"),
    }
    if coordination_view:
        chosen = [str(topic.pk) for topic in exchange.topics.all()]
        context.update(_suggestions_context(exchange.title, exchange.need, chosen))
    may_withdraw = any(transition.action == "withdraw" for transition in transitions)
    context.update(
        _similar_panel(user, exchange, coordination_view=coordination_view, may_withdraw=may_withdraw)
    )
    return render(http_request, "exchanges/request_detail.html", context, status=status)


def _similar_panel(user, exchange: ExchangeRequest, *, coordination_view: bool, may_withdraw: bool) -> dict:
    """Similar past exchanges on the request page of an open request: for the coordination side (to point
    the requester to them), and for a requester who may still withdraw it ("hat sich erledigt").
    ``may_withdraw``: the page's own ``available_transitions`` (the same rule), not asked twice."""
    if exchange.status in CLOSED_STATUSES or not (coordination_view or may_withdraw):
        return {}
    text = f"{exchange.title} {exchange.need}"
    return {
        **_similar_context(user, text=text, exchange=exchange, may_settle=may_withdraw),
        "similar_panel": True,
    }


@login_required
@require_GET
def similar_exchanges_fragment(request: HttpRequest) -> HttpResponse:
    """The panel's results for the text typed so far (htmx from the request form; nothing is saved)."""
    exchange = None
    if request.GET.get("request", "").isdigit():
        exchange = request_get_for_user(user=request.user, pk=int(request.GET["request"]))
    text = f"{request.GET.get('title', '')[:300]} {request.GET.get('need', '')[:3000]}"
    return render(
        request,
        "exchanges/_similar_exchanges_results.html",
        _similar_context(request.user, text=text, exchange=exchange),
    )


def _progress_context(user, exchange: ExchangeRequest, cycle: dict, *, transitions, may_edit: bool) -> dict:
    """The progress indicator, who acts next, and the page's primary step, for this person."""
    status = exchange.status
    own_invitation = None
    open_invitations = 0
    if status in PROPOSING_STATUSES:
        invitations = cycle.get("invitations")
        if invitations is not None:
            open_invitations = sum(1 for i in invitations if i.status == InvitationStatus.OPEN)
        else:
            open_invitations = exchange.invitations.filter(status=InvitationStatus.OPEN).count()
        if open_invitations:
            own_invitation = (
                exchange.invitations.filter(expert__user=user, status=InvitationStatus.OPEN)
                .values_list("pk", flat=True)
                .first()
            )
    closed_from = None
    if status in CLOSED_EARLY:
        closed_from = (
            exchange.timeline.filter(to_status=status)
            .order_by("-created_at", "-pk")
            .values_list("from_status", flat=True)
            .first()
        )
    may_propose = "propose_form" in cycle
    meeting = cycle.get("meeting")
    complete = status == Status.DRAFT and not request_completeness_errors(
        exchange, today=timezone.localdate()
    )
    return {
        "steps": cycle_steps(exchange, closed_from=closed_from),
        "next_text": who_acts_next(
            user,
            exchange,
            meeting=meeting if meeting is not None and not meeting.is_cancelled else None,
            open_invitations=open_invitations,
            own_open_invitation=own_invitation is not None,
            may_propose=may_propose,
        ),
        "own_invitation": own_invitation,
        "primary_step": primary_step(
            exchange,
            transitions={t.action for t in transitions},
            may_edit=may_edit,
            submission_complete=complete,
            may_schedule=cycle["may_schedule"],
            meeting=meeting,
            may_reflect=cycle["may_reflect"],
            may_propose=may_propose,
            open_invitations=open_invitations,
            own_open_invitation=own_invitation is not None,
        ),
    }


def _unfold_query(names: set[str]) -> str:
    return urlencode([(name, "all") for name in sorted(names)])


def _cycle_context(user, exchange: ExchangeRequest, *, routing_form, propose_form, answer_forms=None) -> dict:
    """Routing, suggestions, invitations, meeting and reflections, as far as the user may see them."""
    context: dict = {}
    invitations = None
    if can_see_routing(user, exchange):
        decisions = list(exchange.routing_decisions.select_related("department__city"))
        context["routing_decisions"] = decisions
        context["routing_tied"] = tied_routing_decisions(decisions)
        invitations = list(exchange.invitations.select_related("expert__user__home_city", "proposed_by"))
        context["invitations"] = invitations
        # Answers given by phone: recorded by the coordination on the expert's behalf.
        answer_forms = answer_forms or {}
        for invitation in invitations:
            if invitation.status == InvitationStatus.OPEN and may_record_answer(user, invitation):
                invitation.answer_form = answer_forms.get(invitation.pk) or RecordAnswerForm(
                    invitation=invitation
                )
    if may_correct_routing(user, exchange):
        context["routing_form"] = routing_form or RoutingCorrectionForm()
    if may_propose_experts(user, exchange):
        first, second = expert_suggestions(request=exchange)
        context["suggestions"] = (first, second)
        context["propose_form"] = propose_form or ProposeExpertsForm(
            experts=[s.expert for s in first + second]
        )
    meeting = (
        Meeting.objects.filter(request=exchange)
        .select_related("city")
        .prefetch_related("participants")
        .first()
    )
    context["meeting"] = meeting
    remember_cycle_data(exchange, invitations=invitations, meeting=meeting)
    # Every "may" below is the rule the service asks (exchanges.cycle.rules): offered only when allowed.
    context["may_withdraw_invitations"] = may_withdraw_invitations(user, exchange)
    context["may_claim"] = may_claim(user, exchange)
    context["may_schedule"] = may_set_meeting(user, exchange)
    context["may_record_past"] = may_record_past_exchange(user, exchange)
    # One query for all reflections; internal ones are dropped here for those who may not see them.
    reflections = list(exchange.reflections.select_related("author"))
    context["may_reflect"] = may_write_reflection(user, exchange, reflections)
    context["reflections"] = visible_reflections(user, exchange, reflections)
    # What other domains show on the request page (travel: the trip requests), exchanges.cycle.hooks.
    context["sections"] = request_page_sections(user, exchange)
    return context


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, request_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    form = TransitionForm(
        request.POST,
        transition=transition,
        comment_required=comment_required_for(request.user, exchange, transition),
        request=exchange,
    )
    if not form.is_valid():
        return _detail(request, exchange, bound=form)
    try:
        changed = request_transition(
            request_id=exchange.pk,
            action=action,
            actor=request.user,
            comment=form.cleaned_data.get("comment", ""),
            expected_status=form.cleaned_data["expected_status"],
        )
    except ValidationError as error:
        if action == "submit" and can_edit_request(request.user, exchange):
            return _submission_incomplete(request, exchange, error, note=form.cleaned_data.get("comment", ""))
        for messages_ in error.message_dict.values():
            for message in messages_:
                messages.error(request, message)
        return redirect(exchange)
    except DomainError as error:
        # Refused: the page comes back as it is now, with the reason and what was typed (as a form with
        # errors does: 200).
        exchange = request_get_for_user(user=request.user, pk=pk)
        offered = transition in available_transitions(request.user, exchange)
        if offered:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            data = form.data.copy()
            data[form.add_prefix("expected_status")] = exchange.status  # the state the page now shows
            form.data = data
        else:
            messages.error(request, error.message)
        return _detail(request, exchange, bound=form if offered else None)
    messages.success(request, done_message(action, changed, request.user))
    exchange = ExchangeRequest.objects.visible_to(request.user).filter(pk=pk).first()
    if exchange is None:
        return redirect("home")
    return redirect(exchange)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    if not can_comment_internally(request.user, exchange):
        del form.fields["is_internal"]  # not theirs to set, whatever was posted
    if form.is_valid():
        try:
            comment_add(
                request=exchange,
                author=request.user,
                body=form.cleaned_data["body"],
                is_internal=form.cleaned_data.get("is_internal", False),
            )
        except NotPermitted as error:
            messages.error(request, error.message)  # the page offers no comment form to this person
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                (
                    _(
                        "Your internal comment on %(reference)s has been saved; only the coordination side sees it."
                    )
                    if form.cleaned_data.get("is_internal")
                    else _(
                        "Your comment on %(reference)s has been saved; everybody involved in the request sees it."
                    )
                )
                % {"reference": exchange.reference},
            )
            return redirect(exchange)
    return _detail(request, exchange, comment_form=form)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    attachment = exchange.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    return protected_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )
