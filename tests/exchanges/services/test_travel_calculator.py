"""The worked examples A–G of the travel-costs issue must come out exactly."""

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from exchanges.services.travel_calculator import Night, RailTicket, Rates, Trip, calculate, money

BERLIN = ZoneInfo("Europe/Berlin")
BRKG = Rates(label="BRKG")
BAYERN = Rates(
    label="BayRKG",
    km_rate=D("0.25"),
    km_rate_higher=D("0.40"),
    km_cap=None,
    overnight_flat=D("18.50"),
    hotel_limit=None,
    higher_class_min_hours=None,
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


def test_a_one_day_rail_trip_with_lunch():
    trip = Trip(
        at(10, 6, 30),
        at(10, 19, 45),
        rail=(RailTicket(D("59.90")),),
        meals={date(2026, 3, 10): frozenset({"lunch"})},
    )
    result = calculate(trip, BRKG)
    assert result.subtotal("allowance") == D("2.80")
    assert result.total == D("62.70")


def test_b_two_days_with_hotel_breakfast():
    trip = Trip(
        at(10, 7),
        at(11, 18),
        rail=(RailTicket(D("89.00")), RailTicket(D("89.00"))),
        nights=(Night(hotel_cost=D("68.00"), breakfast_included=True),),
    )
    result = calculate(trip, BRKG)
    assert [line.amount for line in result.lines if line.kind == "allowance"] == [D("14.00"), D("8.40")]
    assert result.subtotal("overnight") == D("68.00")
    assert result.total == D("268.40")


@pytest.mark.parametrize(("interest", "expected"), [(False, D("130.00")), (True, D("222.00"))])
def test_c_private_car(interest, expected):
    trip = Trip(at(10, 7), at(10, 20), car_km=D("740"), car_interest_recorded=interest)
    assert calculate(trip, BRKG).subtotal("car") == expected


def test_c_the_cap_is_shown():
    line = next(
        line
        for line in calculate(Trip(at(10, 7), at(10, 20), car_km=D("740")), BRKG).lines
        if line.kind == "car"
    )
    assert "148,00" in line.note and "130,00" in line.note


def test_d_three_days_two_hotel_nights_and_a_dinner():
    trip = Trip(
        at(10, 8),
        at(12, 20),
        nights=(Night(D("65.00"), True), Night(D("65.00"), True)),
        meals={date(2026, 3, 11): frozenset({"dinner"})},
    )
    result = calculate(trip, BRKG)
    assert [line.amount for line in result.lines if line.kind == "allowance"] == [
        D("14.00"),
        D("11.20"),
        D("8.40"),
    ]
    assert result.subtotal("allowance") == D("33.60")


def test_e_seven_and_a_half_hours_give_nothing():
    assert calculate(Trip(at(10, 8), at(10, 15, 30)), BRKG).subtotal("allowance") == D("0.00")


def test_f_never_negative():
    trip = Trip(at(10, 8), at(10, 18), meals={date(2026, 3, 10): frozenset({"lunch", "dinner"})})
    assert calculate(trip, BRKG).subtotal("allowance") == D("0.00")


@pytest.mark.parametrize(("rates", "expected"), [(BRKG, D("20.00")), (BAYERN, D("18.50"))])
def test_g_one_night_without_receipt(rates, expected):
    trip = Trip(at(10, 8), at(11, 18), nights=(Night(),))
    assert calculate(trip, rates).subtotal("overnight") == expected


def test_a_hotel_above_the_limit_is_cut_unless_a_reason_is_accepted():
    expensive = Trip(at(10, 8), at(11, 18), nights=(Night(D("95.00")),))
    assert calculate(expensive, BRKG).subtotal("overnight") == D("70.00")
    accepted = Trip(at(10, 8), at(11, 18), nights=(Night(D("95.00"), excess_reason_accepted=True),))
    assert calculate(accepted, BRKG).subtotal("overnight") == D("95.00")


def test_higher_rail_class_only_for_two_hours_or_with_a_reason():
    short = RailTicket(D("120.00"), higher_class=True, scheduled_hours=D("1.5"))
    long = RailTicket(D("120.00"), higher_class=True, scheduled_hours=D("2"))
    assert calculate(Trip(at(10, 6), at(10, 20), rail=(short,)), BRKG).subtotal("rail") == D("0.00")
    assert calculate(Trip(at(10, 6), at(10, 20), rail=(long,)), BRKG).subtotal("rail") == D("120.00")
    assert calculate(Trip(at(10, 6), at(10, 20), rail=(long,)), BAYERN).subtotal("rail") == D("0.00")


def test_rounding_is_half_up_to_cents():
    assert money(D("0.125")) == D("0.13")
    assert money(D("2.675")) == D("2.68")
    trip = Trip(at(10, 7), at(10, 20), car_km=D("12.5"))
    assert calculate(trip, BRKG).subtotal("car") == D("2.50")


def test_a_trip_must_end_after_it_starts():
    with pytest.raises(ValueError):
        calculate(Trip(at(10, 8), at(10, 8)), BRKG)
