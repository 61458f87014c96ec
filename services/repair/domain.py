"""背街小巷 work orders (工单): the rules, as plain Python with no I/O.

A work order moves through the states below. Every step checks that it is legal now, is kept
in the order's history (who, when, note), emits its catalogue event and says how the published
figures change (`stat_changes`); the service stores all three in one transaction.

    reported ─ accept ─┬─ answer ─────────────────────────────────────┐
                       └─ dispatch → (return with grounds → dispatch)  │
                            sign for → in progress ⇄ extension         │
                            complete (quantities, evidence) → follow up ┴→ closed
                                          dissatisfied → reopen ↺
    duplicate / reject / cancel end a work order without work.
    Overdue work is escalated (督办) without changing its state.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from shared import clock
from services.repair.exceptions import illegal_transition, invalid
from shared.events import repair as events

# --- states -------------------------------------------------------------------------------

REPORTED = "reported"
ACCEPTED = "accepted"
DISPATCHED = "dispatched"
RETURNED = "returned"
IN_PROGRESS = "in_progress"
EXTENSION_REQUESTED = "extension_requested"
COMPLETED = "completed"
CLOSED = "closed"
DUPLICATE = "duplicate"
REJECTED = "rejected"
CANCELLED = "cancelled"

STATE_NAMES = {
    REPORTED: "待受理", ACCEPTED: "已受理", DISPATCHED: "已派单", RETURNED: "已退单",
    IN_PROGRESS: "办理中", EXTENSION_REQUESTED: "延期申请中", COMPLETED: "已办结待回访",
    CLOSED: "已结案", DUPLICATE: "重复件", REJECTED: "不予受理", CANCELLED: "已撤销",
}
STATES = tuple(STATE_NAMES)
# Work is owed on these; they can fall overdue and be escalated.
UNDER_WAY = (ACCEPTED, DISPATCHED, RETURNED, IN_PROGRESS, EXTENSION_REQUESTED)
# Not finished: what a new report may duplicate.
OPEN = (REPORTED, *UNDER_WAY, COMPLETED)
ENDED_WITHOUT_WORK = (DUPLICATE, REJECTED, CANCELLED)

# --- catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    description: str
    deadline_days: int       # working days from acceptance, unless the office sets otherwise
    default_department: str  # department code, unless a department claims the category


CATEGORIES = {c.code: c for c in (
    Category("road_surface", "路面破损", "背街小巷路面坑洼、破损、塌陷", 10, "municipal"),
    Category("manhole_cover", "井盖破损", "下水道、窨井井盖破损、缺失、异响", 1, "municipal"),
    Category("street_light", "路灯故障", "路灯不亮、损坏、倾斜", 5, "power"),
    Category("waterlogging", "道路积水", "雨后积水、排水不畅", 2, "municipal"),
    Category("parking", "车辆乱停", "车辆乱停乱放、占道、堵塞通道", 3, "urban_management"),
    Category("greenery", "绿化养护", "绿篱草坪修剪、缺株补植、树木倒伏", 7, "landscaping"),
    Category("other", "其他问题", "其他背街小巷环境和设施问题", 5, "urban_management"),
)}
assert tuple(CATEGORIES) == events.CATEGORIES

CHANNELS = {
    "resident": "居民上报", "grid_worker": "网格员巡查", "hotline_12345": "12345热线",
    "employer_visit": "一走四送走访", "open311": "Open311 接口",
}

# Work quantities (工程量) as typed amounts: every kind has exactly one unit.
QUANTITY_UNITS = {
    "street_lamp": "盏", "road_surface": "m²", "sidewalk_tiles": "m²", "hedge_trimming": "m²",
    "replanting": "m²", "hardening": "m²", "manhole_cover": "个",
}
QUANTITY_NAMES = {
    "street_lamp": "新装或维修路灯", "road_surface": "修复路面", "sidewalk_tiles": "人行道地砖",
    "hedge_trimming": "修剪绿篱草坪", "replanting": "绿化补植", "hardening": "硬化背街小巷",
    "manhole_cover": "修复更换井盖",
}
assert tuple(QUANTITY_UNITS) == events.QUANTITY_KINDS

FOLLOW_UP_RESULTS = {
    "satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意",
    "unreachable": "联系不上",
}
SATISFIED = ("satisfied", "basically_satisfied")

DEFAULT_DEPARTMENTS = (
    {"code": "municipal", "name": "市政工程管理处",
     "categories": ["road_surface", "manhole_cover", "waterlogging"]},
    {"code": "urban_management", "name": "城市管理行政执法局", "categories": ["parking", "other"]},
    {"code": "power", "name": "供电公司路灯所", "categories": ["street_light"]},
    {"code": "landscaping", "name": "园林绿化管理所", "categories": ["greenery"]},
)

# --- actions: which states each may start from --------------------------------------------

ACTIONS = {
    # action: (states it may start from, Chinese label for the console)
    "accept": ((REPORTED,), "受理"),
    "answer": ((ACCEPTED,), "直接答复"),
    "dispatch": ((ACCEPTED, RETURNED), "派单"),
    "return": ((DISPATCHED,), "退单"),
    "sign_for": ((DISPATCHED,), "签收"),
    "request_extension": ((IN_PROGRESS,), "申请延期"),
    "approve_extension": ((EXTENSION_REQUESTED,), "批准延期"),
    "reject_extension": ((EXTENSION_REQUESTED,), "驳回延期"),
    "complete": ((IN_PROGRESS,), "办结"),
    "follow_up": ((COMPLETED,), "回访"),
    "reopen": ((COMPLETED, CLOSED), "重办"),
    "escalate": (UNDER_WAY, "督办"),
    "mark_duplicate": ((REPORTED, ACCEPTED), "标记重复"),
    "reject": ((REPORTED,), "不予受理"),
    "cancel": ((REPORTED, ACCEPTED, DISPATCHED, RETURNED), "撤销"),
}


def normalise_alley(alley: str | None) -> str:
    return "".join((alley or "").split()).lower()


def quantity(kind: str, amount: float) -> dict:
    return {"kind": kind, "amount": round(float(amount), 2), "unit": QUANTITY_UNITS[kind]}


# --- the aggregate ------------------------------------------------------------------------


@dataclass
class WorkOrder:
    number: str
    category: str
    community: str
    address: str
    description: str
    channel: str
    reported_at: datetime
    reporter: dict                      # name plus protected phone / email (see personal_data)
    alley: str | None = None
    location: dict | None = None        # {"lat": …, "long": …}
    media_urls: list = field(default_factory=list)
    attributes: dict = field(default_factory=dict)  # Open311 service attributes
    external_ref: str | None = None     # e.g. the 12345 hotline's ticket number
    source_ref: dict | None = None      # {"service": "job", "ref": …} when a service opened it
    token: str | None = None            # Open311 token, for clients that poll by token
    state: str = REPORTED
    department: dict | None = None      # {"code", "name"}
    due_at: datetime | None = None
    escalations: int = 0
    escalated_at: datetime | None = None
    overdue_escalated: bool = False     # escalated automatically since its deadline was set
    extension: dict | None = None       # pending request: requested_due_at, reason
    quantities: list = field(default_factory=list)
    evidence_urls: list = field(default_factory=list)
    result_note: str | None = None
    follow_up: dict | None = None
    resolution: str | None = None
    duplicate_of: str | None = None
    reopen_count: int = 0
    accepted_at: datetime | None = None
    dispatched_at: datetime | None = None
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    # 补录: {"by", "at", "reason"} when the order was recorded after the fact with its real
    # dates (paper ledgers, another platform); None for orders handled in the system.
    imported: dict | None = None
    history: list = field(default_factory=list)
    version: int = 0
    # What the last changes caused; not stored with the order.
    events: list = field(default_factory=list, repr=False, compare=False)
    stat_changes: list = field(default_factory=list, repr=False, compare=False)

    # -- creation ---------------------------------------------------------------------------

    @classmethod
    def report(cls, number: str, details: dict, actor: dict, at: datetime) -> "WorkOrder":
        order = cls(number=number, reported_at=at, **details)
        order.updated_at = at
        order.history.append(_entry("report", None, REPORTED, actor, at, None))
        order._count(order.reported_at, reported=1, **{f"state.{REPORTED}": 1})
        order._emit(events.WORK_ORDER_REPORTED, actor, address=order.address,
                    channel=order.channel, reported_at=clock.iso(at),
                    source_ref=order.source_ref)
        return order

    # -- the flow ---------------------------------------------------------------------------

    def accept(self, actor, at, due_at: datetime, note=None):
        self._move("accept", ACCEPTED, actor, at, note)
        self.accepted_at, self.due_at = at, due_at
        self._emit(events.WORK_ORDER_ACCEPTED, actor, due_at=clock.iso(due_at))

    def answer(self, actor, at, answer: str):
        self._move("answer", CLOSED, actor, at, answer)
        self.resolution, self.result_note, self.closed_at = "answered", answer, at
        self._emit_closed(actor, at)

    def dispatch(self, actor, at, department: dict, note=None):
        self._move("dispatch", DISPATCHED, actor, at, note,
                   {"department_code": department["code"]})
        self.department, self.dispatched_at = department, at
        self._emit(events.WORK_ORDER_DISPATCHED, actor, department_code=department["code"],
                   department_name=department["name"], due_at=clock.iso(self.due_at))

    def return_to_dispatcher(self, actor, at, grounds: str):
        self._check("return")
        department = self.department
        self._move("return", RETURNED, actor, at, grounds,
                   {"department_code": department["code"]})
        self.department = None
        self._emit(events.WORK_ORDER_RETURNED, actor, department_code=department["code"],
                   grounds=grounds)

    def sign_for(self, actor, at, note=None):
        self._move("sign_for", IN_PROGRESS, actor, at, note)
        self._emit(events.WORK_ORDER_SIGNED_FOR, actor, department_code=self.department["code"])

    def request_extension(self, actor, at, requested_due_at: datetime, reason: str):
        self._check("request_extension")
        if requested_due_at <= self.due_at:
            raise invalid("requested_due_at", "延期后的期限应晚于当前期限。")
        self._move("request_extension", EXTENSION_REQUESTED, actor, at, reason,
                   {"requested_due_at": clock.iso(requested_due_at)})
        self.extension = {"requested_due_at": requested_due_at, "reason": reason,
                          "requested_at": at}
        self._emit(events.WORK_ORDER_EXTENSION_REQUESTED, actor,
                   requested_due_at=clock.iso(requested_due_at), reason=reason)

    def approve_extension(self, actor, at, note=None):
        self._check("approve_extension")
        new_due = self.extension["requested_due_at"]
        self._move("approve_extension", IN_PROGRESS, actor, at, note,
                   {"old_due_at": clock.iso(self.due_at), "new_due_at": clock.iso(new_due)})
        self.due_at, self.extension = new_due, None
        self.overdue_escalated = False  # a new deadline may fall overdue, and be escalated, anew
        self._emit(events.WORK_ORDER_EXTENSION_APPROVED, actor, due_at=clock.iso(new_due))

    def reject_extension(self, actor, at, note=None):
        self._move("reject_extension", IN_PROGRESS, actor, at, note)
        self.extension = None
        self._emit(events.WORK_ORDER_EXTENSION_REJECTED, actor, due_at=clock.iso(self.due_at))

    def escalate(self, actor, at, note=None, automatic=False):
        """督办: marks overdue work without changing its state."""
        self._check("escalate")
        self.escalations += 1
        self.escalated_at = at
        self.overdue_escalated = self.overdue_escalated or automatic
        self._record("escalate", self.state, actor, at, note, {"automatic": automatic})
        self._count(at, escalated=1)
        self._emit(events.WORK_ORDER_ESCALATED, actor,
                   department_code=(self.department or {}).get("code"),
                   due_at=clock.iso(self.due_at), automatic=automatic)

    def complete(self, actor, at, quantities: list[dict], evidence_urls: list[str],
                 result_note: str):
        self._move("complete", COMPLETED, actor, at, result_note,
                   {"quantities": quantities, "evidence_urls": evidence_urls})
        self.quantities = self.quantities + quantities
        self.evidence_urls = self.evidence_urls + evidence_urls
        self.result_note, self.completed_at = result_note, at
        on_time = at <= self.due_at
        self._count(at, completed=1, completed_on_time=int(on_time),
                    **{f"quantity.{q['kind']}": q["amount"] for q in _summed(quantities)})
        self._emit(events.WORK_ORDER_COMPLETED, actor, address=self.address,
                   department_code=self.department["code"], completed_at=clock.iso(at),
                   on_time=on_time, quantities=quantities,
                   reporter_name=self.reporter.get("name"),
                   reporter_phone_masked=(self.reporter.get("phone") or {}).get("masked"))

    def record_follow_up(self, actor, at, result: str, note: str | None, due_at: datetime):
        """The resident's answer to a 回访: dissatisfied reopens the work with `due_at`."""
        self._check("follow_up")
        self.follow_up = {"result": result, "note": note, "at": at, "by": actor}
        self._count(at, **{f"follow_up.{result}": 1})
        self._emit(events.WORK_ORDER_FOLLOWED_UP, actor, result=result)
        if result == "dissatisfied":
            self._reopen(actor, at, note or "回访不满意", due_at, via="follow_up")
        else:
            self._move("follow_up", CLOSED, actor, at, note, {"result": result})
            self.resolution, self.closed_at = result, at
            self._emit_closed(actor, at)

    def reopen(self, actor, at, reason: str, due_at: datetime):
        self._check("reopen")
        self._reopen(actor, at, reason, due_at, via="reopen")

    def mark_duplicate(self, actor, at, duplicate_of: str, note=None):
        if duplicate_of == self.number:
            raise invalid("duplicate_of", "不能标记为与自身重复。")
        self._end("mark_duplicate", DUPLICATE, events.WORK_ORDER_MARKED_DUPLICATE, actor, at,
                  note or f"与 {duplicate_of} 重复", duplicate_of=duplicate_of)

    def reject(self, actor, at, reason: str):
        self._end("reject", REJECTED, events.WORK_ORDER_REJECTED, actor, at, reason)

    def cancel(self, actor, at, reason: str):
        self._end("cancel", CANCELLED, events.WORK_ORDER_CANCELLED, actor, at, reason)

    # -- questions --------------------------------------------------------------------------

    def allowed_actions(self) -> list[str]:
        return [action for action, (states, _) in ACTIONS.items() if self.state in states]

    def is_overdue(self, at: datetime) -> bool:
        return self.state in UNDER_WAY and self.due_at is not None and at > self.due_at

    def needs_escalation(self, at: datetime) -> bool:
        """Overdue and not yet escalated automatically since its deadline was last set."""
        return self.is_overdue(at) and not self.overdue_escalated

    # -- internals --------------------------------------------------------------------------

    def _reopen(self, actor, at, reason, due_at, via):
        target = IN_PROGRESS if self.department else ACCEPTED
        self._move(via, target, actor, at, reason, {"reopened": True})
        self.reopen_count += 1
        self.due_at, self.overdue_escalated = due_at, False
        self.completed_at = self.closed_at = self.resolution = None
        self._count(at, reopened=1)
        self._emit(events.WORK_ORDER_REOPENED, actor, reason=reason, due_at=clock.iso(due_at))

    def _end(self, action, state, event_type, actor, at, reason, duplicate_of=None):
        self._move(action, state, actor, at, reason)
        self.closed_at, self.resolution, self.duplicate_of = at, state, duplicate_of
        self._emit(event_type, actor, reason=reason, duplicate_of=duplicate_of,
                   source_ref=self.source_ref)

    def _emit_closed(self, actor, at):
        self._emit(events.WORK_ORDER_CLOSED, actor, resolution=self.resolution,
                   closed_at=clock.iso(at), source_ref=self.source_ref)

    def _check(self, action):
        states, label = ACTIONS[action]
        if self.state not in states:
            raise illegal_transition(self.number, STATE_NAMES[self.state], label)

    def _move(self, action, to_state, actor, at, note, details=None):
        self._check(action)
        from_state = self.state
        self.state = to_state
        self._record(action, from_state, actor, at, note, details)
        # Counts by state belong to the month the problem was reported in.
        self._count(self.reported_at, **{f"state.{from_state}": -1, f"state.{to_state}": 1})

    def _record(self, action, from_state, actor, at, note, details=None):
        self.updated_at = at
        self.history.append(_entry(action, from_state, self.state, actor, at, note, details))

    def _count(self, at, **changes):
        self.stat_changes.append((clock.month_key(at), changes))

    def _emit(self, event_type, actor, **data):
        self.events.append((event_type, {
            "number": self.number, "state": self.state, "category": self.category,
            "community": self.community, "alley": self.alley, "actor_name": actor["name"],
            **data}))


