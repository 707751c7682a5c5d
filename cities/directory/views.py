from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cities.directory.forms import ExpertFilterForm
from cities.directory.selectors import expert_pool, expert_search
from koopstadt.htmx import page_or_fragment
from koopstadt.pagination import CappedPaginator


@login_required
def expert_list(request: HttpRequest) -> HttpResponse:
    form = ExpertFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    experts = expert_search(filters)
    page = CappedPaginator(
        experts, settings.EXPERT_POOL_PAGE_SIZE, cap=settings.EXPERT_POOL_COUNT_CAP
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page_or_fragment(
        request,
        "cities/expert_list.html",
        "cities/_expert_results.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(filters and any(filters.values())),
        },
        form=form,
    )


@login_required
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    expert = get_object_or_404(expert_pool(), pk=pk)
    return render(
        request,
        "cities/expert_detail.html",
        {"expert": expert, "show_contact": request.user.has_perm("cities.view_expert_contact")},
    )
