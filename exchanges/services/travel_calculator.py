"""The travel-cost calculator: pure functions, no database, every line with its legal basis.

Money is ``Decimal`` throughout and every line is rounded half up to cents. The rules follow the
federal travel-expenses law (BRKG) and the state laws in SPEC §6; a ``Rates`` value carries the
figures of one rate set, so the same code serves BRKG, Sachsen and Bayern.

Daily allowance (§ 6 BRKG with the income-tax rates):
- a one-day trip of more than ``min_hours_one_day`` hours: the partial rate (14 €), otherwise nothing;
- a trip over several days: the partial rate on the day of departure and on the day of return, the
  full rate (28 €) for each day in between;
- each meal provided reduces that day by a share of the *full* rate (breakfast 20 %, lunch and dinner
  40 % each), never below zero. Breakfast included in a reimbursed hotel price counts as provided on
  the morning after the night.
Car (§ 5): km × rate, capped per trip where the rate set has a cap; the higher rate only when the
significant official interest was recorded before the trip.
Overnight (§ 7): the flat rate per night without a receipt; with a receipt the hotel price up to the
limit (plus the breakfast share when breakfast is included), more only with a reason finance accepts.
Rail and bus (§ 4): the ticket price as receipted; a higher class only when allowed (see ``rail_line``).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def de(value: Decimal) -> str:
    """A number as written in German texts: 14,00 / 0,20 / 740."""
    return f"{value}".replace(".", ",")


@dataclass(frozen=True)
class Rates:
    """The figures of one rate set (a row of ``exchanges.RateSet``, or test data)."""

    label: str  # e.g. "BRKG"
    full_day: Decimal = Decimal("28.00")
    partial_day: Decimal = Decimal("14.00")
    min_hours_one_day: int = 8
    breakfast_share: Decimal = Decimal("0.20")
    lunch_share: Decimal = Decimal("0.40")
    dinner_share: Decimal = Decimal("0.40")
    km_rate: Decimal = Decimal("0.20")
    km_rate_higher: Decimal = Decimal("0.30")
    km_cap: Decimal | None = Decimal("130.00")  # per trip at the normal rate; None = no cap
    overnight_flat: Decimal = Decimal("20.00")
    hotel_limit: Decimal | None = Decimal("70.00")  # per night without justification; None = necessary costs
    higher_class_min_hours: Decimal | None = Decimal(
        "2"
    )  # BRKG: scheduled one-way journey ≥ 2 h; None = only with a reason


@dataclass(frozen=True)
class Night:
    hotel_cost: Decimal | None = None  # None: no receipt (flat rate)
    breakfast_included: bool = False
    excess_reason_accepted: bool = False  # finance accepted a written reason for a price above the limit


@dataclass(frozen=True)
class RailTicket:
    price: Decimal
    higher_class: bool = False
    scheduled_hours: Decimal = Decimal("0")  # scheduled duration of the one-way journey
    reason_accepted: bool = False


@dataclass(frozen=True)
class Trip:
    """A trip in local time (Europe/Berlin): calendar days are those of the traveller's clock."""

    start: datetime
    end: datetime
    nights: tuple[Night, ...] = ()
    meals: dict[date, frozenset[str]] = field(default_factory=dict)  # "breakfast", "lunch", "dinner"
    rail: tuple[RailTicket, ...] = ()
    car_km: Decimal = Decimal("0")
    car_interest_recorded: bool = False  # significant official interest recorded before the trip
    local_transport: Decimal = Decimal("0")
    other: tuple[tuple[str, Decimal], ...] = ()  # (explanation, amount)


@dataclass(frozen=True)
class Line:
    kind: str  # allowance, car, overnight, rail, local, other
    text: str
    legal_basis: str
    amount: Decimal
    note: str = ""


@dataclass(frozen=True)
class Calculation:
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return money(sum((line.amount for line in self.lines), ZERO))

    def subtotal(self, kind: str) -> Decimal:
        return money(sum((line.amount for line in self.lines if line.kind == kind), ZERO))


