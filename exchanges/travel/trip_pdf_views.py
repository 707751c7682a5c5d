"""The approval document of a trip (Dienstreisegenehmigung / Kostenübernahmeerklärung) as a download: for
those who see the trip, and for the supervisor through the signed link of their e-mail."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from exchanges.travel.models import TripRequest
from exchanges.travel.rules import may_download_trip_approval, trip_approval_document_exists
from exchanges.travel.selectors import trip_get_for_user
from exchanges.travel.services.trip_pdf import trip_pdf_export
from exchanges.travel.services.trips import trip_from_token
from koopstadt.errors import DomainError


def _pdf_response(content: bytes, trip: TripRequest) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="Dienstreisegenehmigung-{trip.exchange.reference}-{trip.pk}.pdf"'
    )
    return response


@login_required
def trip_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """404 for a trip the person may not see and for one that is not approved (no document yet)."""
    trip = trip_get_for_user(user=request.user, pk=pk)
    if not may_download_trip_approval(request.user, trip):
        raise Http404
    return _pdf_response(trip_pdf_export(trip=trip, actor=request.user, request=request), trip)


@never_cache
def trip_approval_link_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The supervisor's e-mail link also fetches the document once the trip is approved — after the link
    decided, too: the link's signature and the trip it names suffice (not its single-use nonce). An
    expired or altered link is refused like a missing trip."""
    try:
        trip, _nonce = trip_from_token(token)
    except DomainError as error:
        raise Http404 from error
    if not trip_approval_document_exists(trip):
        raise Http404
    content = trip_pdf_export(trip=trip, actor=None, request=request, via_link=True)
    response = _pdf_response(content, trip)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
