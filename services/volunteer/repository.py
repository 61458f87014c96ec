"""Volunteers, shifts, the hours ledger and what goes with them, in and out of the volunteer
service's own database.

The published figures are counters kept in the same transaction as the change that moves
them, so statistics read a few small documents however many volunteers and entries there are:

- `volunteer_counts`: per community and team, volunteers by state, and active ones by star
  level and by skill (each volunteer's stored record says what it was counted as);
- `hours_stats`: per office month, community and team, hours, services and registrations, and
  hours and services by skill;
- `served_markers` + `served_stats`: one marker per volunteer and period (month, quarter, year,
  all time) the first time they serve in it, so distinct volunteers who served are counted
  without scanning the ledger.
"""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from services.volunteer import domain, ledger
from services.volunteer.exceptions import (certificate_not_found, correction_not_found,
                                           entry_not_found, shift_not_found, team_not_found,
                                           volunteer_not_found)
from shared import clock
from shared.storage import count

VOLUNTEERS = "volunteers"
SHIFTS = "shifts"
LEDGER = "hours_ledger"
CORRECTIONS = "corrections"
CERTIFICATES = "certificates"
TEAMS = "teams"
ACTIVITIES = "activities"
SETTINGS = "settings"
COUNTERS = "counters"
VOLUNTEER_COUNTS = "volunteer_counts"
HOURS_STATS = "hours_stats"
SERVED_MARKERS = "served_markers"
SERVED_STATS = "served_stats"

PERIOD_KINDS = ("month", "quarter", "year", "all")  # as ledger.period_keys lists them

INDEXES = {
    VOLUNTEERS: [
        # One registration per ID number (a rejected one frees it: the key is then absent).
        IndexModel([("registration_key", ASCENDING)], name="one_registration_per_id_number",
                   unique=True, sparse=True),
        IndexModel([("id_number.fingerprint", ASCENDING)], name="id_number"),
        IndexModel([("phone.fingerprint", ASCENDING)], name="phone", sparse=True),
        # Lists sort by a field and then by _id; with _id in the index the page comes straight
        # from it instead of sorting every match.
        IndexModel([("registered_at", DESCENDING), ("_id", DESCENDING)], name="newest"),
        IndexModel([("community", ASCENDING), ("state", ASCENDING),
                    ("registered_at", DESCENDING), ("_id", DESCENDING)], name="community_state"),
        IndexModel([("team", ASCENDING), ("state", ASCENDING)], name="team_state"),
        IndexModel([("skills", ASCENDING), ("state", ASCENDING), ("community", ASCENDING)],
                   name="skills"),
        IndexModel([("state", ASCENDING), ("total_hours", DESCENDING)], name="state_hours"),
        IndexModel([("name", ASCENDING)], name="name"),
    ],
    SHIFTS: [
        IndexModel([("state", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)],
                   name="state_start"),
        IndexModel([("state", ASCENDING), ("ends_at", ASCENDING)], name="state_end"),
        IndexModel([("community", ASCENDING), ("starts_at", ASCENDING), ("_id", ASCENDING)],
                   name="community_start"),
        IndexModel([("assignments.volunteer_id", ASCENDING), ("starts_at", ASCENDING)],
                   name="volunteer_shifts"),
        IndexModel([("source_key", ASCENDING)], name="one_shift_per_source", unique=True,
                   sparse=True),
        IndexModel([("source.activity_id", ASCENDING)], name="activity", sparse=True),
        IndexModel([("source.work_order_number", ASCENDING)], name="work_order", sparse=True),
    ],
    LEDGER: [
        # Whatever way a service's hours arrive (check-out, activity list, a repeat), they are
        # credited once.
        IndexModel([("key", ASCENDING)], name="once_per_service", unique=True),
        IndexModel([("volunteer_id", ASCENDING), ("date", DESCENDING), ("_id", DESCENDING)],
                   name="volunteer_date"),
        IndexModel([("volunteer_id", ASCENDING), ("organiser", ASCENDING),
                    ("date", ASCENDING)], name="volunteer_organiser_date"),
        IndexModel([("organiser", ASCENDING), ("date", DESCENDING)], name="organiser_date"),
        IndexModel([("community", ASCENDING), ("date", DESCENDING)], name="community_date"),
        IndexModel([("date", DESCENDING), ("_id", DESCENDING)], name="date"),
        IndexModel([("corrects", ASCENDING)], name="corrections"),
    ],
    CORRECTIONS: [
        IndexModel([("pending_key", ASCENDING)], name="one_pending_per_attendance",
                   unique=True, sparse=True),
        IndexModel([("state", ASCENDING), ("requested_at", DESCENDING)], name="state"),
        IndexModel([("volunteer_id", ASCENDING), ("requested_at", DESCENDING)],
                   name="volunteer"),
        IndexModel([("community", ASCENDING), ("state", ASCENDING)], name="community"),
    ],
    CERTIFICATES: [
        IndexModel([("volunteer_id", ASCENDING), ("issued_at", DESCENDING)], name="volunteer"),
        IndexModel([("issuer", ASCENDING), ("issued_at", DESCENDING)], name="issuer"),
    ],
    TEAMS: [IndexModel([("community", ASCENDING)], name="community")],
    HOURS_STATS: [IndexModel([("month", ASCENDING)], name="month")],
    SERVED_MARKERS: [IndexModel([("kind", ASCENDING), ("key", ASCENDING),
                                 ("community", ASCENDING)], name="period")],
    SERVED_STATS: [IndexModel([("kind", ASCENDING), ("key", ASCENDING)], name="period")],
}

