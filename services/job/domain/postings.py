"""Job postings (用工信息): published for an employer, changed, renewed, filled, withdrawn or
expired, each step with its events and figures."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.job import exceptions
from services.job.domain.employers import Employer
from services.job.domain.reference import (
    EMPLOYMENT_TYPES, EXPIRED, FILLED, OPEN, POSTING_ACTIONS, POSTING_STATES, WITHDRAWN,
    JobAggregate, monthly_pay_range, salary_text, schedule_text)
from shared import clock
from shared.events import job as events


@dataclass
class JobPosting(JobAggregate):
    """A schema.org JobPosting, with the state of its recruitment."""
    posting_id: str
    title: str
    description: str
    employer_id: str
    employer_name: str
    community: str
    address: str
    employment_type: str
    work_schedule: list                # [{"days": [1..7], "start": "HH:MM", "end": "HH:MM"}]
    hours_flexible: bool
    openings: int
    valid_through: datetime
    posted_at: datetime
    salary: dict | None = None         # {"min", "max", "unit", "piece_rate"}
    work_hours: str | None = None      # free text, as the employer put it
    skills: list = field(default_factory=list)
    requirements: str | None = None
    location: dict | None = None
    public_contact: str | None = None  # what may be shown on a public screen
    visit_id: str | None = None        # collected on this visit (送岗位)
    state: str = OPEN
    filled: int = 0
    closed_at: datetime | None = None
    close_reason: str | None = None
    updated_at: datetime | None = None
    history: list = field(default_factory=list)
    version: int = 0

    KIND = "用工信息"
    STATE_NAMES = POSTING_STATES
    ACTIONS = POSTING_ACTIONS

    ID = "posting_id"

    @classmethod
    def publish(cls, posting_id: str, employer: Employer, details: dict, actor: dict,
                at: datetime) -> "JobPosting":
        if not employer.active:
            raise exceptions.illegal_transition(employer.KIND, employer.employer_id, "已停用",
                                                "发布用工信息")
        if details["valid_through"] <= at:
            raise exceptions.invalid("valid_through", "截止时间应晚于现在。")
        details = dict(details)
        posting = cls(posting_id=posting_id, employer_id=employer.employer_id,
                      employer_name=employer.name,
                      community=details.pop("community", None) or employer.community,
                      address=details.pop("address", None) or employer.address,
                      location=details.pop("location", None) or employer.location,
                      posted_at=at, updated_at=at, **details)
        posting._record("publish", None, actor, at)
        posting._count(clock.month_key(at), postings=1, openings=posting.openings,
                       postings_via_visits=int(bool(posting.visit_id)))
        posting._emit_opened(renewed=False)
        return posting

    def summary(self) -> str:
        """The short form a screen line or an event carries."""
        hours = "时间灵活" if self.hours_flexible else (
            schedule_text(self.work_schedule) if self.work_schedule else self.work_hours or "")
        parts = [f"{self.employer_name}招{self.title}{self.openings - self.filled}人",
                 EMPLOYMENT_TYPES[self.employment_type], hours, salary_text(self.salary),
                 self.address]
        return "|".join(p for p in parts if p)

    def monthly_pay(self) -> tuple[float, float] | None:
        return monthly_pay_range(self.salary, self.work_schedule, self.employment_type)

    def update(self, changes: dict, actor: dict, at: datetime) -> None:
        self._check("update")
        if "valid_through" in changes and changes["valid_through"] <= at:
            raise exceptions.invalid("valid_through", "截止时间应晚于现在。")
        if "openings" in changes and changes["openings"] < self.filled:
            raise exceptions.invalid("openings", f"已录用 {self.filled} 人,招聘人数不能更少。")
        for name, value in changes.items():
            setattr(self, name, value)
        self._record("update", self.state, actor, at, None, {"fields": sorted(changes)})
        if self.filled >= self.openings:
            self._close(FILLED, "mark_filled", actor, at, "已招满")

    def withdraw(self, actor, at, reason: str) -> None:
        self._close(WITHDRAWN, "withdraw", actor, at, reason)

    def mark_filled(self, actor, at, note: str | None) -> None:
        self._close(FILLED, "mark_filled", actor, at, note or "已招满")

    def expire(self, actor, at) -> bool:
        """The timer's step: only an open posting past its deadline expires (so a second
        process, or a renewal in between, makes this a no-op)."""
        if self.state != OPEN or self.valid_through > at:
            return False
        self._close(EXPIRED, "expire", actor, at, "已过截止时间")
        return True

    def renew(self, actor, at, valid_through: datetime, openings: int | None) -> None:
        self._check("renew")
        if valid_through <= at:
            raise exceptions.invalid("valid_through", "截止时间应晚于现在。")
        openings = openings if openings is not None else self.openings
        if openings <= self.filled:
            raise exceptions.invalid(
                "openings", f"已录用 {self.filled} 人,续期需增加招聘人数。")
        was_open = self.state == OPEN
        self._move("renew", OPEN, actor, at, None,
                   {"valid_through": clock.iso(valid_through), "openings": openings})
        self.valid_through, self.openings = valid_through, openings
        self.closed_at = self.close_reason = None
        if not was_open:
            self._emit_opened(renewed=True)

    def hire_one(self, actor, at) -> None:
        self._check("hire")
        self.filled += 1
        self._record("hire", self.state, actor, at, None, {"filled": self.filled})
        if self.filled >= self.openings:
            self._close(FILLED, "mark_filled", actor, at, "录用人数已满")

    def check_open_for(self, action: str) -> None:
        self._check(action)

    def _close(self, state, action, actor, at, reason):
        self._move(action, state, actor, at, reason)
        self.closed_at, self.close_reason = at, reason
        self._count(clock.month_key(at), **{f"postings_{state}": 1})
        self._emit(events.JOB_POSTING_CLOSED, posting_id=self.posting_id,
                   employer_id=self.employer_id, community=self.community, state=state,
                   reason=reason)

    def _emit_opened(self, renewed: bool):
        self._emit(events.JOB_POSTING_OPENED, posting_id=self.posting_id,
                   employer_id=self.employer_id, employer_name=self.employer_name,
                   community=self.community, title=self.title, openings=self.openings,
                   hours_flexible=self.hours_flexible, summary=self.summary(),
                   valid_through=clock.iso(self.valid_through), renewed=renewed)
