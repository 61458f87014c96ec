"""Registrations (报名) and the door (签到): the rules, as plain Python with no I/O.

Residents register while an activity is published and has not started: within capacity they
hold a place, beyond it they wait (候补) and move up, oldest first, when a place frees. At the
door a registration is checked in by its code; people without one (现场报名) are let in while
the room has space. Attendance is counted from check-ins.

`Registration` is one person at one activity; `RegistrationDesk` is what an activity
(services/activity/domain.py) does with them: it keeps the counts, so both change together.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.activity import exceptions as errors
from services.activity.catalogue import FINISHED, ONGOING, PUBLISHED, STATE_NAMES
from services.activity.scheduling import local_text
from shared import clock
from shared.domain import actor_ref, illegal_transition
from shared.events import activity as events

# Check-in at the door opens this long before the start.
CHECK_IN_OPENS_BEFORE = timedelta(minutes=60)

REGISTERED = "registered"
WAITLISTED = "waitlisted"
WITHDRAWN = "cancelled"
EXPIRED = "expired"
ACTIVITY_CANCELLED = "activity_cancelled"
REGISTRATION_STATUS_NAMES = {REGISTERED: "已报名", WAITLISTED: "候补中", WITHDRAWN: "已取消",
                             EXPIRED: "候补未成功", ACTIVITY_CANCELLED: "活动已取消"}
HOLDING = (REGISTERED, WAITLISTED)

PARTICIPANT = "participant"
VOLUNTEER = "volunteer"
ROLE_NAMES = {PARTICIPANT: "参加居民", VOLUNTEER: "服务志愿者"}


@dataclass
class Registration:
    """One person at one activity: registered ahead, waiting, or let in at the door."""
    registration_id: str
    activity_id: str
    name: str
    code: str                           # six digits, shown at the door
    registered_at: datetime
    registered_by: dict                 # {id, name, role} of whoever registered them
    role: str = PARTICIPANT
    phone: dict | None = None           # protected: sealed, masked, fingerprint
    volunteer_id: str | None = None
    note: str | None = None
    status: str = REGISTERED
    walk_in: bool = False
    waitlisted_at: datetime | None = None
    promoted_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    checked_in_at: datetime | None = None
    checked_in_by: dict | None = None
    updated_at: datetime | None = None

    @property
    def dedupe_key(self) -> str | None:
        """What makes a second registration of the same person refused: the phone's
        fingerprint for residents, the volunteer id for serving volunteers. A cancelled
        registration frees it, so the person may register again."""
        if self.status == WITHDRAWN:
            return None
        if self.role == VOLUNTEER and self.volunteer_id:
            return f"{self.activity_id}|v:{self.volunteer_id}"
        if self.phone:
            return f"{self.activity_id}|p:{self.phone['fingerprint']}"
        return None


class RegistrationDesk:
    """An activity's registrations and its door (mixed into domain.Activity, whose counts
    they change)."""

    # -- registration -----------------------------------------------------------------------

    def next_registration_id(self) -> str:
        self.registration_seq += 1
        return f"{self.activity_id}-{self.registration_seq:04d}"

    def register(self, registration: Registration, at):
        """A place if one is free, else the waitlist."""
        if self.state != PUBLISHED:
            raise errors.registration_closed(self.activity_id,
                                             f"当前状态为“{STATE_NAMES[self.state]}”")
        if at >= self.starts_at:
            raise errors.registration_closed(self.activity_id, "已开始")
        if self.capacity is None or self.registered_count < self.capacity:
            registration.status = REGISTERED
            self.registered_count += 1
        else:
            registration.status = WAITLISTED
            registration.waitlisted_at = at
            self.waitlist_count += 1
        registration.updated_at = self.updated_at = at

    def cancel_registration(self, registration: Registration, actor, at, reason: str | None):
        """Before the start only. A freed place goes to the waitlist (see `promote`)."""
        if self.state in (ONGOING, FINISHED) or (self.state == PUBLISHED
                                                 and at >= self.starts_at):
            raise errors.activity_already_started(self.activity_id, local_text(self.starts_at))
        if registration.status not in HOLDING:
            raise illegal_transition(
                f"报名 {registration.registration_id} ",
                REGISTRATION_STATUS_NAMES[registration.status], "取消")
        if registration.checked_in_at is not None:
            raise illegal_transition(f"报名 {registration.registration_id} ", "已签到", "取消")
        if registration.status == REGISTERED:
            self.registered_count -= 1
        else:
            self.waitlist_count -= 1
        registration.status = WITHDRAWN
        registration.cancelled_at, registration.cancel_reason = at, reason
        registration.updated_at = self.updated_at = at

    def places_to_promote(self) -> int:
        """How many of the waitlist now get a place (oldest first)."""
        if self.state != PUBLISHED or not self.waitlist_count:
            return 0
        if self.capacity is None:
            return self.waitlist_count
        return max(0, min(self.waitlist_count, self.capacity - self.registered_count))

    def promote(self, registration: Registration, at):
        if registration.status != WAITLISTED or not self.places_to_promote():
            raise illegal_transition(f"报名 {registration.registration_id} ",
                                     REGISTRATION_STATUS_NAMES[registration.status],
                                     "转为正式报名")
        registration.status = REGISTERED
        registration.promoted_at = registration.updated_at = self.updated_at = at
        self.waitlist_count -= 1
        self.registered_count += 1
        # Not an event about the activity: none of the fields every activity event carries.
        self.events.append((events.REGISTRATION_PROMOTED, {
            "registration_id": registration.registration_id, "activity_id": self.activity_id,
            "title": self.title, "community": self.community, "name": registration.name,
            "starts_at": clock.iso(self.starts_at)}))

    # -- at the door ------------------------------------------------------------------------

    def check_in(self, registration: Registration, actor, at):
        """A registration shows its code. Someone still waiting (or whose wait lapsed) comes
        in as a walk-in, if the room has space."""
        self._check_in_open(at)
        if registration.checked_in_at is not None:
            raise errors.already_checked_in(registration.name,
                                            local_text(registration.checked_in_at))
        if registration.status in (WITHDRAWN, ACTIVITY_CANCELLED):
            raise illegal_transition(
                f"报名 {registration.registration_id} ",
                REGISTRATION_STATUS_NAMES[registration.status], "签到")
        if registration.role == PARTICIPANT and registration.status in (WAITLISTED, EXPIRED):
            self._admit_walk_in(at)
            if registration.status == WAITLISTED:
                self.waitlist_count -= 1
            registration.status, registration.walk_in = REGISTERED, True
            self.walk_in_count += 1
        self._checked_in(registration, actor, at)

    def walk_in(self, registration: Registration, actor, at):
        """现场报名: someone without a registration, or a volunteer come to serve."""
        self._check_in_open(at)
        registration.status = REGISTERED
        if registration.role == PARTICIPANT:
            self._admit_walk_in(at)
            registration.walk_in = True
            self.walk_in_count += 1
        self._checked_in(registration, actor, at)

    def _checked_in(self, registration, actor, at):
        registration.checked_in_at = at
        registration.checked_in_by = actor_ref(actor)
        registration.updated_at = self.updated_at = at
        if registration.role == VOLUNTEER:
            self.volunteer_count += 1
        else:
            self.checked_in_count += 1

    def _check_in_open(self, at):
        if self.state not in (PUBLISHED, ONGOING):
            raise errors.check_in_not_open(self.activity_id,
                                           f"当前状态为“{STATE_NAMES[self.state]}”")
        opens = self.starts_at - CHECK_IN_OPENS_BEFORE
        if at < opens:
            raise errors.check_in_not_open(self.activity_id, f"签到 {local_text(opens)} 开始")

    def _admit_walk_in(self, at):
        """Before the start, walk-ins take only places no registration holds; from the start,
        the places of those who have not come are free too."""
        limit = self.place_capacity
        if limit is None:
            return
        taken = (self.checked_in_count if at >= self.starts_at
                 else self.registered_count + self.walk_in_count)
        if taken >= limit:
            raise errors.place_full(self.place_name, limit)

    # -- questions --------------------------------------------------------------------------

    def registration_open(self, at) -> bool:
        return self.state == PUBLISHED and at < self.starts_at

    def check_in_open(self, at) -> bool:
        return (self.state in (PUBLISHED, ONGOING)
                and at >= self.starts_at - CHECK_IN_OPENS_BEFORE)

    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.registered_count, 0)
