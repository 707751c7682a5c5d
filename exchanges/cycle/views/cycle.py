"""Routing corrections, expert proposals and answers, the meeting, reflections and the knowledge base."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from exchanges.cycle.forms import (
    InvitationAnswerForm,
    KnowledgeFilterForm,
    MeetingForm,
    PastExchangeForm,
    ProposeExpertsForm,
    RecordAnswerForm,
    ReflectionForm,
    RoutingCorrectionForm,
)
from exchanges.cycle.models import AnswerChannel, Invitation, InvitationStatus, Meeting, Reflection
from exchanges.cycle.rules import (
    can_propose_experts,
    may_answer_invitation,
    may_record_answer,
    may_record_past_exchange,
    reflection_side,
)
from exchanges.cycle.selectors import (
    expert_suggestions,
    knowledge_base,
    past_exchange_experts,
    request_get_for_user,
)
from exchanges.cycle.services.calendar import meeting_ics
from exchanges.cycle.services.invitations import (
    invitation_answer,
    invitation_from_token,
    invitations_propose,
    invitations_withdraw_open,
)
from exchanges.cycle.services.meetings import (
    exchange_record_past,
    meeting_check_allowed,
    meeting_participant_choices,
    meeting_schedule,
)
from exchanges.cycle.services.reflections import reflection_check_allowed, reflection_submit
from exchanges.cycle.services.routing import routing_correct
from exchanges.cycle.views.requests import _detail
from koopstadt.errors import DomainError, StaleVersion
from koopstadt.htmx import page_or_fragment
from koopstadt.pagination import CappedPaginator
from koopstadt.versioned_forms import form_show_stale


@login_required
@require_POST
def routing_correction(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    form = RoutingCorrectionForm(request.POST)
    if form.is_valid():
        try:
            routing_correct(
                request=exchange,
                department=form.cleaned_data["department"],
                routed=form.cleaned_data["routed"],
                note=form.cleaned_data["note"],
                actor=request.user,
                term=form.cleaned_data["term"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            department = form.cleaned_data["department"]
            values = {
                "reference": exchange.reference,
                "department": f"{department.name}, {department.city.name}",
            }
            messages.success(
                request,
                (
                    _("The routing of %(reference)s has been corrected: %(department)s is routed now.")
                    if form.cleaned_data["routed"]
                    else _(
                        "The routing of %(reference)s has been corrected: %(department)s is no longer routed."
                    )
                )
                % values,
            )
            return redirect(exchange)
    return _detail(request, exchange, routing_form=form)


@login_required
@require_POST
def propose_experts(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    if not can_propose_experts(request.user, exchange):
        raise Http404
    first, second = expert_suggestions(request=exchange)
    form = ProposeExpertsForm(request.POST, experts=[s.expert for s in first + second])
    if form.is_valid():
        try:
            invitations = invitations_propose(
                request=exchange,
                experts=form.cleaned_data["experts"],
                message=form.cleaned_data["message"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Asked for %(reference)s: %(names)s. The expert gets an e-mail with a personal link; you are "
                    "told of the answer.",
                    "Asked for %(reference)s: %(names)s. Each expert gets an e-mail with a personal link; you are "
                    "told of every answer.",
                    len(invitations),
                )
                % {
                    "reference": exchange.reference,
                    "names": ", ".join(i.expert.user.display_name for i in invitations),
                },
            )
            return redirect(exchange)
    return _detail(request, exchange, propose_form=form)


@login_required
@require_POST
def withdraw_open_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    try:
        count = invitations_withdraw_open(request=exchange, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d open invitation of %(reference)s has been withdrawn.",
                "%(count)d open invitations of %(reference)s have been withdrawn.",
                count,
            )
            % {"count": count, "reference": exchange.reference},
        )
    return redirect(exchange)


@login_required
def my_invitations(request: HttpRequest) -> HttpResponse:
    invitations = (
        Invitation.objects.filter(expert__user=request.user)
        .select_related("request__requester_city", "proposed_by")
        .order_by("-created_at")
    )
    page = Paginator(invitations, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exchanges/invitation_list.html", {"page": page})


def _answer(
    http_request: HttpRequest, invitation: Invitation, *, actor, template: str, extra: dict
) -> HttpResponse:
    form = InvitationAnswerForm(http_request.POST or None)
    if http_request.method == "POST" and form.is_valid():
        try:
            invitation_answer(
                invitation_id=invitation.pk,
                accept=form.cleaned_data["answer"] == "accept",
                note=form.cleaned_data["note"],
                actor=actor,
                channel=AnswerChannel.LINK if extra.get("by_link") else AnswerChannel.PORTAL,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            invitation.refresh_from_db()
            return render(http_request, template, {"invitation": invitation, "answered": True, **extra})
    return render(http_request, template, {"invitation": invitation, "form": form, **extra})


@login_required
def invitation_answer_in_portal(request: HttpRequest, invitation_pk: int) -> HttpResponse:
    invitation = (
        Invitation.objects.filter(pk=invitation_pk, expert__user=request.user)
        .select_related("request")
        .first()
    )
    if invitation is None:
        raise Http404
    return _answer(
        request,
        invitation,
        actor=request.user,
        template="exchanges/invitation_answer.html",
        extra={"may_answer": may_answer_invitation(request.user, invitation)},
    )


def invitation_answer_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """No log-in needed: the signed link is the key. It shows only the request's public part.

    Signed in, the link answers only for its own expert, who is then recorded as the one who answered.
    Anyone else signed in is told whose link it is and that nothing was recorded: an answer given in
    another person's session must never count as the expert's (the coordination records answers given
    elsewhere with its own form, on the expert's behalf and under its own name).
    """
    try:
        invitation = invitation_from_token(token)
    except DomainError as error:
        return render(
            request, "exchanges/invitation_link_invalid.html", {"message": error.message}, status=400
        )
    if invitation.status != InvitationStatus.OPEN and request.method == "GET":
        return render(
            request,
            "exchanges/invitation_link_invalid.html",
            {"message": _("This invitation has already been answered or withdrawn.")},
            status=410,
        )
    user = request.user
    if user.is_authenticated and user.pk != invitation.expert.user_id:
        return render(
            request,
            "exchanges/invitation_link_other_person.html",
            {
                "invitation": invitation,
                "may_record": may_record_answer(user, invitation),
                "link": request.path,
            },
            status=403,
        )
    return _answer(
        request,
        invitation,
        actor=user if user.is_authenticated else None,
        template="exchanges/invitation_answer.html",
        extra={"by_link": True, "may_answer": may_answer_invitation(user, invitation, by_link=True)},
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    try:
        meeting_check_allowed(actor=request.user, request=exchange)  # exchanges.cycle.rules.may_set_meeting
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(exchange)
    people = meeting_participant_choices(exchange)
    meeting = Meeting.objects.filter(request=exchange).first()
    initial = {"format": exchange.preferred_format, "participants": [p.pk for p in people]}
    if meeting:
        initial = {
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "format": meeting.format,
            "city": meeting.city,
            "address": meeting.address,
            "video_link": meeting.video_link,
            "participants": list(meeting.participants.values_list("pk", flat=True)),
            "travellers": list(meeting.travellers.values_list("pk", flat=True)),
            "version": meeting.version,
        }
    form = MeetingForm(request.POST or None, people=people, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version", None)
        try:
            saved = meeting_schedule(request=exchange, actor=request.user, expected_version=expected, **data)
        except StaleVersion as error:
            form_show_stale(form, error, Meeting.objects.get(request=exchange))
            status = 409
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Date and place of %(reference)s are saved: %(date)s, %(place)s. Everybody taking part gets "
                    "a calendar entry by e-mail."
                )
                % {
                    "reference": exchange.reference,
                    "date": formats.date_format(timezone.localtime(saved.starts_at), "SHORT_DATETIME_FORMAT"),
                    "place": _meeting_place(saved),
                },
            )
            return redirect(exchange)
    return render(
        request,
        "exchanges/meeting_form.html",
        {"form": form, "exchange": exchange, "meeting": meeting},
        status=status,
    )


def _meeting_place(meeting: Meeting) -> str:
    if meeting.video_link:
        return _("video call")
    return ", ".join(part for part in (meeting.address, meeting.city.name if meeting.city else "") if part)


@login_required
def past_exchange_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordination records an exchange that took place before it was entered in the portal."""
    exchange = request_get_for_user(user=request.user, pk=pk)
    if not may_record_past_exchange(request.user, exchange):
        raise Http404
    experts = past_exchange_experts(request=exchange)
    people = [exchange.requester, *(expert.user for expert in experts)]
    accepted = list(
        exchange.invitations.filter(status=InvitationStatus.ACCEPTED).values_list("expert_id", flat=True)
    )
    form = PastExchangeForm(
        request.POST or None,
        experts=experts,
        people=people,
        initial={"format": exchange.preferred_format, "experts": accepted},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exchange_record_past(
                request=exchange,
                actor=request.user,
                experts=data["experts"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                format=data["format"],
                city=data["city"],
                address=data["address"],
                video_link=data["video_link"],
                travellers=data["travellers"],
                note=data["note"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _(
                    "The exchange of %(reference)s has been recorded as held. %(name)s is asked for the reflection."
                )
                % {"reference": exchange.reference, "name": exchange.requester.display_name},
            )
            return redirect(exchange)
    return render(request, "exchanges/past_exchange_form.html", {"form": form, "exchange": exchange})


@login_required
@require_POST
def invitation_record_answer(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """The coordination records the answer an expert gave by phone, on the expert's behalf."""
    exchange = request_get_for_user(user=request.user, pk=pk)
    invitation = exchange.invitations.select_related("expert__user").filter(pk=invitation_pk).first()
    if invitation is None or not may_record_answer(request.user, invitation):
        raise Http404
    form = RecordAnswerForm(request.POST, invitation=invitation)
    if form.is_valid():
        try:
            invitation_answer(
                invitation_id=invitation.pk,
                accept=form.cleaned_data["answer"] == "accept",
                note=form.cleaned_data["note"],
                actor=request.user,
                channel=AnswerChannel.RECORDED,
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("The answer of %(name)s has been recorded on their behalf.")
                % {"name": invitation.expert.user.display_name},
            )
            return redirect(exchange)
    return _detail(request, exchange, answer_forms={invitation.pk: form})


@login_required
def meeting_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    meeting = Meeting.objects.filter(request=exchange).first()
    if meeting is None:
        raise Http404
    response = HttpResponse(
        meeting_ics(meeting, cancel=meeting.is_cancelled, publish=True),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="cr-{exchange.reference}.ics"'
    return response


@login_required
def reflection_create(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    if reflection_side(request.user, exchange) is None:
        raise Http404
    try:
        reflection_check_allowed(author=request.user, request=exchange)  # rules.may_write_reflection
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(exchange)
    form = ReflectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reflection = reflection_submit(request=exchange, author=request.user, data=form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _reflection_thanks(exchange, reflection))
            return redirect(exchange)
    return render(request, "exchanges/reflection_form.html", {"form": form, "exchange": exchange})


def _reflection_thanks(exchange, reflection: Reflection) -> str:
    values = {"reference": exchange.reference}
    if reflection.side == Reflection.Side.REQUESTER:
        if reflection.is_internal:
            return (
                _(
                    "Thank you for your reflection. %(reference)s is completed; your reflection stays with the coordination."
                )
                % values
            )
        return (
            _(
                "Thank you for your reflection. %(reference)s is completed; the network finds it in the knowledge base."
            )
            % values
        )
    return _("Thank you for your reflection on %(reference)s; it is shown with the request.") % values


@login_required
def knowledge_base_view(request: HttpRequest) -> HttpResponse:
    form = KnowledgeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    reflections = knowledge_base(
        text=filters.get("q") or "",
        topic=filters.get("topic"),
        city=filters.get("city"),
        year=filters.get("year"),
    )
    page = CappedPaginator(
        reflections, settings.LIST_PAGE_SIZE, cap=settings.KNOWLEDGE_BASE_COUNT_CAP
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page_or_fragment(
        request,
        "exchanges/knowledge_base.html",
        "exchanges/_knowledge_results.html",
        {"form": form, "page": page, "query": query.urlencode()},
        form=form,
    )
