"""Dates and numbers the demo's plan is made of: a whole number split into parts, local
times, working days, months, check-digit ID numbers."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from shared import clock, holidays


def split(total: int, parts: int, rng: random.Random, least: int = 1) -> list[int]:
    """`parts` whole numbers, each at least `least`, that add up to `total` exactly."""
    parts = max(1, min(parts, total // least))
    cuts = sorted(rng.sample(range(1, total - parts * least + parts), parts - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total - parts * least + parts])]
    return [s - 1 + least for s in sizes]


def at_local(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.OFFICE_TZ)


def add_working_days(day: date, days: int) -> date:
    """As the repair service counts them: on its default calendar, China's statutory
    holidays and 调休 (shared/holidays.py)."""
    working = holidays.calendar()
    while days > 0:
        day += timedelta(days=1)
        if working.is_working_day(day):
            days -= 1
    return day


def iso(moment: datetime) -> str:
    return moment.isoformat()


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def id_number(serial: int, birth: str) -> str:
    """A valid (GB 11643) ID-card number of a person born in 天长市 (code 341181)."""
    body = f"341181{birth}{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
