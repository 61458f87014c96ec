"""Activities, venues, registrations and exemplars in and out of the activity service's own
database."""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from services.activity import domain, exemplars
from services.activity import exceptions as errors
from services.activity.scheduling import window_text
from shared import clock
from shared.storage import count

ACTIVITIES = "activities"
REGISTRATIONS = "registrations"
BOOKINGS = "bookings"
VENUES = "venues"
ROOMS = "rooms"
SERIES = "series"
EXEMPLARS = "exemplars"
STATS = "activity_stats"
COUNTERS = "counters"

_TEXT = {"$type": "string"}

INDEXES = {
    # Lists sort by (starts_at, _id): every index a list filters by ends in both, so a page
    # is read in index order instead of sorting every match.
    ACTIVITIES: [
        IndexModel([("starts_at", DESCENDING), ("_id", DESCENDING)], name="by_start"),
        IndexModel([("state", ASCENDING), ("starts_at", DESCENDING), ("_id", DESCENDING)],
                   name="by_state"),
        IndexModel([("community", ASCENDING), ("starts_at", DESCENDING), ("_id", DESCENDING)],
                   name="by_community"),
        IndexModel([("theme", ASCENDING), ("starts_at", DESCENDING), ("_id", DESCENDING)],
                   name="by_theme"),
        IndexModel([("venue.id", ASCENDING), ("starts_at", DESCENDING), ("_id", DESCENDING)],
                   name="by_venue"),
        IndexModel([("series_id", ASCENDING), ("starts_at", ASCENDING)], name="series",
                   partialFilterExpression={"series_id": _TEXT}),
        IndexModel([("featured_exemplars.exemplar_id", ASCENDING)], name="featured"),
        # One activity per request of another service, however often the request arrives.
        IndexModel([("source_ref.service", ASCENDING), ("source_ref.ref", ASCENDING)],
                   name="source_ref", unique=True,
                   partialFilterExpression={"source_ref.ref": _TEXT}),
        IndexModel([("updated_at", DESCENDING), ("_id", DESCENDING)], name="by_update"),
    ],
    REGISTRATIONS: [
        IndexModel([("activity_id", ASCENDING), ("registered_at", ASCENDING),
                    ("_id", ASCENDING)], name="activity_order"),
        IndexModel([("activity_id", ASCENDING), ("status", ASCENDING),
                    ("waitlisted_at", ASCENDING), ("_id", ASCENDING)], name="waitlist_order"),
        IndexModel([("activity_id", ASCENDING), ("code", ASCENDING)], name="code",
                   unique=True),
        # No double registration: the same phone (or volunteer) once per activity.
        IndexModel([("dedupe_key", ASCENDING)], name="no_double_registration", unique=True,
                   partialFilterExpression={"dedupe_key": _TEXT}),
        IndexModel([("phone.fingerprint", ASCENDING), ("registered_at", DESCENDING),
                    ("_id", DESCENDING)],
                   name="phone_order", partialFilterExpression={"phone.fingerprint": _TEXT}),
        IndexModel([("activity_id", ASCENDING), ("checked_in_at", ASCENDING),
                    ("_id", ASCENDING)], name="checked_in_order"),
    ],
    BOOKINGS: [
        IndexModel([("space_id", ASCENDING), ("starts_at", ASCENDING)], name="space_time"),
        IndexModel([("venue_id", ASCENDING), ("starts_at", ASCENDING)], name="venue_time"),
    ],
    VENUES: [IndexModel([("community", ASCENDING), ("name", ASCENDING)],
                        name="name_in_community", unique=True)],
    ROOMS: [
        IndexModel([("venue_id", ASCENDING), ("name", ASCENDING)], name="name_in_venue",
                   unique=True),
        IndexModel([("community", ASCENDING), ("kind", ASCENDING)], name="by_kind"),
    ],
    EXEMPLARS: [
        IndexModel([("community", ASCENDING), ("nominated_at", DESCENDING),
                    ("_id", DESCENDING)], name="community_order"),
        IndexModel([("state", ASCENDING), ("nominated_at", DESCENDING), ("_id", DESCENDING)],
                   name="state_order"),
        IndexModel([("category", ASCENDING), ("state", ASCENDING)], name="category"),
        # One open nomination per volunteer and category (proposals are added to it).
        IndexModel([("open_key", ASCENDING)], name="open_per_volunteer", unique=True,
                   partialFilterExpression={"open_key": _TEXT}),
    ],
    STATS: [IndexModel([("month", ASCENDING)], name="month")],
}


