"""Demo trip requests (Dienstreiseanträge) in every state, made through the portal's own services.

- Petra Neumann's trip to the held exchange in Bremen, approved by Dr. Ines Vogt through the e-mail link
  and its costs confirmed by the coordination (a commitment): made while the exchange was still ahead,
  before the demo moves its history back (``demo_exchanges._history_shift`` moves the trip with it), so
  that it was approved before it began. The README's travel-cost walk claims it.
- "Genossenschaftliches Wohnen fördern" (agreed): Anna Schmidt's trip to Nürnberg approved by Steffen
  Krause in the portal and confirmed (a commitment), after a first request she cancelled; Birgit Koch's
  trip to Leipzig waiting for her supervisor Eva Schuster, after a first one by car she refused.
- "Schulcampus und Ganztag" (scheduled): Andreas Roth's trip returned by the coordination (the meeting is
  in his own city). Petra Neumann has no trip there: the README's walk files it.

Idempotent like ``demo_load``: a traveller who has a trip for the exchange already is left alone.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest
from exchanges.travel.models import TripMeans, TripRequest
from exchanges.travel.services.trips import (
    trip_cancel,
    trip_cost_decide,
    trip_create,
    trip_submit,
    trip_supervisor_decide,
)

COORDINATOR = "koordination@example.org"
HELD_TITLE = "Bildungs- und Quartierszentren in Bremen besichtigen"
AGREED_TITLE = "Genossenschaftliches Wohnen fördern"
SCHEDULED_TITLE = "Schulcampus und Ganztag"


def _person(email: str) -> User:
    return User.objects.get(email=email)


def _day(days: int, hour: int, minute: int = 0):
    """A moment ``days`` from today, local time."""
    return (timezone.localtime() + timedelta(days=days)).replace(
        hour=hour, minute=minute, second=0, microsecond=0
    )


def _file(exchange: ExchangeRequest, email: str, **data: Any) -> TripRequest:
    traveller = _person(email)
    return trip_create(exchange=exchange, traveller=traveller, actor=traveller, data=data)


def _submit(trip: TripRequest) -> TripRequest:
    return trip_submit(trip_id=trip.pk, actor=trip.traveller)


def _approve_by_link(trip: TripRequest) -> TripRequest:
    """The supervisor without an account approves through the link of the e-mail (the link's key)."""
    return trip_supervisor_decide(
        trip_id=trip.pk, decision="approved", actor=None, link_nonce=trip.link_nonce
    )


def _confirm_costs(trip: TripRequest) -> TripRequest:
    return trip_cost_decide(trip_id=trip.pk, decision="approved", actor=_person(COORDINATOR))


def held_trip_before_the_meeting(request: ExchangeRequest) -> None:
    """Petra Neumann's day trip Leipzig → Bremen for the held exchange, approved and committed while the
    meeting is still ahead (called by the demo's "past" step before it moves the history back)."""
    request = ExchangeRequest.objects.get(pk=request.pk)  # the status as it is now
    if request.title != HELD_TITLE or request.trip_requests.exists():
        return
    meeting_start = timezone.localtime(request.meeting.starts_at)
    trip = _file(
        request,
        "petra.neumann@example.org",
        starts_at=meeting_start.replace(hour=6, minute=15),
        ends_at=meeting_start.replace(hour=19, minute=45),
        means=TripMeans.RAIL,
        fare=Decimal("149.80"),
        scheduled_hours=Decimal("3.5"),
    )
    _confirm_costs(_approve_by_link(_submit(trip)))


def _agreed_exchange_trips(exchange: ExchangeRequest) -> int:
    created = 0
    if not exchange.trip_requests.filter(traveller__email="anna.schmidt@example.org").exists():
        first = _submit(
            _file(
                exchange,
                "anna.schmidt@example.org",
                destination="Nürnberg, Stab Wohnen",
                starts_at=_day(38, 7, 30),
                ends_at=_day(38, 19, 0),
                fare=Decimal("129.80"),
            )
        )
        trip_cancel(
            trip_id=first.pk,
            actor=first.traveller,
            reason="Der Termin mit den Genossenschaften ist auf zwei Tage verlegt; neuer Antrag folgt.",
        )
        trip = _submit(
            _file(
                exchange,
                "anna.schmidt@example.org",
                destination="Nürnberg, Stab Wohnen",
                starts_at=_day(45, 7, 30),
                ends_at=_day(46, 18, 0),
                fare=Decimal("239.60"),
                higher_class=True,
                scheduled_hours=Decimal("3.5"),
                higher_class_reason="Vorbereitung der Werkstatt mit vertraulichen Unterlagen während der Fahrt.",
                hotel_nights=1,
                hotel_price=Decimal("104.00"),
                hotel_reason="Tagungshotel am Veranstaltungsort; die Zimmer bis 90 € sind zur Messe ausgebucht.",
            )
        )
        trip_supervisor_decide(
            trip_id=trip.pk, decision="approved", actor=_person("ressort.leipzig@example.org")
        )
        _confirm_costs(trip)
        created += 1
    if not exchange.trip_requests.filter(traveller__email="birgit.koch@example.org").exists():
        supervisor = _person("ressort.nuernberg-wohnen@example.org")
        by_car = _submit(
            _file(
                exchange,
                "birgit.koch@example.org",
                purpose=f"C+R {exchange.reference}: Gegenbesuch in Leipzig (Genossenschaftsforum)",
                destination="Leipzig, Amt für Wohnungsbau und Stadterneuerung",
                starts_at=_day(60, 6, 45),
                ends_at=_day(60, 20, 30),
                means=TripMeans.CAR,
                car_km=Decimal("560"),
                car_interest=True,
                car_interest_reason="Transport der Ausstellungstafeln zur Genossenschaftsförderung.",
            )
        )
        trip_supervisor_decide(
            trip_id=by_car.pk,
            decision="refused",
            note="Die Tafeln schicken wir per Post; die Reise bitte mit der Bahn neu beantragen.",
            actor=supervisor,
        )
        _submit(
            _file(
                exchange,
                "birgit.koch@example.org",
                purpose=f"C+R {exchange.reference}: Gegenbesuch in Leipzig (Genossenschaftsforum)",
                destination="Leipzig, Amt für Wohnungsbau und Stadterneuerung",
                starts_at=_day(60, 6, 45),
                ends_at=_day(60, 20, 30),
                fare=Decimal("129.80"),
                scheduled_hours=Decimal("3.0"),
            )
        )
        created += 1
    return created


def _scheduled_exchange_trips(exchange: ExchangeRequest) -> int:
    if exchange.trip_requests.filter(traveller__email="andreas.roth@example.org").exists():
        return 0
    meeting_start = timezone.localtime(exchange.meeting.starts_at)
    trip = _submit(
        _file(
            exchange,
            "andreas.roth@example.org",
            starts_at=meeting_start.replace(hour=8, minute=30),
            ends_at=meeting_start.replace(hour=17, minute=30),
            means=TripMeans.CAR,
            car_km=Decimal("24"),
        )
    )
    trip_cost_decide(
        trip_id=trip.pk,
        decision="returned",
        note="Der Termin ist in Nürnberg, Ihrem Dienstort: bitte als Dienstgang ohne Reisekosten abwickeln "
        "oder die Fahrtkosten begründen.",
        actor=_person(COORDINATOR),
    )
    return 1


@transaction.atomic
def demo_trips_load() -> int:
    """The trip requests of the agreed and the scheduled exchange not there yet; returns how many travellers
    got theirs."""
    created = 0
    agreed = ExchangeRequest.objects.filter(title=AGREED_TITLE).first()
    if agreed is not None:
        created += _agreed_exchange_trips(agreed)
    scheduled = ExchangeRequest.objects.filter(title=SCHEDULED_TITLE).first()
    if scheduled is not None:
        created += _scheduled_exchange_trips(scheduled)
    return created
