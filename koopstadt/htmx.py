"""Pages that htmx updates in part: the same view answers the whole page or only the part that changed.

Every page works without JavaScript: a filter form is an ordinary GET form with a submit button, the
claim's trip form posts to "Save and recalculate". With JavaScript, htmx (served from django-htmx's
static files, configured in base.html's ``htmx-config`` meta tag: no eval, no inline styles, nothing
kept in the browser's storage) asks the same address and sends ``HX-Request``; the view then renders
only the fragment template, which the full template includes. The context is the same, so the part
costs no more queries than on the whole page.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect


def wants_fragment(request: HttpRequest) -> bool:
    """htmx asks for a part of the page (not when it restores a page from history: that is whole)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def page_or_fragment(
    request: HttpRequest, template: str, fragment: str, context: dict, *, form=None
) -> HttpResponse:
    """The whole page, or for htmx only ``fragment`` (the part ``template`` includes).

    A filter form with errors sends htmx to the whole page at that address, so the errors stand next to
    their fields as without JavaScript. ``Vary: HX-Request``: a cache never answers one with the other.
    """
    if wants_fragment(request):
        if form is not None and form.is_bound and form.errors:
            response: HttpResponse = HttpResponseClientRedirect(request.get_full_path())
        else:
            response = render(request, fragment, context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
