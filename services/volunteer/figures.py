"""The published figures: volunteers, active volunteers, hours and services by community,
team, skill and period, summed from counters kept in the same transaction as each change."""
from __future__ import annotations

from services.volunteer.domain import ACTIVE, REJECTED, SKILLS, VOLUNTEER_STATES
from shared.statistics import roll_up as sum_buckets

GROUP_DIMENSIONS = ("month", "community", "team", "skill")
SNAPSHOT_DIMENSIONS = ("community", "team", "skill")   # volunteers as they are now


def roll_up(snapshot: list[dict], monthly: list[dict], served_total: int | None,
            served_groups: dict | None = None, group_by: tuple = (),
            skill: str | None = None) -> dict:
    """Sum the counters into totals (and groups).

    snapshot: [{community, team, counts}] — volunteers as they are now (no month);
    monthly:  [{month, community, team, counts}] — hours, services, registrations by month;
    served_total / served_groups: distinct volunteers who served in the period, in all and
              by group key (None where they cannot be counted).
    With `skill`, or grouped by skill, figures are about that skill: active volunteers who
    have it, and the hours and services of shifts that asked for it.
    """
    skill_mode = skill is not None or "skill" in group_by
    if "skill" in group_by:
        snapshot = _by_skill(snapshot, {"skill.": "active"})
        monthly = _by_skill(monthly, {"skill_hours.": "hours", "skill_services.": "services"})
    elif skill is not None:
        snapshot = [{**r, "counts": {"active": r["counts"].get(f"skill.{skill}", 0)}}
                    for r in snapshot]
        monthly = [{**r, "counts": {"hours": r["counts"].get(f"skill_hours.{skill}", 0),
                                    "services": r["counts"].get(f"skill_services.{skill}", 0)}}
                   for r in monthly]
    snapshot_grouped = all(d in SNAPSHOT_DIMENSIONS for d in group_by)
    snapshot_totals, snap_groups = _summed(snapshot, group_by if snapshot_grouped else ())
    monthly_totals, month_groups = _summed(monthly, group_by)
    result = {"totals": figures(snapshot_totals, monthly_totals, served_total, skill_mode)}
    if not group_by:
        return result
    if not snapshot_grouped:
        snap_groups = None
    keys = set(month_groups) | set(snap_groups or {}) | set(served_groups or {})
    groups = []
    for key in sorted(keys, key=lambda k: tuple(map(str, k))):
        group = dict(zip(group_by, key))
        if "skill" in group:
            group["skill_name"] = SKILLS.get(group["skill"], group["skill"])
        group.update(figures(
            None if snap_groups is None else snap_groups.get(key, {}),
            month_groups.get(key, {}),
            None if served_groups is None else served_groups.get(key, 0), skill_mode))
        groups.append(group)
    result["groups"] = groups
    return result


def figures(snapshot: dict | None, monthly: dict | None, served: int | None,
            skill_mode: bool = False) -> dict:
    monthly_known = monthly is not None
    monthly = monthly or {}
    result = {
        "hours": round(monthly.get("hours", 0), 2) if monthly_known else None,
        "services": int(monthly.get("services", 0)) if monthly_known else None,
    }
    if skill_mode:
        result["volunteers"] = (None if snapshot is None
                                else {"active": int(snapshot.get("active", 0))})
        result["new_registrations"] = None
        result["serving_volunteers"] = None
        return result
    if snapshot is None:
        result["volunteers"] = None
    else:
        by_state = {s: int(snapshot.get(f"state.{s}", 0)) for s in VOLUNTEER_STATES}
        stars = sorted(int(k[5:]) for k in snapshot if k.startswith("star."))
        result["volunteers"] = {
            "registered": sum(n for s, n in by_state.items() if s != REJECTED),
            "active": by_state[ACTIVE], "by_state": by_state,
            "by_star": {str(n): int(snapshot[f"star.{n}"]) for n in stars
                        if snapshot[f"star.{n}"]}}
    result["new_registrations"] = (int(monthly.get("registered", 0)) if monthly_known
                                   else None)
    result["serving_volunteers"] = served
    return result


def _by_skill(rows: list[dict], prefixes: dict) -> list[dict]:
    expanded = []
    for row in rows:
        per_skill: dict[str, dict] = {}
        for name, value in row["counts"].items():
            for prefix, renamed in prefixes.items():
                if name.startswith(prefix):
                    per_skill.setdefault(name[len(prefix):], {})[renamed] = value
        for skill, counts in per_skill.items():
            expanded.append({**row, "skill": skill, "counts": counts})
    return expanded


def _summed(rows: list[dict], group_by: tuple) -> tuple[dict, dict]:
    """The rows' counters summed (shared.statistics adds them up): in all, and by the values
    of the `group_by` dimensions."""
    summed = sum_buckets(rows, group_by, lambda counts: {"counts": counts})
    groups = {tuple(group[d] for d in group_by): group["counts"]
              for group in summed.get("groups", [])}
    return summed["totals"]["counts"], groups