def _entry(action, from_state, to_state, actor, at, note, details=None):
    return {"action": action, "from_state": from_state, "to_state": to_state,
            "actor": {k: actor.get(k) for k in ("id", "name", "role")}, "at": at,
            "note": note, "details": details or {}}


def _summed(quantities: list[dict]) -> list[dict]:
    totals: dict[str, float] = {}
    for q in quantities:
        totals[q["kind"]] = totals.get(q["kind"], 0) + q["amount"]
    return [quantity(kind, amount) for kind, amount in totals.items()]


# --- 补录: orders handled before they were in the system ---------------------------------

IMPORT_STEPS = ("reported_at", "accepted_at", "dispatched_at", "signed_for_at", "completed_at")


def check_import_times(record: dict, now: datetime) -> dict:
    """The field errors of an imported order's dates: each step no earlier than the one before
    it, none in the future, and no step without the one before it."""
    errors: dict = {}
    times = [(name, record.get(name)) for name in IMPORT_STEPS]
    follow_up = record.get("follow_up")
    if follow_up:
        times.append(("follow_up", follow_up["at"]))
    last, gap = None, False
    for name, moment in times:
        if moment is None:
            gap = True
            continue
        if moment > now:
            errors[name] = ["补录的时间不能晚于现在。"]
        elif gap:
            errors[name] = ["缺少前一步骤的时间。"]
        elif last is not None and moment < last:
            errors[name] = ["不能早于前一步骤的时间。"]
        last = moment
    if record.get("completed_at") and not record.get("evidence_urls"):
        errors["evidence_urls"] = ["办结须有至少 1 张照片或台账扫描件。"]
    if record.get("completed_at") and not record.get("result_note"):
        errors["result_note"] = ["办结须填写办理结果。"]
    return errors


