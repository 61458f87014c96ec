"""The shifts other services ask for, as shift details: an activity's volunteer slots, the
回访 of a completed work order and the 就业回访 of a placed job seeker. Plain Python, no I/O.
"""
from __future__ import annotations

from datetime import date

from services.volunteer.domain import SKILLS
from services.volunteer.shifts import (ACTIVITY, FOLLOW_UP_VISIT, FOLLOW_UP_WINDOW,
                                       PLACEMENT_FOLLOW_UP, PLACEMENT_WINDOW)
from shared import clock, names
from shared.events import volunteer as events

def activity_shift(data: dict) -> dict:
    """An activity's volunteer slots (ACTIVITY_PUBLISHED) as shift details."""
    slots = data["volunteer_slots"]
    place = names.place(data["venue"], data.get("room"))
    return {"kind": ACTIVITY, "title": data["title"], "community": data["community"],
            "place": place, "starts_at": clock.parse_iso(data["starts_at"]),
            "ends_at": clock.parse_iso(data["ends_at"]), "needed": slots["count"],
            "organiser": data["organiser"],
            "skills": [s for s in slots["skills"] if s in SKILLS], "skill_match": "any",
            "description": f"主题:{names.name('theme', data['theme'])}",
            "source": {"service": "activity", "activity_id": data["activity_id"]},
            "source_key": f"activity:{data['activity_id']}"}


def follow_up_visit_shift(data: dict) -> dict:
    """A 回访 of a completed work order (WORK_ORDER_COMPLETED), for one volunteer of the
    community, within three days."""
    starts = clock.parse_iso(data["completed_at"])
    resident = data.get("reporter_name") or "居民"
    return {"kind": FOLLOW_UP_VISIT, "title": f"工单回访:{data['number']}",
            "community": data["community"], "place": data["address"],
            "starts_at": starts, "ends_at": starts + FOLLOW_UP_WINDOW, "needed": 1,
            "organiser": data["community"], "skills": [], "community_only": True,
            "description": f"请联系{resident}(电话 {data.get('reporter_phone_masked') or '未留'})"
                           f",了解对工单 {data['number']} 办理结果是否满意。",
            "source": {"service": "repair", "work_order_number": data["number"],
                       "category": data["category"], "alley": data.get("alley"),
                       "resident_name": data.get("reporter_name"),
                       "resident_phone_masked": data.get("reporter_phone_masked"),
                       "completed_at": data["completed_at"]},
            "source_key": f"work_order:{data['number']}:{data['completed_at']}"}


def placement_visit_shift(data: dict) -> dict:
    """A 就业回访 of a placed job seeker (PLACEMENT_FOLLOW_UP_DUE), from the day it is due."""
    due = date.fromisoformat(data["due_on"][:10])
    starts = clock.start_of_local_day(due)
    return {"kind": PLACEMENT_FOLLOW_UP,
            "title": f"就业回访:{data['seeker_name']}(第 {data['month']} 个月)",
            "community": data["community"], "place": data["employer_name"],
            "starts_at": starts, "ends_at": starts + PLACEMENT_WINDOW, "needed": 1,
            "organiser": data["community"], "skills": [], "community_only": True,
            "description": f"回访在{data['employer_name']}就业的{data['seeker_name']},"
                           f"了解是否稳定就业。",
            "source": {"service": "job", "follow_up_id": data["follow_up_id"],
                       "placement_id": data["placement_id"], "month": data["month"],
                       "seeker_name": data["seeker_name"],
                       "employer_name": data["employer_name"], "due_on": data["due_on"]},
            "source_key": f"placement_follow_up:{data['follow_up_id']}"}


PLACEMENT_RESULTS = {"employed": "仍在岗", "changed_job": "已换工作", "not_employed": "已离职",
                     "unreachable": "联系不上"}
assert tuple(PLACEMENT_RESULTS) == events.PLACEMENT_FOLLOW_UP_RESULTS
FOLLOW_UP_RESULTS = {"satisfied": "满意", "basically_satisfied": "基本满意",
                     "dissatisfied": "不满意", "unreachable": "联系不上"}
