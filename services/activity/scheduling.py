"""Calendar rules for activities, with no I/O: opening hours of venues and rooms, recurring
series, and how times are written for people (office time, Asia/Shanghai)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from shared import clock

WEEKDAY_NAMES = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}
MAX_OCCURRENCES = 60      # a weekly series for a year, with room to spare
MAX_SERIES_SPAN = timedelta(days=366)


def local(moment: datetime) -> datetime:
    return clock.as_utc(moment).astimezone(clock.OFFICE_TZ)


def local_text(moment: datetime) -> str:
    """'2026-03-07 09:00' in office time."""
    return local(moment).strftime("%Y-%m-%d %H:%M")


def window_text(starts_at: datetime, ends_at: datetime) -> str:
    """'2026-03-07 09:00–11:00', or with both dates when the window spans days."""
    start, end = local(starts_at), local(ends_at)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


def parse_hhmm(text: str) -> time:
    return time.fromisoformat(text)


def closing_time(text: str) -> time:
    """'23:59' means open until midnight."""
    return time.max if text == "23:59" else parse_hhmm(text)


def hours_text(opening_hours: list[dict], weekday: int) -> str:
    spans = sorted((r["opens"], r["closes"]) for r in opening_hours if weekday in r["weekdays"])
    return "、".join(f"{opens}–{closes}" for opens, closes in spans)


def opening_hours_problem(place: str, opening_hours: list[dict], starts_at: datetime,
                          ends_at: datetime) -> str | None:
    """Why [starts_at, ends_at) does not fit the place's opening hours, or None if it does.

    Opening hours are rules `{weekdays: [1..7], opens: "HH:MM", closes: "HH:MM"}` in office
    time ("23:59" closes at midnight); no rules means the place is always open (a square, say).
    With rules, an activity must lie within one rule on one day.
    """
    if not opening_hours:
        return None
    start, end = local(starts_at), local(ends_at)
    end_time = end.time()
    if end.date() == start.date() + timedelta(days=1) and end_time == time(0, 0):
        end_time = time.max  # ends at midnight: the end of the start's day
    elif end.date() != start.date():
        return f"{place}按开放时间使用,活动不能跨日。"
    weekday = start.isoweekday()
    rules = [r for r in opening_hours if weekday in r["weekdays"]]
    if not rules:
        return f"{place}{WEEKDAY_NAMES[weekday]}不开放。"
    for rule in rules:
        if parse_hhmm(rule["opens"]) <= start.time() and end_time <= closing_time(rule["closes"]):
            return None
    return (f"{place}{WEEKDAY_NAMES[weekday]}的开放时间为 {hours_text(opening_hours, weekday)},"
            f"活动时间 {window_text(starts_at, ends_at)} 不在其中。")


def occurrences(start_date: date, start_time: time, end_time: time, weekdays: list[int],
                interval_weeks: int = 1, count: int | None = None, until: date | None = None,
                exclude_dates=()) -> list[tuple[datetime, datetime]]:
    """The (starts_at, ends_at) of each activity of a recurring series, in UTC.

    E.g. every Saturday 09:00–11:00 for 8 activities: weekdays [6], count 8. Dates in
    `exclude_dates` (a holiday) are skipped and not counted; `interval_weeks` 2 means every
    other week, counted from the week of `start_date`.
    """
    if count is None and until is None:
        raise ValueError("a series needs a count or an end date")
    excluded = set(exclude_dates)
    first_monday = start_date - timedelta(days=start_date.isoweekday() - 1)
    last_day = min(until or date.max, start_date + MAX_SERIES_SPAN)
    found = []
    day = start_date
    while day <= last_day and (count is None or len(found) < count):
        week = (day - first_monday).days // 7
        if day.isoweekday() in weekdays and week % interval_weeks == 0 and day not in excluded:
            starts = datetime.combine(day, start_time, tzinfo=clock.OFFICE_TZ)
            ends = datetime.combine(day, end_time, tzinfo=clock.OFFICE_TZ)
            found.append((clock.as_utc(starts), clock.as_utc(ends)))
        day += timedelta(days=1)
    return found
