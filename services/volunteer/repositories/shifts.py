"""Shifts and the corrections of attendance asked for on them, in the volunteer service's
database."""
from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from services.volunteer import shifts as rules
from services.volunteer.corrections import REQUESTED, Correction
from services.volunteer.exceptions import (correction_not_found, correction_pending,
                                           shift_not_found)
from services.volunteer.repositories.common import (cursor_page, day_number, newest, one_of,
                                                   total_of)
from services.volunteer.shifts import Shift
from shared.paging import Extents, Order, matches
from shared.repository import AggregateRepository, plain_fields
from shared.tallies import Tallies

SHIFTS = "shifts"
CORRECTIONS = "corrections"

# Who is on a shift (every volunteer but those who withdrew), as a flat list of ids: one index
# key, where finding them in the assignments would need `$elemMatch`.
ON_SHIFT = "volunteers"
SHIFT_TALLIES = Tallies("shift_tallies", ("community", "kind", "state"))
CORRECTION_TALLIES = Tallies("correction_tallies", ("community", "state"))
SHIFT_EXTENTS = Extents(SHIFTS, ("starts_at", "created_at"))
CORRECTION_EXTENTS = Extents(CORRECTIONS, ("requested_at",))
# How far past now an order's values may reach: shifts are planned up to years ahead.
HORIZONS = {"starts_at": timedelta(days=3660), "created_at": timedelta(days=1)}
SHIFT_FILTERS = ("state", "kind", "community", "skill", "volunteer_id", "starts_from",
                 "starts_to", "open_for_sign_up", "activity_id", "work_order_number")
CORRECTION_FILTERS = ("state", "volunteer_id", "community")

INDEXES = {
    # Lists page by keyset on (order field, _id) in windows of the order field; each filter
    # has an index that starts with it, so that a window costs what it holds.
    SHIFTS: [
        newest(by="starts_at", name="listed"),
        newest("state", by="starts_at", name="state_listed"),
        newest("community", by="starts_at", name="community_listed"),
        newest("community", "state", by="starts_at", name="community_state_listed"),
        newest("kind", by="starts_at", name="kind_listed"),
        newest("kind", "state", by="starts_at", name="kind_state_listed"),
        newest("skills", by="starts_at", name="skill_listed"),
        newest("state", "full", by="starts_at", name="open_places_listed"),
        newest(ON_SHIFT, by="starts_at", name="volunteer_listed"),
        newest(ON_SHIFT, "state", by="starts_at", name="volunteer_state_listed"),
        newest("source.activity_id", by="starts_at", name="activity_listed"),
        newest("source.work_order_number", by="starts_at", name="work_order_listed"),
        newest(by="created_at", name="created"),
        newest("community", by="created_at", name="community_created"),
        newest("state", by="created_at", name="state_created"),
        newest(ON_SHIFT, by="created_at", name="volunteer_created"),
        IndexModel([("state", ASCENDING), ("ends_at", ASCENDING)], name="state_end"),
        IndexModel([("source_key", ASCENDING)], name="one_shift_per_source", unique=True,
                   sparse=True),
    ],
    CORRECTIONS: [
        IndexModel([("pending_key", ASCENDING)], name="one_pending_per_attendance",
                   unique=True, sparse=True),
        newest(by="requested_at", name="listed"),
        newest("state", by="requested_at", name="state_listed"),
        newest("volunteer_id", by="requested_at", name="volunteer_listed"),
        newest("community", by="requested_at", name="community_listed"),
        newest("community", "state", by="requested_at", name="community_state_listed"),
    ],
    **SHIFT_TALLIES.indexes,
    **CORRECTION_TALLIES.indexes,
}

# Visits are done at any time within their window: never held against other shifts.
NOT_FLEXIBLE = {"$nin": list(rules.FLEXIBLE_KINDS)}


