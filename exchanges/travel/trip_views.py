"""Trip requests (Dienstreiseanträge): file, change, submit, approve, confirm the costs, cancel, claim.

Every form is shown only where its rule (exchanges.travel.rules) says yes; the services (services/trips.py)
ask the same rules and refuse otherwise. The supervisor without an account decides through the signed,
single-use e-mail link (``trip_approval_link``), which needs no log-in: the link is the key.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cities.directory.models import User
from cities.directory.rules import is_coordinator
from exchanges.cycle.selectors import request_get_for_user
from exchanges.travel.forms import (
    TripCancelForm,
    TripCostDecisionForm,
    TripDecisionForm,
    TripForm,
    TripTravellerForm,
    TripVersionForm,
)
from exchanges.travel.models import Decision, TripRequest, TripStatus
from exchanges.travel.rules import (
    is_own_trip,
    may_cancel_trip,
    may_claim_from_trip,
    may_decide_as_supervisor,
    may_decide_trip_costs,
    may_edit_trip,
    may_resend_trip_link,
)
from exchanges.travel.selectors import (
    trip_get_for_user,
    trip_travellers,
    trips_of,
    trips_to_approve,
)
from exchanges.travel.services.budget import BudgetExceeded, budget_position, exceeds_budget
from exchanges.travel.services.trips import (
    claim_from_trip,
    link_still_usable,
    trip_cancel,
    trip_cost_decide,
    trip_create,
    trip_defaults,
    trip_edit_check,
    trip_file_check,
    trip_from_token,
    trip_link_resend,
    trip_preview,
    trip_shown_estimate,
    trip_submission_errors,
    trip_submit,
    trip_supervisor_decide,
    trip_update,
)
from koopstadt.errors import DomainError, StaleVersion, TransitionNotAllowed
from koopstadt.form_errors import add_service_errors
from koopstadt.htmx import wants_fragment
from koopstadt.money import eur
from koopstadt.versioned_forms import form_show_stale

SUBMIT = "submit"  # the value of the form's "Submit for approval" button (name "action")


# --- helpers ----------------------------------------------------------------------------------------------


def _fresh(trip: TripRequest) -> TripRequest:
    return TripRequest.objects.select_related(
        "exchange", "traveller__home_city", "filed_by", "supervisor"
    ).get(pk=trip.pk)


def _estimate(trip: TripRequest) -> dict:
    try:
        return {"estimate": trip_shown_estimate(trip)}
    except (DomainError, ValueError) as error:
        return {"estimate": None, "estimate_error": getattr(error, "message", str(error))}


def _with_version(form, version: int) -> None:
    """The form posts on top of ``version`` from now on (the trip was saved meanwhile, by this person)."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data


def _missing(trip: TripRequest) -> list[tuple[str, str]]:
    """What the submission still asks for, as (field label, message)."""
    return [
        (str(TripRequest._meta.get_field(name).verbose_name), message)
        for name, messages_ in trip_submission_errors(trip).items()
        for message in messages_
    ]


# --- the form (create and edit) ---------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: TripForm,
    *,
    exchange,
    traveller: User,
    trip: TripRequest | None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "exchange": exchange, "traveller": traveller, "trip": trip}
    if trip is not None:
        context.update(_estimate(trip))
    else:
        try:
            context["estimate"] = trip_preview(trip=None, exchange=exchange, traveller=traveller, data={})
        except (DomainError, ValidationError, ValueError):
            context["estimate"] = None
    return render(request, "exchanges/trip_form.html", context, status=status)