_VOLUNTEER_FIELDS = [f.name for f in dataclasses.fields(domain.Volunteer)
                     if f.name not in ("id", "events", "counted")]
_SHIFT_FIELDS = [f.name for f in dataclasses.fields(domain.Shift)
                 if f.name not in ("id", "events", "credits")]
_CORRECTION_FIELDS = [f.name for f in dataclasses.fields(domain.Correction)
                      if f.name not in ("id", "events")]


def volunteer_document(volunteer: domain.Volunteer) -> dict:
    doc = {name: getattr(volunteer, name) for name in _VOLUNTEER_FIELDS}
    doc["_id"] = volunteer.id
    if volunteer.registration_key:  # absent, not null: the unique index skips it
        doc["registration_key"] = volunteer.registration_key
    return doc


def volunteer_from(doc: dict) -> domain.Volunteer:
    volunteer = domain.Volunteer(id=doc["_id"], **{n: doc[n] for n in _VOLUNTEER_FIELDS
                                                   if n in doc})
    volunteer.counted = volunteer.stat_vector()
    return volunteer


def shift_document(shift: domain.Shift) -> dict:
    doc = {name: getattr(shift, name) for name in _SHIFT_FIELDS}
    if doc["source_key"] is None:  # absent, not null: the unique index skips it
        del doc["source_key"]
    doc["_id"] = shift.id
    doc["full"] = shift.places_left() == 0  # for finding shifts with places left
    return doc


def shift_from(doc: dict) -> domain.Shift:
    return domain.Shift(id=doc["_id"], **{n: doc[n] for n in _SHIFT_FIELDS if n in doc})


def correction_document(correction: domain.Correction) -> dict:
    doc = {name: getattr(correction, name) for name in _CORRECTION_FIELDS}
    doc["_id"] = correction.id
    if correction.state == domain.REQUESTED:  # one pending request per attendance
        doc["pending_key"] = correction.target_key
    return doc


def correction_from(doc: dict) -> domain.Correction:
    return domain.Correction(id=doc["_id"], **{n: doc[n] for n in _CORRECTION_FIELDS
                                               if n in doc})


