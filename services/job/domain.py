"""一走四送 and employment services: the rules, as plain Python with no I/O.

Aggregates and their states:

    Employer          a (mostly small or micro) business in a community
    Visit             走访: findings, the four deliveries (送政策 / 送培训 / 送岗位 / 送服务),
                      follow-up actions, problems found (each → a work order in repair)
                          problem: reported → resolved | ended (rejected, cancelled, duplicate)
    JobPosting        open → filled | expired | withdrawn;  renew → open again
    JobSeeker         seeking ⇄ paused;  seeking → placed (hired) → seeking (placement ended)
    Application       applied → interview_scheduled → interview_passed → hired
                      (applied → hired directly; not_hired / withdrawn end it)
    Placement         active → stable (still employed at the 6-month follow-up) | ended
                      follow-ups at 1, 3 and 6 months: pending → announced → done (or skipped)

Every change checks that it is legal now, is kept in the aggregate's history, emits its
catalogue events and says how the published figures change (`stat_changes`, per office month
and community); the service stores all three in one transaction.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from services.job import exceptions
from shared import clock
from shared.events import job as events
from shared.events.repair import CATEGORIES as PROBLEM_CATEGORIES

# --- reference data -----------------------------------------------------------------------

DELIVERY_KINDS = {"policy": "送政策", "training": "送培训", "job": "送岗位", "service": "送服务"}
assert tuple(DELIVERY_KINDS) == events.DELIVERY_KINDS

EMPLOYER_SIZES = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}
SECTORS = {
    "manufacturing": "加工制造", "handicraft": "来料加工/手工", "retail": "批发零售",
    "catering": "餐饮", "domestic": "家政服务", "logistics": "物流快递",
    "construction": "建筑装修", "property": "物业保洁", "care": "养老托育",
    "services": "居民生活服务", "other": "其他",
}
# schema.org JobPosting employmentType values.
EMPLOYMENT_TYPES = {
    "FULL_TIME": "全职", "PART_TIME": "兼职", "TEMPORARY": "临时", "CONTRACTOR": "承揽/外包",
    "PER_DIEM": "日结", "INTERN": "实习", "VOLUNTEER": "志愿", "OTHER": "其他",
}
# schema.org MonetaryAmount / QuantitativeValue unitText values.
SALARY_UNITS = {"HOUR": "时薪", "DAY": "日薪", "WEEK": "周薪", "MONTH": "月薪"}
PROBLEM_CATEGORY_NAMES = {
    "road_surface": "路面破损", "manhole_cover": "井盖破损", "street_light": "路灯故障",
    "waterlogging": "道路积水", "parking": "车辆乱停", "greenery": "绿化养护",
    "other": "其他问题",
}
assert tuple(PROBLEM_CATEGORY_NAMES) == PROBLEM_CATEGORIES
WEEKDAY_NAMES = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "日"}

# Ready-made availability for the console: the hours a grandparent on school runs can work.
HOUR_PRESETS = {
    "school_hours": {"name": "孩子上学时段", "windows": [
        {"days": [1, 2, 3, 4, 5], "start": "08:30", "end": "16:00"}]},
    "mornings": {"name": "上午", "windows": [
        {"days": [1, 2, 3, 4, 5, 6, 7], "start": "08:00", "end": "12:00"}]},
    "afternoons": {"name": "下午", "windows": [
        {"days": [1, 2, 3, 4, 5, 6, 7], "start": "13:00", "end": "17:30"}]},
    "weekdays_daytime": {"name": "工作日白天", "windows": [
        {"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "18:00"}]},
    "weekends": {"name": "周末", "windows": [
        {"days": [6, 7], "start": "08:00", "end": "20:00"}]},
}

# --- states -------------------------------------------------------------------------------

PROBLEM_REPORTED, PROBLEM_RESOLVED, PROBLEM_ENDED = "reported", "resolved", "ended"
PROBLEM_STATES = {PROBLEM_REPORTED: "已转工单办理", PROBLEM_RESOLVED: "已解决",
                  PROBLEM_ENDED: "未办理"}
WORK_ORDER_RESOLUTIONS = {"answered": "已直接答复", "satisfied": "已办结,回访满意",
                          "basically_satisfied": "已办结,回访基本满意",
                          "unreachable": "已办结"}
WORK_ORDER_ENDINGS = {"rejected": "不予受理", "cancelled": "工单已撤销",
                      "duplicate": "与已有工单重复"}

OPEN, FILLED, EXPIRED, WITHDRAWN = "open", "filled", "expired", "withdrawn"
POSTING_STATES = {OPEN: "招聘中", FILLED: "已招满", EXPIRED: "已过期", WITHDRAWN: "已撤回"}
POSTING_ACTIONS = {
    "update": ((OPEN,), "修改"),
    "withdraw": ((OPEN,), "撤回"),
    "mark_filled": ((OPEN,), "标记招满"),
    "renew": ((OPEN, FILLED, EXPIRED), "续期"),
    "expire": ((OPEN,), "到期关闭"),
    "hire": ((OPEN,), "录用"),
    "apply": ((OPEN,), "报名"),
}

SEEKING, PAUSED, PLACED = "seeking", "paused", "placed"
SEEKER_STATES = {SEEKING: "求职中", PAUSED: "暂停求职", PLACED: "已就业"}
SEEKER_ACTIONS = {
    "pause": ((SEEKING,), "暂停求职"),
    "resume": ((PAUSED, PLACED), "恢复求职"),
    "apply": ((SEEKING,), "报名"),
    "hire": ((SEEKING, PAUSED), "录用"),
}

APPLIED, INTERVIEW_SCHEDULED, INTERVIEW_PASSED = "applied", "interview_scheduled", \
    "interview_passed"
HIRED, NOT_HIRED, APPLICATION_WITHDRAWN = "hired", "not_hired", "withdrawn"
APPLICATION_STATES = {
    APPLIED: "已报名", INTERVIEW_SCHEDULED: "待面试", INTERVIEW_PASSED: "面试通过",
    HIRED: "已录用", NOT_HIRED: "未录用", APPLICATION_WITHDRAWN: "已撤回",
}
APPLICATION_ACTIVE = (APPLIED, INTERVIEW_SCHEDULED, INTERVIEW_PASSED)
APPLICATION_ACTIONS = {
    "schedule_interview": ((APPLIED, INTERVIEW_SCHEDULED), "安排面试"),
    "record_interview": ((INTERVIEW_SCHEDULED,), "登记面试结果"),
    "hire": ((APPLIED, INTERVIEW_PASSED), "录用"),
    "decline": (APPLICATION_ACTIVE, "不予录用"),
    "withdraw": (APPLICATION_ACTIVE, "撤回报名"),
}
INTERVIEW_RESULTS = {"passed": "通过", "failed": "未通过", "no_show": "未到场"}
APPLICATION_CHANNELS = {"self": "本人报名", "staff_referral": "社区推荐",
                        "screen": "电子屏看到", "visit": "走访对接"}

ACTIVE, STABLE, ENDED = "active", "stable", "ended"
PLACEMENT_STATES = {ACTIVE: "在岗", STABLE: "稳定就业", ENDED: "已离职"}
PLACEMENT_ACTIONS = {
    "record_follow_up": ((ACTIVE,), "登记回访"),
    "end": ((ACTIVE,), "登记离职"),
}
FOLLOW_UP_MONTHS = (1, 3, 6)
STABLE_AFTER_MONTH = 6
FOLLOW_UP_EARLY_DAYS = 7   # a follow-up may be recorded up to a week before it falls due
FOLLOW_UP_PENDING, FOLLOW_UP_ANNOUNCED, FOLLOW_UP_DONE, FOLLOW_UP_SKIPPED = \
    "pending", "announced", "done", "skipped"
FOLLOW_UP_STATES = {FOLLOW_UP_PENDING: "待回访", FOLLOW_UP_ANNOUNCED: "已派回访",
                    FOLLOW_UP_DONE: "已回访", FOLLOW_UP_SKIPPED: "未回访"}
FOLLOW_UP_RESULTS = {"employed": "仍在岗", "employed_elsewhere": "已换工作,仍在就业",
                     "left": "已离职", "unreachable": "联系不上"}
STILL_EMPLOYED = ("employed", "employed_elsewhere")
# What a volunteer's 就业回访 reports (shared/events/volunteer.py), in this service's terms.
VOLUNTEER_FOLLOW_UP_RESULTS = {"employed": "employed", "changed_job": "employed_elsewhere",
                               "not_employed": "left", "unreachable": "unreachable"}

# --- small helpers ------------------------------------------------------------------------


def parse_date(text: str) -> date:
    return date.fromisoformat(text)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month (1/31 + 1 month = 2/28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_of_day(text: str) -> str:
    return text[:7]


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def name_key(name: str) -> str:
    """Two spellings of one business name ('聚宝路 毛绒玩具加工点') are the same employer."""
    return "".join(name.split()).lower()


def days_text(days: list[int]) -> str:
    days = sorted(set(days))
    if days == [1, 2, 3, 4, 5, 6, 7]:
        return "每天"
    if days == [6, 7]:
        return "周末"
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"周{WEEKDAY_NAMES[days[0]]}至周{WEEKDAY_NAMES[days[-1]]}"
    return "周" + "、".join(WEEKDAY_NAMES[d] for d in days)


def _clock_text(hhmm: str) -> str:
    hours, mins = hhmm.split(":")
    return f"{int(hours)}:{mins}"


def schedule_text(windows: list[dict]) -> str:
    """'周一至周五 8:30–11:30、14:00–17:00' from schedule windows, grouped by days."""
    grouped: dict[tuple, list[str]] = {}
    for window in windows:
        grouped.setdefault(tuple(sorted(set(window["days"]))), []).append(
            f"{_clock_text(window['start'])}–{_clock_text(window['end'])}"
            + ("(次日)" if minutes(window["end"]) <= minutes(window["start"]) else ""))
    return ";".join(f"{days_text(list(days))} {'、'.join(times)}"
                    for days, times in grouped.items())


def weekly_minutes(windows: list[dict]) -> int:
    total = 0
    for window in windows:
        length = (minutes(window["end"]) - minutes(window["start"])) % (24 * 60)
        total += length * len(set(window["days"]))
    return total


WEEKS_PER_MONTH = 4.35


def monthly_pay_range(salary: dict | None, windows: list[dict],
                      employment_type: str) -> tuple[float, float] | None:
    """What a month's work pays, as (low, high) yuan, whatever unit the salary is quoted in.

    Hourly and daily pay are scaled by the posted schedule; without one a part-time job is
    taken as 88 hours (4 h × 22 days) or 22 days a month, a full-time one as 174 hours."""
    if not salary:
        return None
    low, high = salary["min"], salary.get("max") or salary["min"]
    unit = salary["unit"]
    if unit == "MONTH":
        factor = 1.0
    elif unit == "WEEK":
        factor = WEEKS_PER_MONTH
    elif unit == "DAY":
        days = len({d for w in windows for d in w["days"]})
        factor = days * WEEKS_PER_MONTH if days else 22.0
    else:  # HOUR
        weekly = weekly_minutes(windows) / 60
        if weekly:
            factor = weekly * WEEKS_PER_MONTH
        else:
            factor = 174.0 if employment_type == "FULL_TIME" else 88.0
    return round(low * factor), round(high * factor)


def salary_text(salary: dict | None) -> str:
    if not salary:
        return "薪资面议"
    low, high = salary["min"], salary.get("max")
    amount = f"{low:g}" if not high or high == low else f"{low:g}–{high:g}"
    if salary.get("piece_rate"):
        return f"计件,{SALARY_UNITS[salary['unit']][0]}均约{amount}元"
    return f"{SALARY_UNITS[salary['unit']]}{amount}元"


# --- the common shape of an aggregate ----------------------------------------------------


class _Aggregate:
    """History, events and figures, shared by every aggregate below."""

    KIND = ""            # what the aggregate is called in messages (用工信息, 求职者, …)
    STATE_NAMES: dict = {}
    ACTIONS: dict = {}

    @property
    def ident(self) -> str:
        raise NotImplementedError

    def allowed_actions(self) -> list[str]:
        return [action for action, (states, _) in self.ACTIONS.items() if self.state in states]

    def _check(self, action: str) -> None:
        states, label = self.ACTIONS[action]
        if self.state not in states:
            raise exceptions.illegal_transition(self.KIND, self.ident,
                                                self.STATE_NAMES[self.state], label)

    def _move(self, action, to_state, actor, at, note=None, details=None):
        self._check(action)
        from_state, self.state = self.state, to_state
        self._record(action, from_state, actor, at, note, details)
        return from_state

    def _record(self, action, from_state, actor, at, note=None, details=None):
        self.updated_at = at
        self.history.append({
            "action": action, "from_state": from_state, "to_state": getattr(self, "state", None),
            "actor": {k: actor.get(k) for k in ("id", "name", "role")}, "at": at,
            "note": note, "details": details or {}})

    def _count(self, month: str, **changes):
        self.stat_changes.append((month, self.community, changes))

    def _emit(self, event_type, **data):
        self.events.append((event_type, data))


def _events():
    return field(default_factory=list, repr=False, compare=False)


# --- employers and visits -----------------------------------------------------------------


@dataclass
class Employer(_Aggregate):
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
    events: list = _events()
    stat_changes: list = _events()

    KIND = "用工单位"

    @property
    def ident(self):
        return self.employer_id

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
class Visit(_Aggregate):
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
    events: list = _events()
    stat_changes: list = _events()

    KIND = "走访记录"
    state = "recorded"

    @property
    def ident(self):
        return self.visit_id

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
                    findings=details["findings"], recorded_by=_who(actor), recorded_at=at,
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
                               "done_by": _who(actor)})
                self._record("complete_action", None, actor, at, note,
                             {"action_id": action_id})
                return action
        raise exceptions.action_not_found(action_id)


# --- job postings -------------------------------------------------------------------------


@dataclass
class JobPosting(_Aggregate):
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
    events: list = _events()
    stat_changes: list = _events()

    KIND = "用工信息"
    STATE_NAMES = POSTING_STATES
    ACTIONS = POSTING_ACTIONS

    @property
    def ident(self):
        return self.posting_id

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


# --- job seekers --------------------------------------------------------------------------


@dataclass
class JobSeeker(_Aggregate):
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
    events: list = _events()
    stat_changes: list = _events()

    KIND = "求职者"
    STATE_NAMES = SEEKER_STATES
    ACTIONS = SEEKER_ACTIONS

    @property
    def ident(self):
        return self.seeker_id

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
class Application(_Aggregate):
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
    events: list = _events()
    stat_changes: list = _events()

    KIND = "求职报名"
    STATE_NAMES = APPLICATION_STATES
    ACTIONS = APPLICATION_ACTIONS

    @property
    def ident(self):
        return self.application_id

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
class Placement(_Aggregate):
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
    events: list = _events()
    stat_changes: list = _events()

    KIND = "就业安置"
    STATE_NAMES = PLACEMENT_STATES
    ACTIONS = PLACEMENT_ACTIONS

    @property
    def ident(self):
        return self.placement_id

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
                          "recorded_at": at, "by": _who(actor), "attempts": attempts})
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


def _who(actor: dict) -> dict:
    return {k: actor.get(k) for k in ("id", "name", "role")}


# --- figures ------------------------------------------------------------------------------

GROUP_DIMENSIONS = ("month", "community")


def roll_up(buckets: list[dict], group_by: tuple[str, ...] = ()) -> dict:
    """Sum monthly buckets ({"month", "community", "counts"}) into totals and groups."""
    totals, groups = {}, {}
    for bucket in buckets:
        _add(totals, bucket["counts"])
        if group_by:
            key = tuple(bucket[d] for d in group_by)
            _add(groups.setdefault(key, {}), bucket["counts"])
    result = {"totals": figures(totals)}
    if group_by:
        result["groups"] = [{**dict(zip(group_by, key)), **figures(counts)}
                            for key, counts in sorted(groups.items())]
    return result


def _add(into: dict, counts: dict) -> None:
    for name, value in counts.items():
        into[name] = into.get(name, 0) + value


def figures(counts: dict) -> dict:
    def n(name):
        return int(counts.get(name, 0))

    deliveries = {kind: {"name": label, "count": n(f"delivery.{kind}")}
                  for kind, label in DELIVERY_KINDS.items()}
    outcomes = {state: n(f"placement_state.{state}") for state in PLACEMENT_STATES}
    placements = n("placements")
    return {
        "visits": n("visits"),
        "deliveries": deliveries,
        "deliveries_total": sum(d["count"] for d in deliveries.values()),
        "problems_reported": n("problems_reported"),
        "problems_resolved": n("problems_resolved"),
        "problems_ended": n("problems_ended"),
        "training_requests": n("training_requests"),
        # 提供岗位招聘信息: postings published in the period, and the places they offered.
        "postings_provided": n("postings"),
        "openings_provided": n("openings"),
        "postings_via_visits": n("postings_via_visits"),
        "postings_closed": {state: n(f"postings_{state}") for state in (FILLED, EXPIRED,
                                                                         WITHDRAWN)},
        "seekers_registered": n("seekers_registered"),
        "applications": n("applications"),
        "interviews": n("interviews"),
        # Placements that started in the period, and where they stand now.
        "placements": placements,
        "placement_outcomes": outcomes,
        # 实现稳定就业: confirmed at the 6-month follow-up within the period.
        "stable_placements": n("stable_placements"),
        "placements_ended": n("placements_ended"),
        "follow_ups_done": n("follow_ups_done"),
        # Of the placements that started in the period, the share now stable.
        "stable_rate": round(outcomes[STABLE] / placements, 4) if placements else None,
    }
