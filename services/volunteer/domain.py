"""Volunteers and their recognition: the rules, as plain Python with no I/O.

Volunteers register, are approved, may be suspended, reinstated or withdraw:

    pending ─ approve → active ⇄ suspend / reinstate
        └── reject → rejected          active / suspended / pending ─ withdraw → withdrawn
                                       withdrawn ─ reinstate → active

Hours credited to the ledger (ledger.py) add up to star levels (星级志愿者), and star levels and
commendations propose a volunteer as a 志愿服务典型. Shifts and attendance are in shifts.py, the
shifts other services ask for in sources.py, corrections of recorded hours in corrections.py.

Every step checks that it is legal now (state, who asks), is kept in the record's history and
emits its catalogue events; the service stores all of it in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.volunteer import exceptions as errors
from shared import clock
from shared.domain import Aggregate, actor_ref, history_entry
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


# What a volunteer may not change about themselves: where they serve and what they can do
# are the organisers' to say (a skill claimed passes a shift's skill rule).
STAFF_ONLY_ON_SELF_EDIT = ("community", "skills", "team")


def require_team_in_community(team: dict | None, community: str) -> None:
    """A volunteer joins a street-level team (no community) or one of their community."""
    if team and team.get("community") and team["community"] != community:
        raise errors.team_of_another_community(team["name"], team["community"], community)


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
    "withdraw": ((PENDING, ACTIVE, SUSPENDED), "退出志愿者队伍"),
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
class Volunteer(Aggregate):
    ACTIONS = VOLUNTEER_ACTIONS
    STATE_NAMES = VOLUNTEER_STATE_NAMES

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
    # (bucket, counts) this volunteer was counted as when loaded; the repository moves the
    # published figures from that to what it counts as now.
    counted: tuple | None = field(default=None, repr=False, compare=False)

    @classmethod
    def register(cls, volunteer_id: str, details: dict, actor: dict,
                 at: datetime) -> "Volunteer":
        volunteer = cls(id=volunteer_id, registered_at=at, updated_at=at, **details)
        volunteer.history.append(history_entry("register", None, PENDING, actor, at))
        volunteer._emit(events.VOLUNTEER_REGISTERED, actor, skills=list(volunteer.skills))
        volunteer._count((clock.month_key(at), volunteer.community, volunteer.team or ""),
                         registered=1)
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

    def authorize_update(self, actor, changes: dict) -> None:
        """The volunteer themselves or their community's staff; a volunteer changes neither
        their community, their skills nor their team (given unchanged, they are ignored);
        staff move a volunteer only to a community they manage."""
        require_self_or_manager(actor, self.id, self.community, "修改志愿者资料")
        self._check("update")
        if not may_manage(actor, self.community):
            changed = [name for name in STAFF_ONLY_ON_SELF_EDIT
                       if name in changes and not self._same(name, changes[name])]
            if changed:
                raise errors.staff_only_fields(changed)
        elif "community" in changes and not may_manage(actor, changes["community"]):
            raise errors.forbidden(f"不能把志愿者转到{changes['community']}:"
                                   "只能由街道管理员或该社区的工作人员办理")

    def _same(self, name: str, new) -> bool:
        old = getattr(self, name)
        if name == "skills":
            return sorted(old or []) == sorted(new or [])
        return old == new

    def update(self, actor, at, changes: dict, team: dict | None = None):
        """Profile changes; `changes` holds only the fields given. The ID number identifies
        the volunteer and is not changed here. `team` is the team the volunteer will be on
        (when the team or the community changes), checked to be of their community."""
        self.authorize_update(actor, changes)
        if "team" in changes or "community" in changes:
            require_team_in_community(team, changes.get("community", self.community))
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

    def snapshot_changes(self) -> list[tuple]:
        """How the counts of volunteers as they are now move with this change: from what the
        volunteer counted as when loaded (nothing, if new) to what it counts as now."""
        changes: dict[tuple, dict] = {}
        if self.counted:
            bucket, counts = self.counted
            for name, value in counts.items():
                changes.setdefault(bucket, {})[name] = -value
        bucket, counts = self.counted = self.stat_vector()
        for name, value in counts.items():
            into = changes.setdefault(bucket, {})
            into[name] = into.get(name, 0) + value
        return list(changes.items())

    # -- what the aggregate base needs --------------------------------------------------------

    def subject(self) -> str:
        return f"志愿者 {self.name}({self.id})"

    def event_data(self, actor) -> dict:
        return {"volunteer_id": self.id, "name": self.name, "community": self.community,
                "team": self.team, "state": self.state, "actor_name": actor["name"]}