def allowance_lines(trip: Trip, rates: Rates) -> list[Line]:
    days = (trip.end.date() - trip.start.date()).days + 1
    meals = {day: set(provided) for day, provided in trip.meals.items()}
    # Breakfast included in a night's hotel price is provided on the morning after that night.
    for index, night in enumerate(trip.nights):
        if night.breakfast_included:
            meals.setdefault(trip.start.date() + timedelta(days=index + 1), set()).add("breakfast")
    lines = []
    for offset in range(days):
        day = trip.start.date() + timedelta(days=offset)
        if days == 1:
            hours = Decimal((trip.end - trip.start).total_seconds()) / Decimal(3600)
            if hours <= rates.min_hours_one_day:
                lines.append(
                    Line(
                        "allowance",
                        f"{day:%d.%m.%Y}: eintägige Reise ({de(hours.quantize(CENT))} h)",
                        f"§ 6 {rates.label}",
                        ZERO,
                        note=f"nicht mehr als {rates.min_hours_one_day} h",
                    )
                )
                continue
            base, what = rates.partial_day, f"eintägige Reise über {rates.min_hours_one_day} h"
        elif offset in (0, days - 1):
            base, what = rates.partial_day, "An- oder Abreisetag"
        else:
            base, what = rates.full_day, "voller Kalendertag"
        cuts = []
        for meal, share in (
            ("breakfast", rates.breakfast_share),
            ("lunch", rates.lunch_share),
            ("dinner", rates.dinner_share),
        ):
            if meal in meals.get(day, set()):
                cuts.append((meal, money(rates.full_day * share)))
        amount = max(ZERO, money(base - sum((cut for _meal, cut in cuts), ZERO)))
        names = {"breakfast": "Frühstück", "lunch": "Mittagessen", "dinner": "Abendessen"}
        note = ", ".join(f"− {de(cut)} € {names[meal]}" for meal, cut in cuts)
        lines.append(
            Line("allowance", f"{day:%d.%m.%Y}: {what} ({de(base)} €)", f"§ 6 {rates.label}", amount, note)
        )
    return lines


def car_line(trip: Trip, rates: Rates) -> Line | None:
    if trip.car_km <= 0:
        return None
    if trip.car_interest_recorded:
        amount = money(trip.car_km * rates.km_rate_higher)
        return Line(
            "car",
            f"Privat-Pkw {de(trip.car_km)} km × {de(rates.km_rate_higher)} €",
            f"§ 5 Abs. 2 {rates.label}",
            amount,
            "erhebliches dienstliches Interesse vor Reiseantritt festgestellt",
        )
    amount = money(trip.car_km * rates.km_rate)
    note = ""
    if rates.km_cap is not None and amount > rates.km_cap:
        note = f"{de(amount)} € auf Höchstbetrag {de(rates.km_cap)} € begrenzt"
        amount = rates.km_cap
    return Line(
        "car",
        f"Privat-Pkw {de(trip.car_km)} km × {de(rates.km_rate)} €",
        f"§ 5 Abs. 1 {rates.label}",
        amount,
        note,
    )


def overnight_lines(trip: Trip, rates: Rates) -> list[Line]:
    lines = []
    breakfast = money(rates.full_day * rates.breakfast_share)
    for number, night in enumerate(trip.nights, start=1):
        if night.hotel_cost is None:
            lines.append(
                Line(
                    "overnight",
                    f"Übernachtung {number} ohne Beleg (pauschal)",
                    f"§ 7 {rates.label}",
                    money(rates.overnight_flat),
                )
            )
            continue
        cost = money(night.hotel_cost)
        if rates.hotel_limit is None or night.excess_reason_accepted:
            lines.append(Line("overnight", f"Übernachtung {number} laut Beleg", f"§ 7 {rates.label}", cost))
            continue
        allowed = money(rates.hotel_limit + (breakfast if night.breakfast_included else ZERO))
        if cost <= allowed:
            lines.append(Line("overnight", f"Übernachtung {number} laut Beleg", f"§ 7 {rates.label}", cost))
        else:
            lines.append(
                Line(
                    "overnight",
                    f"Übernachtung {number} laut Beleg",
                    f"§ 7 {rates.label}",
                    allowed,
                    f"{de(cost)} € über der Grenze von {de(rates.hotel_limit)} € (ohne Frühstück); ohne Begründung gekürzt",
                )
            )
    return lines


def rail_line(ticket: RailTicket, number: int, rates: Rates) -> Line:
    price = money(ticket.price)
    note = ""
    if ticket.higher_class:
        allowed = ticket.reason_accepted or (
            rates.higher_class_min_hours is not None
            and ticket.scheduled_hours >= rates.higher_class_min_hours
        )
        note = (
            "höhere Klasse anerkannt"
            if allowed
            else "höhere Klasse nicht anerkannt: bitte Preis der niedrigsten Klasse angeben"
        )
        if not allowed:
            return Line("rail", f"Fahrkarte {number}", f"§ 4 {rates.label}", ZERO, note)
    return Line("rail", f"Fahrkarte {number}", f"§ 4 {rates.label}", price, note)


def calculate(trip: Trip, rates: Rates) -> Calculation:
    """Every line of a travel-cost claim, rounded; ``Calculation.total`` is their sum."""
    if trip.end <= trip.start:
        raise ValueError("The trip must end after it starts.")
    lines: list[Line] = []
    lines += [rail_line(ticket, number, rates) for number, ticket in enumerate(trip.rail, start=1)]
    car = car_line(trip, rates)
    if car:
        lines.append(car)
    if trip.local_transport > 0:
        lines.append(
            Line(
                "local",
                "Öffentlicher Nahverkehr laut Beleg",
                f"§ 4 {rates.label}",
                money(trip.local_transport),
            )
        )
    lines += overnight_lines(trip, rates)
    lines += allowance_lines(trip, rates)
    lines += [
        Line("other", f"Sonstiges: {text}", f"§ 10 {rates.label}", money(amount))
        for text, amount in trip.other
    ]
    return Calculation(tuple(lines))
