"""Travel claims: the traveller's pages and the finance queue and decisions."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exchanges.cycle.facts import current_meeting
from exchanges.cycle.selectors import request_get_for_user
from exchanges.travel.forms import (
    BudgetForm,
    BudgetYearForm,
    ClaimForm,
    ClaimItemForm,
    ClaimSubmitForm,
    ClaimVersionForm,
    FinanceDecisionForm,
    FinanceQueueFilterForm,
    ItemReductionForm,
    MealsForm,
    RateSetPeriodForm,
    ReceiptForm,
)
from exchanges.travel.models import (
    Booking,
    Budget,
    ClaimItem,
    ClaimStatus,
    ExportBatch,
    RateSet,
    Receipt,
    TravelClaim,
)
from exchanges.travel.rules import (
    decides_claims,
    may_claim_from_trip,
    may_decide_claim,
    may_edit_claim,
    sees_all_claims,
)
from exchanges.travel.selectors import (
    booking_number,
    claim_get_for_user,
    claims_of,
    export_batches,
    trips_visible_to,
)
from exchanges.travel.selectors import finance_queue as finance_queue_claims
from exchanges.travel.services.budget import (
    BudgetExceeded,
    budget_overview_figures,
    budget_position,
    budget_set,
    exceeds_budget,
)
from exchanges.travel.services.claim_pdf import claim_pdf_export
from exchanges.travel.services.claims import (
    RECEIPT_KINDS,
    claim_approve,
    claim_check_allowed,
    claim_create,
    claim_filing_deadline,
    claim_flags,
    claim_is_late,
    claim_item_add,
    claim_item_reduce,
    claim_item_remove,
    claim_preview,
    claim_receipt_add,
    claim_return_or_reject,
    claim_shown_calculation,
    claim_submit,
    claim_trip_check,
    claim_update,
    stale_claim_message,
)
from exchanges.travel.services.exports import (
    batch_create,
    batch_csv,
    batch_mark_exported,
    batch_mark_paid,
    batch_rows,
    batch_xlsx,
)
from exchanges.travel.services.rates import rate_set_new_period
from koopstadt.downloads import protected_download
from koopstadt.errors import DomainError, StaleVersion
from koopstadt.form_errors import add_service_errors
from koopstadt.htmx import page_or_fragment, wants_fragment
from koopstadt.money import eur
from koopstadt.pagination import CappedPaginator
from koopstadt.versioned_forms import form_show_stale


@login_required
def claim_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    # The rule the request page's link asks (exchanges.cycle.rules.may_claim), and the service and the API too.
    try:
        claim_check_allowed(traveller=request.user, exchange=exchange)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(exchange)
    form = ClaimForm(request.POST or None, initial={"purpose": exchange.title})
    if request.method == "POST" and wants_fragment(request):
        return _trip_check(request, form, exchange)
    if request.method == "POST" and form.is_valid():
        try:
            claim = claim_create(
                exchange=exchange, traveller=request.user, actor=request.user, data=form.cleaned_data
            )
        except (DomainError, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Your claim is saved as a draft. Add tickets, hotel nights and other costs.")
            )
            return redirect("exchanges:claim_detail", pk=claim.pk)
    # An approved trip of the traveller: the claim is better created from it (its approvals come along).
    approved_trips = [
        trip
        for trip in trips_visible_to(request.user).filter(exchange=exchange, traveller=request.user)
        if may_claim_from_trip(request.user, trip)
    ]
    return render(
        request,
        "exchanges/claim_form.html",
        {
            "form": form,
            "exchange": exchange,
            "meeting": current_meeting(exchange),
            "approved_trips": approved_trips,
        },
    )


def _trip_check(request: HttpRequest, form: ClaimForm, exchange) -> HttpResponse:
    """The check of the trip's dates on leaving them (htmx; nothing saved): the dates' own errors and where
    the trip misses the meeting, in the status region above the form. Without JavaScript the same is
    said after "Save draft" (the errors) and on the claim page (the notes)."""
    form.is_valid()
    fields = ("trip_start", "trip_end")
    problems = [
        f"{form.fields[name].label}: {message}"
        for name in fields
        if form.data.get(name)
        for message in form.errors.get(name, [])
    ]
    start, end = (form.cleaned_data.get(name) for name in fields)
    if not problems and start and end:
        problems = claim_trip_check(exchange=exchange, start=start, end=end)
    response = render(
        request, "exchanges/_trip_check.html", {"problems": problems, "checked": bool(start and end)}
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _trip_days(claim: TravelClaim) -> list:
    start, end = timezone.localtime(claim.trip_start).date(), timezone.localtime(claim.trip_end).date()
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)][:31]


def _claim_page(request: HttpRequest, claim: TravelClaim, *, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    # The rules the claims service asks (exchanges.travel.rules): a form only where it would be accepted.
    editable = may_edit_claim(user, claim)
    deciding = may_decide_claim(user, claim)
    sees_all = sees_all_claims(user)
    try:
        calculation = claim_shown_calculation(claim)
    except (DomainError, ValueError) as error:
        calculation, forms["calculation_error"] = None, str(error)
    flags = claim_flags(claim)
    items = list(claim.items.prefetch_related("receipts"))
    for item in items:
        item.needs_receipt = item.kind in RECEIPT_KINDS and not item.receipts.all()
        if editable:
            item.remove_form = ClaimVersionForm(initial={"version": claim.version})
            if not item.receipts.all():  # tickets and other costs need it; a hotel night is paid by it
                item.receipt_form = forms.pop(f"receipt_{item.pk}", None) or ReceiptForm(
                    prefix=f"receipt-{item.pk}", initial={"version": claim.version}
                )
        if deciding:
            item.reduction_form = forms.pop(f"reduce_{item.pk}", None) or ItemReductionForm(
                prefix=f"reduce-{item.pk}", initial={"version": claim.version}
            )
    own_claims = set() if sees_all else set(claims_of(user).values_list("pk", flat=True))
    context = {
        "claim": claim,
        "items": items,
        "calculation": calculation,
        "flags": flags,
        "approvals": [receipt for receipt in claim.receipts.all() if receipt.is_approval],
        "own_claims": own_claims,
        "late": claim_is_late(claim),
        "deadline": claim_filing_deadline(claim),
        "editable": editable,
        "deciding": deciding,
        "sees_all_claims": sees_all,
        "four_eyes_blocked": claim.status == ClaimStatus.SUBMITTED and decides_claims(user) and not deciding,
        **forms,
    }
    if editable:
        context.setdefault("claim_form", ClaimForm(instance=claim))
        context.setdefault("item_form", ClaimItemForm(claim=claim))
        context.setdefault("meals_form", MealsForm(days=_trip_days(claim), initial_meals=claim.meals or {}))
        context.setdefault("submit_form", ClaimSubmitForm(claim=claim, flags=flags))
    if deciding:
        context["budget"] = budget_position(year=timezone.localdate().year)
        over_budget = exceeds_budget(claim.calculated_total, context["budget"])
        context.setdefault("decision_form", FinanceDecisionForm(claim=claim, over_budget=over_budget))
    return render(request, "exchanges/claim_detail.html", context, status=status)


def _fresh(claim: TravelClaim) -> TravelClaim:
    return TravelClaim.objects.select_related("exchange", "traveller", "rate_set").get(pk=claim.pk)


def _stale(request: HttpRequest, claim: TravelClaim, form, error: StaleVersion, name: str) -> HttpResponse:
    """A traveller's form on top of a newer version: refused, the page shows the current claim and the
    form comes back with everything typed (the form now carries the current version)."""
    fresh = _fresh(claim)
    form_show_stale(form, error, fresh)
    return _claim_page(request, fresh, status=409, **{name: form})


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _claim_page(request, claim_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    form = ClaimForm(request.POST, instance=claim)
    meals = MealsForm(request.POST, days=_trip_days(claim), initial_meals=claim.meals or {})
    if form.is_valid() and meals.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        try:
            claim_update(
                claim=claim,
                actor=request.user,
                data={**data, "meals": meals.meals()},
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as error:
            fresh = _fresh(claim)
            form_show_stale(form, error, fresh)
            return _claim_page(request, fresh, status=409, claim_form=form, meals_form=meals)
        except (DomainError, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved and recalculated."))
            return redirect("exchanges:claim_detail", pk=claim.pk)
    return _claim_page(request, claim, claim_form=form, meals_form=meals)


@login_required
@require_POST
def claim_calculate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim page's live calculation (htmx, as the trip form changes): the calculation with what is
    typed now, as the part of the page it replaces. Nothing is saved; "Save and recalculate"
    (``claim_edit``) stays the way to keep it and the way without JavaScript."""
    claim = claim_get_for_user(user=request.user, pk=pk)
    form = ClaimForm(request.POST, instance=claim)
    meals = MealsForm(request.POST, days=_trip_days(claim), initial_meals=claim.meals or {})
    calculation, problems = None, []
    if form.is_valid() and meals.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        try:
            calculation = claim_preview(
                claim=claim, actor=request.user, data={**data, "meals": meals.meals()}
            )
        except (DomainError, ValidationError, ValueError) as error:
            add_service_errors(form, error)
    if calculation is None:
        problems = [
            f"{form.fields[name].label}: {message}" if name in form.fields else message
            for name, messages_ in form.errors.items()
            for message in messages_
        ] or [_("The calculation could not be updated.")]
    response = render(
        request,
        "exchanges/_claim_calculation.html",
        {"claim": claim, "calculation": calculation, "preview": True, "problems": problems},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def claim_item_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    form = ClaimItemForm(request.POST, request.FILES)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"receipt", "version"}}
        try:
            claim_item_add(
                claim=claim,
                actor=request.user,
                data=data,
                upload=form.cleaned_data.get("receipt"),
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as error:
            return _stale(request, claim, form, error, "item_form")
        except (DomainError, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item has been added and the claim recalculated."))
            return redirect("exchanges:claim_detail", pk=claim.pk)
    if request.FILES.get("item-receipt"):
        form.add_error(
            "receipt",
            _("Please choose the file %(name)s again.") % {"name": request.FILES["item-receipt"].name},
        )
    return _claim_page(request, claim, item_form=form)


def _item_of(claim: TravelClaim, item_pk: int) -> ClaimItem:
    item = claim.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    return item


@login_required
@require_POST
def claim_receipt_add_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    item = _item_of(claim, item_pk)
    form = ReceiptForm(request.POST, request.FILES, prefix=f"receipt-{item.pk}")
    if form.is_valid():
        try:
            claim_receipt_add(
                item=item,
                actor=request.user,
                upload=form.cleaned_data["receipt"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as error:
            return _stale(request, claim, form, error, f"receipt_{item.pk}")
        except (DomainError, ValidationError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The receipt has been attached and the claim recalculated."))
            return redirect("exchanges:claim_detail", pk=claim.pk)
    return _claim_page(request, claim, **{f"receipt_{item.pk}": form})


@login_required
@require_POST
def claim_item_remove_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    item = _item_of(claim, item_pk)
    form = ClaimVersionForm(request.POST)
    form.is_valid()
    try:
        claim_item_remove(item=item, actor=request.user, expected_version=form.cleaned_data.get("version"))
    except StaleVersion as error:
        messages.error(request, error.message)
        return _claim_page(request, _fresh(claim), status=409)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item has been removed and the claim recalculated."))
    return redirect("exchanges:claim_detail", pk=claim.pk)


@login_required
@require_POST
def claim_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    form = ClaimSubmitForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            submitted = claim_submit(
                claim_id=claim.pk,
                actor=request.user,
                expected_version=form.cleaned_data.get("version"),
                trip_fit_reason=form.cleaned_data.get("trip_fit_reason", ""),
                duplicate_reason=form.cleaned_data.get("duplicate_reason", ""),
                no_trip_reason=form.cleaned_data.get("no_trip_reason", ""),
                approval_upload=form.cleaned_data.get("approval"),
            )
        except StaleVersion as error:
            return _stale(request, claim, form, error, "submit_form")
        except ValidationError as error:
            # The reasons the notes ask for are offered now; what was typed stays.
            bound = ClaimSubmitForm(request.POST, request.FILES, claim=claim, flags=claim_flags(claim))
            bound.is_valid()
            add_service_errors(bound, error)
            return _claim_page(request, claim, submit_form=bound)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            values = {
                "reference": claim.exchange.reference,
                "amount": eur(submitted.calculated_total),
                "name": claim.traveller.display_name,
            }
            messages.success(
                request,
                (
                    _(
                        "Your claim for %(reference)s over %(amount)s has been submitted to finance. You are told "
                        "by e-mail when it is decided."
                    )
                    if claim.traveller_id == request.user.pk
                    else _(
                        "The claim of %(name)s for %(reference)s over %(amount)s has been submitted to finance. "
                        "%(name)s is told by e-mail when it is decided."
                    )
                )
                % values,
            )
    else:
        return _claim_page(request, claim, submit_form=form)
    return redirect("exchanges:claim_detail", pk=claim.pk)


@login_required
def receipt_download(request: HttpRequest, pk: int, receipt_pk: int) -> FileResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    receipt = Receipt.objects.filter(claim=claim, pk=receipt_pk).first()
    if receipt is None:
        raise Http404
    return protected_download(receipt.file, filename=receipt.original_name, content_type=receipt.content_type)


@login_required
def my_claims(request: HttpRequest) -> HttpResponse:
    claims = claims_of(request.user).select_related("exchange").order_by("-created_at")
    page = Paginator(claims, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exchanges/claim_list.html", {"page": page})


# --- finance ---------------------------------------------------------------------------------------------


@login_required
@permission_required("exchanges.finance", raise_exception=True)
def finance_queue(request: HttpRequest) -> HttpResponse:
    form = FinanceQueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    claims = finance_queue_claims(user=request.user, filters=filters)
    page = CappedPaginator(claims, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page_or_fragment(
        request,
        "exchanges/finance_queue.html",
        "exchanges/_finance_results.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "budget": budget_position(year=timezone.localdate().year),
        },
        form=form,
    )


def _stale_decision(
    request: HttpRequest, claim: TravelClaim, form, error: StaleVersion, name: str
) -> HttpResponse:
    """Finance's page was older than the claim: nothing decided; the page shows the new figures and says
    so. The form keeps what was typed (the reason) and carries the current version, but the decision
    must be chosen again: the figures it was chosen for are gone."""
    fresh = _fresh(claim)
    data = form.data.copy()
    data[form.add_prefix("version")] = str(error.current)
    data.pop(form.add_prefix("decision"), None)
    form.data = data
    message = stale_claim_message(error)
    messages.error(request, message)
    return _claim_page(request, fresh, status=409, **{name: form})


@login_required
@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    form = FinanceDecisionForm(request.POST)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        expected = form.cleaned_data.get("version")
        try:
            if decision == "approve":
                claim_approve(
                    claim_id=claim.pk,
                    actor=request.user,
                    confirm_over_budget=form.cleaned_data["confirm_over_budget"],
                    expected_version=expected,
                )
            else:
                claim_return_or_reject(
                    claim_id=claim.pk,
                    actor=request.user,
                    reject=decision == "reject",
                    reason=form.cleaned_data["reason"],
                    expected_version=expected,
                )
        except StaleVersion as error:
            return _stale_decision(request, claim, form, error, "decision_form")
        except BudgetExceeded as error:
            form.add_error("confirm_over_budget", error.message)
        except DomainError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, _decision_message(claim, decision))
            return redirect("exchanges:claim_detail", pk=claim.pk)
    return _claim_page(request, claim, decision_form=form)


def _decision_message(claim: TravelClaim, decision: str) -> str:
    """What finance is told after deciding. The booking is made by a background task after the approval's
    commit: its number is named when the booking exists already, otherwise the message says it follows."""
    fresh = TravelClaim.objects.only("calculated_total").get(pk=claim.pk)
    values = {
        "name": claim.traveller.display_name,
        "reference": claim.exchange.reference,
        "amount": eur(fresh.calculated_total),
    }
    if decision == "approve":
        number = booking_number(claim_id=claim.pk)
        if number:
            return _(
                "The claim of %(name)s for %(reference)s has been approved and booked as %(number)s (%(amount)s)."
            ) % {**values, "number": number}
        return (
            _(
                "The claim of %(name)s for %(reference)s has been approved (%(amount)s). It is being booked; "
                "the booking number appears on this page in a moment."
            )
            % values
        )
    if decision == "reject":
        return (
            _("The claim of %(name)s for %(reference)s has been rejected; %(name)s is told your reason.")
            % values
        )
    return (
        _(
            "The claim of %(name)s for %(reference)s has been returned for changes; %(name)s is told your reason."
        )
        % values
    )


@login_required
@require_POST
def claim_item_reduce_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    item = _item_of(claim, item_pk)
    form = ItemReductionForm(request.POST, prefix=f"reduce-{item.pk}")
    if form.is_valid():
        try:
            claim_item_reduce(
                item_id=item.pk,
                actor=request.user,
                amount=Decimal(form.cleaned_data["amount"]),
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as error:
            return _stale_decision(request, claim, form, error, f"reduce_{item.pk}")
        except DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item has been reduced."))
            return redirect("exchanges:claim_detail", pk=claim.pk)
    return _claim_page(request, claim, **{f"reduce_{item.pk}": form})


# --- export batches and budget ---------------------------------------------------------------------------


@login_required
@permission_required("exchanges.finance", raise_exception=True)
def batch_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            batch = batch_create(actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Batch %(number)s has been created.") % {"number": batch.number})
            return redirect("exchanges:batch_detail", pk=batch.pk)
        return redirect("exchanges:batch_list")
    batches = export_batches()
    waiting = Booking.objects.filter(batch__isnull=True).aggregate(total=Sum("amount"), count=Count("pk"))
    page = Paginator(batches, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exchanges/batch_list.html", {"page": page, "waiting": waiting})


@login_required
@permission_required("exchanges.finance", raise_exception=True)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = ExportBatch.objects.filter(pk=pk).first()
    if batch is None:
        raise Http404
    if request.method == "POST":
        try:
            count = batch_mark_paid(batch=batch, actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)d claims are marked paid.") % {"count": count})
        return redirect("exchanges:batch_detail", pk=batch.pk)
    return render(request, "exchanges/batch_detail.html", {"batch": batch, "rows": batch_rows(batch)})


@login_required
@permission_required("exchanges.finance", raise_exception=True)
@require_POST  # the first download freezes the batch: a state change, so never on a plain link
def batch_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    batch = ExportBatch.objects.filter(pk=pk).first()
    if batch is None or kind not in {"csv", "xlsx"}:
        raise Http404
    batch = batch_mark_exported(batch=batch, actor=request.user, file_format=kind)
    if kind == "csv":
        response = HttpResponse(batch_csv(batch), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            batch_xlsx(batch),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{batch.number}.{kind}"'
    return response


@login_required
@permission_required("exchanges.finance", raise_exception=True)
def budget_overview(request: HttpRequest) -> HttpResponse:
    """The budget of one year (``?year=``, this year by default) and the form that sets it. The form
    carries the version of that year's budget it showed (0: none), so a second finance person saving
    at the same time is refused and keeps what they typed."""
    chooser = BudgetYearForm(request.GET or None)
    year = (chooser.cleaned_data.get("year") if chooser.is_valid() else None) or timezone.localdate().year
    budget = Budget.objects.filter(year=year, city__isnull=True).first()
    form = BudgetForm(request.POST or None, year=year, budget=budget)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            budget_set(
                year=year,
                amount=form.cleaned_data["amount"],
                actor=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as error:
            form_show_stale(form, error, Budget.objects.get(year=year, city__isnull=True))
            status = 409
        except DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget has been saved."))
            return redirect(f"{reverse('exchanges:budget')}?year={year}")
    return render(
        request,
        "exchanges/budget.html",
        {
            "form": form,
            "chooser": chooser,
            "overview": budget_overview_figures(year=year),
            "year": year,
        },
        status=status,
    )


@login_required
def claim_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    response = HttpResponse(
        claim_pdf_export(claim=claim, actor=request.user, request=request), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="Reisekostenabrechnung-{claim.exchange.reference}-{claim.pk}.pdf"'
    )
    return response


@login_required
@permission_required("exchanges.finance", raise_exception=True)
def rate_set_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "exchanges/rate_sets.html", {"rate_sets": RateSet.objects.order_by("code", "-valid_from")}
    )


@login_required
@permission_required("exchanges.finance", raise_exception=True)
def rate_set_new_period_view(request: HttpRequest, pk: int) -> HttpResponse:
    current = RateSet.objects.filter(pk=pk).first()
    if current is None:
        raise Http404
    form = RateSetPeriodForm(request.POST or None, instance=RateSet.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        changes = {
            name: value for name, value in form.cleaned_data.items() if name not in {"valid_from", "version"}
        }
        try:
            rate_set_new_period(
                current=current,
                valid_from=form.cleaned_data["valid_from"],
                changes=changes,
                actor=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as error:
            form_show_stale(form, error, RateSet.objects.get(pk=pk))
            return render(
                request, "exchanges/rate_set_form.html", {"form": form, "current": current}, status=409
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, _("The new period has been saved; the previous one ends the day before.")
            )
            return redirect("exchanges:rate_sets")
    return render(request, "exchanges/rate_set_form.html", {"form": form, "current": current})
