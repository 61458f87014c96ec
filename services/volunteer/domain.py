"""Volunteers, shifts, corrections and recognition: the rules, as plain Python with no I/O.

Volunteers register, are approved, may be suspended, reinstated or withdraw:

    pending ─ approve → active ⇄ suspend / reinstate
        └── reject → rejected          active / suspended / pending ─ withdraw → withdrawn
                                       withdrawn ─ reinstate → active

A shift (岗位) is opened by hand or from another service's event; volunteers sign up (skills,
places and overlapping shifts are checked), check in and out, or the organiser marks them
attended; completing the shift credits their hours to the ledger (see ledger.py). A volunteer
may ask for a correction, which the organiser approves or rejects; old and new values are kept.

Every step checks that it is legal now (state, time, who asks), is kept in the record's history
and emits its catalogue events; the service stores all of it in one transaction.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.volunteer import exceptions as errors
from shared import clock
from shared.events import volunteer as events

# --- who may do what ----------------------------------------------------------------------

MANAGER_ROLES = ("street_admin", "system")   # every community
STAFF_ROLES = ("street_admin", "community_staff", "system")


def may_manage(actor: dict, community: str | None) -> bool:
    """Street admins and other services act everywhere; community staff in their community.
    What belongs to no community (`None`) is the street admins' alone."""
    role = actor.get("role")
    if role in MANAGER_ROLES:
        return True
    return (role == "community_staff" and community is not None
            and actor.get("community") == community)


def require_manager(actor: dict, community: str | None, doing: str) -> None:
    if not may_manage(actor, community):
        where = f"或{community}的工作人员" if community else ""
        raise errors.forbidden(f"只有街道管理员{where}可以{doing}")


def require_staff(actor: dict, doing: str) -> None:
    if actor.get("role") not in STAFF_ROLES:
        raise errors.forbidden(f"只有工作人员可以{doing}")


def is_self(actor: dict, volunteer_id: str) -> bool:
    """A volunteer acting for themselves: their actor id is their volunteer id (or, where the
    caller passes it, the actor's `volunteer` is)."""
    return actor.get("role") == "volunteer" and volunteer_id in (actor.get("id"),
                                                                actor.get("volunteer"))


def require_self_or_manager(actor: dict, volunteer_id: str, community: str, doing: str) -> None:
    if not (is_self(actor, volunteer_id) or may_manage(actor, community)):
        raise errors.forbidden(f"只有志愿者本人或{community}的工作人员可以{doing}")


def actor_ref(actor: dict) -> dict:
    return {k: actor.get(k) for k in ("id", "name", "role")}


# --- reference --------------------------------------------------------------------------

SKILLS = events.SKILLS  # the shared list of skill codes and their names
WEEKDAYS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}
SLOTS = {"morning": "上午", "afternoon": "下午", "evening": "晚上"}


def slot_of(moment: datetime) -> tuple[int, str]:
    """(weekday 1–7, slot) of an instant on the office's clock."""
    local = clock.as_utc(moment).astimezone(clock.OFFICE_TZ)
    slot = "morning" if local.hour < 12 else "afternoon" if local.hour < 18 else "evening"
    return local.isoweekday(), slot


# --- volunteers ---------------------------------------------------------------------------

PENDING = "pending"
ACTIVE = "active"
SUSPENDED = "suspended"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

VOLUNTEER_STATE_NAMES = {PENDING: "待审核", ACTIVE: "在册", SUSPENDED: "已暂停",
                         REJECTED: "未通过", WITHDRAWN: "已退出"}
VOLUNTEER_STATES = tuple(VOLUNTEER_STATE_NAMES)