def _stored(cls, *transient):
    return [f.name for f in dataclasses.fields(cls) if f.name not in transient]


_ACTIVITY = _stored(domain.Activity, "activity_id", "events", "stat_changes", "sweeps")
_REGISTRATION = _stored(domain.Registration, "registration_id")
_EXEMPLAR = _stored(exemplars.Exemplar, "exemplar_id", "events")


def activity_document(activity: domain.Activity) -> dict:
    return {"_id": activity.activity_id, **{n: getattr(activity, n) for n in _ACTIVITY}}


def activity_from(doc: dict) -> domain.Activity:
    return domain.Activity(activity_id=doc["_id"],
                           **{n: doc[n] for n in _ACTIVITY if n in doc})


def registration_document(registration: domain.Registration) -> dict:
    return {"_id": registration.registration_id,
            **{n: getattr(registration, n) for n in _REGISTRATION},
            "dedupe_key": registration.dedupe_key}


def registration_from(doc: dict) -> domain.Registration:
    return domain.Registration(registration_id=doc["_id"],
                               **{n: doc[n] for n in _REGISTRATION if n in doc})


def exemplar_document(exemplar: exemplars.Exemplar) -> dict:
    return {"_id": exemplar.exemplar_id, **{n: getattr(exemplar, n) for n in _EXEMPLAR},
            "open_key": exemplar.open_key}


def exemplar_from(doc: dict) -> exemplars.Exemplar:
    return exemplars.Exemplar(exemplar_id=doc["_id"],
                              **{n: doc[n] for n in _EXEMPLAR if n in doc})