def only_final_event(order: "WorkOrder") -> None:
    """An imported order tells subscribers where it stands, not its history: of the events its
    replayed steps caused, only the last is kept (a closed order asks nobody for a visit; one
    imported as completed still gets its follow-up visit)."""
    order.events = order.events[-1:]


# --- duplicates ---------------------------------------------------------------------------

DUPLICATE_RADIUS_M = 50.0
EARTH_RADIUS_M = 6_371_008.8


def distance_m(a: dict, b: dict) -> float:
    """Great-circle distance between two {"lat", "long"} points, in metres."""
    lat1, lat2 = math.radians(a["lat"]), math.radians(b["lat"])
    dlat, dlong = lat2 - lat1, math.radians(b["long"] - a["long"])
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlong / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def duplicate_reasons(order: dict, candidate: WorkOrder) -> list[str]:
    """Why `candidate` may be the same problem as `order` (a report not yet stored, as a dict
    with category, community, alley, location), or [] if it is not."""
    if candidate.category != order["category"] or candidate.state not in OPEN:
        return []
    reasons = []
    if order.get("location") and candidate.location:
        metres = distance_m(order["location"], candidate.location)
        if metres <= DUPLICATE_RADIUS_M:
            reasons.append(f"同类问题,相距约 {metres:.0f} 米")
    alley = normalise_alley(order.get("alley"))
    if alley and candidate.community == order["community"] \
            and normalise_alley(candidate.alley) == alley:
        reasons.append(f"同类问题,同在{candidate.alley}")
    return reasons


