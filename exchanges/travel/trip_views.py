"""Trip requests (Dienstreiseanträge): file, change, submit, approve, confirm the costs, cancel, claim."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


trip_create_view = trip_detail = trip_edit = trip_submit_view = trip_supervisor_decide_view = _todo
trip_cost_decide_view = trip_cancel_view = trip_claim_view = trip_pdf_view = trip_approval_link = _todo
my_trips = trips_to_approve_view = _todo
