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

An order has at most one current completion (its quantities, photos, result and 回访). A
reopen (重办) moves it to `previous_completions`, where it stays visible, clears it, and takes
its figures back out of the month it was counted in; a re-completion counts afresh. So the
figures always count each order once, with its current completion (docs/reports.md).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared import clock
from services.repair.counts import completed_on_time, completion_counts, held
from services.repair.exceptions import invalid
from shared.errors import Conflict, Forbidden
from shared.domain import Aggregate, history_entry
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
# A resident's own rating (居民评价) of a completed order: one per completion, by its reporter.
RATINGS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
# What 满意率 counts (docs/reports.md): one answer per completion — the resident's own rating
# where they gave one, otherwise the 回访 result; 联系不上 is no answer.
ANSWERS = tuple(RATINGS)

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
    "rate": ((COMPLETED, CLOSED), "居民评价"),
    "reopen": ((COMPLETED, CLOSED), "重办"),
    "escalate": (UNDER_WAY, "督办"),
    "mark_duplicate": ((REPORTED, ACCEPTED), "标记重复"),
    "reject": ((REPORTED,), "不予受理"),
    "cancel": ((REPORTED, ACCEPTED, DISPATCHED, RETURNED), "撤销"),
}
# The reporter's own, on the resident site: never among the steps a work order offers staff.
RESIDENT_ACTIONS = ("rate",)


def normalise_alley(alley: str | None) -> str:
    return "".join((alley or "").split()).lower()


def quantity(kind: str, amount: float) -> dict:
    return {"kind": kind, "amount": round(float(amount), 2), "unit": QUANTITY_UNITS[kind]}


# --- the aggregate ------------------------------------------------------------------------