# --- figures ------------------------------------------------------------------------------

GROUP_DIMENSIONS = ("month", "community", "alley", "category")


def roll_up(buckets: list[dict], group_by: tuple[str, ...] = ()) -> dict:
    """Sum monthly buckets into totals (and groups), then derive the rates from the sums.

    A bucket is {"month", "community", "alley", "category", "counts": {field: number}}.
    """
    totals, groups = {}, {}
    for bucket in buckets:
        _add(totals, bucket["counts"])
        if group_by:
            key = tuple(bucket[d] for d in group_by)
            _add(groups.setdefault(key, {}), bucket["counts"])
    result = {"totals": figures(totals)}
    if group_by:
        result["groups"] = [
            {**dict(zip(group_by, key)), **figures(counts)}
            for key, counts in sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0])))]
    return result


def _add(into: dict, counts: dict) -> None:
    for name, value in counts.items():
        into[name] = into.get(name, 0) + value


def figures(counts: dict) -> dict:
    """The published figures from summed counters: counts, quantities and the three rates."""
    by_state = {s: int(counts.get(f"state.{s}", 0)) for s in STATES}
    reported = int(counts.get("reported", 0))
    completed = int(counts.get("completed", 0))
    on_time = int(counts.get("completed_on_time", 0))
    follow_ups = {r: int(counts.get(f"follow_up.{r}", 0)) for r in FOLLOW_UP_RESULTS}
    answered = sum(follow_ups[r] for r in ("satisfied", "basically_satisfied", "dissatisfied"))
    satisfied = follow_ups["satisfied"] + follow_ups["basically_satisfied"]
    valid = reported - sum(by_state[s] for s in ENDED_WITHOUT_WORK)
    resolved = by_state[COMPLETED] + by_state[CLOSED]
    return {
        "reported": reported,
        "by_state": by_state,
        "completed": completed,
        "completed_on_time": on_time,
        "escalated": int(counts.get("escalated", 0)),
        "reopened": int(counts.get("reopened", 0)),
        "follow_ups": follow_ups,
        "quantities": {kind: {"name": QUANTITY_NAMES[kind], "unit": unit,
                              "amount": round(counts.get(f"quantity.{kind}", 0), 2)}
                       for kind, unit in QUANTITY_UNITS.items()},
        # 按期办结率: completions within their deadline, of all completions in the period.
        "on_time_rate": _rate(on_time, completed),
        # 满意率: satisfied or basically satisfied, of residents who gave an answer.
        "satisfaction_rate": _rate(satisfied, answered),
        # 解决率: reported in the period and now completed or closed, of those that were not
        # duplicates, rejected or cancelled.
        "resolution_rate": _rate(resolved, valid),
    }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
