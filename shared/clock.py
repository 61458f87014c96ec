"""Time as the services see it.

Instants are stored and exchanged in UTC (ISO 8601 with a zone in payloads); calendar ideas
such as months, dates and working days follow the office's own clock, Asia/Shanghai.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
OFFICE_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    # MongoDB keeps milliseconds; truncating here keeps what we hold equal to what we stored.
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; naive values (as a driver may return) are taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).isoformat(timespec="milliseconds")


def parse_iso(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text))


def local_date(moment: datetime) -> date:
    return as_utc(moment).astimezone(OFFICE_TZ).date()


def month_key(moment: datetime) -> str:
    """The office month an instant falls in, as 'YYYY-MM'."""
    return local_date(moment).strftime("%Y-%m")


def start_of_local_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=OFFICE_TZ).astimezone(UTC)


class WorkingCalendar:
    """Working days: Monday to Friday, minus public holidays, plus the weekend days that are
    worked in exchange (调休). Holidays change every year, so they are data, not code."""

    def __init__(self, holidays=(), extra_workdays=()):
        self.holidays = frozenset(holidays)
        self.extra_workdays = frozenset(extra_workdays)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the `days`-th working day after the local date of `start`.

        A problem accepted on Friday with a 1-day limit is due at the end of Monday: the
        day of acceptance does not count, which is how offices count 工作日 limits.
        """
        day = local_date(start)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return start_of_local_day(day + timedelta(days=1)) - timedelta(milliseconds=1)