class Shifts(AggregateRepository):
    collection_name = SHIFTS
    tallies = SHIFT_TALLIES
    extents = SHIFT_EXTENTS
    derived_fields = (ON_SHIFT,)
    PLAIN = plain_fields(Shift, "id", "credits")

    def to_document(self, shift: Shift) -> dict:
        doc = {name: getattr(shift, name) for name in self.PLAIN}
        if doc["source_key"] is None:  # absent, not null: the unique index skips it
            del doc["source_key"]
        doc["_id"] = shift.id
        doc["full"] = shift.places_left() == 0  # for finding shifts with places left
        doc[ON_SHIFT] = sorted({a["volunteer_id"] for a in shift.assignments
                                if a["status"] != rules.WITHDRAWN_SIGN_UP})
        return doc

    def tally_values(self, shift: Shift) -> dict:
        return {"community": shift.community, "kind": shift.kind, "state": shift.state}

    def from_document(self, doc: dict) -> Shift:
        return Shift(id=doc["_id"], **{n: doc[n] for n in self.PLAIN if n in doc})

    def not_found(self, shift_id):
        return shift_not_found(shift_id)

    def next_id(self, at: datetime) -> str:
        return day_number(self.uow, "S", at)

    def by_source(self, source_key: str) -> Shift | None:
        return self.find({"source_key": source_key})

    def open_visits_for_work_order(self, number: str) -> list[Shift]:
        return self.many(self.documents.find({"source.work_order_number": number,
                                              "state": rules.OPEN}))

    def _around(self, shift: Shift, **equal) -> list[dict]:
        """Shifts (not visits) that share time with `shift`, found in the index range of
        starts that can: no shift lasts longer than MAX_SHIFT. The server is asked only what
        the index covers; the rest is checked here."""
        asked = {**equal, "starts_at": {"$gt": shift.starts_at - rules.MAX_SHIFT,
                                        "$lt": shift.ends_at}}
        checked = {"state": {"$in": [rules.OPEN, rules.COMPLETED]}, "kind": NOT_FLEXIBLE,
                   "ends_at": {"$gt": shift.starts_at}}
        return [doc for doc in self.documents.find(asked)
                if doc["_id"] != shift.id and matches(doc, checked)]

    def overlapping(self, volunteer_id: str, shift: Shift) -> list[Shift]:
        """The volunteer's other shifts at the same time (visits are not held against any)."""
        if shift.flexible:
            return []
        return [other for other in self.many(self._around(shift, **{ON_SHIFT: volunteer_id}))
                if (other.assignment(volunteer_id) or {}).get("status") in rules.HOLDING]

    def upcoming_sign_ups(self, volunteer_id: str, at: datetime) -> list[Shift]:
        """Open shifts not yet begun (or visits) on which the volunteer holds a place without
        having checked in."""
        return [shift for shift in self.many(self.documents.find(
                    {ON_SHIFT: volunteer_id, "state": rules.OPEN}))
                if (shift.assignment(volunteer_id) or {}).get("status") == rules.SIGNED_UP
                and (shift.starts_at > at or shift.flexible)]

    def busy_volunteers(self, shift: Shift) -> set[str]:
        """Who holds a place on another shift at the same time."""
        busy: set[str] = set()
        if shift.flexible:
            return busy
        for doc in self._around(shift):
            busy.update(a["volunteer_id"] for a in doc["assignments"]
                        if a["status"] in rules.HOLDING)
        return busy

    def due_for_completion(self, before: datetime, limit: int) -> list[str]:
        """Ids only: each shift is completed in its own transaction, so that one that cannot
        be does not hold up the others."""
        cursor = self.documents.find({"state": rules.OPEN, "ends_at": {"$lte": before},
                                      "kind": NOT_FLEXIBLE},
                                     {"_id": 1}).sort("ends_at", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    def page(self, query: dict, at: datetime) -> dict:
        """A page of shifts by cursor (shared.paging), soonest start first unless `sort` says
        otherwise; the total only where the counters give it (by community, kind, state)."""
        field = query["sort"].lstrip("-")
        order = Order(field, ascending=not query["sort"].startswith("-"),
                      horizon=HORIZONS[field])
        return cursor_page(self, SHIFTS, self._criteria(query, at), order, query,
                           SHIFT_EXTENTS, INDEXES[SHIFTS], self._read,
                           total_of(SHIFT_TALLIES, self.uow, query, SHIFT_FILTERS), now=at)

    @staticmethod
    def _criteria(query: dict, at: datetime) -> dict:
        criteria: dict = {}
        if query.get("state"):
            criteria["state"] = one_of(query["state"])
        for name in ("kind", "community"):
            if query.get(name):
                criteria[name] = query[name]
        if query.get("skill"):
            criteria["skills"] = query["skill"]
        if query.get("volunteer_id"):  # on it, unless they withdrew
            criteria[ON_SHIFT] = query["volunteer_id"]
        if query.get("activity_id"):
            criteria["source.activity_id"] = query["activity_id"]
        if query.get("work_order_number"):
            criteria["source.work_order_number"] = query["work_order_number"]
        starts = {}
        if query.get("starts_from"):
            starts["$gte"] = query["starts_from"]
        if query.get("starts_to"):
            starts["$lt"] = query["starts_to"]
        if starts:
            criteria["starts_at"] = starts
        if query.get("open_for_sign_up") is True:
            criteria["state"] = rules.OPEN
            criteria["full"] = False
            criteria["$or"] = [{"kind": {"$in": list(rules.FLEXIBLE_KINDS)}},
                               {"starts_at": {"$gt": at}}]
        return criteria


class Corrections(AggregateRepository):
    collection_name = CORRECTIONS
    tallies = CORRECTION_TALLIES
    extents = CORRECTION_EXTENTS
    PLAIN = plain_fields(Correction, "id")

    def to_document(self, correction: Correction) -> dict:
        doc = {name: getattr(correction, name) for name in self.PLAIN}
        doc["_id"] = correction.id
        if correction.state == REQUESTED:  # one pending request per attendance
            doc["pending_key"] = correction.target_key
        return doc

    def tally_values(self, correction: Correction) -> dict:
        return {"community": correction.community, "state": correction.state}

    def from_document(self, doc: dict) -> Correction:
        return Correction(id=doc["_id"], **{n: doc[n] for n in self.PLAIN if n in doc})

    def not_found(self, correction_id):
        return correction_not_found(correction_id)

    def next_id(self, at: datetime) -> str:
        return day_number(self.uow, "C", at)

    def pending(self, target_key: str) -> str | None:
        """The id of the request still waiting for a decision on this attendance, if any."""
        doc = self.documents.find_one({"pending_key": target_key}, {"_id": 1})
        return doc["_id"] if doc else None

    def add(self, correction: Correction) -> None:
        try:
            super().add(correction)
        except DuplicateKeyError:
            # Numbers are unique by construction: only a second pending request for the same
            # attendance can collide, when two are made at once (the first to commit wins).
            found = self.uow.db[CORRECTIONS].find_one({"pending_key": correction.target_key},
                                                      {"_id": 1})
            if found is None:
                raise
            raise correction_pending(found["_id"]) from None

    def page(self, query: dict) -> dict:
        """A page of corrections by cursor, newest request first; the total where the
        counters give it (by community and state)."""
        criteria = {k: query[k] for k in CORRECTION_FILTERS if query.get(k)}
        return cursor_page(self, CORRECTIONS, criteria, Order("requested_at"), query,
                           CORRECTION_EXTENTS, INDEXES[CORRECTIONS], self._read,
                           total_of(CORRECTION_TALLIES, self.uow, query, CORRECTION_FILTERS))
