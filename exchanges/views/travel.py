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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cities.models import AuditEvent
from cities.roles import Role
from cities.services.audit import audit_record
from exchanges.errors import DomainError
from exchanges.forms import (
    BudgetForm,
    ClaimForm,
    ClaimItemForm,
    FinanceDecisionForm,
    FinanceQueueFilterForm,
    ItemReductionForm,
    MealsForm,
    RateSetPeriodForm,
)
from exchanges.models import Booking, ClaimStatus, ExportBatch, RateSet, Receipt, TravelClaim
from exchanges.selectors import claim_get_for_user, claims_of, export_batches, request_get_for_user
from exchanges.selectors import finance_queue as finance_queue_claims
from exchanges.services.claim_pdf import claim_pdf
from exchanges.services.claims import (
    BudgetExceeded,
    budget_overview_figures,
    budget_position,
    budget_set,
    claim_approve,
    claim_calculate,
    claim_create,
    claim_filing_deadline,
    claim_is_late,
    claim_item_add,
    claim_item_reduce,
    claim_item_remove,
    claim_rate_set,
    claim_return_or_reject,
    claim_submit,
    claim_update,
    participants_of,
)
from exchanges.services.exports import (
    batch_create,
    batch_csv,
    batch_mark_exported,
    batch_mark_paid,
    batch_rows,
    batch_xlsx,
)
from exchanges.services.rates import rate_set_new_period
from exchanges.views.downloads import protected_download
from koopstadt.pagination import CappedPaginator


@login_required
def claim_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = request_get_for_user(user=request.user, pk=pk)
    if request.user.pk not in {user.pk for user in participants_of(exchange)}:
        messages.error(request, _("Only participants of the exchange can claim travel costs."))
        return redirect(exchange)
    form = ClaimForm(request.POST or None, initial={"purpose": exchange.title})
    if request.method == "POST" and form.is_valid():
        try:
            claim = claim_create(
                exchange=exchange, traveller=request.user, actor=request.user, data=form.cleaned_data
            )
        except (DomainError, ValidationError) as error:
            field = getattr(error, "field", None)
            form.add_error(
                field if field in form.fields else None,
                getattr(error, "message", None) or "; ".join(error.messages),
            )
        else:
            messages.success(
                request, _("Your claim is saved as a draft. Add tickets, hotel nights and other costs.")
            )
            return redirect("exchanges:claim_detail", pk=claim.pk)
    return render(request, "exchanges/claim_form.html", {"form": form, "exchange": exchange})


def _trip_days(claim: TravelClaim) -> list:
    start, end = timezone.localtime(claim.trip_start).date(), timezone.localtime(claim.trip_end).date()
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)][:31]


def _claim_page(request: HttpRequest, claim: TravelClaim, **forms) -> HttpResponse:  # type: ignore[no-untyped-def]
    user = request.user
    editable = claim.status in {ClaimStatus.DRAFT, ClaimStatus.RETURNED} and user.pk in {
        claim.traveller_id,
        claim.submitted_by_id,
    }
    # Decisions are the finance role's own (claims service), not every superuser's.
    is_finance = user.has_role(Role.FINANCE)
    deciding = (
        claim.status == ClaimStatus.SUBMITTED
        and is_finance
        and user.pk not in {claim.traveller_id, claim.submitted_by_id}
    )
    try:
        calculation = claim_calculate(claim)
    except (DomainError, ValueError) as error:
        calculation, forms["calculation_error"] = None, str(error)
    try:
        rate_set = claim_rate_set(claim)  # a draft's too: its legal basis and "to be confirmed" are shown
    except DomainError:
        rate_set = None
    context = {
        "claim": claim,
        "calculation": calculation,
        "rate_set": rate_set,
        "late": claim_is_late(claim),
        "deadline": claim_filing_deadline(claim),
        "editable": editable,
        "deciding": deciding,
        "four_eyes_blocked": claim.status == ClaimStatus.SUBMITTED and is_finance and not deciding,
        **forms,
    }
    if editable:
        context.setdefault("claim_form", ClaimForm(instance=claim))
        context.setdefault("item_form", ClaimItemForm())
        context.setdefault("meals_form", MealsForm(days=_trip_days(claim), initial_meals=claim.meals or {}))
    if deciding:
        context.setdefault("decision_form", FinanceDecisionForm())
        context["budget"] = budget_position(year=timezone.localdate().year)
    return render(request, "exchanges/claim_detail.html", context)


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
        try:
            claim_update(claim=claim, actor=request.user, data={**form.cleaned_data, "meals": meals.meals()})
        except DomainError as error:
            if error.field in form.fields:  # e.g. more nights without receipt than the trip has
                form.add_error(error.field, error.message)
                return _claim_page(request, claim, claim_form=form, meals_form=meals)
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved and recalculated."))
            return redirect("exchanges:claim_detail", pk=claim.pk)
    return _claim_page(request, claim, claim_form=form, meals_form=meals)


