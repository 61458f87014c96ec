"""Shifts (岗位) and attendance: the rules, as plain Python with no I/O.

A shift is opened by hand or from another service's event (sources.py); volunteers sign up
(skills, places and overlapping shifts are checked), check in and out, or the organiser marks
them attended; completing the shift says whose hours to credit to the ledger (ledger.py). An
approved correction (corrections.py) changes a volunteer's recorded attendance here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.volunteer import exceptions as errors
from services.volunteer.domain import (SKILLS, Volunteer, is_self, may_manage, require_manager,
                                       require_self_or_manager)
from shared import clock
from shared.domain import Aggregate, actor_ref, history_entry
from shared.events import volunteer as events

MANUAL = "manual"
ACTIVITY = "activity"
FOLLOW_UP_VISIT = "follow_up_visit"
PLACEMENT_FOLLOW_UP = "placement_follow_up"
SHIFT_KINDS = {MANUAL: "志愿服务", ACTIVITY: "活动志愿服务", FOLLOW_UP_VISIT: "工单回访",
               PLACEMENT_FOLLOW_UP: "就业回访"}
# Visits are done at any time within a window of days: they are not held against other shifts
# and complete when their result is recorded.
FLEXIBLE_KINDS = (FOLLOW_UP_VISIT, PLACEMENT_FOLLOW_UP)

OPEN = "open"
COMPLETED = "completed"
CANCELLED = "cancelled"
SHIFT_STATE_NAMES = {OPEN: "招募中", COMPLETED: "已完成", CANCELLED: "已取消"}
SHIFT_STATES = tuple(SHIFT_STATE_NAMES)
SHIFT_ACTIONS = {"sign_up": "报名", "withdraw_sign_up": "取消报名", "check_in": "签到",
                 "check_out": "签退", "mark_attended": "确认出勤", "complete": "完成并记录时长",
                 "cancel": "取消岗位", "record_visit": "记录回访结果", "update": "更新岗位"}

SIGNED_UP = "signed_up"
WITHDRAWN_SIGN_UP = "withdrawn"
CHECKED_IN = "checked_in"
CHECKED_OUT = "checked_out"
ATTENDED = "attended"
ABSENT = "absent"
ASSIGNMENT_STATUS_NAMES = {SIGNED_UP: "已报名", WITHDRAWN_SIGN_UP: "已取消报名",
                           CHECKED_IN: "已签到", CHECKED_OUT: "已签退",
                           ATTENDED: "已确认出勤", ABSENT: "缺勤"}
HOLDING = (SIGNED_UP, CHECKED_IN, CHECKED_OUT, ATTENDED)  # takes a place and the time
SERVED = (CHECKED_IN, CHECKED_OUT, ATTENDED)

SKILL_MATCHES = {"all": "须具备全部所列技能", "any": "具备其中一项即可"}

CHECK_IN_OPENS_BEFORE = timedelta(hours=1)
VISIT_HOURS = 1.0           # a visit without check-in and check-out counts one hour
VISIT_MAX_HOURS = 8.0
MAX_SHIFT = timedelta(hours=24)
FOLLOW_UP_WINDOW = timedelta(days=3)
PLACEMENT_WINDOW = timedelta(days=7)


def hours_between(start: datetime, end: datetime) -> float:
    """Service time in hours, rounded down to the tenth (6 minutes)."""
    seconds = max((end - start).total_seconds(), 0)
    return math.floor(seconds / 360 + 1e-9) / 10


@dataclass
class Shift(Aggregate):
    ACTIONS = {action: ((OPEN,), label) for action, label in SHIFT_ACTIONS.items()}
    STATE_NAMES = SHIFT_STATE_NAMES

    id: str
    kind: str
    title: str
    community: str
    place: str
    starts_at: datetime
    ends_at: datetime
    needed: int
    organiser: str             # the organising body: it records and certifies the hours
    created_at: datetime
    created_by: dict
    skills: list = field(default_factory=list)
    skill_match: str = "all"
    description: str | None = None
    community_only: bool = False
    source: dict | None = None  # what opened it: activity, work order, placement follow-up
    source_key: str | None = None
    state: str = OPEN
    assignments: list = field(default_factory=list)
    outcome: dict | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    updated_at: datetime | None = None
    history: list = field(default_factory=list)
    version: int = 0
    # Hours this change credits: [{volunteer_id, hours, date, content, key, skills}]
    credits: list = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def open(cls, shift_id: str, details: dict, actor: dict, at: datetime) -> "Shift":
        shift = cls(id=shift_id, created_at=at, created_by=actor_ref(actor), updated_at=at,
                    **details)
        shift._check_times()
        if shift.kind == MANUAL:
            require_manager(actor, shift.community, "发布志愿服务岗位")
            if shift.ends_at <= at:
                raise errors.invalid("ends_at", "岗位结束时间已过。")
        shift.history.append(history_entry("open", None, OPEN, actor, at))
        shift._emit(events.VOLUNTEER_SHIFT_OPENED, actor, needed=shift.needed,
                    skills=list(shift.skills))
        return shift

    @property
    def flexible(self) -> bool:
        return self.kind in FLEXIBLE_KINDS

    def credit_key(self, volunteer_id: str) -> str:
        """One credit per volunteer for the same service, whichever way it arrives."""
        activity_id = (self.source or {}).get("activity_id")
        if activity_id:
            return f"activity:{activity_id}:{volunteer_id}"
        return f"shift:{self.id}:{volunteer_id}"

    def scheduled_hours(self) -> float:
        return VISIT_HOURS if self.flexible else hours_between(self.starts_at, self.ends_at)

    def max_hours(self) -> float:
        """Hours are counted from check-in to check-out, never more than the shift's length."""
        return VISIT_MAX_HOURS if self.flexible else self.scheduled_hours()

    def served_hours(self, check_in_at: datetime, check_out_at: datetime) -> float:
        return min(hours_between(check_in_at, check_out_at), self.max_hours())

    def holding(self) -> list[dict]:
        return [a for a in self.assignments if a["status"] in HOLDING]

    def places_left(self) -> int:
        return max(self.needed - len(self.holding()), 0)

    def open_for_sign_up(self, at: datetime) -> bool:
        return self.state == OPEN and self.places_left() > 0 and (
            self.flexible or at < self.starts_at)

    def overlaps(self, other: "Shift") -> bool:
        return (not self.flexible and not other.flexible and other.id != self.id
                and other.starts_at < self.ends_at and other.ends_at > self.starts_at)

    def assignment(self, volunteer_id: str) -> dict | None:
        return next((a for a in self.assignments if a["volunteer_id"] == volunteer_id), None)

    # -- sign-up ----------------------------------------------------------------------------

    def missing_skills(self, volunteer: Volunteer) -> list[str]:
        if not self.skills:
            return []
        missing = [s for s in self.skills if s not in volunteer.skills]
        if self.skill_match == "any" and len(missing) < len(self.skills):
            return []
        return missing

    def sign_up(self, volunteer: Volunteer, actor: dict, at: datetime,
                overlapping: list["Shift"], walk_in: bool = False):
        """`overlapping`: the volunteer's other shifts at this time (the repository finds
        them; they are checked here again)."""
        staff = may_manage(actor, self.community)
        if not (staff or is_self(actor, volunteer.id)):
            raise errors.forbidden(f"只有志愿者本人或{self.community}的工作人员可以报名")
        self._check("sign_up")
        if not self.flexible and not walk_in and at >= (self.ends_at if staff
                                                         else self.starts_at):
            raise errors.not_allowed_now(f"岗位“{self.title}”已{'结束' if staff else '开始'},"
                                         f"不能再报名")
        volunteer.require_serving()
        existing = self.assignment(volunteer.id)
        if existing and existing["status"] in HOLDING:
            raise errors.already_signed_up(volunteer.name)
        if self.community_only and volunteer.community != self.community:
            raise errors.other_community(volunteer.name, self.community)
        if not walk_in:
            missing = self.missing_skills(volunteer)
            if missing:
                raise errors.skills_missing(volunteer.name, [SKILLS[s] for s in missing])
            if self.places_left() <= 0:
                raise errors.shift_full(self.needed)
        clashes = [s.title for s in overlapping if self.overlaps(s)]
        if clashes:
            raise errors.shift_overlap(volunteer.name, clashes)
        assignment = {
            "volunteer_id": volunteer.id, "name": volunteer.name,
            "community": volunteer.community, "team": volunteer.team,
            "skills": list(volunteer.skills), "status": SIGNED_UP, "signed_up_at": at,
            "signed_up_by": actor_ref(actor), "walk_in": walk_in, "check_in_at": None,
            "check_out_at": None, "hours": None, "credited_hours": None, "entry_ids": [],
            "corrections": []}
        if existing:  # signing up again after withdrawing
            self.assignments.remove(existing)
        self.assignments.append(assignment)
        self._record("sign_up", self.state, actor, at, None, {"volunteer_id": volunteer.id,
                                                              "walk_in": walk_in})
        self._emit_sign_up(events.VOLUNTEER_SIGNED_UP, assignment, actor)
        return assignment

    def withdraw_sign_up(self, volunteer_id: str, actor: dict, at: datetime, reason=None):
        assignment = self._assignment_for(volunteer_id, actor, "取消报名")
        self._check("withdraw_sign_up")
        if assignment["status"] != SIGNED_UP:
            raise errors.illegal_transition(
                f"{assignment['name']}的报名",
                ASSIGNMENT_STATUS_NAMES[assignment["status"]], "取消报名")
        if not self.flexible and at >= self.starts_at and not may_manage(actor, self.community):
            raise errors.not_allowed_now("岗位已开始,不能再取消报名;如未到岗请联系组织方")
        assignment["status"] = WITHDRAWN_SIGN_UP
        self._record("withdraw_sign_up", self.state, actor, at, reason,
                     {"volunteer_id": volunteer_id})
        self._emit_sign_up(events.VOLUNTEER_SIGN_UP_WITHDRAWN, assignment, actor)

    # -- attendance ---------------------------------------------------------------------------

    def check_in(self, volunteer_id: str, actor: dict, at: datetime):
        assignment = self._assignment_for(volunteer_id, actor, "签到")
        self._check("check_in")
        self._require_status(assignment, (SIGNED_UP,), "签到")
        if not self.flexible:
            if at < self.starts_at - CHECK_IN_OPENS_BEFORE:
                raise errors.not_allowed_now(
                    f"签到在岗位开始前 {CHECK_IN_OPENS_BEFORE.seconds // 3600} 小时开放")
            if at > self.ends_at:
                raise errors.not_allowed_now("岗位已结束,不能签到;请申请更正服务时长")
        assignment.update(status=CHECKED_IN, check_in_at=at)
        self._record("check_in", self.state, actor, at, None, {"volunteer_id": volunteer_id})

    def check_out(self, volunteer_id: str, actor: dict, at: datetime):
        assignment = self._assignment_for(volunteer_id, actor, "签退")
        self._check("check_out")
        self._require_status(assignment, (CHECKED_IN,), "签退")
        if at <= assignment["check_in_at"]:
            raise errors.not_allowed_now("签退时间应晚于签到时间")
        hours = self.served_hours(assignment["check_in_at"], at)
        assignment.update(status=CHECKED_OUT, check_out_at=at, hours=hours)
        self._record("check_out", self.state, actor, at, None, {"volunteer_id": volunteer_id,
                                                                "hours": hours})
        return hours

    def mark_attended(self, volunteer_ids: list[str], hours: float | None, actor: dict,
                      at: datetime, walk_ins: dict | None = None):
        """确认出勤 by the organiser, for several volunteers at once. Those not signed up are
        added as walk-ins (现场补登): `walk_ins` maps their ids to (Volunteer, their other
        shifts at this time). Without `hours`, a checked-out volunteer keeps the hours
        counted, the others get the shift's scheduled length."""
        require_manager(actor, self.community, "确认出勤")
        self._check("mark_attended")
        if not self.flexible and at < self.starts_at - CHECK_IN_OPENS_BEFORE:
            raise errors.not_allowed_now("岗位还没开始,不能确认出勤")
        if hours is not None and hours > self.max_hours():
            raise errors.invalid("hours", f"不能超过岗位时长 {self.max_hours():g} 小时。")
        walk_ins = walk_ins or {}
        marked = []
        for volunteer_id in dict.fromkeys(volunteer_ids):
            assignment = self.assignment(volunteer_id)
            if assignment is None or assignment["status"] not in HOLDING:
                if volunteer_id not in walk_ins:
                    raise errors.volunteer_not_found(volunteer_id)
                volunteer, overlapping = walk_ins[volunteer_id]
                assignment = self.sign_up(volunteer, actor, at, overlapping, walk_in=True)
            given = hours
            if given is None:
                given = (assignment["hours"] if assignment["status"] == CHECKED_OUT
                         else self.scheduled_hours())
            assignment.update(status=ATTENDED, hours=given)
            marked.append({"volunteer_id": volunteer_id, "hours": given})
        self._record("mark_attended", self.state, actor, at, None, {"volunteers": marked})
        return marked

    # -- the end of a shift -----------------------------------------------------------------

    def complete(self, actor: dict, at: datetime, note: str | None = None):
        """Credit everyone who served; those signed up who never came are absent. A
        volunteer checked in but never checked out is counted to the scheduled end."""
        require_manager(actor, self.community, "完成岗位并记录时长")
        self._check("complete")
        if self.flexible:
            raise errors.not_allowed_now("回访岗位在记录回访结果后自动完成")
        if at < self.starts_at:
            raise errors.not_allowed_now("岗位还没开始,不能完成")
        self._finish(actor, at, note)

    def record_visit(self, volunteer_id: str, actor: dict, at: datetime, result: str,
                     note: str | None):
        """The answer at a 回访: the visit's volunteer is credited and the shift completes."""
        if not self.flexible:
            raise errors.not_allowed_now("只有回访岗位可以记录回访结果")
        assignment = self._assignment_for(volunteer_id, actor, "记录回访结果")
        self._check("record_visit")
        self._require_status(assignment, HOLDING, "记录回访结果")
        if assignment["status"] == SIGNED_UP:
            assignment.update(status=ATTENDED, hours=VISIT_HOURS)
        elif assignment["status"] == CHECKED_IN:
            assignment.update(status=CHECKED_OUT, check_out_at=at,
                              hours=self.served_hours(assignment["check_in_at"], at))
        self.outcome = {"result": result, "note": note or "", "at": at,
                        "visitor_id": volunteer_id, "visitor_name": assignment["name"],
                        "by": actor_ref(actor)}
        source = self.source or {}
        if self.kind == FOLLOW_UP_VISIT:
            self.events.append((events.FOLLOW_UP_VISIT_RECORDED, {
                "work_order_number": source["work_order_number"], "result": result,
                "note": note or "", "visited_at": clock.iso(at), "visitor_id": volunteer_id,
                "visitor_name": assignment["name"], "shift_id": self.id}))
        else:
            self.events.append((events.PLACEMENT_FOLLOW_UP_RECORDED, {
                "follow_up_id": source["follow_up_id"], "placement_id": source["placement_id"],
                "result": result, "note": note or "", "visited_at": clock.iso(at),
                "visitor_id": volunteer_id, "visitor_name": assignment["name"],
                "shift_id": self.id}))
        self._record("record_visit", self.state, actor, at, note,
                     {"result": result, "volunteer_id": volunteer_id})
        self._finish(actor, at)

    def cancel(self, actor: dict, at: datetime, reason: str):
        require_manager(actor, self.community, "取消岗位")
        self._check("cancel")
        self.state, self.cancelled_at, self.cancel_reason = CANCELLED, at, reason
        self.source_key = None  # the same source may open a new shift later
        self._record("cancel", OPEN, actor, at, reason)
        self._emit(events.VOLUNTEER_SHIFT_CANCELLED, actor, reason=reason,
                   volunteer_ids=[a["volunteer_id"] for a in self.holding()])

    def reschedule(self, details: dict, actor: dict, at: datetime):
        """What the source now says (an activity published again); sign-ups are kept."""
        self._check("update")
        changed = {k: {"old": _plain(getattr(self, k)), "new": _plain(v)}
                   for k, v in details.items() if getattr(self, k) != v}
        if not changed:
            return
        for name, value in details.items():
            setattr(self, name, value)
        self._check_times()
        self._record("update", self.state, actor, at, None, changed)

    def finish_activity(self, checked_in: set, hours: float, actor: dict, at: datetime):
        """The activity finished (ACTIVITY_FINISHED) after `hours`: those checked in here
        without checking out, and those signed up who are on its check-in list, served its
        hours; those who checked out keep the hours counted."""
        self._check("complete")
        for assignment in self.assignments:
            if assignment["status"] == CHECKED_IN or (
                    assignment["status"] == SIGNED_UP
                    and assignment["volunteer_id"] in checked_in):
                assignment.update(status=ATTENDED, hours=hours)
        self._finish(actor, at)

    def needs_auto_completion(self, at: datetime, after: timedelta) -> bool:
        return self.state == OPEN and not self.flexible and at >= self.ends_at + after

    def allowed_actions(self, at: datetime) -> list[str]:
        if self.state != OPEN:
            return []
        actions = ["sign_up"] if self.open_for_sign_up(at) else []
        actions += ["withdraw_sign_up", "check_in", "check_out", "mark_attended"]
        actions += ["record_visit"] if self.flexible else ["complete"]
        return actions + ["cancel"]

    # -- corrections ------------------------------------------------------------------------

    def apply_correction(self, volunteer_id: str, correction_id: str, old: dict, new: dict,
                         actor: dict, at: datetime) -> float:
        """An approved correction; returns the hours still to credit (0 before completion,
        when the corrected hours are simply what will be credited)."""
        assignment = self.assignment(volunteer_id)
        assignment["check_in_at"] = new["check_in_at"]
        assignment["check_out_at"] = new["check_out_at"]
        assignment["hours"] = new["hours"]
        if self.state == OPEN:
            assignment["status"] = CHECKED_OUT if new["check_out_at"] else ATTENDED
            delta = 0.0
        else:
            if assignment["status"] in (SIGNED_UP, ABSENT, CHECKED_IN):
                assignment["status"] = ATTENDED
            delta = round(new["hours"] - (assignment["credited_hours"] or 0.0), 2)
            assignment["credited_hours"] = new["hours"]
        assignment["corrections"].append({"correction_id": correction_id, "old": old,
                                          "new": new, "at": at, "by": actor_ref(actor)})
        self._record("correct", self.state, actor, at, None, {
            "volunteer_id": volunteer_id, "correction_id": correction_id,
            "old_hours": old["hours"], "new_hours": new["hours"]})
        return delta

    def link_entry(self, volunteer_id: str, entry_id: str):
        self.assignment(volunteer_id)["entry_ids"].append(entry_id)

    # -- internals --------------------------------------------------------------------------

    def _finish(self, actor, at, note=None):
        self.credits = []
        attended = absent = 0
        total = 0.0
        service_day = clock.local_date(self.starts_at)
        for assignment in self.assignments:
            status = assignment["status"]
            if status == SIGNED_UP:
                assignment["status"] = ABSENT
                absent += 1
                continue
            if status == CHECKED_IN:
                end = min(at, self.ends_at) if not self.flexible else at
                assignment.update(status=CHECKED_OUT, check_out_at=end,
                                  hours=self.served_hours(assignment["check_in_at"], end))
            if assignment["status"] not in (CHECKED_OUT, ATTENDED):
                continue
            attended += 1
            hours = assignment["hours"] or 0.0
            assignment["credited_hours"] = hours
            if hours <= 0:
                continue
            total += hours
            day = (clock.local_date(assignment["check_in_at"]) if assignment["check_in_at"]
                   else service_day)
            self.credits.append({
                "volunteer_id": assignment["volunteer_id"], "hours": hours,
                "date": day.isoformat(), "content": self.title,
                "key": self.credit_key(assignment["volunteer_id"]),
                "skills": [s for s in self.skills if s in assignment["skills"]]})
        self.state, self.completed_at = COMPLETED, at
        self._record("complete", OPEN, actor, at, note,
                     {"attended": attended, "absent": absent, "hours": round(total, 2)})
        self._emit(events.VOLUNTEER_SHIFT_COMPLETED, actor, attended=attended, absent=absent,
                   hours=round(total, 2),
                   volunteer_ids=[c["volunteer_id"] for c in self.credits])

    def _check_times(self):
        if self.ends_at <= self.starts_at:
            raise errors.invalid("ends_at", "结束时间应晚于开始时间。")
        if not self.flexible and self.ends_at - self.starts_at > MAX_SHIFT:
            raise errors.invalid("ends_at", "一个岗位不能超过 24 小时,请分成多个岗位。")

    def _assignment_for(self, volunteer_id, actor, doing) -> dict:
        require_self_or_manager(actor, volunteer_id, self.community, doing)
        assignment = self.assignment(volunteer_id)
        if assignment is None:
            raise errors.not_signed_up(self.id, volunteer_id)
        return assignment

    def _require_status(self, assignment, statuses, label):
        if assignment["status"] not in statuses:
            raise errors.illegal_transition(
                f"{assignment['name']}的报名", ASSIGNMENT_STATUS_NAMES[assignment["status"]],
                label)

    # -- what the aggregate base needs --------------------------------------------------------

    def subject(self) -> str:
        return f"岗位“{self.title}”"

    def event_data(self, actor) -> dict:
        source = self.source or {}
        return {
            "shift_id": self.id, "kind": self.kind, "title": self.title,
            "community": self.community, "organiser": self.organiser, "place": self.place,
            "starts_at": clock.iso(self.starts_at), "ends_at": clock.iso(self.ends_at),
            "state": self.state, "actor_name": actor["name"],
            "activity_id": source.get("activity_id"),
            "work_order_number": source.get("work_order_number"),
            "follow_up_id": source.get("follow_up_id")}

    def _emit_sign_up(self, event_type, assignment, actor):
        self.events.append((event_type, {
            "shift_id": self.id, "title": self.title, "starts_at": clock.iso(self.starts_at),
            "volunteer_id": assignment["volunteer_id"], "volunteer_name": assignment["name"],
            "signed_up": len(self.holding()), "needed": self.needed,
            "actor_name": actor["name"]}))


def _plain(value):
    return clock.iso(value) if isinstance(value, datetime) else value