VOLUNTEER_ACTIONS = {
    # action: (states it may start from, Chinese label)
    "approve": ((PENDING,), "审核通过"),
    "reject": ((PENDING,), "审核不通过"),
    "suspend": ((ACTIVE,), "暂停服务"),
    "reinstate": ((SUSPENDED, WITHDRAWN), "恢复服务"),
    "withdraw": ((PENDING, ACTIVE, SUSPENDED), "退出"),
    "update": ((PENDING, ACTIVE, SUSPENDED), "修改资料"),
    "commend": ((ACTIVE,), "表扬"),
}

CHINESE_NUMERALS = "零一二三四五六七八九十"


def star_name(level: int) -> str:
    if level <= 0:
        return "未评星"
    numeral = CHINESE_NUMERALS[level] if level <= 10 else str(level)
    return f"{numeral}星级志愿者"


@dataclass(frozen=True)
class RecognitionRules:
    """星级志愿者 thresholds and when a volunteer is proposed as a 志愿服务典型. Data, kept in
    the service's settings and changed by the office."""
    star_thresholds: tuple = (100, 300, 600, 1000, 1500)
    exemplar_from_star: int = 1          # reaching this star level or a higher one proposes
    commendations_for_exemplar: int = 5  # this many commendations proposes

    def star_level(self, hours: float) -> int:
        return sum(1 for threshold in self.star_thresholds if hours >= threshold)

    def as_dict(self) -> dict:
        return {"star_thresholds": list(self.star_thresholds),
                "exemplar_from_star": self.exemplar_from_star,
                "commendations_for_exemplar": self.commendations_for_exemplar,
                "levels": [{"level": n + 1, "name": star_name(n + 1), "hours": t}
                           for n, t in enumerate(self.star_thresholds)]}


def rules_from(doc: dict | None) -> RecognitionRules:
    if not doc:
        return RecognitionRules()
    return RecognitionRules(tuple(doc["star_thresholds"]), int(doc["exemplar_from_star"]),
                            int(doc["commendations_for_exemplar"]))


