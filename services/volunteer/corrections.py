"""Corrections of recorded hours: a volunteer asks the organiser to correct a recorded
attendance or ledger entry; the organiser approves or rejects. Plain Python, no I/O.

Old and new values are both kept, whatever the decision. An approved correction of attendance
on a shift changes the shift (shifts.Shift.apply_correction); hours already credited are
corrected by a new ledger entry with the difference (ledger.py), never by changing one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.volunteer import exceptions as errors
from services.volunteer.domain import require_manager, require_self_or_manager
from services.volunteer.shifts import CANCELLED, COMPLETED, WITHDRAWN_SIGN_UP, Shift
from shared.domain import Aggregate, actor_ref
from shared.events import volunteer as events

REQUESTED = "requested"
APPROVED = "approved"
DECLINED = "rejected"
CORRECTION_STATE_NAMES = {REQUESTED: "待审核", APPROVED: "已批准", DECLINED: "已驳回"}


@dataclass
class Correction(Aggregate):
    """A volunteer asks the organiser to correct a recorded attendance; old and new values
    are both kept, whatever the decision."""
    ACTIONS = {"decide": ((REQUESTED,), "审核")}
    STATE_NAMES = CORRECTION_STATE_NAMES

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
        self._check("decide")
        self.state, self.decided_by, self.decided_at = state, actor_ref(actor), at
        self.decision_note = note
        self._emit(events.VOLUNTEER_HOURS_CORRECTION_DECIDED, actor)

    # -- what the aggregate base needs --------------------------------------------------------

    def subject(self) -> str:
        return f"更正申请 {self.id}"

    def event_data(self, actor) -> dict:
        return {"correction_id": self.id, "volunteer_id": self.volunteer_id,
                "name": self.volunteer_name, "community": self.community,
                "organiser": self.organiser, "state": self.state,
                "old_hours": self.old["hours"], "new_hours": self.new["hours"],
                "actor_name": actor["name"]}


def attendance_values(shift: Shift, volunteer_id: str, check_in_at, check_out_at,
                      hours) -> tuple[dict, dict]:
    """(old, new) values of a requested correction of a volunteer's attendance on a shift."""
    if shift.state == CANCELLED:
        raise errors.not_allowed_now("岗位已取消,不能更正服务时长")
    assignment = shift.assignment(volunteer_id)
    if assignment is None or assignment["status"] == WITHDRAWN_SIGN_UP:
        raise errors.not_signed_up(shift.id, volunteer_id)
    old = {"check_in_at": assignment["check_in_at"],
           "check_out_at": assignment["check_out_at"], "hours": current_hours(shift, assignment)}
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
               "hours": shift.served_hours(check_in_at, check_out_at)}
    if new["hours"] > shift.max_hours():
        raise errors.invalid("hours", f"不能超过岗位时长 {shift.max_hours():g} 小时。")
    if new == old:
        raise errors.invalid("hours", "更正后的值与现有记录相同。")
    return old, new


def current_hours(shift: Shift, assignment: dict) -> float:
    if shift.state == COMPLETED:
        return assignment["credited_hours"] or 0.0
    return assignment["hours"] or 0.0