@login_required
@require_POST
def claim_item_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    form = ClaimItemForm(request.POST, request.FILES)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "receipt"}
        try:
            claim_item_add(
                claim=claim, actor=request.user, data=data, upload=form.cleaned_data.get("receipt")
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The item has been added and the claim recalculated."))
            return redirect("exchanges:claim_detail", pk=claim.pk)
    elif request.FILES.get("item-receipt"):
        form.add_error(
            "receipt",
            _("Please choose the file %(name)s again.") % {"name": request.FILES["item-receipt"].name},
        )
    return _claim_page(request, claim, item_form=form)


@login_required
@require_POST
def claim_item_remove_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    item = claim.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    try:
        claim_item_remove(item=item, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("exchanges:claim_detail", pk=claim.pk)


@login_required
@require_POST
def claim_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    try:
        claim_submit(claim_id=claim.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your claim has been submitted to finance."))
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
    return render(
        request,
        "exchanges/finance_queue.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "budget": budget_position(year=timezone.localdate().year),
        },
    )


@login_required
@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    form = FinanceDecisionForm(request.POST)
    if form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            if decision == "approve":
                claim_approve(
                    claim_id=claim.pk,
                    actor=request.user,
                    confirm_over_budget=form.cleaned_data["confirm_over_budget"],
                )
            else:
                claim_return_or_reject(
                    claim_id=claim.pk,
                    actor=request.user,
                    reject=decision == "reject",
                    reason=form.cleaned_data["reason"],
                )
        except BudgetExceeded as error:
            form.add_error("confirm_over_budget", error.message)
        except DomainError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("exchanges:claim_detail", pk=claim.pk)
    return _claim_page(request, claim, decision_form=form)


@login_required
@require_POST
def claim_item_reduce_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    item = claim.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    form = ItemReductionForm(request.POST, prefix=f"reduce-{item.pk}")
    if form.is_valid():
        try:
            claim_item_reduce(
                item_id=item.pk,
                actor=request.user,
                amount=Decimal(form.cleaned_data["amount"]),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The item has been reduced."))
    else:
        messages.error(request, _("Please give the reduced amount and a reason."))
    return redirect("exchanges:claim_detail", pk=claim.pk)


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
    year = timezone.localdate().year
    form = BudgetForm(request.POST or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        budget_set(year=form.cleaned_data["year"], amount=form.cleaned_data["amount"], actor=request.user)
        messages.success(request, _("The budget has been saved."))
        return redirect("exchanges:budget")
    return render(
        request,
        "exchanges/budget.html",
        {"form": form, "overview": budget_overview_figures(year=year), "year": year},
    )


@login_required
def claim_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_user(user=request.user, pk=pk)
    audit_record(
        kind=AuditEvent.Kind.EXPORT, actor=request.user, target=claim, request=request, action="claim_pdf"
    )
    response = HttpResponse(claim_pdf(claim), content_type="application/pdf")
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
        changes = {name: value for name, value in form.cleaned_data.items() if name != "valid_from"}
        try:
            rate_set_new_period(current=current, valid_from=form.cleaned_data["valid_from"], changes=changes)
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
