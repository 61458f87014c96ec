"""The default working calendar: China's statutory holidays and adjusted workdays."""
from datetime import date, datetime, timezone

from shared import clock, holidays


def test_national_day_and_its_adjusted_saturday():
    working = holidays.calendar()
    assert not working.is_working_day(date(2026, 10, 1))      # Thursday, 国庆节
    assert not working.is_working_day(date(2026, 10, 7))      # Wednesday, still the holiday
    assert working.is_working_day(date(2026, 10, 8))
    assert working.is_working_day(date(2026, 10, 10))         # Saturday, worked (调休)
    # Spring Festival 2025: Tuesday 28 January off, Sunday 26 January worked.
    assert not working.is_working_day(date(2025, 1, 28))
    assert working.is_working_day(date(2025, 1, 26))


def test_a_deadline_skips_the_golden_week():
    accepted = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)   # Wednesday 10:00 local
    due = holidays.calendar().add_working_days(accepted, 1)
    assert clock.local_date(due) == date(2026, 10, 8)
    plain = clock.WorkingCalendar().add_working_days(accepted, 1)
    assert clock.local_date(plain) == date(2026, 10, 1)


def test_a_year_the_office_set_is_its_own_and_others_stay_statutory():
    working = holidays.calendar(holidays={date(2026, 3, 3)})
    assert not working.is_working_day(date(2026, 3, 3))
    assert working.is_working_day(date(2026, 10, 1))          # 2026 is now the office's
    assert not working.is_working_day(date(2025, 10, 1))     # 2025 is still statutory
    assert not working.is_working_day(date(2026, 10, 10))    # no 调休 Saturday set for 2026


def test_weekend_holidays_are_left_out_and_years_are_known():
    statutory_holidays, workdays = holidays.statutory()
    assert all(d.weekday() < 5 for d in statutory_holidays)
    assert all(d.weekday() >= 5 for d in workdays)
    first, last = holidays.known_years()
    assert first <= 2025 and last >= 2026
