"""Opening hours and recurring series, in office time."""
from datetime import date, datetime, time

import pytest

from services.activity.scheduling import (local_text, occurrences, opening_hours_problem,
                                          window_text)
from shared import clock

HOURS = [{"weekdays": [1, 2, 3, 4, 5], "opens": "08:30", "closes": "11:30"},
         {"weekdays": [1, 2, 3, 4, 5], "opens": "14:00", "closes": "17:30"},
         {"weekdays": [6], "opens": "09:00", "closes": "12:00"}]


def office(y, m, d, hh, mm=0):
    """An instant given in office time."""
    return clock.as_utc(datetime(y, m, d, hh, mm, tzinfo=clock.OFFICE_TZ))


@pytest.mark.parametrize("starts, ends, problem", [
    (office(2026, 3, 2, 9), office(2026, 3, 2, 11), None),             # Monday morning
    (office(2026, 3, 2, 14), office(2026, 3, 2, 17, 30), None),        # Monday afternoon
    (office(2026, 3, 2, 11), office(2026, 3, 2, 14, 30), "08:30–11:30、14:00–17:30"),
    (office(2026, 3, 7, 9), office(2026, 3, 7, 12), None),             # Saturday
    (office(2026, 3, 8, 9), office(2026, 3, 8, 10), "周日不开放"),
    (office(2026, 3, 2, 17), office(2026, 3, 3, 9), "不能跨日"),
])
def test_activities_must_fit_within_one_opening_period(starts, ends, problem):
    found = opening_hours_problem("书画室", HOURS, starts, ends)
    if problem is None:
        assert found is None
    else:
        assert problem in found and found.startswith("书画室")


def test_no_opening_hours_means_always_open_even_until_midnight():
    assert opening_hours_problem("志愿服务广场", [], office(2026, 3, 8, 19),
                                 office(2026, 3, 8, 23)) is None
    late = [{"weekdays": [7], "opens": "18:00", "closes": "23:59"}]
    assert opening_hours_problem("广场", late, office(2026, 3, 8, 19),
                                 office(2026, 3, 9, 0)) is None
    assert "不能跨日" in opening_hours_problem("广场", late, office(2026, 3, 8, 19),
                                               office(2026, 3, 9, 0, 30))


def test_every_saturday_for_eight_weeks_makes_eight_dates():
    dates = occurrences(date(2026, 3, 2), time(9), time(11), [6], count=8)
    assert len(dates) == 8
    assert [local_text(s)[:10] for s, _ in dates][:3] == ["2026-03-07", "2026-03-14",
                                                         "2026-03-21"]
    assert window_text(*dates[0]) == "2026-03-07 09:00–11:00"
    assert all((e - s).seconds == 7200 for s, e in dates)


def test_series_skip_excluded_dates_honour_intervals_and_stop_at_until():
    skipped = occurrences(date(2026, 3, 7), time(9), time(11), [6], count=3,
                          exclude_dates=[date(2026, 3, 14)])
    assert [local_text(s)[:10] for s, _ in skipped] == ["2026-03-07", "2026-03-21",
                                                        "2026-03-28"]
    fortnightly = occurrences(date(2026, 3, 2), time(19), time(20), [2, 4],
                              interval_weeks=2, until=date(2026, 3, 31))
    assert [local_text(s)[:10] for s, _ in fortnightly] == [
        "2026-03-03", "2026-03-05", "2026-03-17", "2026-03-19", "2026-03-31"]
    with pytest.raises(ValueError):
        occurrences(date(2026, 3, 2), time(9), time(11), [6])
