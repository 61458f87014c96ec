"""The job service's codes and their Chinese names, the states and actions of its aggregates,
the texts and sums its rules share (working hours, pay), and the base its aggregates build on.
No I/O."""
from __future__ import annotations

import calendar
from datetime import date

from shared.domain import Aggregate
from shared import names
from shared.events import job as events
from shared.events.repair import CATEGORIES as PROBLEM_CATEGORIES

# --- reference data -----------------------------------------------------------------------

DELIVERY_KINDS = names.table("delivery_kind")
assert tuple(DELIVERY_KINDS) == events.DELIVERY_KINDS

EMPLOYER_SIZES = names.table("size")
SECTORS = names.table("sector")
# schema.org JobPosting employmentType values.
EMPLOYMENT_TYPES = names.table("employment_type")
# schema.org MonetaryAmount / QuantitativeValue unitText values.
SALARY_UNITS = names.table("unit")
PROBLEM_CATEGORY_NAMES = names.table("category")
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


# --- what every aggregate here shares ----------------------------------------------------


class JobAggregate(Aggregate):
    """An aggregate of this service: named in messages by its kind and id ("用工信息
    JP202603020001 "), its figures counted by office month and community."""

    KIND = ""        # what it is called in messages (用工信息, 求职者, …)
    ID = ""          # the attribute holding its id

    @property
    def ident(self) -> str:
        return getattr(self, self.ID)

    def subject(self) -> str:
        return f"{self.KIND} {self.ident} "

    def _count(self, month: str, **changes) -> None:
        super()._count((month, self.community), **changes)

