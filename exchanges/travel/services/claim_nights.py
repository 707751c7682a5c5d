"""The nights of a trip: each hotel item belongs to one dated night, and a trip has only so many nights.

A night is named by the evening it begins ("night of 10.03.2026" is the night from the 10th to the 11th);
the trip's nights run from its first calendar day to the day before its last. Hotel items and the nights
without receipt (``TravelClaim.flat_nights``) share them: together never more than the trip has, and
never two hotel items for one night. The browser form and the API both go through these checks (the
claims service calls them), so both show the same message next to the same field.
"""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from exchanges.travel.models import ClaimItem, TravelClaim
from koopstadt.errors import DomainError


def trip_days(claim: TravelClaim) -> tuple[date, date]:
    """The trip's first and last calendar day in local time."""
    return timezone.localtime(claim.trip_start).date(), timezone.localtime(claim.trip_end).date()


def trip_night_count(claim: TravelClaim) -> int:
    first, last = trip_days(claim)
    return max(0, (last - first).days)


def _day(value: date) -> str:
    return f"{value:%d.%m.%Y}"


def claim_item_night_check(*, claim: TravelClaim, data: dict[str, Any]) -> dict[str, Any]:
    """The item's data with its night checked (hotel) or dropped (other kinds); a DomainError otherwise."""
    if data.get("kind") != ClaimItem.Kind.HOTEL:
        return {**data, "night_of": None}
    night_of = data.get("night_of")
    if night_of is None:
        raise DomainError(
            _("Please give the night of this hotel stay: the date of the evening."), field="night_of"
        )
    first, last = trip_days(claim)
    if not first <= night_of < last:
        if first == last:
            message = _("This trip has no night: it begins and ends on %(day)s.") % {"day": _day(first)}
        else:
            message = _("The night must be one of the trip's nights: from %(first)s to %(last)s.") % {
                "first": _day(first),
                "last": _day(last - timedelta(days=1)),
            }
        raise DomainError(message, field="night_of")
    hotels = claim.items.filter(kind=ClaimItem.Kind.HOTEL)
    if hotels.filter(night_of=night_of).exists():
        raise DomainError(
            _("There is already a hotel item for the night of %(day)s.") % {"day": _day(night_of)},
            field="night_of",
        )
    if hotels.count() + claim.flat_nights >= trip_night_count(claim):
        raise DomainError(
            _(
                "No night of the trip is left for another hotel item (nights of the trip: %(nights)d, "
                "of them without receipt: %(flat)d). Lower the nights without receipt first."
            )
            % {"nights": trip_night_count(claim), "flat": claim.flat_nights},
            field="night_of",
        )
    return data


def claim_nights_check(claim: TravelClaim) -> None:
    """After a change of the trip: its hotel nights still lie within it, and all nights fit into it."""
    first, last = trip_days(claim)
    hotel_items = (
        ClaimItem.objects.filter(claim=claim, kind=ClaimItem.Kind.HOTEL)
        if claim.pk
        else ClaimItem.objects.none()
    )
    hotel_nights = list(hotel_items.filter(night_of__isnull=False).values_list("night_of", flat=True))
    for night_of in sorted(hotel_nights):
        if not first <= night_of < last:
            raise DomainError(
                _(
                    "The hotel night of %(day)s would lie outside the trip. Change the dates or remove "
                    "that item first."
                )
                % {"day": _day(night_of)},
                field="trip_start" if night_of < first else "trip_end",
            )
    nights = trip_night_count(claim)
    hotels = hotel_items.count()
    if hotels + claim.flat_nights > nights:
        raise DomainError(
            _(
                "More nights than the trip has (nights of the trip: %(nights)d, with a hotel item: "
                "%(hotels)d): at most %(free)d without receipt."
            )
            % {"nights": nights, "hotels": hotels, "free": max(0, nights - hotels)},
            field="flat_nights",
        )
