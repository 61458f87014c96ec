"""Employers and 一走四送 visits: what a visit finds and delivers, the problems it reports (each
becomes a work order in repair) and what the employer is told when the work order ends."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.job import exceptions
from services.job.domain.reference import (
    PROBLEM_CATEGORY_NAMES, PROBLEM_ENDED, PROBLEM_REPORTED, PROBLEM_RESOLVED,
    WORK_ORDER_ENDINGS, WORK_ORDER_RESOLUTIONS, JobAggregate, month_of_day)
from shared import clock
from shared.domain import actor_ref
from shared.events import job as events


@dataclass
class Employer(JobAggregate):
    employer_id: str
    name: str
    community: str
    address: str
    sector: str
    size: str
    contact: dict                      # {"name", "phone": protected}
    alley: str | None = None
    location: dict | None = None
    credit_code: str | None = None     # 统一社会信用代码
    employees: int | None = None
    note: str | None = None
    active: bool = True
    visits: int = 0
    last_visited_on: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    history: list = field(default_factory=list)
    version: int = 0

    KIND = "用工单位"

    ID = "employer_id"

    @classmethod
    def register(cls, employer_id: str, details: dict, actor: dict, at: datetime) -> "Employer":
        employer = cls(employer_id=employer_id, created_at=at, updated_at=at, **details)
        employer._record("register", None, actor, at)
        return employer

    def update(self, changes: dict, actor: dict, at: datetime) -> None:
        if not self.active and not changes.get("active"):
            raise exceptions.illegal_transition(self.KIND, self.employer_id, "已停用", "修改")
        for name, value in changes.items():
            setattr(self, name, value)
        self._record("update", None, actor, at, None, {"fields": sorted(changes)})


@dataclass
class Visit(JobAggregate):
    """走访: one visit to one employer, recorded after it happened."""
    visit_id: str
    employer_id: str
    employer_name: str
    community: str
    visited_on: str                    # office date, YYYY-MM-DD
    visitor_name: str
    findings: str
    deliveries: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    follow_up_actions: list = field(default_factory=list)
    recorded_by: dict | None = None
    recorded_at: datetime | None = None
    updated_at: datetime | None = None
    history: list = field(default_factory=list)
    version: int = 0

    KIND = "走访记录"
    state = "recorded"

    ID = "visit_id"

    @classmethod
    def record(cls, visit_id: str, employer: Employer, details: dict, actor: dict,
               at: datetime) -> "Visit":
        """Deliveries, problems and follow-up actions come as loaded by the schema; problems
        become work orders and agreed training becomes an activity, through events."""
        if not employer.active:
            raise exceptions.illegal_transition(employer.KIND, employer.employer_id, "已停用",
                                                "登记走访")
        visit = cls(visit_id=visit_id, employer_id=employer.employer_id,
                    employer_name=employer.name, community=employer.community,
                    visited_on=details["visited_on"],
                    visitor_name=details.get("visitor_name") or actor["name"],
                    findings=details["findings"], recorded_by=actor_ref(actor), recorded_at=at,
                    updated_at=at)
        for n, delivery in enumerate(details.get("deliveries", []), start=1):
            delivery = {**delivery, "delivery_id": f"{visit_id}-D{n}"}
            if delivery["kind"] == "training" and delivery.get("request_activity", True):
                delivery["request_id"] = f"{visit_id}-T{n}"
            visit.deliveries.append(delivery)
        for n, problem in enumerate(details.get("problems", []), start=1):
            visit.problems.append({
                **problem, "problem_id": f"{visit_id}-P{n}",
                "address": problem.get("address") or employer.address,
                "alley": problem.get("alley") or employer.alley,
                "location": problem.get("location") or employer.location,
                "state": PROBLEM_REPORTED, "work_order_number": None, "resolution": None,
                "reported_at": at, "closed_at": None})
        for n, action in enumerate(details.get("follow_up_actions", []), start=1):
            visit.follow_up_actions.append({**action, "action_id": f"{visit_id}-A{n}",
                                            "done": False, "done_at": None, "done_note": None})
        visit._record("record", None, actor, at)
        employer.visits += 1
        if not employer.last_visited_on or employer.last_visited_on < visit.visited_on:
            employer.last_visited_on = visit.visited_on
        visit._announce(employer)
        return visit

    def _announce(self, employer: Employer) -> None:
        month = month_of_day(self.visited_on)
        kinds: dict[str, int] = {}
        for delivery in self.deliveries:
            kinds[delivery["kind"]] = kinds.get(delivery["kind"], 0) + 1
        trainings = [d for d in self.deliveries if d.get("request_id")]
        self._count(month, visits=1, problems_reported=len(self.problems),
                    training_requests=len(trainings),
                    **{f"delivery.{kind}": count for kind, count in kinds.items()})
        self._emit(events.EMPLOYER_VISITED, visit_id=self.visit_id,
                   employer_id=self.employer_id, employer_name=self.employer_name,
                   community=self.community, visited_on=self.visited_on,
                   visitor_name=self.visitor_name,
                   deliveries=[{"kind": k, "count": c} for k, c in kinds.items()],
                   problems=len(self.problems))
        for problem in self.problems:
            self._emit(events.EMPLOYER_PROBLEM_REPORTED, problem_id=problem["problem_id"],
                       visit_id=self.visit_id, employer_id=self.employer_id,
                       employer_name=self.employer_name, community=self.community,
                       category=problem["category"], alley=problem["alley"],
                       address=problem["address"], location=problem["location"],
                       description=problem["description"], visitor_name=self.visitor_name)
        for delivery in trainings:
            self._emit(events.TRAINING_REQUESTED, request_id=delivery["request_id"],
                       visit_id=self.visit_id, employer_id=self.employer_id,
                       employer_name=self.employer_name, community=self.community,
                       topic=delivery["topic"],
                       expected_participants=delivery["expected_participants"],
                       preferred_date=delivery.get("preferred_date"))

    def problem(self, problem_id: str) -> dict:
        for problem in self.problems:
            if problem["problem_id"] == problem_id:
                return problem
        raise exceptions.problem_not_found(problem_id)

    def work_order_opened(self, problem_id: str, number: str, at: datetime) -> bool:
        """repair opened work order `number` for the problem; True if that is news."""
        problem = self.problem(problem_id)
        if problem.get("work_order_number") == number:
            return False
        problem["work_order_number"] = number
        self.updated_at = at
        return True

    def close_problem(self, problem_id: str, number: str, outcome: str, reason: str | None,
                      at: datetime) -> dict | None:
        """The work order for a problem ended: `outcome` is resolved, or one of
        WORK_ORDER_ENDINGS. Returns the notification the employer should receive, or None if
        the problem was already closed (a reopened order closing again says nothing new)."""
        problem = self.problem(problem_id)
        if problem["state"] != PROBLEM_REPORTED:
            return None
        resolved = outcome == PROBLEM_RESOLVED
        problem.update({
            "state": PROBLEM_RESOLVED if resolved else PROBLEM_ENDED,
            "work_order_number": number, "closed_at": at,
            "resolution": (WORK_ORDER_RESOLUTIONS.get(reason, "已办结") if resolved
                           else WORK_ORDER_ENDINGS[outcome]),
            "end_reason": None if resolved else reason})
        self.updated_at = at
        self._record("resolve_problem" if resolved else "end_problem", None,
                     {"id": "repair", "name": "背街小巷工单", "role": "system"}, at,
                     problem["resolution"] if resolved else reason,
                     {"problem_id": problem_id, "work_order_number": number})
        what = PROBLEM_CATEGORY_NAMES[problem["category"]]
        self._count(clock.month_key(at), **{
            "problems_resolved" if resolved else "problems_ended": 1})
        if resolved:
            title = f"您反映的“{what}”问题已解决"
            body = (f"{self.employer_name}:{self.visited_on}走访时您反映的问题"
                    f"({problem['description']})工单 {number} {problem['resolution']}。"
                    f"如仍有问题,请联系{self.community}。")
        else:
            title = f"您反映的“{what}”问题未予办理"
            body = (f"{self.employer_name}:{self.visited_on}走访时您反映的问题"
                    f"({problem['description']})工单 {number} "
                    f"{WORK_ORDER_ENDINGS[outcome]},原因:{reason}。"
                    f"如有疑问,请联系{self.community}。")
        return {"kind": "problem_resolved" if resolved else "problem_ended",
                "title": title, "body": body, "problem_id": problem_id,
                "work_order_number": number}

    def complete_action(self, action_id: str, actor: dict, at: datetime, note: str | None):
        for action in self.follow_up_actions:
            if action["action_id"] == action_id:
                if action["done"]:
                    raise exceptions.illegal_transition("后续事项", action_id, "已完成", "完成")
                action.update({"done": True, "done_at": at, "done_note": note,
                               "done_by": actor_ref(actor)})
                self._record("complete_action", None, actor, at, note,
                             {"action_id": action_id})
                return action
        raise exceptions.action_not_found(action_id)