class ActivityRepository:
    def __init__(self, db):
        self.db = db
        self.activities = db[ACTIVITIES]
        self.registrations = db[REGISTRATIONS]

    # -- ids --------------------------------------------------------------------------------

    def next_ids(self, tx, prefix: str, count: int = 1, width: int = 4) -> list[str]:
        counter = self.db[COUNTERS].find_one_and_update(
            {"_id": prefix}, {"$inc": {"seq": count}}, upsert=True,
            return_document=ReturnDocument.AFTER, session=tx.session)
        last = counter["seq"]
        return [f"{prefix}{n:0{width}d}" for n in range(last - count + 1, last + 1)]

    def next_activity_ids(self, tx, at: datetime, count: int = 1) -> list[str]:
        return self.next_ids(tx, f"AC{clock.local_date(at):%Y%m%d}", count)

    # -- activities -------------------------------------------------------------------------

    def get(self, activity_id: str, session=None) -> domain.Activity:
        doc = self.activities.find_one({"_id": activity_id}, session=session)
        if doc is None:
            raise errors.activity_not_found(activity_id)
        return activity_from(doc)

    def find_by_source(self, service: str, ref: str, session=None) -> domain.Activity | None:
        doc = self.activities.find_one({"source_ref.service": service, "source_ref.ref": ref},
                                       session=session)
        return activity_from(doc) if doc else None

    def add(self, tx, activity: domain.Activity) -> None:
        """Store a new activity with its booking; a clash refuses it before anything is
        written for it."""
        self._book(tx, activity)
        activity.version = 1
        self.activities.insert_one(activity_document(activity), session=tx.session)
        self._record_changes(tx, activity)

    def save(self, tx, activity: domain.Activity) -> None:
        """Store a changed activity with its booking, events, figures and registration
        sweeps; the version check refuses a change made from a stale copy."""
        self._book(tx, activity)
        expected = activity.version
        activity.version += 1
        result = self.activities.replace_one({"_id": activity.activity_id, "version": expected},
                                             activity_document(activity), session=tx.session)
        if result.matched_count != 1:
            raise RuntimeError(f"activity {activity.activity_id} changed underneath "
                               f"(v{expected})")
        self._record_changes(tx, activity)

    def _book(self, tx, activity: domain.Activity) -> None:
        """Hold the room (or the venue's open space, with no room) for the activity's time,
        or release it once cancelled. Taking a booking first bumps the space's own document,
        so two transactions booking the same space conflict and one is retried: a clash can
        never slip in between the check and the write."""
        bookings = self.db[BOOKINGS]
        session = tx.session
        if activity.state == domain.CANCELLED or not activity.venue or not activity.starts_at:
            bookings.delete_one({"_id": activity.activity_id}, session=session)
            return
        room = activity.room
        space_id = room["id"] if room else activity.venue["id"]
        wanted = {"_id": activity.activity_id, "space_id": space_id,
                  "venue_id": activity.venue["id"], "room_id": room and room["id"],
                  "place": activity.place_name, "title": activity.title,
                  "community": activity.community, "starts_at": activity.starts_at,
                  "ends_at": activity.ends_at}
        current = bookings.find_one({"_id": activity.activity_id}, session=session)
        moved = current is None or any(
            current.get(k) != wanted[k] for k in ("space_id", "starts_at", "ends_at"))
        if moved:
            self.db[ROOMS if room else VENUES].update_one(
                {"_id": space_id}, {"$inc": {"booking_seq": 1}}, session=session)
            # No activity lasts longer than MAX_DURATION, which bounds the index range read.
            earliest = activity.starts_at - domain.MAX_DURATION
            clashes = [{"activity_id": c["_id"], "title": c["title"],
                        "starts_at": clock.iso(c["starts_at"]),
                        "ends_at": clock.iso(c["ends_at"]),
                        "when": window_text(c["starts_at"], c["ends_at"])}
                       for c in bookings.find({"space_id": space_id,
                                               "starts_at": {"$gt": earliest,
                                                             "$lt": activity.ends_at},
                                               "ends_at": {"$gt": activity.starts_at},
                                               "_id": {"$ne": activity.activity_id}},
                                              session=session).sort("starts_at").limit(10)]
            if clashes:
                raise errors.room_booked(activity.place_name, clashes)
        if current != wanted:
            bookings.replace_one({"_id": activity.activity_id}, wanted, upsert=True,
                                 session=session)

    def _record_changes(self, tx, activity: domain.Activity) -> None:
        for event_type, data in activity.events:
            tx.emit(event_type, data)
        for statuses, to_status in activity.sweeps:
            self.registrations.update_many(
                {"activity_id": activity.activity_id, "status": {"$in": list(statuses)}},
                {"$set": {"status": to_status, "updated_at": activity.updated_at}},
                session=tx.session)
        by_key: dict[tuple, dict] = {}
        for key, changes in activity.stat_changes:
            merged = by_key.setdefault(key, {})
            for name, value in changes.items():
                merged[name] = merged.get(name, 0) + value
        for key, changes in by_key.items():
            changes = {f"counts.{name}": value for name, value in changes.items() if value}
            if not changes:
                continue
            month, community, venue_id, theme, festival = key
            self.db[STATS].update_one(
                {"_id": "|".join(key)},
                {"$inc": changes,
                 "$setOnInsert": {"month": month, "community": community,
                                  "venue_id": venue_id, "theme": theme, "festival": festival}},
                upsert=True, session=tx.session)
        activity.events, activity.stat_changes, activity.sweeps = [], [], []

    def list(self, query: dict, at: datetime) -> tuple[list[domain.Activity], int]:
        criteria = self._criteria(query, at)
        key = query["sort"].lstrip("-")
        direction = DESCENDING if query["sort"].startswith("-") else ASCENDING
        skip = (query["page"] - 1) * query["page_size"]
        cursor = (self.activities.find(criteria)
                  .sort([(key, direction), ("_id", direction)])
                  .skip(skip).limit(query["page_size"]))
        return [activity_from(d) for d in cursor], count(self.activities, criteria)

    @staticmethod
    def _criteria(query: dict, at: datetime) -> dict:
        criteria: dict = {}
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        for name in ("community", "theme", "festival", "series_id"):
            if query.get(name):
                criteria[name] = query[name]
        if query.get("venue_id"):
            criteria["venue.id"] = query["venue_id"]
        if query.get("room_id"):
            criteria["room.id"] = query["room_id"]
        if query.get("target_group"):
            criteria["target_groups"] = query["target_group"]
        if query.get("exemplar_id"):
            criteria["featured_exemplars.exemplar_id"] = query["exemplar_id"]
        starts = {}
        if query.get("starts_from"):
            starts["$gte"] = query["starts_from"]
        if query.get("starts_to"):
            starts["$lt"] = query["starts_to"]
        if query.get("registration_open"):
            criteria["state"] = domain.PUBLISHED
            starts["$gt"] = at
        if starts:
            criteria["starts_at"] = starts
        if query.get("q"):
            pattern = re.escape(query["q"])
            criteria["$or"] = [{"_id": {"$regex": pattern}}, {"title": {"$regex": pattern}},
                               {"description": {"$regex": pattern}}]
        return criteria

    def due(self, at: datetime, limit: int) -> list[domain.Activity]:
        """Published activities whose start has come, and activities long past their end."""
        cursor = self.activities.find({"$or": [
            {"state": domain.PUBLISHED, "starts_at": {"$lte": at}},
            {"state": domain.ONGOING, "ends_at": {"$lte": at - domain.AUTO_FINISH_AFTER}},
        ]}).sort("starts_at", ASCENDING).limit(limit)
        return [activity_from(d) for d in cursor]

    def by_ids(self, ids) -> dict[str, domain.Activity]:
        return {d["_id"]: activity_from(d)
                for d in self.activities.find({"_id": {"$in": list(ids)}})}

    def in_series(self, series_id: str, session=None) -> list[domain.Activity]:
        cursor = self.activities.find({"series_id": series_id}, session=session).sort(
            "starts_at", ASCENDING)
        return [activity_from(d) for d in cursor]

    def featuring(self, exemplar_id: str, limit: int = 50) -> list[domain.Activity]:
        cursor = self.activities.find({"featured_exemplars.exemplar_id": exemplar_id}).sort(
            "starts_at", DESCENDING).limit(limit)
        return [activity_from(d) for d in cursor]

    def unfeature_everywhere(self, tx, exemplar_id: str, at: datetime) -> int:
        """A withdrawn exemplar leaves the boards of activities still to come or under way;
        what was shown at finished activities stays on their record."""
        result = self.activities.update_many(
            {"featured_exemplars.exemplar_id": exemplar_id, "state": {"$in": list(domain.LIVE)}},
            {"$pull": {"featured_exemplars": {"exemplar_id": exemplar_id}},
             "$set": {"updated_at": at}, "$inc": {"version": 1}}, session=tx.session)
        return result.modified_count

    # -- registrations ----------------------------------------------------------------------

    def get_registration(self, registration_id: str, session=None) -> domain.Registration:
        doc = self.registrations.find_one({"_id": registration_id}, session=session)
        if doc is None:
            raise errors.registration_not_found(registration_id)
        return registration_from(doc)

    def registration_by_code(self, activity_id: str, code: str,
                             session=None) -> domain.Registration:
        doc = self.registrations.find_one({"activity_id": activity_id, "code": code},
                                          session=session)
        if doc is None:
            raise errors.registration_not_found(f"(报名码 {code})")
        return registration_from(doc)

    def registration_by_key(self, key: str, session=None) -> domain.Registration | None:
        doc = self.registrations.find_one({"dedupe_key": key}, session=session)
        return registration_from(doc) if doc else None

    def code_taken(self, activity_id: str, code: str, session=None) -> bool:
        return self.registrations.count_documents(
            {"activity_id": activity_id, "code": code}, limit=1, session=session) > 0

    def add_registration(self, tx, registration: domain.Registration) -> None:
        self.registrations.insert_one(registration_document(registration), session=tx.session)

    def save_registration(self, tx, registration: domain.Registration) -> None:
        self.registrations.replace_one({"_id": registration.registration_id},
                                       registration_document(registration), session=tx.session)

    def waitlisted(self, activity_id: str, limit: int, session=None):
        cursor = self.registrations.find(
            {"activity_id": activity_id, "status": domain.WAITLISTED}, session=session
        ).sort([("waitlisted_at", ASCENDING), ("_id", ASCENDING)]).limit(limit)
        return [registration_from(d) for d in cursor]

    def checked_in(self, activity_id: str, session=None) -> list[domain.Registration]:
        cursor = self.registrations.find(
            {"activity_id": activity_id, "checked_in_at": {"$ne": None}}, session=session
        ).sort([("checked_in_at", ASCENDING), ("_id", ASCENDING)])
        return [registration_from(d) for d in cursor]

    def waitlist_position(self, registration: domain.Registration) -> int | None:
        if registration.status != domain.WAITLISTED:
            return None
        ahead = self.registrations.count_documents({
            "activity_id": registration.activity_id, "status": domain.WAITLISTED,
            "$or": [{"waitlisted_at": {"$lt": registration.waitlisted_at}},
                    {"waitlisted_at": registration.waitlisted_at,
                     "_id": {"$lt": registration.registration_id}}]})
        return ahead + 1

    def list_registrations(self, query: dict, fingerprint: str | None):
        criteria: dict = {}
        if query.get("activity_id"):
            criteria["activity_id"] = query["activity_id"]
        if fingerprint:
            criteria["phone.fingerprint"] = fingerprint
        if query.get("status"):
            criteria["status"] = {"$in": query["status"]}
        if query.get("role"):
            criteria["role"] = query["role"]
        if query.get("checked_in") is not None:
            criteria["checked_in_at"] = {"$ne": None} if query["checked_in"] else None
        if query.get("q"):
            criteria["$or"] = [{"name": {"$regex": re.escape(query["q"])}},
                               {"code": query["q"]}]
        direction = DESCENDING if fingerprint and not query.get("activity_id") else ASCENDING
        skip = (query["page"] - 1) * query["page_size"]
        cursor = (self.registrations.find(criteria)
                  .sort([("registered_at", direction), ("_id", direction)])
                  .skip(skip).limit(query["page_size"]))
        return ([registration_from(d) for d in cursor],
                count(self.registrations, criteria))

    # -- venues and rooms -------------------------------------------------------------------

    def venue(self, venue_id: str, session=None, active_only: bool = True) -> dict:
        doc = self.db[VENUES].find_one({"_id": venue_id}, session=session)
        if doc is None or (active_only and not doc.get("active", True)):
            raise errors.venue_not_found(venue_id)
        return _venue(doc)

    def room(self, room_id: str, session=None, active_only: bool = True) -> dict:
        doc = self.db[ROOMS].find_one({"_id": room_id}, session=session)
        if doc is None or (active_only and not doc.get("active", True)):
            raise errors.room_not_found(room_id)
        return _room(doc)

    def place(self, venue_id: str | None, room_id: str | None, session=None) -> dict | None:
        """What the activity rules need to know of a place, or None when none is chosen."""
        if room_id and not venue_id:
            venue_id = self.room(room_id, session)["venue_id"]
        if not venue_id:
            return None
        return {"venue": self.venue(venue_id, session),
                "room": self.room(room_id, session) if room_id else None}

    def citizen_school(self, community: str, session=None) -> dict | None:
        """The community's 市民学校, where requested training is held."""
        doc = self.db[ROOMS].find_one({"community": community, "kind": domain.CITIZEN_SCHOOL,
                                       "active": True}, sort=[("_id", ASCENDING)],
                                      session=session)
        return self.place(doc["venue_id"], doc["_id"], session) if doc else None

    def venues(self, community: str | None, kind: str | None,
               include_inactive: bool) -> list[dict]:
        criteria: dict = {}
        if community:
            criteria["community"] = {"$in": [community, None]}
        if kind:
            criteria["kind"] = kind
        if not include_inactive:
            criteria["active"] = True
        venues = [_venue(d) for d in self.db[VENUES].find(criteria).sort("_id")]
        rooms: dict[str, list] = {}
        room_criteria = {"venue_id": {"$in": [v["id"] for v in venues]}}
        if not include_inactive:
            room_criteria["active"] = True
        for doc in self.db[ROOMS].find(room_criteria).sort("_id"):
            rooms.setdefault(doc["venue_id"], []).append(_room(doc))
        return [{**v, "rooms": rooms.get(v["id"], [])} for v in venues]

    def venue_with_rooms(self, venue_id: str) -> dict:
        venue = self.venue(venue_id, active_only=False)
        rooms = [_room(d) for d in self.db[ROOMS].find({"venue_id": venue_id}).sort("_id")]
        return {**venue, "rooms": rooms}

    def name_taken(self, collection: str, scope: dict, name: str, own_id: str | None,
                   session=None) -> bool:
        criteria = {**scope, "name": name}
        if own_id:
            criteria["_id"] = {"$ne": own_id}
        return self.db[collection].count_documents(criteria, limit=1, session=session) > 0

    def save_venue(self, tx, venue: dict, at: datetime) -> None:
        fields = {k: v for k, v in venue.items() if k != "id"}
        self.db[VENUES].update_one({"_id": venue["id"]},
                                   {"$set": {**fields, "updated_at": at},
                                    "$setOnInsert": {"created_at": at}},
                                   upsert=True, session=tx.session)
        # Rooms know their venue's community, for finding a community's 市民学校.
        self.db[ROOMS].update_many({"venue_id": venue["id"]},
                                   {"$set": {"community": venue["community"]}},
                                   session=tx.session)

    def save_room(self, tx, room: dict, at: datetime) -> None:
        fields = {k: v for k, v in room.items() if k != "id"}
        self.db[ROOMS].update_one({"_id": room["id"]},
                                  {"$set": {**fields, "updated_at": at},
                                   "$setOnInsert": {"created_at": at}},
                                  upsert=True, session=tx.session)

    def bookings(self, query: dict) -> list[dict]:
        criteria: dict = {"starts_at": {"$gt": query["from"] - domain.MAX_DURATION,
                                        "$lt": query["to"]},
                          "ends_at": {"$gt": query["from"]}}
        if query.get("room_id"):
            criteria["space_id"] = query["room_id"]
        elif query.get("venue_id"):
            criteria["venue_id"] = query["venue_id"]
        if query.get("community"):
            criteria["community"] = query["community"]
        return [{"activity_id": d["_id"], "title": d["title"], "community": d["community"],
                 "venue_id": d["venue_id"], "room_id": d.get("room_id"), "place": d["place"],
                 "starts_at": clock.iso(d["starts_at"]), "ends_at": clock.iso(d["ends_at"])}
                for d in self.db[BOOKINGS].find(criteria).sort("starts_at").limit(1000)]

    # -- series -----------------------------------------------------------------------------

    def add_series(self, tx, series: dict) -> None:
        self.db[SERIES].insert_one(series, session=tx.session)

    def series(self, series_id: str, session=None) -> dict:
        doc = self.db[SERIES].find_one({"_id": series_id}, session=session)
        if doc is None:
            raise errors.series_not_found(series_id)
        return doc

    # -- exemplars --------------------------------------------------------------------------

    def exemplar(self, exemplar_id: str, session=None) -> exemplars.Exemplar:
        doc = self.db[EXEMPLARS].find_one({"_id": exemplar_id}, session=session)
        if doc is None:
            raise errors.exemplar_not_found(exemplar_id)
        return exemplar_from(doc)

    def open_exemplar(self, category: str, volunteer_id: str,
                      session=None) -> exemplars.Exemplar | None:
        doc = self.db[EXEMPLARS].find_one({"open_key": f"{category}|{volunteer_id}"},
                                          session=session)
        return exemplar_from(doc) if doc else None

    def add_exemplar(self, tx, exemplar: exemplars.Exemplar) -> None:
        exemplar.version = 1
        self.db[EXEMPLARS].insert_one(exemplar_document(exemplar), session=tx.session)
        self._emit(tx, exemplar)

    def save_exemplar(self, tx, exemplar: exemplars.Exemplar) -> None:
        expected = exemplar.version
        exemplar.version += 1
        result = self.db[EXEMPLARS].replace_one(
            {"_id": exemplar.exemplar_id, "version": expected}, exemplar_document(exemplar),
            session=tx.session)
        if result.matched_count != 1:
            raise RuntimeError(f"exemplar {exemplar.exemplar_id} changed underneath "
                               f"(v{expected})")
        self._emit(tx, exemplar)

    @staticmethod
    def _emit(tx, exemplar: exemplars.Exemplar) -> None:
        for event_type, data in exemplar.events:
            tx.emit(event_type, data)
        exemplar.events = []

    def list_exemplars(self, query: dict) -> tuple[list[exemplars.Exemplar], int]:
        criteria: dict = {}
        for name in ("community", "category", "volunteer_id", "year"):
            if query.get(name) is not None:
                criteria[name] = query[name]
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        if query.get("q"):
            pattern = re.escape(query["q"])
            criteria["$or"] = [{"name": {"$regex": pattern}}, {"title": {"$regex": pattern}},
                               {"story": {"$regex": pattern}}]
        skip = (query["page"] - 1) * query["page_size"]
        collection = self.db[EXEMPLARS]
        cursor = (collection.find(criteria)
                  .sort([("nominated_at", DESCENDING), ("_id", DESCENDING)])
                  .skip(skip).limit(query["page_size"]))
        return [exemplar_from(d) for d in cursor], count(collection, criteria)

    # -- figures ----------------------------------------------------------------------------

    def stat_buckets(self, first_month, last_month, filters: dict) -> list[dict]:
        criteria: dict = {}
        months = {}
        if first_month:
            months["$gte"] = first_month
        if last_month:
            months["$lte"] = last_month
        if months:
            criteria["month"] = months
        for name in ("community", "venue_id", "theme", "festival"):
            if filters.get(name):
                criteria[name] = filters[name]
        return [{**doc, "counts": doc.get("counts", {})}
                for doc in self.db[STATS].find(criteria)]

    def venue_names(self, venue_ids) -> dict[str, str]:
        return {d["_id"]: d["name"]
                for d in self.db[VENUES].find({"_id": {"$in": list(venue_ids)}}, {"name": 1})}


def _venue(doc: dict) -> dict:
    return {"id": doc["_id"], "community": doc.get("community"), "name": doc["name"],
            "kind": doc["kind"], "address": doc.get("address"),
            "capacity": doc.get("capacity"), "opening_hours": doc.get("opening_hours", []),
            "active": doc.get("active", True)}


def _room(doc: dict) -> dict:
    return {"id": doc["_id"], "venue_id": doc["venue_id"], "community": doc.get("community"),
            "name": doc["name"], "kind": doc["kind"], "capacity": doc.get("capacity"),
            "opening_hours": doc.get("opening_hours", []), "active": doc.get("active", True)}
