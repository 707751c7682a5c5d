"""The worked examples A–G of the travel-costs issue must come out exactly."""

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from exchanges.travel.rate_defaults import LEGAL_BASES
from exchanges.travel.services.travel_calculator import Night, RailTicket, Rates, Trip, calculate, money

BERLIN = ZoneInfo("Europe/Berlin")
BRKG = Rates(label="BRKG", legal_bases=LEGAL_BASES["BRKG"])
BAYERN = Rates(
    label="BayRKG",
    legal_bases=LEGAL_BASES["BY"],
    km_rate=D("0.25"),
    km_rate_higher=D("0.40"),
    km_cap=None,
    overnight_flat=D("18.50"),
    hotel_limit=None,
    higher_class_min_hours=None,
    breakfast_from_hotel=True,
)
SACHSEN = Rates(
    label="SächsRKG",
    legal_bases=LEGAL_BASES["SN"],
    km_rate_higher=D("0.35"),
    km_cap=None,
    hotel_limit=D("90.00"),
    higher_class_min_hours=None,
    breakfast_from_hotel=True,
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


# --- Corners of the allowance (issue 18, point 5) -------------------------------------------------------
#
# BRKG § 6 (1) sentence 2 takes the daily allowance from the income-tax rates, § 9 (4a) sentence 3 EStG:
# no. 1: 28 € for a calendar day of 24 hours' absence; no. 2: 14 € each for the day of arrival and of
# departure of a trip with an overnight stay; no. 3: 14 € for a calendar day with more than 8 hours'
# absence without an overnight stay — and when the trip "begins on one calendar day and ends on the
# next without an overnight stay", the 14 € are paid once, "for the calendar day on which the larger part
# of the altogether more than 8 hours" falls.


def allowances(trip: Trip, rates: Rates = BRKG) -> list:
    return [line for line in calculate(trip, rates).lines if line.kind == "allowance"]


def test_midnight_trip_pays_14_euro_once_for_the_day_with_the_larger_share():
    # 10.03. 19:00 – 11.03. 04:30, no night: 9,5 h in all (> 8 h), 5 h on the 10th, 4,5 h on the 11th.
    # § 9 (4a) sentence 3 no. 3 EStG: once 14 €, for the 10th. Not 14 € + 14 € (no overnight stay, so
    # the arrival/departure rule of no. 2 does not apply), and not nothing (neither day alone has > 8 h).
    [line] = allowances(Trip(at(10, 19), at(11, 4, 30)))
    assert line.amount == D("14.00")
    assert line.text == (
        "10.03.2026–11.03.2026: Abwesenheit über Mitternacht ohne Übernachtung, 9,50 h; "
        "14,00 € für den 10.03. (größerer Anteil, 5,00 h)"
    )


def test_midnight_trip_with_the_larger_share_after_midnight_and_breakfast_on_that_day():
    # 10.03. 22:00 – 11.03. 08:30: 10,5 h; 2 h on the 10th, 8,5 h on the 11th: the 14 € belong to the 11th.
    # Breakfast provided on the 11th reduces that day's allowance by 20 % of the full day (BRKG § 6 (2)):
    # 14,00 − 5,60 = 8,40 €. The dinner on the 10th concerns a day without allowance and reduces nothing.
    trip = Trip(
        at(10, 22),
        at(11, 8, 30),
        meals={date(2026, 3, 10): frozenset({"dinner"}), date(2026, 3, 11): frozenset({"breakfast"})},
    )
    [line] = allowances(trip)
    assert "14,00 € für den 11.03. (größerer Anteil, 8,50 h)" in line.text
    assert line.amount == D("8.40")
    assert line.note == "− 5,60 € Frühstück (§ 6 Abs. 2 BRKG)"


def test_midnight_trip_of_exactly_8_hours_gives_nothing():
    # 10.03. 20:00 – 11.03. 04:00: 8 h in all; the law asks for *more than* 8 hours.
    [line] = allowances(Trip(at(10, 20), at(11, 4)))
    assert line.amount == D("0.00")
    assert line.note == "nicht mehr als 8 h"


def test_midnight_trip_with_equal_shares_pays_the_first_day():
    # 10.03. 19:00 – 11.03. 05:00: 10 h, 5 h on each day. The law names no winner for equal shares;
    # the portal pays once (the absence exceeds 8 h) and books it on the first day.
    [line] = allowances(Trip(at(10, 19), at(11, 5)))
    assert line.amount == D("14.00")
    assert "für den 10.03. (gleiche Anteile: der erste Tag, 5,00 h)" in line.text


def test_midnight_trip_counts_real_hours_across_the_change_to_summer_time():
    # 28.03.2026 20:00 – 29.03.2026 05:00 reads as 9 h on the clock, but the clocks jump from 02:00 to
    # 03:00 that night: the absence lasts 8 h, which is not more than 8 h, so nothing is due.
    trip = Trip(datetime(2026, 3, 28, 20, tzinfo=BERLIN), datetime(2026, 3, 29, 5, tzinfo=BERLIN))
    [line] = allowances(trip)
    assert line.amount == D("0.00")
    assert "8,00 h" in line.text


def test_two_calendar_days_with_a_night_are_arrival_and_departure_days():
    # With an overnight stay (a hotel or a flat-rate night) § 9 (4a) sentence 3 no. 2 EStG applies
    # instead: 14 € for the day of departure and 14 € for the day of return, whatever the hours.
    for night in (Night(hotel_cost=D("60.00")), Night()):
        trip = Trip(at(10, 19), at(11, 4, 30), nights=(night,))
        assert [line.amount for line in allowances(trip)] == [D("14.00"), D("14.00")]


# --- Hotel nights: without a receipt, and above the limit ------------------------------------------------


@pytest.mark.parametrize(
    ("rates", "flat", "basis"),
    [(BRKG, D("20.00"), "§ 7 Abs. 1 Satz 1 BRKG"), (BAYERN, D("18.50"), "Art. 9 Abs. 2 BayRKG")],
)
def test_a_hotel_night_without_receipt_is_paid_as_the_flat_rate(rates, flat, basis):
    # BRKG § 7 (1): "Für eine notwendige Übernachtung erhalten Dienstreisende pauschal 20 Euro. Höhere
    # Übernachtungskosten werden erstattet, soweit sie notwendig sind." Without a receipt the higher
    # cost is not shown, so the 95 € hotel becomes the flat 20 € (Bayern: 18,50 €, BayRKG Art. 9 (2)
    # "für eine Nacht ohne belegmäßigen Nachweis"). The breakfast in the price is not reimbursed, so it
    # does not reduce the next morning's allowance (BRKG § 6 (2) sentence 2 cuts only for meals whose
    # price is in the reimbursed costs): 14 € + 14 €.
    trip = Trip(at(10, 8), at(11, 18), nights=(Night(D("95.00"), breakfast_included=True, receipt=False),))
    result = calculate(trip, rates)
    [line] = [line for line in result.lines if line.kind == "overnight"]
    assert line.amount == flat
    assert line.note.startswith(f"kein Beleg: Pauschale nach {basis};")
    assert "Frühstück nicht erstattet" in line.note
    assert [line.amount for line in allowances(trip, rates)] == [D("14.00"), D("14.00")]


def test_a_capped_hotel_line_explains_the_cap_with_the_breakfast_share():
    # BRKG § 7 (1) sentence 2 pays higher costs "soweit sie notwendig sind"; the rate set takes up to 70 €
    # for the room as necessary without a reason (SPEC §6). A 95 € price including breakfast is the room
    # plus breakfast: reimbursed up to 70 € + 20 % of 28 € (5,60 €) = 75,60 €, and the breakfast share comes
    # back through the allowance of the morning after (14 € − 5,60 € = 8,40 €).
    trip = Trip(at(10, 8), at(11, 18), nights=(Night(D("95.00"), breakfast_included=True),))
    result = calculate(trip, BRKG)
    [line] = [line for line in result.lines if line.kind == "overnight"]
    assert line.amount == D("75.60")
    assert line.note == (
        "95,00 € laut Beleg; erstattet bis 70,00 € (Grenze ohne Begründung) zuzüglich 5,60 € "
        "Frühstücksanteil = 75,60 €; mehr nur mit anerkannter Begründung"
    )
    assert [line.amount for line in allowances(trip)] == [D("14.00"), D("8.40")]
    assert result.total == D("98.00")


def test_a_capped_hotel_line_without_breakfast():
    # 95 € for the room alone: 70 € without a reason.
    [line] = [
        line
        for line in calculate(Trip(at(10, 8), at(11, 18), nights=(Night(D("95.00")),)), BRKG).lines
        if line.kind == "overnight"
    ]
    assert (line.amount, line.note) == (
        D("70.00"),
        "95,00 € laut Beleg; erstattet bis 70,00 € (Grenze ohne Begründung); mehr nur mit anerkannter Begründung",
    )


# --- Legal basis labels: each law as finance reads it ----------------------------------------------------


def test_every_line_cites_its_own_law_and_bavaria_in_articles():
    # A one-day trip by rail and car with lunch provided, a night on receipt, other costs: each line
    # names the paragraph of the rate set's own law. BRKG: § 4 (fares), § 5 (car), § 6 (allowance, with
    # the income-tax rates; (2) meals), § 7 (nights), § 10 (other costs). BayRKG numbers in articles:
    # Art. 5 (fares), Art. 6 (car), Art. 8 (allowance), Art. 9 (nights), Art. 11 (meals), Art. 12
    # (incidental costs). SächsRKG: § 9 (1) for incidental costs; BremRKG: § 10, like the BRKG.
    trip = Trip(
        at(10, 7),
        at(11, 19),
        rail=(RailTicket(D("40.00")),),
        car_km=D("10"),
        nights=(Night(D("60.00")),),
        meals={date(2026, 3, 10): frozenset({"lunch"})},
        other=(("Tagungsgebühr", D("25.00")),),
    )
    expected = {
        "BRKG": [
            "§ 4 Abs. 1 BRKG",
            "§ 5 Abs. 1 BRKG",
            "§ 7 Abs. 1 Satz 2 BRKG",
            "§ 6 Abs. 1 BRKG",
            "§ 10 Abs. 1 BRKG",
        ],
        "BY": ["Art. 5 BayRKG", "Art. 6 BayRKG", "Art. 9 Abs. 3 BayRKG", "Art. 8 BayRKG", "Art. 12 BayRKG"],
        "SN": [
            "§ 4 SächsRKG",
            "§ 5 Abs. 1 SächsRKG",
            "§ 7 Abs. 1 SächsRKG",
            "§ 6 Abs. 1 SächsRKG",
            "§ 9 Abs. 1 SächsRKG",
        ],
        "HB": ["§ 4 BremRKG", "§ 5 Abs. 1 BremRKG", "§ 7 BremRKG", "§ 6 BremRKG", "§ 10 BremRKG"],
    }
    for code, (rail, car, hotel, allowance, other) in expected.items():
        rates = Rates(label=LEGAL_BASES[code]["law"], legal_bases=LEGAL_BASES[code])
        bases = {line.kind: line.legal_basis for line in calculate(trip, rates).lines}
        assert (bases["rail"], bases["car"], bases["overnight"], bases["other"]) == (rail, car, hotel, other)
        assert bases["allowance"].startswith(allowance)
        lunch = next(line for line in allowances(trip, rates) if line.note)
        assert lunch.note == f"− 11,20 € Mittagessen ({LEGAL_BASES[code]['meals']})"


def test_the_midnight_rule_and_the_flat_rate_cite_their_own_sentences():
    midnight = allowances(Trip(at(10, 19), at(11, 4, 30)))[0]
    assert midnight.legal_basis == "§ 6 Abs. 1 BRKG i. V. m. § 9 Abs. 4a Satz 3 Nr. 3 EStG"
    trip = Trip(at(10, 8), at(11, 18), nights=(Night(), Night(D("80.00"), receipt=False)))
    flat, no_receipt = [line for line in calculate(trip, BRKG).lines if line.kind == "overnight"]
    assert flat.legal_basis == no_receipt.legal_basis == "§ 7 Abs. 1 Satz 1 BRKG"
    assert no_receipt.note == "kein Beleg: Pauschale nach § 7 Abs. 1 Satz 1 BRKG"
    car = calculate(Trip(at(10, 7), at(10, 20), car_km=D("100"), car_interest_recorded=True), BRKG).lines[0]
    assert car.legal_basis == "§ 5 Abs. 2 BRKG"


def test_a_rate_set_without_citations_falls_back_to_its_label():
    line = calculate(Trip(at(10, 7), at(10, 20), rail=(RailTicket(D("10.00")),)), Rates(label="XRKG")).lines[
        0
    ]
    assert line.legal_basis == "XRKG"


# --- Hotel nights are dated ------------------------------------------------------------------------------


def test_an_included_breakfast_reduces_the_morning_after_that_night():
    # 10.03. 08:00 – 12.03. 20:00, two nights: the night of the 10th without a hotel (flat rate) and the
    # night of the 11th in a hotel with breakfast included. The breakfast is provided on the morning of
    # the 12th, so the 12th's allowance is cut (BRKG § 6 (2): 20 % of 28 € = 5,60 €), not the 11th's:
    # 10th: 14 € (departure day), 11th: 28 € (full day), 12th: 14 € − 5,60 € = 8,40 € → 50,40 €.
    # (Before nights had dates, the hotel was taken as the first night and cut the 11th to 22,40 €.)
    trip = Trip(
        at(10, 8),
        at(12, 20),
        nights=(Night(D("65.00"), breakfast_included=True, night_of=date(2026, 3, 11)), Night()),
    )
    result = calculate(trip, BRKG)
    assert [line.amount for line in allowances(trip)] == [D("14.00"), D("28.00"), D("8.40")]
    assert [(line.text, line.amount) for line in result.lines if line.kind == "overnight"] == [
        ("Übernachtung 10.03.–11.03.2026 ohne Beleg (pauschal)", D("20.00")),
        ("Übernachtung 11.03.–12.03.2026 laut Beleg", D("65.00")),
    ]
    assert result.total == D("135.40")


# --- Breakfast in the hotel price: Sachsen and Bayern take it off the price ------------------------------
#
# SächsRKG § 7 (1) sentence 3: "Übernachtungskosten, die die Kosten des Frühstücks einschließen, sind vorab
# ... um 20 Prozent des bei einer Abwesenheit von 24 Stunden an einem Kalendertag zustehenden Tagegeldes
# ... zu kürzen." BayRKG Art. 9 (3) sentence 2 says the same. The breakfast is then no longer in the
# reimbursed costs, so the allowance is not cut (SächsRKG § 6 (2) sentence 2 cuts only meals paid there).


def test_saxony_takes_the_breakfast_off_the_hotel_price_not_off_the_allowance():
    # Worked example B under the Saxon law: 68 € with breakfast − 5,60 € = 62,40 € for the room;
    # 14 € + 14 € allowance. Total 90,40 € — the same as the BRKG way (68 € + 14 € + 8,40 €), but the
    # lines are those the Saxon law prescribes.
    trip = Trip(at(10, 7), at(11, 18), nights=(Night(D("68.00"), breakfast_included=True),))
    result = calculate(trip, SACHSEN)
    [hotel] = [line for line in result.lines if line.kind == "overnight"]
    assert hotel.amount == D("62.40")
    assert (
        hotel.note
        == "68,00 € laut Beleg − 5,60 € Frühstück (vorab abgezogen nach § 7 Abs. 1 Satz 3 SächsRKG) = 62,40 €"
    )
    assert [line.amount for line in allowances(trip, SACHSEN)] == [D("14.00"), D("14.00")]
    assert result.total == calculate(trip, BRKG).total == D("90.40")


def test_saxony_applies_its_90_euro_limit_to_the_room_without_breakfast():
    # 120 € with breakfast: 114,40 € for the room, above the 90 € of § 7 (1) sentence 1 SächsRKG.
    trip = Trip(at(10, 7), at(11, 18), nights=(Night(D("120.00"), breakfast_included=True),))
    [hotel] = [line for line in calculate(trip, SACHSEN).lines if line.kind == "overnight"]
    assert hotel.amount == D("90.00")
    assert hotel.note.endswith(
        "= 114,40 €; erstattet bis 90,00 € (Grenze ohne Begründung); mehr nur mit anerkannter Begründung"
    )


def test_where_the_allowance_is_used_up_the_saxon_breakfast_still_comes_off_the_hotel():
    # Lunch and dinner are provided on the 11th: its 14 € are used up (14 − 11,20 − 11,20 < 0 → 0 €).
    # BRKG: the breakfast cut would fall on an allowance already at zero, so the hotel's 68 € are paid
    # whole: 68 + 14 + 0 = 82 €. SächsRKG takes it off the price beforehand: 62,40 + 14 + 0 = 76,40 €.
    trip = Trip(
        at(10, 7),
        at(11, 18),
        nights=(Night(D("68.00"), breakfast_included=True),),
        meals={date(2026, 3, 11): frozenset({"lunch", "dinner"})},
    )
    assert calculate(trip, BRKG).total == D("82.00")
    assert calculate(trip, SACHSEN).total == D("76.40")


def test_bavaria_pays_the_necessary_hotel_costs_less_the_breakfast():
    # BayRKG Art. 9 (3): necessary costs, no fixed limit; breakfast off beforehand: 95 € − 5,60 € = 89,40 €.
    trip = Trip(at(10, 7), at(11, 18), nights=(Night(D("95.00"), breakfast_included=True),))
    [hotel] = [line for line in calculate(trip, BAYERN).lines if line.kind == "overnight"]
    assert (hotel.amount, hotel.legal_basis) == (D("89.40"), "Art. 9 Abs. 3 BayRKG")
    assert "vorab abgezogen nach Art. 9 Abs. 3 Satz 2 BayRKG" in hotel.note
