from datetime import date

from exchanges.cycle.services.deadlines import add_working_days, is_working_day, working_days_between


def test_weekends_do_not_count():
    # Friday 2026-11-20 + 5 working days = Friday 2026-11-27
    assert add_working_days(date(2026, 11, 20), 5, "BY") == date(2026, 11, 27)


def test_holidays_of_the_contacts_state_do_not_count():
    # Buß- und Bettag (18.11.2026) is a holiday in Sachsen only.
    start = date(2026, 11, 16)  # Monday
    assert add_working_days(start, 5, "SN") == date(2026, 11, 24)
    assert add_working_days(start, 5, "BY") == date(2026, 11, 23)
    assert not is_working_day(date(2026, 11, 18), "SN")
    assert is_working_day(date(2026, 11, 18), "HB")


def test_reformation_day_in_bremen_and_sachsen_but_not_bavaria():
    assert not is_working_day(date(2025, 10, 31), "HB")
    assert not is_working_day(date(2025, 10, 31), "SN")
    assert is_working_day(date(2025, 10, 31), "BY")


def test_working_days_between():
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 27), "BY") == 5
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 20), "BY") == 0
