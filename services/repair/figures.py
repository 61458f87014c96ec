"""The repair service's published figures, from the monthly counters its work orders keep
(services/repair/domain.py says how each change moves them; docs/reports.md defines each
figure and the records it counts)."""
from __future__ import annotations

from services.repair.domain import (ANSWERS, CLOSED, COMPLETED, ENDED_WITHOUT_WORK,
                                    FOLLOW_UP_RESULTS, QUANTITY_NAMES, QUANTITY_UNITS, RATINGS,
                                    SATISFIED, STATES)
from shared.statistics import roll_up as sum_buckets

GROUP_DIMENSIONS = ("month", "community", "alley", "category", "department")
# The group of the figures of orders with no department: not yet dispatched, returned, or
# answered directly (and figures counted before they were kept by department that the
# records do not explain; docs/reports.md).
NO_DEPARTMENT_NAME = "未派单"


def roll_up(buckets: list[dict], group_by: tuple[str, ...] = (),
            department_names: dict | None = None) -> dict:
    """Sum monthly buckets into totals (and groups), then derive the rates from the sums; a
    group by department is named from `department_names` (code -> name)."""
    names = department_names or {}

    def label(key: dict) -> dict:
        if "department" in key:
            code = key["department"]
            key["department_name"] = names.get(code, code) if code else NO_DEPARTMENT_NAME
        return key
    return sum_buckets(buckets, group_by, figures, label)


def figures(counts: dict) -> dict:
    """The published figures from summed counters: counts, quantities and the three rates."""
    by_state = {s: int(counts.get(f"state.{s}", 0)) for s in STATES}
    reported = int(counts.get("reported", 0))
    completed = int(counts.get("completed", 0))
    on_time = int(counts.get("completed_on_time", 0))
    follow_ups = {r: int(counts.get(f"follow_up.{r}", 0)) for r in FOLLOW_UP_RESULTS}
    ratings = {r: int(counts.get(f"rating.{r}", 0)) for r in RATINGS}
    # One answer per completion: the resident's rating where they gave one, else the 回访's.
    satisfaction = {r: follow_ups[r] - int(counts.get(f"follow_up_overridden.{r}", 0))
                    + ratings[r] for r in ANSWERS}
    answered = sum(satisfaction.values())
    satisfied = sum(satisfaction[r] for r in SATISFIED)
    valid = reported - sum(by_state[s] for s in ENDED_WITHOUT_WORK)
    resolved = by_state[COMPLETED] + by_state[CLOSED]
    return {
        "reported": reported,
        "by_state": by_state,
        "completed": completed,
        "completed_on_time": on_time,
        "escalated": int(counts.get("escalated", 0)),
        "reopened": int(counts.get("reopened", 0)),
        "follow_ups": follow_ups,
        "ratings": ratings,
        "satisfaction": satisfaction,
        "quantities": {kind: {"name": QUANTITY_NAMES[kind], "unit": unit,
                              "amount": round(counts.get(f"quantity.{kind}", 0), 2)}
                       for kind, unit in QUANTITY_UNITS.items()},
        # 按期办结率: completions within their deadline, of all completions in the period.
        "on_time_rate": _rate(on_time, completed),
        # 满意率: (满意 + 基本满意) of the answers, one per completion: the resident's own
        # rating where they gave one, otherwise the 回访 result (联系不上 is no answer).
        "satisfaction_rate": _rate(satisfied, answered),
        # 解决率: reported in the period and now completed or closed, of those that were not
        # duplicates, rejected or cancelled.
        "resolution_rate": _rate(resolved, valid),
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