class VolunteerRepository:
    def __init__(self, db):
        self.db = db
        self.volunteers = db[VOLUNTEERS]
        self.shifts = db[SHIFTS]
        self.ledger = db[LEDGER]

    # -- numbers ----------------------------------------------------------------------------

    def next_number(self, tx, prefix: str, at: datetime) -> str:
        day = clock.local_date(at).strftime("%Y%m%d")
        counter = self.db[COUNTERS].find_one_and_update(
            {"_id": f"{prefix}{day}"}, {"$inc": {"seq": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER, session=tx.session)
        return f"{prefix}{day}{counter['seq']:04d}"

    def next_certificate_sequence(self, tx, year: int) -> int:
        counter = self.db[COUNTERS].find_one_and_update(
            {"_id": f"certificate{year}"}, {"$inc": {"seq": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER, session=tx.session)
        return counter["seq"]

    # -- volunteers -------------------------------------------------------------------------

    def volunteer(self, volunteer_id: str, session=None) -> domain.Volunteer:
        doc = self.volunteers.find_one({"_id": volunteer_id}, session=session)
        if doc is None:
            raise volunteer_not_found(volunteer_id)
        return volunteer_from(doc)

    def volunteers_by_id(self, ids, session=None) -> dict[str, domain.Volunteer]:
        return {d["_id"]: volunteer_from(d)
                for d in self.volunteers.find({"_id": {"$in": list(ids)}}, session=session)}

    def registered(self, fingerprint: str, session=None) -> domain.Volunteer | None:
        doc = self.volunteers.find_one({"registration_key": fingerprint}, session=session)
        return volunteer_from(doc) if doc else None

    def add_volunteer(self, tx, volunteer: domain.Volunteer) -> None:
        volunteer.version = 1
        self.volunteers.insert_one(volunteer_document(volunteer), session=tx.session)
        community, team = volunteer.community, volunteer.team or ""
        self._inc(HOURS_STATS, f"{clock.month_key(volunteer.registered_at)}|{community}|{team}",
                  {"registered": 1}, tx.session,
                  {"month": clock.month_key(volunteer.registered_at), "community": community,
                   "team": team})
        self._record_volunteer(tx, volunteer)

    def save_volunteer(self, tx, volunteer: domain.Volunteer) -> None:
        """Store a changed volunteer with its events and figures; the version check refuses
        a change made from a stale copy."""
        expected = volunteer.version
        volunteer.version += 1
        result = self.volunteers.replace_one({"_id": volunteer.id, "version": expected},
                                             volunteer_document(volunteer), session=tx.session)
        if result.matched_count != 1:
            raise RuntimeError(f"volunteer {volunteer.id} changed underneath (v{expected})")
        self._record_volunteer(tx, volunteer)

    def _record_volunteer(self, tx, volunteer: domain.Volunteer) -> None:
        for event_type, data in volunteer.events:
            tx.emit(event_type, data)
        volunteer.events = []
        now = volunteer.stat_vector()
        changes: dict[tuple, dict] = {}
        if volunteer.counted:
            bucket, counts = volunteer.counted
            for name, value in counts.items():
                changes.setdefault(bucket, {})[name] = -value
        bucket, counts = now
        for name, value in counts.items():
            into = changes.setdefault(bucket, {})
            into[name] = into.get(name, 0) + value
        for (community, team), counts in changes.items():
            counts = {name: value for name, value in counts.items() if value}
            if counts:
                self._inc(VOLUNTEER_COUNTS, f"{community}|{team}", counts, tx.session,
                          {"community": community, "team": team})
        volunteer.counted = now

    def lock_schedule(self, tx, volunteer_id: str) -> None:
        """Sign-ups of one volunteer are serialised: two at once for overlapping shifts would
        each see no clash; touching the volunteer makes one of them retry and see it."""
        self.volunteers.update_one({"_id": volunteer_id}, {"$inc": {"schedule_lock": 1}},
                                   session=tx.session)

    def list_volunteers(self, query: dict, fingerprint) -> tuple[list[domain.Volunteer], int]:
        criteria: dict = {}
        if query.get("state"):
            criteria["state"] = _one_of(query["state"])
        for name in ("community", "team"):
            if query.get(name):
                criteria[name] = query[name]
        if query.get("skills"):  # has every one; the first is looked up in the index
            first, *others = query["skills"]
            criteria["skills"] = first
            if others:
                criteria["$and"] = [{"skills": skill} for skill in others]
        if query.get("min_star_level") is not None:
            criteria["star_level"] = {"$gte": query["min_star_level"]}
        if query.get("available"):
            criteria["availability"] = {"$elemMatch": query["available"]}
        if query.get("phone"):
            criteria["phone.fingerprint"] = fingerprint(query["phone"])
        if query.get("id_number"):
            criteria["id_number.fingerprint"] = fingerprint(query["id_number"])
        if query.get("q"):
            pattern = re.escape(query["q"])
            criteria["$or"] = [{"name": {"$regex": pattern}}, {"_id": query["q"]}]
        return self._page(self.volunteers, criteria, query, volunteer_from)

    def candidates(self, shift: domain.Shift, busy: set[str], limit: int):
        """Active volunteers who could take a shift: skills, community, free at the time;
        those who said they are usually available then come first."""
        criteria: dict = {"state": domain.ACTIVE}
        if shift.community_only:
            criteria["community"] = shift.community
        if shift.skills:
            criteria["skills"] = ({"$all": shift.skills} if shift.skill_match == "all"
                                  else {"$in": shift.skills})
        taken = {a["volunteer_id"] for a in shift.holding()} | busy
        if taken:
            criteria["_id"] = {"$nin": sorted(taken)}
        weekday, slot = domain.slot_of(shift.starts_at)
        found = []
        for preferred in (True, False):
            wanted = {"availability": {"$elemMatch": {"weekday": weekday, "slot": slot}}}
            extra = wanted if preferred else {"$nor": [wanted]}
            cursor = self.volunteers.find({**criteria, **extra}).sort(
                [("total_hours", DESCENDING), ("_id", ASCENDING)]).limit(limit - len(found))
            found += [(volunteer_from(d), preferred) for d in cursor]
            if len(found) >= limit:
                break
        return found

    # -- shifts -----------------------------------------------------------------------------

    def shift(self, shift_id: str, session=None) -> domain.Shift:
        doc = self.shifts.find_one({"_id": shift_id}, session=session)
        if doc is None:
            raise shift_not_found(shift_id)
        return shift_from(doc)

    def shift_by_source(self, source_key: str, session=None) -> domain.Shift | None:
        doc = self.shifts.find_one({"source_key": source_key}, session=session)
        return shift_from(doc) if doc else None

    def open_visits_for_work_order(self, number: str, session=None) -> list[domain.Shift]:
        return [shift_from(d) for d in self.shifts.find(
            {"source.work_order_number": number, "state": domain.OPEN}, session=session)]

    def add_shift(self, tx, shift: domain.Shift) -> None:
        shift.version = 1
        self.shifts.insert_one(shift_document(shift), session=tx.session)
        self._record_shift(tx, shift)

    def save_shift(self, tx, shift: domain.Shift) -> None:
        expected = shift.version
        shift.version += 1
        result = self.shifts.replace_one({"_id": shift.id, "version": expected},
                                         shift_document(shift), session=tx.session)
        if result.matched_count != 1:
            raise RuntimeError(f"shift {shift.id} changed underneath (v{expected})")
        self._record_shift(tx, shift)

    def _record_shift(self, tx, shift: domain.Shift) -> None:
        for event_type, data in shift.events:
            tx.emit(event_type, data)
        shift.events = []

    def overlapping(self, volunteer_id: str, shift: domain.Shift,
                    session=None) -> list[domain.Shift]:
        """The volunteer's other shifts at the same time (visits are not held against any)."""
        if shift.flexible:
            return []
        cursor = self.shifts.find({
            "assignments": {"$elemMatch": {"volunteer_id": volunteer_id,
                                           "status": {"$in": list(domain.HOLDING)}}},
            "state": {"$in": [domain.OPEN, domain.COMPLETED]},
            "kind": {"$nin": list(domain.FLEXIBLE_KINDS)},
            "starts_at": {"$lt": shift.ends_at}, "ends_at": {"$gt": shift.starts_at},
            "_id": {"$ne": shift.id}}, session=session)
        return [shift_from(d) for d in cursor]

    def upcoming_sign_ups(self, volunteer_id: str, at: datetime,
                          session=None) -> list[domain.Shift]:
        """Open shifts not yet begun (or visits) on which the volunteer holds a place without
        having checked in."""
        cursor = self.shifts.find({
            "assignments": {"$elemMatch": {"volunteer_id": volunteer_id,
                                           "status": domain.SIGNED_UP}},
            "state": domain.OPEN,
            "$or": [{"starts_at": {"$gt": at}}, {"kind": {"$in": list(domain.FLEXIBLE_KINDS)}}]},
            session=session)
        return [shift_from(d) for d in cursor]

    def busy_volunteers(self, shift: domain.Shift) -> set[str]:
        busy: set[str] = set()
        if shift.flexible:
            return busy
        for doc in self.shifts.find(
                {"state": {"$in": [domain.OPEN, domain.COMPLETED]},
                 "kind": {"$nin": list(domain.FLEXIBLE_KINDS)},
                 "starts_at": {"$lt": shift.ends_at}, "ends_at": {"$gt": shift.starts_at},
                 "_id": {"$ne": shift.id}}, {"assignments": 1}):
            busy.update(a["volunteer_id"] for a in doc["assignments"]
                        if a["status"] in domain.HOLDING)
        return busy

    def due_for_completion(self, before: datetime, limit: int) -> list[str]:
        cursor = self.shifts.find({"state": domain.OPEN, "ends_at": {"$lte": before},
                                   "kind": {"$nin": list(domain.FLEXIBLE_KINDS)}},
                                  {"_id": 1}).sort("ends_at", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    def list_shifts(self, query: dict, at: datetime) -> tuple[list[domain.Shift], int]:
        criteria: dict = {}
        if query.get("state"):
            criteria["state"] = _one_of(query["state"])
        for name in ("kind", "community"):
            if query.get(name):
                criteria[name] = query[name]
        if query.get("skill"):
            criteria["skills"] = query["skill"]
        if query.get("volunteer_id"):
            criteria["assignments"] = {"$elemMatch": {
                "volunteer_id": query["volunteer_id"], "status": {"$ne": "withdrawn"}}}
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
            criteria["state"] = domain.OPEN
            criteria["full"] = False
            criteria["$or"] = [{"kind": {"$in": list(domain.FLEXIBLE_KINDS)}},
                               {"starts_at": {"$gt": at}}]
        return self._page(self.shifts, criteria, query, shift_from)

    # -- activities we heard of -------------------------------------------------------------

    def remember_activity(self, tx, data: dict) -> None:
        self.db[ACTIVITIES].update_one(
            {"_id": data["activity_id"]},
            {"$set": {"title": data["title"], "organiser": data["organiser"],
                      "community": data["community"], "starts_at": data["starts_at"],
                      "ends_at": data["ends_at"]}}, upsert=True, session=tx.session)

    def activity(self, activity_id: str, session=None) -> dict | None:
        return self.db[ACTIVITIES].find_one({"_id": activity_id}, session=session)

    # -- the ledger -------------------------------------------------------------------------

    def new_entry_id(self) -> str:
        return f"E{ObjectId()}"

    def has_entry(self, key: str, session=None) -> bool:
        return self.ledger.find_one({"key": key}, {"_id": 1}, session=session) is not None

    def entry(self, entry_id: str, session=None) -> dict:
        doc = self.ledger.find_one({"_id": entry_id}, session=session)
        if doc is None:
            raise entry_not_found(entry_id)
        return _entry(doc)

    def entry_by_key(self, key: str, session=None) -> dict | None:
        doc = self.ledger.find_one({"key": key}, session=session)
        return _entry(doc) if doc else None

    def net_hours(self, entry_id: str, session=None) -> float:
        """An entry's hours with its corrections."""
        total = sum(d["hours"] for d in self.ledger.find(
            {"$or": [{"_id": entry_id}, {"corrects": entry_id}]}, {"hours": 1},
            session=session))
        return round(total, 2)

    def add_entry(self, tx, entry: dict) -> dict:
        """Write one ledger entry and move the figures with it."""
        doc = {**entry, "_id": entry["id"]}
        del doc["id"]
        self.ledger.insert_one(doc, session=tx.session)
        community, team, month = entry["community"], entry["team"] or "", entry["month"]
        self._inc(HOURS_STATS, f"{month}|{community}|{team}", ledger.entry_stat_changes(entry),
                  tx.session, {"month": month, "community": community, "team": team})
        if entry["corrects"] is None:
            for kind, key in zip(PERIOD_KINDS, ledger.period_keys(month)):
                where = {"key": key, "kind": kind, "community": community, "team": team}
                marked = self.db[SERVED_MARKERS].update_one(
                    {"_id": f"{entry['volunteer_id']}|{key}"},
                    {"$setOnInsert": {"volunteer_id": entry["volunteer_id"], **where}},
                    upsert=True, session=tx.session)
                if marked.upserted_id is not None:
                    self._inc(SERVED_STATS, f"{key}|{community}|{team}", {"served": 1},
                              tx.session, where)
        return doc

    def list_entries(self, query: dict) -> tuple[list[dict], int]:
        criteria = self._entry_criteria(query)
        skip = (query["page"] - 1) * query["page_size"]
        cursor = self.ledger.find(criteria).sort([("date", DESCENDING), ("_id", DESCENDING)]) \
            .skip(skip).limit(query["page_size"])
        return [_entry(d) for d in cursor], count(self.ledger, criteria)

    @staticmethod
    def _entry_criteria(query: dict) -> dict:
        criteria: dict = {}
        for name in ("volunteer_id", "organiser", "community"):
            if query.get(name):
                criteria[name] = query[name]
        if query.get("source_kind"):
            criteria["source.kind"] = query["source_kind"]
        dates = {}
        if query.get("from_date"):
            dates["$gte"] = query["from_date"].isoformat()
        if query.get("to_date"):
            dates["$lte"] = query["to_date"].isoformat()
        if dates:
            criteria["date"] = dates
        return criteria

    def entries_of(self, volunteer_id: str, organiser: str | None = None, first=None,
                   last=None, session=None) -> list[dict]:
        criteria: dict = {"volunteer_id": volunteer_id}
        if organiser:
            criteria["organiser"] = organiser
        dates = {}
        if first:
            dates["$gte"] = first
        if last:
            dates["$lte"] = last
        if dates:
            criteria["date"] = dates
        return [_entry(d) for d in self.ledger.find(criteria, session=session)]

    def hours_by_month(self, volunteer_id: str, first: str | None, last: str | None):
        match: dict = {"volunteer_id": volunteer_id}
        months = {}
        if first:
            months["$gte"] = f"{first}-01"
        if last:
            months["$lte"] = f"{last}-31"
        if months:
            match["date"] = months
        return list(self.ledger.aggregate([
            {"$match": match},
            {"$group": {"_id": "$month", "hours": {"$sum": "$hours"},
                        "services": {"$sum": {"$cond": [{"$eq": ["$corrects", None]}, 1, 0]}}}},
            {"$sort": {"_id": 1}}]))

    # -- corrections ------------------------------------------------------------------------

    def correction(self, correction_id: str, session=None) -> domain.Correction:
        doc = self.db[CORRECTIONS].find_one({"_id": correction_id}, session=session)
        if doc is None:
            raise correction_not_found(correction_id)
        return correction_from(doc)

    def pending_correction(self, target_key: str, session=None) -> str | None:
        doc = self.db[CORRECTIONS].find_one({"pending_key": target_key}, {"_id": 1},
                                            session=session)
        return doc["_id"] if doc else None

    def add_correction(self, tx, correction: domain.Correction) -> None:
        correction.version = 1
        self.db[CORRECTIONS].insert_one(correction_document(correction), session=tx.session)
        self._record_correction(tx, correction)

    def save_correction(self, tx, correction: domain.Correction) -> None:
        expected = correction.version
        correction.version += 1
        result = self.db[CORRECTIONS].replace_one(
            {"_id": correction.id, "version": expected}, correction_document(correction),
            session=tx.session)
        if result.matched_count != 1:
            raise RuntimeError(f"correction {correction.id} changed underneath")
        self._record_correction(tx, correction)

    def _record_correction(self, tx, correction):
        for event_type, data in correction.events:
            tx.emit(event_type, data)
        correction.events = []

    def list_corrections(self, query: dict):
        criteria = {k: query[k] for k in ("state", "volunteer_id", "community") if query.get(k)}
        query = {**query, "sort": "-requested_at"}
        return self._page(self.db[CORRECTIONS], criteria, query, correction_from)

    # -- certificates -----------------------------------------------------------------------

    def certificate(self, number: str, session=None) -> dict:
        doc = self.db[CERTIFICATES].find_one({"_id": number}, session=session)
        if doc is None:
            raise certificate_not_found(number)
        return _certificate(doc)

    def add_certificate(self, tx, cert: dict) -> None:
        self.db[CERTIFICATES].insert_one(_certificate_document(cert), session=tx.session)

    def save_certificate(self, tx, cert: dict) -> None:
        self.db[CERTIFICATES].replace_one({"_id": cert["number"]}, _certificate_document(cert),
                                          session=tx.session)

    def list_certificates(self, query: dict):
        criteria = {k: query[k] for k in ("volunteer_id", "issuer", "state") if query.get(k)}
        query = {**query, "sort": "-issued_at"}
        return self._page(self.db[CERTIFICATES], criteria, query, _certificate)

    # -- reference data ---------------------------------------------------------------------

    def teams(self, community: str | None = None, include_inactive=False) -> list[dict]:
        criteria: dict = {}
        if community:
            criteria["community"] = community
        if not include_inactive:
            criteria["active"] = True
        return [_team(d) for d in self.db[TEAMS].find(criteria).sort("_id")]

    def team_names(self) -> dict[str, str]:
        return {d["_id"]: d["name"] for d in self.db[TEAMS].find({}, {"name": 1})}

    def require_team(self, code: str | None, session=None) -> None:
        if code is None:
            return
        doc = self.db[TEAMS].find_one({"_id": code}, session=session)
        if doc is None or not doc.get("active", True):
            raise team_not_found(code)

    def save_team(self, tx, team: dict) -> None:
        fields = {k: v for k, v in team.items() if k != "code"}
        self.db[TEAMS].update_one({"_id": team["code"]}, {"$set": fields}, upsert=True,
                                  session=tx.session)

    def team(self, code: str, session=None) -> dict:
        doc = self.db[TEAMS].find_one({"_id": code}, session=session)
        if doc is None:
            raise team_not_found(code)
        return _team(doc)

    def rules(self, session=None) -> domain.RecognitionRules:
        return domain.rules_from(self.db[SETTINGS].find_one({"_id": "recognition"},
                                                            session=session))

    def set_rules(self, tx, rules: dict) -> None:
        self.db[SETTINGS].update_one({"_id": "recognition"}, {"$set": rules}, upsert=True,
                                     session=tx.session)

    # -- figures ----------------------------------------------------------------------------

    def snapshot_rows(self, community=None, team=None) -> list[dict]:
        return [{"community": d["community"], "team": d["team"],
                 "counts": _flatten(d.get("counts", {}))}
                for d in self.db[VOLUNTEER_COUNTS].find(_where(community, team))]

    def monthly_rows(self, first, last, community=None, team=None) -> list[dict]:
        criteria = _where(community, team)
        months = {}
        if first:
            months["$gte"] = first
        if last:
            months["$lte"] = last
        if months:
            criteria["month"] = months
        return [{"month": d["month"], "community": d["community"], "team": d["team"],
                 "counts": _flatten(d.get("counts", {}))}
                for d in self.db[HOURS_STATS].find(criteria)]

    def served_rows(self, keys: list[str], community=None, team=None) -> list[dict]:
        """Distinct volunteers who served, from the counters of whole periods."""
        criteria = {**_where(community, team), "key": {"$in": keys}}
        return [{"key": d["key"], "community": d["community"], "team": d["team"],
                 "served": int(d.get("counts", {}).get("served", 0))}
                for d in self.db[SERVED_STATS].find(criteria)]

    def served_month_rows(self, first, last, community=None, team=None) -> list[dict]:
        criteria = {**_where(community, team), "kind": "month", "key": _between(first, last)}
        return [{"month": d["key"], "community": d["community"], "team": d["team"],
                 "served": int(d.get("counts", {}).get("served", 0))}
                for d in self.db[SERVED_STATS].find(criteria)]

    def served_distinct(self, first, last, dims: tuple, community=None,
                        team=None) -> list[dict]:
        """Distinct volunteers who served in a range of months that is not a month, quarter
        or year, counted from the monthly markers (an index range, then a grouping)."""
        criteria = {**_where(community, team), "kind": "month", "key": _between(first, last)}
        rows = self.db[SERVED_MARKERS].aggregate([
            {"$match": criteria},
            {"$group": {"_id": {**{d: f"${d}" for d in dims}, "v": "$volunteer_id"}}},
            {"$group": {"_id": {d: f"$_id.{d}" for d in dims}, "served": {"$sum": 1}}}])
        return [{**(row["_id"] or {}), "served": row["served"]} for row in rows]

    # -- internals --------------------------------------------------------------------------

    def _inc(self, collection: str, key: str, counts: dict, session, on_insert: dict) -> None:
        increments = {f"counts.{name}": value for name, value in counts.items() if value}
        if increments:
            self.db[collection].update_one(
                {"_id": key}, {"$inc": increments, "$setOnInsert": on_insert}, upsert=True,
                session=session)

    @staticmethod
    def _page(collection, criteria: dict, query: dict, convert):
        key = query["sort"].lstrip("-")
        direction = DESCENDING if query["sort"].startswith("-") else ASCENDING
        sort_key = "_id" if key == "id" else key
        skip = (query["page"] - 1) * query["page_size"]
        cursor = (collection.find(criteria).sort([(sort_key, direction), ("_id", direction)])
                  .skip(skip).limit(query["page_size"]))
        return [convert(d) for d in cursor], count(collection, criteria)


def _one_of(values: list):
    """A filter for any of `values`: a plain equality for one, so an index serves the sort."""
    return values[0] if len(values) == 1 else {"$in": list(values)}


def _entry(doc: dict) -> dict:
    """A ledger entry as the rules see it (`id`, not `_id`)."""
    entry = {"id": doc["_id"], **doc}
    del entry["_id"]
    return entry


def _certificate(doc: dict) -> dict:
    cert = {"number": doc["_id"], **doc}
    del cert["_id"]
    return cert


def _certificate_document(cert: dict) -> dict:
    doc = {"_id": cert["number"], **cert}
    del doc["number"]
    return doc


def _between(first, last) -> dict:
    bounds = {"$type": "string"}
    if first:
        bounds["$gte"] = first
    if last:
        bounds["$lte"] = last
    return bounds


def _where(community, team) -> dict:
    criteria = {}
    if community:
        criteria["community"] = community
    if team:
        criteria["team"] = team
    return criteria


def _team(doc: dict) -> dict:
    return {"code": doc["_id"], "name": doc["name"], "community": doc.get("community"),
            "leader": doc.get("leader"), "description": doc.get("description"),
            "active": doc.get("active", True)}


def _flatten(counts: dict, prefix: str = "") -> dict:
    flat = {}
    for name, value in counts.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat
