"""主题活动: an activity, from draft to finished, at its place — the rules, as plain Python with
no I/O.

An activity moves through the states below. Every step checks that it is legal now, is kept in
the activity's history (who, when, note), emits its catalogue event and says how the published
figures change (`stat_changes`); the service stores all three in one transaction.

    draft ─ publish → published ─ (start time; timer) → ongoing ─ finish → finished
      └──────────────── cancel (reason) ─────────────────┘→ cancelled

Its registrations and the door are in services/activity/registrations.py; who may do what in
services/activity/permissions.py.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.activity import exceptions as errors
from services.activity.catalogue import (CANCELLED, DRAFT, FESTIVAL_THEME, FESTIVALS, FINISHED,
                                         LIVE, ONGOING, PUBLISHED, STATE_NAMES, THEMES)
from services.activity.registrations import (ACTIVITY_CANCELLED, EXPIRED, HOLDING, PARTICIPANT,
                                             VOLUNTEER, WAITLISTED, Registration,
                                             RegistrationDesk)
from services.activity.scheduling import local_text, opening_hours_problem
from shared import clock, names
from shared.domain import Aggregate, actor_ref, history_entry
from shared.events import activity as events
from shared.statistics import roll_up as sum_buckets

# The longest an activity may last (a festival weekend); it also bounds the booking search.
MAX_DURATION = timedelta(days=7)
# An activity nobody finished by hand is finished by the timer this long after its end, with
# the attendance counted from check-ins; minutes can be added afterwards.
AUTO_FINISH_AFTER = timedelta(hours=12)

# Which steps exist and where each may start from (the console shows exactly these buttons;
# some also depend on the time, see `allowed_actions`).
ACTIONS = {
    "update": ((DRAFT, PUBLISHED), "修改"),
    "publish": ((DRAFT,), "发布"),
    "cancel": (LIVE, "取消活动"),
    "finish": ((PUBLISHED, ONGOING), "结束活动"),
    "record_minutes": ((FINISHED,), "补充活动纪要"),
    "feature_exemplar": (LIVE, "展示先进典型"),
    "register": ((PUBLISHED,), "报名"),
    "check_in": ((PUBLISHED, ONGOING), "签到"),
}
# Steps the timer takes; not buttons.
SYSTEM_ACTIONS = {"create": "创建", "start": "开始"}
# Every step an activity takes, with the states it may start from: the buttons, the timer's
# start, and the 补录 of an activity held before it was recorded here.
STEPS = {**ACTIONS, "start": ((PUBLISHED,), SYSTEM_ACTIONS["start"]),
         "record_held": ((DRAFT,), "补录")}

# --- the aggregate ------------------------------------------------------------------------


@dataclass
class Activity(RegistrationDesk, Aggregate):
    ACTIONS = STEPS
    STATE_NAMES = STATE_NAMES

    activity_id: str
    title: str
    theme: str
    community: str
    organiser: str
    created_at: datetime
    created_by: dict
    festival: str | None = None
    description: str = ""
    target_groups: list = field(default_factory=list)
    venue: dict | None = None           # {id, name, address}
    room: dict | None = None            # {id, name, kind}
    place_capacity: int | None = None   # how many the room (or venue) holds; None: no limit
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = None         # places for registration; None: no limit
    volunteer_slots: dict = field(default_factory=lambda: {"count": 0, "skills": []})
    series_id: str | None = None
    source_ref: dict | None = None      # {"service": "job", "ref": …} when a service asked
    preferred_date: str | None = None   # a wish to schedule by, not a booking
    featured_exemplars: list = field(default_factory=list)
    state: str = DRAFT
    registered_count: int = 0           # residents holding a place by registration
    waitlist_count: int = 0
    checked_in_count: int = 0           # residents checked in, walk-ins included
    walk_in_count: int = 0
    volunteer_count: int = 0            # serving volunteers checked in
    registration_seq: int = 0
    attendance: int | None = None
    hours: float | None = None
    minutes: str | None = None          # 活动纪要
    photo_urls: list = field(default_factory=list)
    cancel_reason: str | None = None
    published_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    cancelled_at: datetime | None = None
    updated_at: datetime | None = None
    # 补录: {"by", "at", "reason"} for an activity held before it was recorded here.
    imported: dict | None = None
    history: list = field(default_factory=list)
    version: int = 0
    # Registrations the last changes moved in bulk, [(from statuses, to status)]: applied by
    # the repository when it stores the activity, never stored on it.
    sweeps: list = field(default_factory=list, repr=False, compare=False)

    # -- creation ---------------------------------------------------------------------------

    @classmethod
    def create(cls, activity_id: str, details: dict, place: dict | None, actor: dict,
               at: datetime) -> "Activity":
        """details: title, theme, festival?, description?, target_groups?, organiser,
        community, starts_at?, ends_at?, capacity?, volunteer_slots?, series_id?,
        source_ref?, preferred_date?. `place` is {"venue": …, "room": … | None} as the venue
        registry has them (with capacity and opening hours), or None while undecided."""
        schedule = {k: details.get(k) for k in ("starts_at", "ends_at", "capacity")}
        plain = {k: copy.deepcopy(v) for k, v in details.items()
                 if k not in schedule and v is not None}
        activity = cls(activity_id=activity_id, created_at=at, created_by=actor_ref(actor), **plain)
        activity._check_theme()
        activity._schedule(place, schedule["starts_at"], schedule["ends_at"],
                           schedule["capacity"], at)
        activity.updated_at = at
        activity.history.append(history_entry("create", None, DRAFT, actor, at))
        return activity

    @classmethod
    def record_held(cls, activity_id: str, details: dict, place: dict, actor: dict,
                    at: datetime, held: dict) -> "Activity":
        """补录: an activity held before it was recorded here, from its sign-in sheet and
        minutes. It books its place for the time it was held (two activities still cannot
        have shared a room), counts as announced and held in the month it took place, and
        tells the volunteer service who served, as a finished activity does.

        held: reason, registered, attendance, walk_ins, volunteers [{volunteer_id, name}],
        minutes, photo_urls."""
        schedule = {k: details.get(k) for k in ("starts_at", "ends_at", "capacity")}
        plain = {k: copy.deepcopy(v) for k, v in details.items()
                 if k not in schedule and v is not None}
        activity = cls(activity_id=activity_id, created_at=at, created_by=actor_ref(actor), **plain)
        activity._check_theme()
        if place is None:
            raise errors.invalid("venue_id", "请填写活动场地。")
        activity._schedule(place, schedule["starts_at"], schedule["ends_at"],
                           schedule["capacity"], at, past=True)
        attendance, walk_ins = held["attendance"], held["walk_ins"]
        if walk_ins > attendance:
            raise errors.invalid("walk_ins", "现场报名人数不能多于到场人数。")
        if activity.place_capacity is not None and attendance > activity.place_capacity:
            raise errors.invalid("attendance", f"超过{activity.place_name}的容量 "
                                 f"{activity.place_capacity} 人。")
        if activity.capacity is not None and held["registered"] > activity.capacity:
            raise errors.invalid("registered", f"报名人数超过活动名额 {activity.capacity}。")
        note = f"补录:{held['reason']}"
        activity.history.append(history_entry("create", None, DRAFT, actor, at, note))
        activity.imported = {"by": actor_ref(actor), "at": at, "reason": held["reason"]}
        activity.registered_count = held["registered"]
        activity.checked_in_count, activity.walk_in_count = attendance, walk_ins
        activity.volunteer_count = len(held["volunteers"])
        hours = round((activity.ends_at - activity.starts_at).total_seconds() / 3600, 2)
        activity._move("record_held", FINISHED, actor, at, held["minutes"], {"imported": True})
        activity.started_at = activity.starts_at
        activity.attendance, activity.hours, activity.finished_at = attendance, hours, at
        activity.minutes, activity.photo_urls = held["minutes"], list(held["photo_urls"])
        activity._count(activity._stat_key(), published=1, held=1, attendance=attendance,
                        walk_ins=walk_ins, registered=held["registered"],
                        no_shows=max(held["registered"] - (attendance - walk_ins), 0),
                        volunteers=len(held["volunteers"]), hours=hours)
        starts = clock.iso(activity.starts_at)
        activity._emit(events.ACTIVITY_FINISHED, organiser=activity.organiser,
                       festival=activity.festival, starts_at=starts,
                       ends_at=clock.iso(activity.ends_at), hours=hours, attendance=attendance,
                       venue=activity.venue["name"], walk_ins=walk_ins,
                       volunteers=len(held["volunteers"]),
                       checked_in=[{"name": v["name"], "checked_in_at": starts,
                                    "volunteer_id": v["volunteer_id"], "role": VOLUNTEER}
                                   for v in held["volunteers"]])
        return activity

    # -- the lifecycle ----------------------------------------------------------------------

    def update(self, actor, at, changes: dict, place: dict | None = None):
        """Change what is given in `changes`; a schedule change (venue_id, room_id, starts_at,
        ends_at, capacity) is checked again in full against `place`."""
        self._check("update")
        before_key, before = self._stat_key(), (self.title, self._arrangement())
        for name in ("title", "theme", "festival", "description", "target_groups", "organiser",
                     "volunteer_slots"):
            if name in changes:
                setattr(self, name, changes[name])
        self._check_theme()
        if any(k in changes for k in ("venue_id", "room_id", "starts_at", "ends_at",
                                      "capacity")):
            self._schedule(place, changes.get("starts_at", self.starts_at),
                           changes.get("ends_at", self.ends_at),
                           changes.get("capacity", self.capacity), at)
            if self.state == PUBLISHED and (self.venue is None or self.starts_at is None):
                raise errors.invalid("venue_id" if self.venue is None else "starts_at",
                                     "已发布的活动须有场地和时间。")
        self._record("update", self.state, actor, at, None, {"fields": sorted(changes)})
        if self.state == PUBLISHED:
            if self._stat_key() != before_key:
                self._count(before_key, published=-1)
                self._count(self._stat_key(), published=1)
            if (self.title, self._arrangement()) != before:
                self._emit(events.ACTIVITY_UPDATED, **self._arrangement())

    def publish(self, actor, at):
        self._check("publish")
        if self.venue is None:
            raise errors.invalid("venue_id", "发布前请选择活动场地。")
        if self.starts_at is None:
            raise errors.invalid("starts_at", "发布前请确定活动时间。")
        if self.starts_at <= at:
            raise errors.invalid("starts_at", "活动开始时间已过,不能发布。")
        self._move("publish", PUBLISHED, actor, at, None)
        self.published_at = at
        self._count(self._stat_key(), published=1)
        self._emit(events.ACTIVITY_PUBLISHED, **self._arrangement())

    def start(self, actor, at):
        """The start time has come: registration closes and the waitlist lapses."""
        self._check("start")
        if at < self.starts_at:
            raise errors.not_started(self.activity_id, local_text(self.starts_at), "开始")
        self._move("start", ONGOING, actor, at, None)
        self.started_at = at
        if self.waitlist_count:
            self.sweeps.append(((WAITLISTED,), EXPIRED))
            self.waitlist_count = 0

    def finish(self, actor, at, minutes: str | None, photo_urls: list[str],
               checked_in: list[Registration], automatic: bool = False):
        """Attendance is the residents checked in; `checked_in` is everyone checked in."""
        self._check("finish")
        if self.state == PUBLISHED:
            if at < self.starts_at:
                raise errors.not_started(self.activity_id, local_text(self.starts_at), "结束")
            self.start(actor, at)
        people = sorted((r for r in checked_in if r.checked_in_at is not None),
                        key=lambda r: (r.checked_in_at, r.registration_id))
        participants = [r for r in people if r.role == PARTICIPANT]
        volunteers = [r for r in people if r.role == VOLUNTEER]
        walk_ins = len([r for r in participants if r.walk_in])
        hours = round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)
        self._move("finish", FINISHED, actor, at, minutes, {"automatic": automatic})
        self.attendance, self.hours, self.finished_at = len(participants), hours, at
        self.minutes, self.photo_urls = minutes, list(photo_urls)
        self._count(self._stat_key(), held=1, attendance=len(participants), walk_ins=walk_ins,
                    registered=self.registered_count,
                    no_shows=max(self.registered_count - (len(participants) - walk_ins), 0),
                    volunteers=len(volunteers), hours=hours)
        self._emit(events.ACTIVITY_FINISHED, organiser=self.organiser, festival=self.festival,
                   starts_at=clock.iso(self.starts_at), ends_at=clock.iso(self.ends_at),
                   hours=hours, attendance=len(participants), venue=self.venue["name"],
                   walk_ins=walk_ins, volunteers=len(volunteers),
                   checked_in=[{"name": r.name, "checked_in_at": clock.iso(r.checked_in_at),
                                "volunteer_id": r.volunteer_id, "role": r.role}
                               for r in people])

    def record_minutes(self, actor, at, minutes: str, photo_urls: list[str]):
        self._check("record_minutes")
        self.minutes = minutes
        self.photo_urls = self.photo_urls + [u for u in photo_urls if u not in self.photo_urls]
        self._record("record_minutes", self.state, actor, at, minutes)

    def cancel(self, actor, at, reason: str):
        was = self.state
        self._move("cancel", CANCELLED, actor, at, reason)
        self.cancel_reason, self.cancelled_at = reason, at
        self.sweeps.append((HOLDING + (EXPIRED,), ACTIVITY_CANCELLED))
        if was != DRAFT:  # nobody outside knew of a draft
            self._count(self._stat_key(), cancelled=1)
            self._emit(events.ACTIVITY_CANCELLED, reason=reason,
                       starts_at=clock.iso(self.starts_at))

    # -- exemplars at the activity (展板, 事迹分享) ---------------------------------------------

    def feature(self, actor, at, exemplar, form: str, note: str | None = None):
        self._check("feature_exemplar")
        if not exemplar.is_public:
            raise errors.invalid("exemplar_id", f"先进典型“{exemplar.name}”当前为“"
                                 f"{exemplar.state_name}”,发布后才能在活动中展示。")
        self.featured_exemplars = [f for f in self.featured_exemplars
                                   if f["exemplar_id"] != exemplar.exemplar_id]
        self.featured_exemplars.append({
            "exemplar_id": exemplar.exemplar_id, "name": exemplar.name,
            "category": exemplar.category, "title": exemplar.title, "form": form,
            "note": note})
        self._record("feature_exemplar", self.state, actor, at, note,
                     {"exemplar_id": exemplar.exemplar_id, "form": form})

    def unfeature(self, actor, at, exemplar_id: str):
        self._check("feature_exemplar")
        kept = [f for f in self.featured_exemplars if f["exemplar_id"] != exemplar_id]
        if len(kept) == len(self.featured_exemplars):
            raise errors.invalid("exemplar_id", f"活动未展示先进典型 {exemplar_id}。")
        self.featured_exemplars = kept
        self._record("unfeature_exemplar", self.state, actor, at, None,
                     {"exemplar_id": exemplar_id})

    # -- questions --------------------------------------------------------------------------

    @property
    def place_name(self) -> str:
        if self.venue is None:
            return "活动场地"
        return place_label(self.venue, self.room)

    def allowed_actions(self, at) -> list[str]:
        allowed = []
        for action, (states, _) in ACTIONS.items():
            if self.state not in states:
                continue
            if action == "publish" and self.starts_at is not None and self.starts_at <= at:
                continue
            if action == "finish" and self.state == PUBLISHED and at < self.starts_at:
                continue
            if action == "register" and not self.registration_open(at):
                continue
            if action == "check_in" and not self.check_in_open(at):
                continue
            allowed.append(action)
        return allowed

    def due_to_start(self, at) -> bool:
        return self.state == PUBLISHED and self.starts_at <= at

    def due_to_finish(self, at) -> bool:
        return self.state in (PUBLISHED, ONGOING) and self.ends_at + AUTO_FINISH_AFTER <= at

    # -- internals --------------------------------------------------------------------------

    def _check_theme(self):
        if self.theme not in THEMES:
            raise errors.invalid("theme", f"未知的活动主题 {self.theme}。")
        if self.festival is not None and self.festival not in FESTIVALS:
            raise errors.invalid("festival", f"未知的节日 {self.festival}。")
        if self.theme == FESTIVAL_THEME and not self.festival:
            raise errors.invalid("festival", "“我们的节日”活动请选择节日。")

    def _schedule(self, place, starts_at, ends_at, capacity, at, past=False):
        if (starts_at is None) != (ends_at is None):
            raise errors.invalid("ends_at" if starts_at else "starts_at",
                                 "开始时间和结束时间应同时填写。")
        if starts_at is not None:
            if ends_at <= starts_at:
                raise errors.invalid("ends_at", "结束时间应晚于开始时间。")
            if ends_at - starts_at > MAX_DURATION:
                raise errors.invalid("ends_at", "一次活动最长 7 天;更长的请建系列活动。")
            if past and ends_at > at:
                raise errors.invalid("ends_at", "补录的活动应已结束。")
            if not past and starts_at <= at:
                raise errors.invalid("starts_at", "开始时间应晚于现在。")
        place_capacity = None
        if place is not None:
            venue, room = place["venue"], place.get("room")
            if venue.get("community") not in (None, self.community):
                raise errors.invalid("venue_id", f"场地“{venue['name']}”属于"
                                     f"{venue['community']},不能用于{self.community}的活动。")
            if room is not None and room["venue_id"] != venue["id"]:
                raise errors.invalid("room_id", f"功能室“{room['name']}”不在“{venue['name']}”。")
            label = place_label(venue, room)
            if starts_at is not None:
                opening_hours = (room or {}).get("opening_hours") or venue.get("opening_hours")
                problem = opening_hours_problem(label, opening_hours or [], starts_at, ends_at)
                if problem:
                    raise errors.invalid("starts_at", problem)
            place_capacity = (room or venue).get("capacity")
            if capacity is None:
                capacity = place_capacity
            elif place_capacity is not None and capacity > place_capacity:
                raise errors.invalid("capacity", f"超过{label}的容量 {place_capacity} 人。")
        if capacity is not None and capacity < self.registered_count:
            raise errors.invalid("capacity", f"已有 {self.registered_count} 人报名,"
                                 f"名额不能少于 {self.registered_count}。")
        self.starts_at, self.ends_at, self.capacity = starts_at, ends_at, capacity
        self.place_capacity = place_capacity
        self.venue = place and {"id": place["venue"]["id"], "name": place["venue"]["name"],
                                "address": place["venue"].get("address")}
        room = place and place.get("room")
        self.room = room and {"id": room["id"], "name": room["name"], "kind": room["kind"]}

    def _arrangement(self) -> dict:
        """What consumers keep of a published activity (activity_published / _updated)."""
        venue, room = self.venue or {}, self.room or {}
        return {"organiser": self.organiser, "venue": venue.get("name"),
                "room": room.get("name"), "venue_id": venue.get("id"),
                "room_id": room.get("id"), "address": venue.get("address"),
                "starts_at": clock.iso(self.starts_at), "ends_at": clock.iso(self.ends_at),
                "volunteer_slots": {"count": self.volunteer_slots.get("count", 0),
                                    "skills": list(self.volunteer_slots.get("skills", []))},
                "festival": self.festival, "capacity": self.capacity,
                "series_id": self.series_id}

    def _stat_key(self) -> tuple | None:
        """The bucket an activity's figures go to: the office month it starts in, and the
        dimensions the office reports by."""
        if self.starts_at is None:
            return None
        return (clock.month_key(self.starts_at), self.community,
                (self.venue or {}).get("id") or "", self.theme, self.festival or "")

    # -- what the aggregate base needs --------------------------------------------------------

    def subject(self) -> str:
        return f"活动 {self.activity_id} "

    def event_data(self, actor) -> dict:
        # The repository stores the change as the next version.
        return {"activity_id": self.activity_id, "title": self.title, "theme": self.theme,
                "theme_name": THEMES[self.theme], "community": self.community,
                "activity_version": self.version + 1}


def place_label(venue: dict, room: dict | None) -> str:
    return names.place(venue["name"], room and room["name"])


# --- figures ------------------------------------------------------------------------------

GROUP_DIMENSIONS = ("month", "community", "venue", "theme", "festival")
_BUCKET_FIELD = {"venue": "venue_id"}
COUNTERS = ("published", "held", "cancelled", "attendance", "walk_ins", "registered",
            "no_shows", "volunteers", "hours")


def roll_up(buckets: list[dict], group_by: tuple[str, ...] = ()) -> dict:
    """Sum monthly buckets into totals (and groups), then derive the figures from the sums. A
    group by venue is keyed by the bucket's venue_id; an empty dimension (no festival) by None."""
    keyed = [{**bucket, **{d: bucket[_BUCKET_FIELD.get(d, d)] or None for d in group_by}}
             for bucket in buckets]
    return sum_buckets(keyed, group_by, figures, _labels)


def _labels(key: dict) -> dict:
    labelled = {}
    for dimension, value in key.items():
        if dimension == "venue":
            labelled["venue_id"] = value
        else:
            labelled[dimension] = value
        if dimension == "theme":
            labelled["theme_name"] = THEMES.get(value, value)
        if dimension == "festival":
            labelled["festival_name"] = FESTIVALS.get(value) if value else None
    return labelled


def figures(counts: dict) -> dict:
    held = int(counts.get("held", 0))
    attendance = int(counts.get("attendance", 0))
    walk_ins = int(counts.get("walk_ins", 0))
    registered = int(counts.get("registered", 0))
    return {
        "published": int(counts.get("published", 0)),
        # 开展活动次数: activities that took place (finished).
        "held": held,
        "cancelled": int(counts.get("cancelled", 0)),
        # 参与人次: residents checked in at the activities held, walk-ins included.
        "attendance": attendance,
        "walk_ins": walk_ins,
        "registered": registered,
        "no_shows": int(counts.get("no_shows", 0)),
        "volunteers": int(counts.get("volunteers", 0)),
        "hours": round(counts.get("hours", 0), 2),
        "average_attendance": round(attendance / held, 1) if held else None,
        # 到场率: registered residents who came, of those registered.
        "show_up_rate": (round((attendance - walk_ins) / registered, 4)
                         if registered else None),
    }
