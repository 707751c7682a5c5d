"""The travel-cost calculator: pure functions, no database, every line with its legal basis.

Money is ``Decimal`` throughout and every line is rounded half up to cents. The rules follow the
federal travel-expenses law (BRKG) and the state laws in SPEC §6; a ``Rates`` value carries the
figures of one rate set, so the same code serves BRKG, Sachsen and Bayern.

Daily allowance (§ 6 BRKG with the income-tax rates of § 9 (4a) sentence 3 EStG):
- a one-day trip of more than ``min_hours_one_day`` hours: the partial rate (14 €), otherwise nothing;
- a trip without overnight stay that starts on one calendar day and ends on the next: the partial rate
  once, for the day with the larger share of the absence, if the whole absence exceeds
  ``min_hours_one_day`` hours (§ 9 (4a) sentence 3 no. 3 EStG); equal shares: the first day;
- a trip over several days with a night: the partial rate on the day of departure and on the day of
  return, the full rate (28 €) for each day in between;
- hours are real elapsed time (a night with a clock change has 23 or 25 hours);
- each meal provided reduces that day by a share of the *full* rate (breakfast 20 %, lunch and dinner
  40 % each), never below zero. Breakfast included in a reimbursed hotel price counts as provided on
  the morning after the night.
Car (§ 5): km × rate, capped per trip where the rate set has a cap; the higher rate only when the
significant official interest was recorded before the trip.
Overnight (§ 7): the flat rate per night without a receipt; with a receipt the hotel price up to the
limit (plus the breakfast share when breakfast is included), more only with a reason finance accepts.
Where the rate set says so (Sachsen, Bayern) a price that includes breakfast is first reduced by the
breakfast share and the limit applies to the rest; the next morning's allowance is then not cut.
Every line's legal basis is the rate set's own citation (``Rates.basis``), not a number written here.
Rail and bus (§ 4): the ticket price as receipted; a higher class only when allowed (see ``rail_line``).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
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
    # SächsRKG § 7 (1) sentence 3, BayRKG Art. 9 (3) sentence 2: breakfast included in a hotel price is
    # taken off the price beforehand instead of off the next morning's allowance (BRKG § 6 (2)).
    breakfast_from_hotel: bool = False
    # How the law is cited per kind of line ("allowance": "§ 6 Abs. 1 BRKG …"); the rate set's data, so
    # every law is cited its own way (Bavaria in articles). A missing key falls back to ``label``.
    legal_bases: dict[str, str] = field(default_factory=dict, hash=False)

    def basis(self, key: str, *fallbacks: str) -> str:
        """The legal basis of one kind of line, as the rate set cites it."""
        for name in (key, *fallbacks):
            if self.legal_bases.get(name):
                return self.legal_bases[name]
        return self.label


@dataclass(frozen=True)
class Night:
    hotel_cost: Decimal | None = None  # None: no hotel claimed (flat rate)
    breakfast_included: bool = False
    excess_reason_accepted: bool = False  # finance accepted a written reason for a price above the limit
    receipt: bool = True  # False: a hotel price claimed without a receipt is paid as the flat rate
    night_of: date | None = None  # the evening the night begins; None: the first night no other takes


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


MEALS = (("breakfast", "Frühstück"), ("lunch", "Mittagessen"), ("dinner", "Abendessen"))


def hours_between(start: datetime, end: datetime) -> Decimal:
    """Elapsed hours, exact: aware times are compared in UTC, so a clock change counts as it happened."""
    if start.tzinfo is not None and end.tzinfo is not None:
        start, end = start.astimezone(UTC), end.astimezone(UTC)
    return Decimal((end - start) // timedelta(microseconds=1)) / Decimal(3_600_000_000)


def _hours_text(hours: Decimal) -> str:
    return de(hours.quantize(CENT, rounding=ROUND_HALF_UP))


def _after_meals(base: Decimal, provided: set[str], rates: Rates) -> tuple[Decimal, str]:
    """The allowance of one day after the meals provided on it, and the note listing the reductions."""
    shares = {"breakfast": rates.breakfast_share, "lunch": rates.lunch_share, "dinner": rates.dinner_share}
    cuts = [(name, money(rates.full_day * shares[meal])) for meal, name in MEALS if meal in provided]
    amount = max(ZERO, money(base - sum((cut for _name, cut in cuts), ZERO)))
    note = ", ".join(f"− {de(cut)} € {name}" for name, cut in cuts)
    return amount, f"{note} ({rates.basis('meals', 'allowance')})" if cuts else ""


def _midnight_line(trip: Trip, rates: Rates, meals: dict[date, set[str]]) -> Line:
    """A trip without overnight stay from one calendar day into the next (§ 9 (4a) sentence 3 no. 3 EStG).

    The partial rate is paid once, for the calendar day on which the larger part of the absence
    falls, and only if the whole absence exceeds the minimum hours; the law names no winner for equal
    shares, so the first day gets it (the trip's own start).
    """
    first, second = trip.start.date(), trip.end.date()
    midnight = datetime.combine(second, time(0), tzinfo=trip.end.tzinfo)
    total = hours_between(trip.start, trip.end)
    before, after = hours_between(trip.start, midnight), hours_between(midnight, trip.end)
    text = (
        f"{first:%d.%m.%Y}–{second:%d.%m.%Y}: Abwesenheit über Mitternacht ohne Übernachtung, "
        f"{_hours_text(total)} h"
    )
    basis = rates.basis("allowance_midnight", "allowance")
    if total <= rates.min_hours_one_day:
        return Line("allowance", text, basis, ZERO, f"nicht mehr als {rates.min_hours_one_day} h")
    day, share = (first, before) if before >= after else (second, after)
    why = "größerer Anteil" if before != after else "gleiche Anteile: der erste Tag"
    amount, note = _after_meals(rates.partial_day, meals.get(day, set()), rates)
    text += f"; {de(rates.partial_day)} € für den {day:%d.%m.} ({why}, {_hours_text(share)} h)"
    return Line("allowance", text, basis, amount, note)


def allowance_lines(trip: Trip, rates: Rates) -> list[Line]:
    days = (trip.end.date() - trip.start.date()).days + 1
    meals = {day: set(provided) for day, provided in trip.meals.items()}
    # Breakfast included in a night's reimbursed hotel price is provided on the morning after *that* night
    # (BRKG § 6 (2) sentence 2). A night paid as the flat rate reimburses no breakfast, so it cuts nothing.
    for night_of, night in dated_nights(trip):
        if night.breakfast_included and _hotel_paid(night) and not rates.breakfast_from_hotel:
            meals.setdefault(night_of + timedelta(days=1), set()).add("breakfast")
    if days == 2 and not trip.nights:
        return [_midnight_line(trip, rates, meals)]
    lines = []
    for offset in range(days):
        day = trip.start.date() + timedelta(days=offset)
        if days == 1:
            hours = hours_between(trip.start, trip.end)
            if hours <= rates.min_hours_one_day:
                lines.append(
                    Line(
                        "allowance",
                        f"{day:%d.%m.%Y}: eintägige Reise ({_hours_text(hours)} h)",
                        rates.basis("allowance"),
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
        amount, note = _after_meals(base, meals.get(day, set()), rates)
        lines.append(
            Line(
                "allowance", f"{day:%d.%m.%Y}: {what} ({de(base)} €)", rates.basis("allowance"), amount, note
            )
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
            rates.basis("car_higher", "car"),
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
        rates.basis("car"),
        amount,
        note,
    )


def dated_nights(trip: Trip) -> list[tuple[date, Night]]:
    """Every night with its date, in date order. A night without a date takes the first night of the
    trip that no other night has (flat-rate nights, and hotel items dated before dates were kept)."""
    taken = {night.night_of for night in trip.nights if night.night_of is not None}
    free = (trip.start.date() + timedelta(days=offset) for offset in range(10_000))
    dated = []
    for night in trip.nights:
        night_of = night.night_of
        if night_of is None:
            night_of = next(day for day in free if day not in taken)
        dated.append((night_of, night))
    return sorted(dated, key=lambda pair: pair[0])


def night_text(night_of: date) -> str:
    return f"Übernachtung {night_of:%d.%m.}–{night_of + timedelta(days=1):%d.%m.%Y}"


def _hotel_paid(night: Night) -> bool:
    """Whether the night is paid at the hotel's price (a receipt) rather than as the flat rate."""
    return night.hotel_cost is not None and night.receipt


def overnight_lines(trip: Trip, rates: Rates) -> list[Line]:
    lines = []
    breakfast = money(rates.full_day * rates.breakfast_share)
    for night_of, night in dated_nights(trip):
        name = night_text(night_of)
        if night.hotel_cost is None:
            lines.append(
                Line(
                    "overnight",
                    f"{name} ohne Beleg (pauschal)",
                    rates.basis("overnight_flat"),
                    money(rates.overnight_flat),
                )
            )
            continue
        if not night.receipt:
            # § 7 (1) BRKG: the flat rate for a necessary night; higher costs only as far as shown to
            # be necessary — without a receipt nothing higher is shown.
            note = f"kein Beleg: Pauschale nach {rates.basis('overnight_flat')}"
            if night.breakfast_included:
                note += "; Frühstück nicht erstattet, daher keine Kürzung des Tagegelds"
            lines.append(
                Line(
                    "overnight",
                    f"{name}: Hotel {de(money(night.hotel_cost))} € ohne Beleg",
                    rates.basis("overnight_flat"),
                    money(rates.overnight_flat),
                    note,
                )
            )
            continue
        cost = money(night.hotel_cost)
        if night.breakfast_included and rates.breakfast_from_hotel:
            lines.append(_hotel_less_breakfast(name, cost, night, rates, breakfast))
            continue
        if rates.hotel_limit is None or night.excess_reason_accepted:
            lines.append(Line("overnight", f"{name} laut Beleg", rates.basis("overnight_receipt"), cost))
            continue
        allowed = money(rates.hotel_limit + (breakfast if night.breakfast_included else ZERO))
        if cost <= allowed:
            lines.append(Line("overnight", f"{name} laut Beleg", rates.basis("overnight_receipt"), cost))
        else:
            # The limit is for the room; a price that includes breakfast may exceed it by the breakfast
            # share, which the next morning's allowance gives back (BRKG § 6 (2) sentence 2).
            cap = f"erstattet bis {de(rates.hotel_limit)} € (Grenze ohne Begründung)"
            if night.breakfast_included:
                cap += f" zuzüglich {de(breakfast)} € Frühstücksanteil = {de(allowed)} €"
            lines.append(
                Line(
                    "overnight",
                    f"{name} laut Beleg",
                    rates.basis("overnight_receipt"),
                    allowed,
                    f"{de(cost)} € laut Beleg; {cap}; mehr nur mit anerkannter Begründung",
                )
            )
    return lines


def _hotel_less_breakfast(name: str, cost: Decimal, night: Night, rates: Rates, breakfast: Decimal) -> Line:
    """SächsRKG § 7 (1) sentence 3, BayRKG Art. 9 (3) sentence 2: a price that includes breakfast is
    reduced by the breakfast share *beforehand*; the limit applies to what remains, and the allowance is
    not cut (the breakfast is no longer in the reimbursed costs)."""
    room = max(ZERO, money(cost - breakfast))
    note = (
        f"{de(cost)} € laut Beleg − {de(breakfast)} € Frühstück (vorab abgezogen nach "
        f"{rates.basis('hotel_breakfast', 'overnight_receipt')}) = {de(room)} €"
    )
    amount = room
    if rates.hotel_limit is not None and room > rates.hotel_limit and not night.excess_reason_accepted:
        amount = money(rates.hotel_limit)
        note += f"; erstattet bis {de(rates.hotel_limit)} € (Grenze ohne Begründung); mehr nur mit anerkannter Begründung"
    return Line("overnight", f"{name} laut Beleg", rates.basis("overnight_receipt"), amount, note)


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
            return Line("rail", f"Fahrkarte {number}", rates.basis("rail"), ZERO, note)
    return Line("rail", f"Fahrkarte {number}", rates.basis("rail"), price, note)


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
                rates.basis("local", "rail"),
                money(trip.local_transport),
            )
        )
    lines += overnight_lines(trip, rates)
    lines += allowance_lines(trip, rates)
    lines += [
        Line("other", f"Sonstiges: {text}", rates.basis("other"), money(amount))
        for text, amount in trip.other
    ]
    return Calculation(tuple(lines))
