"""The published figures: volunteers (by state, star and skill), new registrations, hours,
services and distinct volunteers who served, for a period, optionally grouped."""
from __future__ import annotations

from services.volunteer import figures, schemas
from shared.schemas import load, month_range
from shared.unit_of_work import query


@query
def statistics(uow, query: dict) -> dict:
    query = load(schemas.Statistics(), query)
    first, last = month_range(query["period"], query["from_month"], query["to_month"])
    group_by = tuple(query["group_by"])
    community, team = query["community"], query["team"]
    served_total, served_groups = _served(uow, query, first, last, group_by)
    result = figures.roll_up(
        uow.figures.snapshot_rows(community, team),
        uow.figures.monthly_rows(first, last, community, team,
                                 tuple(d for d in group_by if d != "skill")),
        served_total, served_groups, group_by, query["skill"])
    result["period"] = {"from_month": first, "to_month": last}
    return result


def _served(uow, query, first, last, group_by):
    """Distinct volunteers who served: read from counters for a month, quarter, year or
    all time; counted from the monthly markers for any other range."""
    if query["skill"] or "skill" in group_by:
        return None, None
    counters = uow.figures
    community, team = query["community"], query["team"]
    key = query["period"] or ("all" if not first and not last else
                              first if first == last else None)
    if key:
        rows = counters.served_rows(key, community, team)
    else:
        rows = counters.served_distinct(first, last, (), community, team)
    total = sum(r["served"] for r in rows)
    if not group_by:
        return total, None
    # A whole period's counters, just read, are by community and team already.
    if "month" in group_by:
        rows = counters.served_month_rows(first, last, community, team)
    elif not key:
        rows = counters.served_distinct(first, last, group_by, community, team)
    groups: dict = {}
    for row in rows:
        group = tuple(row[d] for d in group_by)
        groups[group] = groups.get(group, 0) + row["served"]
    return total, groups
