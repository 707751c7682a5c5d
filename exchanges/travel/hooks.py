"""What travel attaches to the request cycle (exchanges.cycle.hooks), registered from the app's ready()."""

from typing import Any

from cities.directory.models import User
from exchanges.cycle.hooks import on_request_closed, request_page_section
from exchanges.cycle.models import ExchangeRequest
from exchanges.travel.rules import may_file_trip
from exchanges.travel.selectors import trips_visible_to
from exchanges.travel.services.trips import trips_close_for_request


@request_page_section
def trips_section(user: User, exchange: ExchangeRequest) -> dict[str, Any] | None:
    """The exchange's trip requests the person sees, and the link to request one's own trip."""
    trips = list(
        trips_visible_to(user)
        .filter(exchange=exchange)
        .select_related("traveller")
        .order_by("created_at", "pk")
    )
    may_file = may_file_trip(user, exchange)
    if not trips and not may_file:
        return None
    return {"template": "exchanges/_trips_section.html", "trips": trips, "may_file_trip": may_file}


on_request_closed(trips_close_for_request)