def _estimate_fragment(
    request: HttpRequest, form: TripForm, *, exchange, traveller: User, trip: TripRequest | None
) -> HttpResponse:
    """The live estimate (htmx, as the form changes): the estimate with what is typed now, nothing saved.
    "Save draft" stays the way to keep it and the way without JavaScript."""
    estimate, problems = None, []
    if form.is_valid():
        try:
            estimate = trip_preview(trip=trip, exchange=exchange, traveller=traveller, data=form.trip_data())
        except (DomainError, ValidationError, ValueError) as error:
            add_service_errors(form, error)
    if estimate is None:
        problems = [
            f"{form.fields[name].label}: {message}" if name in form.fields else message
            for name, messages_ in form.errors.items()
            for message in messages_
        ] or [_("The estimate could not be updated.")]
    response = render(
        request,
        "exchanges/_trip_estimate.html",
        {"estimate": estimate, "preview": True, "problems": problems},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _submitted_message(trip: TripRequest) -> str:
    return _(
        "The trip request has been submitted. %(supervisor)s approves the business trip and the coordination "
        "confirms the costs (%(amount)s); you are told by e-mail."
    ) % {"supervisor": trip.supervisor_name, "amount": eur(trip.estimated_total)}


def _submit_after_save(request: HttpRequest, trip: TripRequest, form: TripForm) -> HttpResponse:
    """ "Submit for approval" on the form: saved already; submitted now, or the form comes back with what the
    submission still asks for next to each field (the draft keeps what was typed)."""
    fresh = _fresh(trip)
    try:
        submitted = trip_submit(trip_id=fresh.pk, actor=request.user, expected_version=fresh.version)
    except ValidationError as error:
        bound = TripForm(request.POST.copy(), instance=fresh, traveller=fresh.traveller)
        _with_version(bound, fresh.version)
        bound.is_valid()
        bound.add_error(None, _("The draft is saved. Before it can be submitted, please complete it:"))
        add_service_errors(bound, error)
        return _form_page(request, bound, exchange=fresh.exchange, traveller=fresh.traveller, trip=fresh)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _submitted_message(submitted))
    return redirect("exchanges:trip_detail", pk=trip.pk)


@login_required
def trip_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    try:
        trip_file_check(actor=request.user, exchange=exchange)  # rules.may_file_trip, as the request page
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(exchange)
    traveller = request.user
    if is_coordinator(request.user):
        # The coordination enters the trip of one of the exchange's travellers: first who travels.
        chooser = TripTravellerForm(request.GET or None, travellers=trip_travellers(exchange))
        if not chooser.is_valid():
            return render(
                request, "exchanges/trip_traveller.html", {"chooser": chooser, "exchange": exchange}
            )
        traveller = chooser.cleaned_data["traveller"]
    form = TripForm(
        request.POST or None,
        initial=trip_defaults(exchange=exchange, traveller=traveller),
        traveller=traveller,
    )
    if request.method == "POST" and wants_fragment(request):
        return _estimate_fragment(request, form, exchange=exchange, traveller=traveller, trip=None)
    if request.method == "POST" and form.is_valid():
        try:
            trip = trip_create(
                exchange=exchange, traveller=traveller, actor=request.user, data=form.trip_data()
            )
        except (DomainError, ValidationError) as error:
            add_service_errors(form, error)
        else:
            if request.POST.get("action") == SUBMIT:
                return _submit_after_save(request, trip, form)
            messages.success(
                request,
                _("The trip request is saved as a draft. Check the estimate and submit it for approval."),
            )
            return redirect("exchanges:trip_detail", pk=trip.pk)
    return _form_page(request, form, exchange=exchange, traveller=traveller, trip=None)