@dataclass
class Volunteer:
    id: str
    name: str
    community: str
    id_number: dict             # protected: sealed, masked, fingerprint (see personal_data)
    registered_at: datetime
    phone: dict | None = None   # protected likewise
    team: str | None = None
    skills: list = field(default_factory=list)
    availability: list = field(default_factory=list)  # [{"weekday": 1–7, "slot": …}]
    introduction: str | None = None
    state: str = PENDING
    total_hours: float = 0.0
    services: int = 0
    star_level: int = 0
    commendations: list = field(default_factory=list)
    proposals: list = field(default_factory=list)     # exemplar proposals made, by key
    approved_at: datetime | None = None
    last_served_on: str | None = None
    updated_at: datetime | None = None
    history: list = field(default_factory=list)
    version: int = 0
    events: list = field(default_factory=list, repr=False, compare=False)
    # (bucket, counts) this volunteer was counted as when loaded; the repository moves the
    # published figures from that to what it counts as now.
    counted: tuple | None = field(default=None, repr=False, compare=False)

    @classmethod
    def register(cls, volunteer_id: str, details: dict, actor: dict,
                 at: datetime) -> "Volunteer":
        volunteer = cls(id=volunteer_id, registered_at=at, updated_at=at, **details)
        volunteer.history.append(_entry("register", None, PENDING, actor, at, None))
        volunteer._emit(events.VOLUNTEER_REGISTERED, actor, skills=list(volunteer.skills))
        return volunteer

    @property
    def registration_key(self) -> str | None:
        """What refuses a second registration of one ID number; a rejected registration frees
        it, so the person may apply again."""
        return None if self.state == REJECTED else self.id_number["fingerprint"]

    # -- the registry -----------------------------------------------------------------------

    def approve(self, actor, at, note=None):
        require_manager(actor, self.community, "审核志愿者注册")
        self._move("approve", ACTIVE, actor, at, note)
        self.approved_at = at
        self._emit(events.VOLUNTEER_APPROVED, actor, reason=note)

    def reject(self, actor, at, reason: str):
        require_manager(actor, self.community, "审核志愿者注册")
        self._move("reject", REJECTED, actor, at, reason)
        self._emit(events.VOLUNTEER_REJECTED, actor, reason=reason)

    def suspend(self, actor, at, reason: str):
        require_manager(actor, self.community, "暂停志愿者")
        self._move("suspend", SUSPENDED, actor, at, reason)
        self._emit(events.VOLUNTEER_SUSPENDED, actor, reason=reason)

    def reinstate(self, actor, at, note=None):
        require_manager(actor, self.community, "恢复志愿者")
        self._move("reinstate", ACTIVE, actor, at, note)
        self.approved_at = self.approved_at or at
        self._emit(events.VOLUNTEER_REINSTATED, actor, reason=note)

    def withdraw(self, actor, at, reason=None):
        require_self_or_manager(actor, self.id, self.community, "办理退出")
        self._move("withdraw", WITHDRAWN, actor, at, reason)
        self._emit(events.VOLUNTEER_WITHDRAWN, actor, reason=reason)

    def update(self, actor, at, changes: dict):
        """Profile changes; `changes` holds only the fields given. The ID number identifies
        the volunteer and is not changed here."""
        require_self_or_manager(actor, self.id, self.community, "修改志愿者资料")
        self._check("update")
        details = {}
        for name, new in changes.items():
            old = getattr(self, name)
            if name == "phone":
                if (old or {}).get("fingerprint") == (new or {}).get("fingerprint"):
                    continue
                details[name] = {"old": (old or {}).get("masked"),
                                 "new": (new or {}).get("masked")}
            elif old == new:
                continue
            else:
                details[name] = {"old": old, "new": new}
            setattr(self, name, new)
        if not details:
            return
        self._record("update", self.state, actor, at, None, details)
        self._emit(events.VOLUNTEER_UPDATED, actor, changed=sorted(details))

    def can_be_credited(self) -> bool:
        """Hours are recorded for anyone who served, except a rejected registration."""
        return self.state != REJECTED

    def can_serve(self) -> bool:
        return self.state == ACTIVE

    def require_serving(self):
        if not self.can_serve():
            raise errors.not_serving(self.name, VOLUNTEER_STATE_NAMES[self.state])

    # -- hours and recognition --------------------------------------------------------------

    def credit(self, hours: float, served_on: str, at: datetime, rules: RecognitionRules,
               counts_as_service: bool = True):
        """A ledger entry for this volunteer was written: add it up and recognise."""
        self.total_hours = round(self.total_hours + hours, 2)
        if counts_as_service:
            self.services += 1
            if self.last_served_on is None or served_on > self.last_served_on:
                self.last_served_on = served_on
        self.updated_at = at
        self._recognise(at, rules)

    def commend(self, actor, at, reason: str, rules: RecognitionRules):
        require_manager(actor, self.community, "表扬志愿者")
        self._check("commend")
        self.commendations.append({"reason": reason, "by": actor_ref(actor), "at": at})
        self._record("commend", self.state, actor, at, reason)
        self._emit(events.VOLUNTEER_COMMENDED, actor, reason=reason,
                   commendations=len(self.commendations))
        threshold = rules.commendations_for_exemplar
        if len(self.commendations) >= threshold:
            self._propose(f"commendations:{threshold}", "commendations",
                          f"累计获得表扬 {len(self.commendations)} 次", at)

    def _recognise(self, at, rules: RecognitionRules):
        level = rules.star_level(self.total_hours)
        if level == self.star_level:
            return
        before, self.star_level = self.star_level, level
        system = {"id": "volunteer", "name": "系统", "role": "system"}
        if level < before:  # hours corrected downwards
            self._record("star_level", self.state, system, at, f"{star_name(before)} → "
                         f"{star_name(level)}", {"old": before, "new": level})
            return
        self._record("star_level", self.state, system, at, star_name(level),
                     {"old": before, "new": level, "total_hours": self.total_hours})
        self.events.append((events.VOLUNTEER_STAR_LEVEL_REACHED, {
            "volunteer_id": self.id, "name": self.name, "community": self.community,
            "team": self.team, "star_level": level, "star_name": star_name(level),
            "total_hours": self.total_hours}))
        if level >= rules.exemplar_from_star:
            self._propose(f"star:{level}", "star_level",
                          f"成为{star_name(level)},累计志愿服务 {self.total_hours:g} 小时", at)

    def _propose(self, key: str, trigger: str, reason: str, at):
        """Proposed as a 志愿服务典型 once per reason, and only while serving."""
        if self.state != ACTIVE or any(p["key"] == key for p in self.proposals):
            return
        self.proposals.append({"key": key, "reason": reason, "at": at})
        self.events.append((events.VOLUNTEER_EXEMPLAR_PROPOSED, {
            "volunteer_id": self.id, "name": self.name, "community": self.community,
            "team": self.team, "reason": reason, "total_hours": self.total_hours,
            "star_level": self.star_level, "commendations": len(self.commendations),
            "trigger": trigger}))

    # -- figures ----------------------------------------------------------------------------

    def stat_vector(self) -> tuple[tuple[str, str], dict]:
        """What this volunteer adds to the published counts, and in which bucket."""
        counts = {f"state.{self.state}": 1}
        if self.state == ACTIVE:
            counts[f"star.{self.star_level}"] = 1
            for skill in self.skills:
                counts[f"skill.{skill}"] = 1
        return (self.community, self.team or ""), counts

    def allowed_actions(self) -> list[str]:
        return [a for a, (states, _) in VOLUNTEER_ACTIONS.items() if self.state in states]

    # -- internals --------------------------------------------------------------------------

    def _check(self, action):
        states, label = VOLUNTEER_ACTIONS[action]
        if self.state not in states:
            raise errors.illegal_transition(f"志愿者 {self.name}({self.id})",
                                            VOLUNTEER_STATE_NAMES[self.state], label)

    def _move(self, action, to_state, actor, at, note, details=None):
        self._check(action)
        from_state, self.state = self.state, to_state
        self._record(action, from_state, actor, at, note, details)

    def _record(self, action, from_state, actor, at, note, details=None):
        self.updated_at = at
        self.history.append(_entry(action, from_state, self.state, actor, at, note, details))

    def _emit(self, event_type, actor, **data):
        self.events.append((event_type, {
            "volunteer_id": self.id, "name": self.name, "community": self.community,
            "team": self.team, "state": self.state, "actor_name": actor["name"], **data}))


