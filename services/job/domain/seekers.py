"""People looking for work: job seekers, their applications and interviews, and placements
(就业安置) with their 1, 3 and 6-month follow-ups until the work is stable."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.job import exceptions
from services.job.domain.postings import JobPosting
from services.job.domain.reference import (
    ACTIVE, APPLICATION_ACTIONS, APPLICATION_ACTIVE, APPLICATION_STATES, APPLICATION_WITHDRAWN,
    APPLIED, ENDED, FOLLOW_UP_ANNOUNCED, FOLLOW_UP_DONE, FOLLOW_UP_EARLY_DAYS, FOLLOW_UP_MONTHS,
    FOLLOW_UP_PENDING, FOLLOW_UP_SKIPPED, FOLLOW_UP_STATES, HIRED, INTERVIEW_PASSED,
    INTERVIEW_SCHEDULED, NOT_HIRED, PAUSED, PLACED, PLACEMENT_ACTIONS, PLACEMENT_STATES,
    SEEKER_ACTIONS, SEEKER_STATES, SEEKING, STABLE, STABLE_AFTER_MONTH, STILL_EMPLOYED,
    JobAggregate, add_months, month_of_day, parse_date)
from shared import clock
from shared.domain import actor_ref
from shared.events import job as events


@dataclass
class JobSeeker(JobAggregate):
    seeker_id: str
    name: str
    community: str
    phone: dict                        # protected: sealed, masked, fingerprint
    skills: list = field(default_factory=list)
    available_hours: list = field(default_factory=list)   # windows; empty = any time
    max_distance_km: float | None = None
    expected_monthly_pay: int | None = None
    employment_types: list = field(default_factory=list)  # wanted; empty = any
    id_number: dict | None = None      # protected
    address: str | None = None
    home_location: dict | None = None
    resident_id: str | None = None
    birth_year: int | None = None
    note: str | None = None
    consent_at: datetime | None = None  # agreed to this use of personal data (PIPL)
    state: str = SEEKING
    registered_at: datetime | None = None
    updated_at: datetime | None = None
    history: list = field(default_factory=list)
    version: int = 0

    KIND = "求职者"
    STATE_NAMES = SEEKER_STATES
    ACTIONS = SEEKER_ACTIONS

    ID = "seeker_id"

    @classmethod
    def register(cls, seeker_id: str, details: dict, actor: dict, at: datetime) -> "JobSeeker":
        seeker = cls(seeker_id=seeker_id, registered_at=at, updated_at=at, consent_at=at,
                     **details)
        seeker._record("register", None, actor, at)
        seeker._count(clock.month_key(at), seekers_registered=1)
        return seeker

    def update(self, changes: dict, actor: dict, at: datetime) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        self._record("update", self.state, actor, at, None, {"fields": sorted(changes)})

    def pause(self, actor, at, note=None):
        self._move("pause", PAUSED, actor, at, note)

    def resume(self, actor, at, note=None):
        self._move("resume", SEEKING, actor, at, note)

    def check_can_apply(self):
        self._check("apply")


# --- applications, interviews, placements -------------------------------------------------


@dataclass
class Application(JobAggregate):
    application_id: str
    posting_id: str
    seeker_id: str
    seeker_name: str
    employer_id: str
    employer_name: str
    title: str
    community: str                     # the seeker's community, which serves them
    channel: str
    applied_at: datetime
    note: str | None = None
    state: str = APPLIED
    interviews: list = field(default_factory=list)
    placement_id: str | None = None
    outcome_reason: str | None = None
    updated_at: datetime | None = None
    history: list = field(default_factory=list)
    version: int = 0

    KIND = "求职报名"
    STATE_NAMES = APPLICATION_STATES
    ACTIONS = APPLICATION_ACTIONS

    ID = "application_id"

    @property
    def active(self) -> bool:
        return self.state in APPLICATION_ACTIVE

    @classmethod
    def submit(cls, application_id: str, posting: JobPosting, seeker: JobSeeker, channel: str,
               note: str | None, actor: dict, at: datetime) -> "Application":
        posting.check_open_for("apply")
        seeker.check_can_apply()
        application = cls(application_id=application_id, posting_id=posting.posting_id,
                          seeker_id=seeker.seeker_id, seeker_name=seeker.name,
                          employer_id=posting.employer_id, employer_name=posting.employer_name,
                          title=posting.title, community=seeker.community, channel=channel,
                          note=note, applied_at=at, updated_at=at)
        application._record("apply", None, actor, at, note)
        application._count(clock.month_key(at), applications=1)
        return application

    def schedule_interview(self, actor, at, scheduled_at: datetime, place: str,
                           note: str | None):
        if scheduled_at < at - timedelta(days=1):
            raise exceptions.invalid("scheduled_at", "面试时间不能早于今天。")
        first = not self.interviews or self.state != INTERVIEW_SCHEDULED
        if self.state == INTERVIEW_SCHEDULED:   # rescheduled: the pending one is replaced
            self.interviews[-1].update({"result": "rescheduled", "recorded_at": at})
        self._move("schedule_interview", INTERVIEW_SCHEDULED, actor, at, note,
                   {"scheduled_at": clock.iso(scheduled_at), "place": place})
        self.interviews.append({"scheduled_at": scheduled_at, "place": place, "note": note,
                                "result": None, "result_note": None, "recorded_at": None})
        if first:
            self._count(clock.month_key(at), interviews=1)

    def record_interview(self, actor, at, result: str, note: str | None):
        self._check("record_interview")
        self.interviews[-1].update({"result": result, "result_note": note, "recorded_at": at})
        target = {"passed": INTERVIEW_PASSED, "failed": NOT_HIRED, "no_show": APPLIED}[result]
        self._move("record_interview", target, actor, at, note, {"result": result})
        if result == "failed":
            self.outcome_reason = note or "面试未通过"

    def hire(self, actor, at, placement_id: str):
        self._move("hire", HIRED, actor, at, None, {"placement_id": placement_id})
        self.placement_id = placement_id

    def decline(self, actor, at, reason: str):
        self._move("decline", NOT_HIRED, actor, at, reason)
        self.outcome_reason = reason

    def withdraw(self, actor, at, reason: str):
        self._move("withdraw", APPLICATION_WITHDRAWN, actor, at, reason)
        self.outcome_reason = reason


@dataclass
class Placement(JobAggregate):
    """就业安置: one person in one job, followed up at 1, 3 and 6 months."""
    placement_id: str
    application_id: str
    posting_id: str
    seeker_id: str
    seeker_name: str
    employer_id: str
    employer_name: str
    employer_address: str
    title: str
    community: str                     # the seeker's community
    started_on: str                    # office date
    monthly_pay: int | None = None
    follow_ups: list = field(default_factory=list)
    state: str = ACTIVE
    stable_on: str | None = None
    ended_on: str | None = None
    end_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    history: list = field(default_factory=list)
    version: int = 0

    KIND = "就业安置"
    STATE_NAMES = PLACEMENT_STATES
    ACTIONS = PLACEMENT_ACTIONS

    ID = "placement_id"

    def _cohort(self, **changes):
        """Outcomes belong to the month the job started, like a cohort."""
        self._count(month_of_day(self.started_on), **changes)

    def follow_up(self, month: int) -> dict:
        return next(f for f in self.follow_ups if f["month"] == month)

    def earliest_follow_up(self, *states: str) -> str | None:
        """The earliest due date among follow-ups in `states`, while the placement is active:
        kept on the stored record so the timer and the console find due ones by one index."""
        if self.state != ACTIVE:
            return None
        return min((f["due_on"] for f in self.follow_ups if f["state"] in states), default=None)

    def due_follow_ups(self, today: date) -> list[dict]:
        if self.state != ACTIVE:
            return []
        return [f for f in self.follow_ups
                if f["state"] == FOLLOW_UP_PENDING and parse_date(f["due_on"]) <= today]

    def announce_due(self, today: date, at: datetime) -> list[dict]:
        """Mark the follow-ups that have fallen due as announced and emit one event each;
        those already announced are not announced again."""
        due = self.due_follow_ups(today)
        for follow_up in due:
            follow_up["state"] = FOLLOW_UP_ANNOUNCED
            follow_up["announced_at"] = at
            self._emit(events.PLACEMENT_FOLLOW_UP_DUE, follow_up_id=follow_up["follow_up_id"],
                       placement_id=self.placement_id, community=self.community,
                       seeker_name=self.seeker_name, employer_name=self.employer_name,
                       month=follow_up["month"], due_on=follow_up["due_on"],
                       employer_address=self.employer_address)
        if due:
            self.updated_at = at
        return due

    def month_of(self, follow_up_id: str) -> int | None:
        return next((f["month"] for f in self.follow_ups
                     if f["follow_up_id"] == follow_up_id), None)

    def awaits_follow_up(self, month: int, at: datetime) -> bool:
        """Whether a result for this follow-up can be recorded now."""
        try:
            self._check_follow_up(month, at)
        except (exceptions.IllegalTransition, StopIteration):
            return False
        return True

    def _check_follow_up(self, month: int, at: datetime) -> dict:
        self._check("record_follow_up")
        follow_up = self.follow_up(month)
        if parse_date(follow_up["due_on"]) - timedelta(days=FOLLOW_UP_EARLY_DAYS) > \
                clock.local_date(at):
            raise exceptions.follow_up_not_due(self.placement_id, month, follow_up["due_on"])
        repeatable = follow_up["state"] == FOLLOW_UP_DONE and follow_up["result"] == "unreachable"
        if follow_up["state"] not in (FOLLOW_UP_PENDING, FOLLOW_UP_ANNOUNCED) and not repeatable:
            raise exceptions.illegal_transition(
                "就业回访", follow_up["follow_up_id"], FOLLOW_UP_STATES[follow_up["state"]],
                "登记回访")
        return follow_up

    def record_follow_up(self, actor, at, month: int, result: str, note: str | None):
        follow_up = self._check_follow_up(month, at)
        today = clock.local_date(at)
        for earlier in self.follow_ups:
            if earlier["month"] < month and earlier["state"] in (FOLLOW_UP_PENDING,
                                                                 FOLLOW_UP_ANNOUNCED):
                earlier["state"] = FOLLOW_UP_SKIPPED
        attempts = follow_up.get("attempts", 0) + 1
        follow_up.update({"state": FOLLOW_UP_DONE, "result": result, "note": note,
                          "recorded_at": at, "by": actor_ref(actor), "attempts": attempts})
        self._record("record_follow_up", self.state, actor, at, note,
                     {"month": month, "result": result})
        if attempts == 1:
            self._count(clock.month_key(at), follow_ups_done=1)
        today_text = today.isoformat()
        if result == "left":
            self._end(actor, at, today_text, note or f"{month}个月回访时已离职")
        elif result in STILL_EMPLOYED and month == STABLE_AFTER_MONTH:
            self.state, self.stable_on = STABLE, today_text
            self._cohort(**{f"placement_state.{ACTIVE}": -1, f"placement_state.{STABLE}": 1})
            self._count(clock.month_key(at), stable_placements=1)
            self._emit(events.PLACEMENT_STABLE, **self._event_head(), confirmed_on=today_text)

    def end(self, actor, at, left_on: str, reason: str):
        self._check("end")
        self._record("end", self.state, actor, at, reason, {"left_on": left_on})
        self._end(actor, at, left_on, reason)

    def _end(self, actor, at, left_on: str, reason: str):
        self.state, self.ended_on, self.end_reason = ENDED, left_on, reason
        for follow_up in self.follow_ups:
            if follow_up["state"] in (FOLLOW_UP_PENDING, FOLLOW_UP_ANNOUNCED):
                follow_up["state"] = FOLLOW_UP_SKIPPED
        self._cohort(**{f"placement_state.{ACTIVE}": -1, f"placement_state.{ENDED}": 1})
        self._count(clock.month_key(at), placements_ended=1)
        self._emit(events.PLACEMENT_ENDED, **self._event_head(), reason=reason)

    def _event_head(self) -> dict:
        return {"placement_id": self.placement_id, "posting_id": self.posting_id,
                "community": self.community, "seeker_name": self.seeker_name,
                "employer_name": self.employer_name}


def hire(placement_id: str, application: Application, posting: JobPosting,
         seeker: JobSeeker, started_on: str, monthly_pay: int | None, note: str | None,
         actor: dict, at: datetime) -> Placement:
    """录用: every aggregate involved is checked before any of them changes."""
    application._check("hire")
    posting._check("hire")
    seeker._check("hire")
    start = parse_date(started_on)
    today = clock.local_date(at)
    if start > today + timedelta(days=90):
        raise exceptions.invalid("started_on", "上岗日期不能晚于 90 天以后。")
    if start < today - timedelta(days=366):
        raise exceptions.invalid("started_on", "上岗日期不能早于一年以前。")
    application.hire(actor, at, placement_id)
    posting.hire_one(actor, at)
    seeker._move("hire", PLACED, actor, at, None, {"placement_id": placement_id})
    placement = Placement(
        placement_id=placement_id, application_id=application.application_id,
        posting_id=posting.posting_id, seeker_id=seeker.seeker_id, seeker_name=seeker.name,
        employer_id=posting.employer_id, employer_name=posting.employer_name,
        employer_address=posting.address, title=posting.title, community=seeker.community,
        started_on=started_on, monthly_pay=monthly_pay, created_at=at, updated_at=at,
        follow_ups=[{"follow_up_id": f"{placement_id}-M{m}", "month": m,
                     "due_on": add_months(start, m).isoformat(), "state": FOLLOW_UP_PENDING,
                     "result": None, "note": None, "recorded_at": None, "by": None}
                    for m in FOLLOW_UP_MONTHS])
    placement._record("hire", None, actor, at, note, {"application_id":
                                                      application.application_id})
    placement._cohort(placements=1, **{f"placement_state.{ACTIVE}": 1})
    placement._emit(events.PLACEMENT_MADE, **placement._event_head(), started_on=started_on)
    return placement


def placement_left(placement: Placement, seeker: JobSeeker, actor, at) -> None:
    """When a placement ends, the person is looking for work again (unless paused)."""
    if placement.state == ENDED and seeker.state == PLACED:
        seeker._move("resume", SEEKING, actor, at, "原岗位已离职,恢复求职")
