"""China's statutory holidays and adjusted workdays (调休), as the State Council announces them
each year, from the maintained `chinesecalendar` package (import name `chinese_calendar`).

They are the default of every working calendar: the repair service's deadlines count working
days on it unless the office has set its own dates for a year (PUT /api/repair/calendar).
Only the years the installed package knows are filled; a later year is plain Monday to Friday
until the package is upgraded (or the office enters that year's dates).
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar

from shared.clock import WorkingCalendar


@lru_cache(maxsize=1)
def statutory() -> tuple[frozenset[date], frozenset[date]]:
    """(holidays that fall on a weekday, weekend days worked in exchange), every known year.
    A holiday on a weekend changes no working day, so it is left out."""
    holidays = frozenset(d for d in chinese_calendar.constants.holidays if d.weekday() < 5)
    workdays = frozenset(d for d in chinese_calendar.constants.workdays if d.weekday() >= 5)
    return holidays, workdays


def known_years() -> tuple[int, int]:
    """The first and last year the installed package has the announced dates of."""
    years = [d.year for d in chinese_calendar.constants.holidays]
    return min(years), max(years)


def calendar(holidays=(), extra_workdays=()) -> WorkingCalendar:
    """The statutory calendar, with the office's own dates instead for every year they name
    (a year the office set is wholly theirs: a statutory date of it they left out is not
    kept)."""
    own_holidays, own_workdays = set(holidays), set(extra_workdays)
    years = {d.year for d in own_holidays | own_workdays}
    statutory_holidays, statutory_workdays = statutory()
    return WorkingCalendar(
        holidays=own_holidays | {d for d in statutory_holidays if d.year not in years},
        extra_workdays=own_workdays | {d for d in statutory_workdays if d.year not in years})