@login_required
def trip_edit(request: HttpRequest, pk: int) -> HttpResponse:
    trip = trip_get_for_user(user=request.user, pk=pk)
    try:
        trip_edit_check(actor=request.user, trip=trip)  # rules.may_edit_trip
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("exchanges:trip_detail", pk=trip.pk)
    form = TripForm(request.POST or None, instance=trip, traveller=trip.traveller)
    if request.method == "POST" and wants_fragment(request):
        return _estimate_fragment(request, form, exchange=trip.exchange, traveller=trip.traveller, trip=trip)
    if request.method == "POST" and form.is_valid():
        try:
            saved = trip_update(
                trip=trip,
                actor=request.user,
                data=form.trip_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as error:
            # Somebody (the traveller in another tab, the coordination) saved meanwhile: refused, the
            # form keeps what was typed and names what changed.
            fresh = _fresh(trip)
            form_show_stale(form, error, fresh)
            return _form_page(
                request, form, exchange=fresh.exchange, traveller=fresh.traveller, trip=fresh, status=409
            )
        except (DomainError, ValidationError) as error:
            add_service_errors(form, error)
        else:
            if request.POST.get("action") == SUBMIT:
                return _submit_after_save(request, saved, form)
            messages.success(request, _("Saved; the estimate has been recalculated."))
            return redirect("exchanges:trip_detail", pk=trip.pk)
    return _form_page(request, form, exchange=trip.exchange, traveller=trip.traveller, trip=trip)


# --- the trip's page ---------------------------------------------------------------------------------------


def _trip_page(request: HttpRequest, trip: TripRequest, *, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    # The rules the trips service asks (exchanges.travel.rules): a form only where it would be accepted.
    editable = may_edit_trip(user, trip)
    cancellable = may_cancel_trip(user, trip)
    supervising = may_decide_as_supervisor(user, trip)
    deciding_costs = may_decide_trip_costs(user, trip)
    context = {
        "trip": trip,
        "events": trip.events.select_related("actor"),
        "commitment": trip.commitments.order_by("-created_at").first(),
        "editable": editable,
        "cancellable": cancellable,
        "supervising": supervising,
        "deciding_costs": deciding_costs,
        "may_claim": may_claim_from_trip(user, trip),
        "may_resend_link": may_resend_trip_link(user, trip),
        "own_trip": is_own_trip(user, trip),
        "claims": trip.claims.order_by("created_at") if is_own_trip(user, trip) else None,
        # Four eyes: the coordination is told why it cannot confirm the costs of this trip.
        "cost_four_eyes": (
            trip.status == TripStatus.SUBMITTED
            and not trip.cost_decision
            and is_coordinator(user)
            and not deciding_costs
        ),
        **_estimate(trip),
        **forms,
    }
    if editable:
        context["missing"] = _missing(trip)
        context.setdefault("submit_form", TripVersionForm(initial={"version": trip.version}))
    if cancellable:
        context.setdefault("cancel_form", TripCancelForm(trip=trip))
    if supervising:
        context.setdefault("supervisor_form", TripDecisionForm(trip=trip, prefix="supervisor"))
    if deciding_costs:
        budget = budget_position(year=timezone.localtime(trip.starts_at).year)
        context["budget"] = budget
        context["over_budget"] = exceeds_budget(trip.estimated_total, budget)
        context.setdefault(
            "cost_form", TripCostDecisionForm(trip=trip, prefix="cost", over_budget=context["over_budget"])
        )
    return render(request, "exchanges/trip_detail.html", context, status=status)


@login_required
def trip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _trip_page(request, trip_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def trip_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    trip = trip_get_for_user(user=request.user, pk=pk)
    form = TripVersionForm(request.POST)
    form.is_valid()
    try:
        submitted = trip_submit(
            trip_id=trip.pk, actor=request.user, expected_version=form.cleaned_data.get("version")
        )
    except StaleVersion as error:
        messages.error(request, error.message)
        return _trip_page(request, _fresh(trip), status=409)
    except ValidationError as error:
        # What is missing, next to its field on the form (filled in with what is stored).
        blank = TripForm(instance=trip, traveller=trip.traveller)
        data = {bound.html_name: bound.value() for bound in blank}
        data = {name: value for name, value in data.items() if value is not None}
        form = TripForm(data, instance=trip, traveller=trip.traveller)
        form.is_valid()
        form.add_error(None, _("Before the trip request can be submitted, please complete it:"))
        add_service_errors(form, error)
        return _form_page(request, form, exchange=trip.exchange, traveller=trip.traveller, trip=trip)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _submitted_message(submitted))
    return redirect("exchanges:trip_detail", pk=trip.pk)


def _stale_decision(request: HttpRequest, trip: TripRequest, form, error: StaleVersion, name: str):
    """The page was older than the trip: nothing decided; the page shows the trip as it is now. The note
    stays, the decision must be chosen again."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(error.current)
    data.pop(form.add_prefix("decision"), None)
    form.data = data
    messages.error(request, error.message)
    return _trip_page(request, _fresh(trip), status=409, **{name: form})


def _decision_message(trip: TripRequest, decision: str, who: str) -> str:
    values = {"name": trip.traveller.display_name}
    if trip.status == TripStatus.APPROVED:
        return _("The trip of %(name)s is approved; %(name)s is told.") % values
    if decision == Decision.APPROVED:
        return (
            _("You have approved the business trip of %(name)s; the coordination confirms the costs.")
            if who == "supervisor"
            else _(
                "You have confirmed the costs of the trip of %(name)s; the supervisor's approval is awaited."
            )
        ) % values
    if decision == Decision.RETURNED:
        return (
            _("The trip request of %(name)s has been returned for changes; %(name)s is told your reason.")
            % values
        )
    return _("The trip request of %(name)s has been refused; %(name)s is told your reason.") % values


@login_required
@require_POST
def trip_supervisor_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    trip = trip_get_for_user(user=request.user, pk=pk)
    return _decide(
        request,
        trip,
        TripDecisionForm(request.POST, prefix="supervisor"),
        who="supervisor",
        decide=lambda data: trip_supervisor_decide(
            trip_id=trip.pk,
            decision=data["decision"],
            note=data["note"],
            actor=request.user,
            expected_version=data.get("version"),
        ),
        allowed=may_decide_as_supervisor(request.user, trip),
        refusal=_("Only the supervisor named on the trip request approves the trip."),
    )


@login_required
@require_POST
def trip_cost_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    trip = trip_get_for_user(user=request.user, pk=pk)
    return _decide(
        request,
        trip,
        TripCostDecisionForm(request.POST, prefix="cost"),
        who="cost",
        decide=lambda data: trip_cost_decide(
            trip_id=trip.pk,
            decision=data["decision"],
            note=data["note"],
            actor=request.user,
            confirm_over_budget=data.get("confirm_over_budget", False),
            expected_version=data.get("version"),
        ),
        allowed=may_decide_trip_costs(request.user, trip),
        refusal=_("Only koopstadt's coordination confirms the costs of a trip."),
    )


def _decide(
    request, trip: TripRequest, form, *, who: str, decide, allowed: bool, refusal: str
) -> HttpResponse:
    """One of the two approvals, through the service: a stale page is shown again (409) with the new
    trip, a refusal of the state or of the person goes back to the trip with the reason, a wrong field
    stays on the form; a page for somebody whose decision it is not says so."""
    form_name = f"{who}_form"
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            decided = decide(form.cleaned_data)
        except StaleVersion as error:
            return _stale_decision(request, trip, form, error, form_name)
        except BudgetExceeded as error:
            form.add_error("confirm_over_budget", error.message)
        except TransitionNotAllowed as error:
            messages.error(request, error.message)
            return redirect("exchanges:trip_detail", pk=trip.pk)
        except DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _decision_message(decided, decision, who))
            return redirect("exchanges:trip_detail", pk=trip.pk)
    if not allowed:
        messages.error(request, refusal)
        return redirect("exchanges:trip_detail", pk=trip.pk)
    return _trip_page(request, trip, **{form_name: form})


@login_required
@require_POST
def trip_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    trip = trip_get_for_user(user=request.user, pk=pk)
    form = TripCancelForm(request.POST)
    form.is_valid()
    try:
        trip_cancel(
            trip_id=trip.pk,
            actor=request.user,
            reason=form.cleaned_data.get("reason", ""),
            expected_version=form.cleaned_data.get("version"),
        )
    except StaleVersion as error:
        fresh = _fresh(trip)
        form_show_stale(form, error, fresh)
        return _trip_page(request, fresh, status=409, cancel_form=form)
    except TransitionNotAllowed as error:
        messages.error(request, error.message)
    except DomainError as error:
        add_service_errors(form, error)
        return _trip_page(request, trip, cancel_form=form)
    else:
        messages.success(request, _("The trip request has been cancelled."))
    return redirect("exchanges:trip_detail", pk=trip.pk)


@login_required
@require_POST
def trip_link_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A new approval link for the supervisor; the old one stops working."""
    trip = trip_get_for_user(user=request.user, pk=pk)
    try:
        trip_link_resend(trip_id=trip.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("A new approval link has been sent to %(name)s (%(email)s); the earlier link no longer works.")
            % {"name": trip.supervisor_name, "email": trip.supervisor_email},
        )
    return redirect("exchanges:trip_detail", pk=trip.pk)


@login_required
@require_POST
def trip_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Claim the costs of this trip": the claim is created from the approved trip; its page follows."""
    trip = trip_get_for_user(user=request.user, pk=pk)
    try:
        claim = claim_from_trip(trip_id=trip.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("exchanges:trip_detail", pk=trip.pk)
    messages.success(
        request,
        _(
            "Your claim has been created from the approved trip. Enter what actually happened and add "
            "tickets, hotel nights and receipts."
        ),
    )
    return redirect("exchanges:claim_detail", pk=claim.pk)


def trip_pdf_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """The approved trip as a PDF: still a placeholder (the PDF is built separately)."""
    raise Http404


# --- lists -------------------------------------------------------------------------------------------------


@login_required
def my_trips(request: HttpRequest) -> HttpResponse:
    page = Paginator(trips_of(request.user), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchanges/trip_list.html",
        {"page": page, "waiting_count": trips_to_approve(request.user).count()},
    )


@login_required
def trips_to_approve_view(request: HttpRequest) -> HttpResponse:
    trips = trips_to_approve(request.user)
    page = Paginator(trips, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exchanges/trips_to_approve.html", {"page": page})


# --- the e-mail link for a supervisor without an account -------------------------------------------------


def _link_refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "exchanges/trip_link_invalid.html", {"message": message}, status=status)


def trip_approval_link(request: HttpRequest, token: str) -> HttpResponse:
    """No log-in needed: the signed, single-use link is the key, and the decision is recorded as the one of
    the supervisor it was sent to (``trip_supervisor_decide`` with ``actor=None``) — whoever is signed in.
    Only the trip's own people are refused, signed in or not they never approve it (four eyes)."""
    try:
        trip, nonce = trip_from_token(token)
    except DomainError as error:
        return _link_refused(request, error.message, 400)
    user = request.user
    if user.is_authenticated and is_own_trip(user, trip):
        return _link_refused(
            request,
            _(
                "Four-eyes principle: nobody approves their own trip. This link is for %(name)s, who "
                "decides on your trip request. Nothing has been recorded."
            )
            % {"name": trip.supervisor_name},
            403,
        )
    if not link_still_usable(trip, nonce):
        return _link_refused(
            request,
            _("This link has already been used or replaced, or the trip no longer awaits your decision."),
            410,
        )
    form = TripDecisionForm(request.POST or None, trip=trip)
    if request.method == "POST" and form.is_valid():
        try:
            decided = trip_supervisor_decide(
                trip_id=trip.pk,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                actor=None,
                link_nonce=nonce,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as error:
            fresh = _fresh(trip)
            form_show_stale(form, error, fresh)
            return render(
                request,
                "exchanges/trip_link.html",
                {"trip": fresh, "form": form, **_estimate(fresh)},
                status=409,
            )
        except TransitionNotAllowed as error:
            return _link_refused(request, error.message, 410)
        except DomainError as error:
            add_service_errors(form, error)
        else:
            return render(
                request, "exchanges/trip_link.html", {"trip": decided, "decided": True, **_estimate(decided)}
            )
    return render(request, "exchanges/trip_link.html", {"trip": trip, "form": form, **_estimate(trip)})
