"""The city contact's inbox and the coordinators' triage."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cities.directory.choices import SharedLists
from exchanges.cycle.forms import AssignForm, TriageFilterForm
from exchanges.cycle.rules import is_city_contact
from exchanges.cycle.selectors import city_inbox, city_requests, triage
from exchanges.cycle.services.requests import requests_assign
from koopstadt.errors import DomainError
from koopstadt.htmx import page_or_fragment
from koopstadt.pagination import CappedPaginator


@login_required
def contact_inbox(request: HttpRequest) -> HttpResponse:
    # The rule itself, not the permission: an administrator holds every permission but has no city's inbox.
    if not is_city_contact(request.user):
        raise PermissionDenied
    waiting = city_inbox(user=request.user)
    followed = Paginator(city_requests(user=request.user), settings.LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "exchanges/contact_inbox.html", {"waiting": waiting, "page": followed})


@login_required
@permission_required("exchanges.triage", raise_exception=True)
def triage_inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        assign_form = AssignForm(request.POST)
        if assign_form.is_valid():
            try:
                changed = requests_assign(
                    request_ids=[r.pk for r in assign_form.cleaned_data["requests"]],
                    assignee=assign_form.cleaned_data["assignee"],
                    actor=request.user,
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                assignee = assign_form.cleaned_data["assignee"]
                messages.success(
                    request,
                    (
                        ngettext(
                            "%(count)d request assigned to %(name)s.",
                            "%(count)d requests assigned to %(name)s.",
                            changed,
                        )
                        if assignee is not None
                        else ngettext(
                            "%(count)d request is no longer assigned to anybody.",
                            "%(count)d requests are no longer assigned to anybody.",
                            changed,
                        )
                    )
                    % {"count": changed, "name": assignee.display_name if assignee else ""},
                )
        else:
            messages.error(request, _("Please select at least one request to assign."))
        return redirect(f"{request.path}?{request.POST.get('query', '')}")

    # The filter's cities and topics and the assignment form's coordinators: one trip to the cache.
    lists = SharedLists(set())
    form = TriageFilterForm(request.GET or None, choice_lists=lists)
    filters = form.cleaned_data if form.is_valid() else {}
    page = CappedPaginator(triage(user=request.user, filters=filters), settings.LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return page_or_fragment(
        request,
        "exchanges/triage.html",
        "exchanges/_triage_results.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "assign_form": AssignForm(choice_lists=lists),
        },
        form=form,
    )