@dataclass
class WorkOrder(Aggregate):
    ACTIONS = ACTIONS
    STATE_NAMES = STATE_NAMES

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
    # Photos kept in the service's own store (photo_store.py): {"id", "stage" (report,
    # completion), "at", "content_type", "location"}, every one ever attached, in order.
    photos: list = field(default_factory=list)
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
    # The current completion: quantities, photos, result, whether it met its deadline, and
    # the resident's answer to its 回访.
    quantities: list = field(default_factory=list)
    evidence_urls: list = field(default_factory=list)
    result_note: str | None = None
    completed_on_time: bool | None = None
    follow_up: dict | None = None
    # The reporter's own rating of the current completion: {"result", "note", "at", "by"}.
    rating: dict | None = None
    # Completions a reopen (重办) superseded, oldest first, each with why and when it was
    # reopened: kept for the record, counted in no figure.
    previous_completions: list = field(default_factory=list)
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

    # -- creation ---------------------------------------------------------------------------

    @classmethod
    def report(cls, number: str, details: dict, actor: dict, at: datetime) -> "WorkOrder":
        order = cls(number=number, reported_at=at, **details)
        order.updated_at = at
        order.history.append(history_entry("report", None, REPORTED, actor, at))
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
        self._assign(department)
        self.dispatched_at = at
        self._emit(events.WORK_ORDER_DISPATCHED, actor, department_code=department["code"],
                   department_name=department["name"], due_at=clock.iso(self.due_at))

    def return_to_dispatcher(self, actor, at, grounds: str):
        self._check("return")
        department = self.department
        self._move("return", RETURNED, actor, at, grounds,
                   {"department_code": department["code"]})
        self._assign(None)
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
                 result_note: str, photos: list[dict] = ()):
        self._check("complete")
        if not evidence_urls and not photos:
            raise invalid("photos", "请至少上传 1 张办结照片。")
        self._move("complete", COMPLETED, actor, at, result_note,
                   {"quantities": quantities, "evidence_urls": evidence_urls,
                    "photos": [p["id"] for p in photos]})
        self.photos.extend(photos)
        on_time = at <= self.due_at
        self.quantities, self.evidence_urls = list(quantities), list(evidence_urls)
        self.result_note, self.completed_at, self.completed_on_time = result_note, at, on_time
        self.follow_up = self.rating = None
        self._count(at, **completion_counts(quantities, on_time, +1))
        self._emit(events.WORK_ORDER_COMPLETED, actor, address=self.address,
                   department_code=self.department["code"], completed_at=clock.iso(at),
                   on_time=on_time, quantities=quantities,
                   reporter_name=self.reporter.get("name"),
                   reporter_phone_masked=(self.reporter.get("phone") or {}).get("masked"),
                   result_note=result_note)

    def record_follow_up(self, actor, at, result: str, note: str | None, due_at: datetime):
        """The resident's answer to a 回访: dissatisfied reopens the work with `due_at`."""
        self._check("follow_up")
        self.follow_up = {"result": result, "note": note, "at": at, "by": actor}
        self._count(at, **{f"follow_up.{result}": 1})
        if self.rating is not None:  # the resident's own rating counts, not this answer
            self._count(at, **{f"follow_up_overridden.{result}": 1})
        self._emit(events.WORK_ORDER_FOLLOWED_UP, actor, result=result)
        if result == "dissatisfied":
            self._reopen(actor, at, note or "回访不满意", due_at, via="follow_up")
        else:
            self._move("follow_up", CLOSED, actor, at, note, {"result": result})
            self.resolution, self.closed_at = result, at
            self._emit_closed(actor, at)

    def rate(self, actor, at, result: str, note: str | None):
        """居民评价: the reporter rates the current completion, once. It changes no state (staff
        see it, and may reopen); it counts in 满意率 instead of the 回访's answer."""
        self._check("rate")
        resident = actor.get("resident")
        if not resident or resident != (self.reporter.get("phone") or {}).get("fingerprint"):
            raise Forbidden("只有上报人本人可以评价此工单", code="FORBIDDEN")
        if self.rating is not None:
            raise Conflict("此次办结已评价过,不能重复评价", code="ALREADY_RATED")
        self.rating = {"result": result, "note": note, "at": at, "by": actor}
        self._record("rate", self.state, actor, at, note, {"result": result})
        self._count(at, **{f"rating.{result}": 1})
        if self.follow_up is not None:  # the 回访's answer no longer counts, in its month
            self._count(self.follow_up["at"],
                        **{f"follow_up_overridden.{self.follow_up['result']}": 1})

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

    def is_overdue(self, at: datetime) -> bool:
        return self.state in UNDER_WAY and self.due_at is not None and at > self.due_at

    def needs_escalation(self, at: datetime) -> bool:
        """Overdue and not yet escalated automatically since its deadline was last set."""
        return self.is_overdue(at) and not self.overdue_escalated

    # -- internals --------------------------------------------------------------------------

    def _reopen(self, actor, at, reason, due_at, via):
        target = IN_PROGRESS if self.department else ACCEPTED
        details = {"reopened": True}
        if via == "follow_up":
            details["result"] = self.follow_up["result"]
        if self.completed_at is not None:
            # The completion no longer holds: into the record, and out of the figures of the
            # month it was counted in (a re-completion counts anew, in its own month).
            on_time = completed_on_time(self)
            self.previous_completions.append({
                "completed_at": self.completed_at, "on_time": on_time,
                "quantities": self.quantities, "evidence_urls": self.evidence_urls,
                "result_note": self.result_note, "follow_up": self.follow_up,
                "rating": self.rating, "reopened_at": at, "reopen_reason": reason})
            details["superseded_completion"] = len(self.previous_completions)
            self._count(self.completed_at,
                        **completion_counts(self.quantities, on_time, -1))
        self._move(via, target, actor, at, reason, details)
        self.reopen_count += 1
        self.due_at, self.overdue_escalated = due_at, False
        self.completed_at = self.closed_at = self.resolution = None
        self.quantities, self.evidence_urls, self.result_note = [], [], None
        self.completed_on_time = self.follow_up = self.rating = None
        self._count(at, reopened=1)
        self._emit(events.WORK_ORDER_REOPENED, actor, reason=reason, due_at=clock.iso(due_at))

    def _end(self, action, state, event_type, actor, at, reason, duplicate_of=None):
        self._move(action, state, actor, at, reason)
        self.closed_at, self.resolution, self.duplicate_of = at, state, duplicate_of
        self._emit(event_type, actor, reason=reason, duplicate_of=duplicate_of,
                   source_ref=self.source_ref)

    def _emit_closed(self, actor, at):
        self._emit(events.WORK_ORDER_CLOSED, actor, resolution=self.resolution,
                   closed_at=clock.iso(at), source_ref=self.source_ref,
                   result_note=self.result_note)

    # -- what the aggregate base needs --------------------------------------------------------

    def subject(self) -> str:
        return f"工单 {self.number} "

    def event_data(self, actor) -> dict:
        reporter = self.reporter or {}
        return {"number": self.number, "state": self.state, "category": self.category,
                "community": self.community, "alley": self.alley, "actor_name": actor["name"],
                "channel": self.channel, "external_ref": self.external_ref,
                "reporter_reachable": bool(reporter.get("phone") or reporter.get("email")),
                "imported": self.imported is not None}

    def moved(self, from_state, at) -> None:
        # Counts by state belong to the month the problem was reported in.
        self._count(self.reported_at, **{f"state.{from_state}": -1, f"state.{self.state}": 1})

    def _count(self, at, **changes):
        super()._count(self.figures_key(at), **changes)

    def figures_key(self, at) -> tuple:
        """Figures go to the bucket of their office month, community, alley, category and
        department ("" while the order is with none)."""
        return (clock.month_key(at), self.community, (self.alley or "").strip(), self.category,
                (self.department or {}).get("code") or "")

    def held_figures(self) -> list[tuple]:
        """[(bucket key, {counter: amount})]: all the order counts in the figures now."""
        return [(self.figures_key(at), changes) for at, changes in held(self)]

    def _assign(self, department: dict | None) -> None:
        """A new department (None: none): every count the order holds moves to it."""
        for at, changes in held(self):
            self._count(at, **{name: -amount for name, amount in changes.items()})
        self.department = department
        for at, changes in held(self):
            self._count(at, **changes)


# --- duplicates ---------------------------------------------------------------------------

DUPLICATE_RADIUS_M = 50.0
EARTH_RADIUS_M = 6_371_008.8
# Candidates are the newest 50 open orders of the report's category in its community of the
# last 90 days, found among at most 500 of its orders of that category.
DUPLICATE_WINDOW = timedelta(days=90)
DUPLICATE_READ = 50
DUPLICATE_SCAN = 500


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