# --- shifts -------------------------------------------------------------------------------

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
class Shift:
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
    events: list = field(default_factory=list, repr=False, compare=False)
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
        shift.history.append(_entry("open", None, OPEN, actor, at, None))
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
        self._record("sign_up", actor, at, None, {"volunteer_id": volunteer.id,
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
        self._record("withdraw_sign_up", actor, at, reason, {"volunteer_id": volunteer_id})
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
        self._record("check_in", actor, at, None, {"volunteer_id": volunteer_id})

    def check_out(self, volunteer_id: str, actor: dict, at: datetime):
        assignment = self._assignment_for(volunteer_id, actor, "签退")
        self._check("check_out")
        self._require_status(assignment, (CHECKED_IN,), "签退")
        if at <= assignment["check_in_at"]:
            raise errors.not_allowed_now("签退时间应晚于签到时间")
        hours = self.served_hours(assignment["check_in_at"], at)
        assignment.update(status=CHECKED_OUT, check_out_at=at, hours=hours)
        self._record("check_out", actor, at, None, {"volunteer_id": volunteer_id,
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
        self._record("mark_attended", actor, at, None, {"volunteers": marked})
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
        self._record("record_visit", actor, at, note, {"result": result,
                                                        "volunteer_id": volunteer_id})
        self._finish(actor, at)

    def cancel(self, actor: dict, at: datetime, reason: str):
        require_manager(actor, self.community, "取消岗位")
        self._check("cancel")
        self.state, self.cancelled_at, self.cancel_reason = CANCELLED, at, reason
        self.source_key = None  # the same source may open a new shift later
        self._record("cancel", actor, at, reason, from_state=OPEN)
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
        self._record("update", actor, at, None, changed)

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

    def correction_values(self, volunteer_id: str, check_in_at, check_out_at,
                          hours) -> tuple[dict, dict]:
        """(old, new) values of a requested correction of a volunteer's attendance."""
        if self.state == CANCELLED:
            raise errors.not_allowed_now("岗位已取消,不能更正服务时长")
        assignment = self.assignment(volunteer_id)
        if assignment is None or assignment["status"] == WITHDRAWN_SIGN_UP:
            raise errors.not_signed_up(self.id, volunteer_id)
        old = {"check_in_at": assignment["check_in_at"],
               "check_out_at": assignment["check_out_at"], "hours": self.current_hours(
                   assignment)}
        if hours is not None:
            if check_in_at or check_out_at:
                raise errors.invalid("hours", "请填写签到签退时间或时长,不要同时填写。")
            new = {"check_in_at": old["check_in_at"], "check_out_at": old["check_out_at"],
                   "hours": hours}
        else:
            check_in_at = check_in_at or old["check_in_at"]
            check_out_at = check_out_at or old["check_out_at"]
            if check_in_at is None or check_out_at is None:
                raise errors.invalid("check_out_at", "请同时填写签到和签退时间。")
            if check_out_at <= check_in_at:
                raise errors.invalid("check_out_at", "签退时间应晚于签到时间。")
            new = {"check_in_at": check_in_at, "check_out_at": check_out_at,
                   "hours": self.served_hours(check_in_at, check_out_at)}
        if new["hours"] > self.max_hours():
            raise errors.invalid("hours", f"不能超过岗位时长 {self.max_hours():g} 小时。")
        if new == old:
            raise errors.invalid("hours", "更正后的值与现有记录相同。")
        return old, new

    def current_hours(self, assignment: dict) -> float:
        if self.state == COMPLETED:
            return assignment["credited_hours"] or 0.0
        return assignment["hours"] or 0.0

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
        self._record("correct", actor, at, None, {"volunteer_id": volunteer_id,
                                                   "correction_id": correction_id,
                                                   "old_hours": old["hours"],
                                                   "new_hours": new["hours"]},
                     from_state=self.state)
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
        self._record("complete", actor, at, note, {"attended": attended, "absent": absent,
                                                    "hours": round(total, 2)},
                     from_state=OPEN)
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

    def _check(self, action):
        if self.state != OPEN:
            raise errors.illegal_transition(f"岗位“{self.title}”",
                                            SHIFT_STATE_NAMES[self.state], SHIFT_ACTIONS[action])

    def _record(self, action, actor, at, note, details=None, from_state=None):
        self.updated_at = at
        self.history.append(_entry(action, from_state or self.state, self.state, actor, at,
                                   note, details))

    def _emit(self, event_type, actor, **data):
        source = self.source or {}
        self.events.append((event_type, {
            "shift_id": self.id, "kind": self.kind, "title": self.title,
            "community": self.community, "organiser": self.organiser, "place": self.place,
            "starts_at": clock.iso(self.starts_at), "ends_at": clock.iso(self.ends_at),
            "state": self.state, "actor_name": actor["name"],
            "activity_id": source.get("activity_id"),
            "work_order_number": source.get("work_order_number"),
            "follow_up_id": source.get("follow_up_id"), **data}))

    def _emit_sign_up(self, event_type, assignment, actor):
        self.events.append((event_type, {
            "shift_id": self.id, "title": self.title, "starts_at": clock.iso(self.starts_at),
            "volunteer_id": assignment["volunteer_id"], "volunteer_name": assignment["name"],
            "signed_up": len(self.holding()), "needed": self.needed,
            "actor_name": actor["name"]}))


# --- shifts other services ask for --------------------------------------------------------

def activity_shift(data: dict) -> dict:
    """An activity's volunteer slots (ACTIVITY_PUBLISHED) as shift details."""
    slots = data["volunteer_slots"]
    place = data["venue"] + (f" {data['room']}" if data.get("room") else "")
    return {"kind": ACTIVITY, "title": data["title"], "community": data["community"],
            "place": place, "starts_at": clock.parse_iso(data["starts_at"]),
            "ends_at": clock.parse_iso(data["ends_at"]), "needed": slots["count"],
            "organiser": data["organiser"],
            "skills": [s for s in slots["skills"] if s in SKILLS], "skill_match": "any",
            "description": f"主题:{data['theme']}",
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


# --- corrections --------------------------------------------------------------------------

REQUESTED = "requested"
APPROVED = "approved"
DECLINED = "rejected"
CORRECTION_STATE_NAMES = {REQUESTED: "待审核", APPROVED: "已批准", DECLINED: "已驳回"}


@dataclass
class Correction:
    """A volunteer asks the organiser to correct a recorded attendance; old and new values
    are both kept, whatever the decision."""
    id: str
    volunteer_id: str
    volunteer_name: str
    community: str         # of the service: its staff decide
    organiser: str
    target: dict           # {"kind": "shift", "shift_id"} or {"kind": "entry", "entry_id"}
    old: dict
    new: dict
    reason: str
    requested_by: dict
    requested_at: datetime
    state: str = REQUESTED
    decided_by: dict | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None
    entry_id: str | None = None   # the ledger entry the approval wrote, if any
    version: int = 0
    events: list = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def request(cls, correction_id: str, details: dict, actor: dict,
                at: datetime) -> "Correction":
        require_self_or_manager(actor, details["volunteer_id"], details["community"],
                                "申请更正服务时长")
        correction = cls(id=correction_id, requested_by=actor_ref(actor), requested_at=at,
                         **details)
        correction._emit(events.VOLUNTEER_HOURS_CORRECTION_REQUESTED, actor)
        return correction

    @property
    def target_key(self) -> str:
        ref = self.target.get("shift_id") or self.target.get("entry_id")
        return f"{self.target['kind']}:{ref}:{self.volunteer_id}"

    def approve(self, actor, at, note=None):
        self._decide(APPROVED, actor, at, note)

    def reject(self, actor, at, reason: str):
        self._decide(DECLINED, actor, at, reason)

    def _decide(self, state, actor, at, note):
        require_manager(actor, self.community, "审核时长更正")
        if self.state != REQUESTED:
            raise errors.illegal_transition(f"更正申请 {self.id}",
                                            CORRECTION_STATE_NAMES[self.state], "审核")
        self.state, self.decided_by, self.decided_at = state, actor_ref(actor), at
        self.decision_note = note
        self._emit(events.VOLUNTEER_HOURS_CORRECTION_DECIDED, actor)

    def _emit(self, event_type, actor):
        self.events.append((event_type, {
            "correction_id": self.id, "volunteer_id": self.volunteer_id,
            "name": self.volunteer_name, "community": self.community,
            "organiser": self.organiser, "state": self.state,
            "old_hours": self.old["hours"], "new_hours": self.new["hours"],
            "actor_name": actor["name"]}))


# --- shared helpers -----------------------------------------------------------------------

def _entry(action, from_state, to_state, actor, at, note, details=None):
    return {"action": action, "from_state": from_state, "to_state": to_state,
            "actor": actor_ref(actor), "at": at, "note": note, "details": details or {}}


def _plain(value):
    return clock.iso(value) if isinstance(value, datetime) else value
