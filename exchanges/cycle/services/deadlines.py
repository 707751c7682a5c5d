"""Working days in the federal state of the person who must act (public holidays differ by state)."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(state: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DE", subdiv=state or None, years=year).keys())


def is_working_day(day: date, state: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(state, day.year)


def add_working_days(start: date, days: int, state: str) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, state):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, state: str) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, state):
            count += 1
    return count
