"""Employers, visits, postings, seekers, applications, placements, notifications and the
figures, in and out of the job service's own database."""
from __future__ import annotations

import dataclasses
import math
import re
import uuid
from datetime import date, datetime

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.job import domain, exceptions
from shared import clock
from shared.storage import count

EMPLOYERS = "employers"
VISITS = "visits"
POSTINGS = "job_postings"
SEEKERS = "job_seekers"
APPLICATIONS = "applications"
PLACEMENTS = "placements"
NOTIFICATIONS = "notifications"
STATS = "job_stats"
COUNTERS = "counters"

INDEXES = {
    EMPLOYERS: [
        IndexModel([("community", ASCENDING), ("name_key", ASCENDING)], name="community_name",
                   unique=True),
        IndexModel([("updated_at", DESCENDING)], name="recently_updated"),
    ],
    VISITS: [
        IndexModel([("employer_id", ASCENDING), ("visited_on", DESCENDING)], name="employer"),
        IndexModel([("community", ASCENDING), ("visited_on", DESCENDING)], name="community"),
        IndexModel([("visited_on", DESCENDING)], name="newest"),
        IndexModel([("problems.problem_id", ASCENDING)], name="problem_id"),
    ],
    POSTINGS: [
        IndexModel([("state", ASCENDING), ("valid_through", ASCENDING)], name="state_deadline"),
        # Lists sort by a field and then by _id: with _id in the index a page is read in index
        # order instead of sorting every match (new names: an index cannot change its keys).
        IndexModel([("community", ASCENDING), ("state", ASCENDING), ("posted_at", DESCENDING),
                    ("_id", DESCENDING)], name="community_state_newest"),
        IndexModel([("employer_id", ASCENDING), ("posted_at", DESCENDING)], name="employer"),
        IndexModel([("posted_at", DESCENDING), ("_id", DESCENDING)], name="newest_first"),
        IndexModel([("visit_id", ASCENDING)], name="visit", sparse=True),
    ],
    SEEKERS: [
        IndexModel([("id_number.fingerprint", ASCENDING)], name="id_number", unique=True,
                   partialFilterExpression={"id_number.fingerprint": {"$type": "string"}}),
        IndexModel([("phone.fingerprint", ASCENDING)], name="phone"),
        IndexModel([("community", ASCENDING), ("state", ASCENDING)], name="community_state"),
        IndexModel([("state", ASCENDING), ("registered_at", DESCENDING)], name="state"),
        # Who lives near a posting: a latitude/longitude box, refined by the matching's own
        # distance. Plain number ranges stay fast on any MongoDB-compatible server.
        IndexModel([("state", ASCENDING), ("home_lat", ASCENDING), ("home_long", ASCENDING)],
                   name="home_box"),
        IndexModel([("skills", ASCENDING)], name="skills"),
    ],
    APPLICATIONS: [
        # One application in progress per person and posting; after it ends, another may start.
        IndexModel([("posting_id", ASCENDING), ("seeker_id", ASCENDING)], name="one_active",
                   unique=True, partialFilterExpression={"active": True}),
        IndexModel([("posting_id", ASCENDING), ("applied_at", DESCENDING)], name="posting"),
        IndexModel([("seeker_id", ASCENDING), ("applied_at", DESCENDING)], name="seeker"),
        IndexModel([("community", ASCENDING), ("applied_at", DESCENDING)], name="community"),
        IndexModel([("employer_id", ASCENDING), ("applied_at", DESCENDING)], name="employer"),
    ],
    PLACEMENTS: [
        # The earliest follow-up still to announce / still to record, kept on each record
        # (null once there is none). Queried with both bounds: see `_due_by`.
        IndexModel([("next_announcement_on", ASCENDING)], name="to_announce"),
        IndexModel([("open_follow_up_on", ASCENDING)], name="to_record"),
        IndexModel([("community", ASCENDING), ("open_follow_up_on", ASCENDING)],
                   name="community_to_record"),
        IndexModel([("community", ASCENDING), ("started_on", DESCENDING)], name="community"),
        IndexModel([("started_on", DESCENDING)], name="newest"),
        IndexModel([("seeker_id", ASCENDING)], name="seeker"),
        IndexModel([("employer_id", ASCENDING), ("started_on", DESCENDING)], name="employer"),
    ],
    NOTIFICATIONS: [
        IndexModel([("event_id", ASCENDING)], name="once_per_event", unique=True),
        IndexModel([("employer_id", ASCENDING), ("created_at", DESCENDING)], name="employer"),
        IndexModel([("community", ASCENDING), ("created_at", DESCENDING)], name="community"),
    ],
    STATS: [IndexModel([("month", ASCENDING)], name="month")],
}

# aggregate class → (collection, id attribute, error when missing, id prefix)
KINDS = {
    domain.Employer: (EMPLOYERS, "employer_id", exceptions.employer_not_found, "EM"),
    domain.Visit: (VISITS, "visit_id", exceptions.visit_not_found, "VS"),
    domain.JobPosting: (POSTINGS, "posting_id", exceptions.posting_not_found, "JP"),
    domain.JobSeeker: (SEEKERS, "seeker_id", exceptions.seeker_not_found, "JS"),
    domain.Application: (APPLICATIONS, "application_id", exceptions.application_not_found,
                         "AP"),
    domain.Placement: (PLACEMENTS, "placement_id", exceptions.placement_not_found, "PL"),
}
_TRANSIENT = ("events", "stat_changes")


def _fields(cls) -> list[str]:
    return [f.name for f in dataclasses.fields(cls) if f.name not in _TRANSIENT]


def to_document(aggregate) -> dict:
    collection, id_name, _, _ = KINDS[type(aggregate)]
    doc = {name: getattr(aggregate, name) for name in _fields(type(aggregate))
           if name != id_name}
    doc["_id"] = getattr(aggregate, id_name)
    if isinstance(aggregate, domain.Employer):
        doc["name_key"] = domain.name_key(aggregate.name)
    elif isinstance(aggregate, domain.JobSeeker):
        home = aggregate.home_location or {}
        doc["home_lat"], doc["home_long"] = home.get("lat"), home.get("long")
    elif isinstance(aggregate, domain.Application):
        doc["active"] = aggregate.active
    elif isinstance(aggregate, domain.Placement):
        doc["next_announcement_on"] = aggregate.earliest_follow_up(domain.FOLLOW_UP_PENDING)
        doc["open_follow_up_on"] = aggregate.earliest_follow_up(domain.FOLLOW_UP_PENDING,
                                                                domain.FOLLOW_UP_ANNOUNCED)
    return doc


def from_document(cls, doc: dict):
    _, id_name, _, _ = KINDS[cls]
    values = {name: doc[name] for name in _fields(cls) if name in doc and name != id_name}
    return cls(**{id_name: doc["_id"]}, **values)


class JobRepository:
    def __init__(self, db):
        self.db = db

    # -- any aggregate ----------------------------------------------------------------------

    def next_id(self, tx, cls, at: datetime) -> str:
        _, _, _, prefix = KINDS[cls]
        day = clock.local_date(at).strftime("%Y%m%d")
        counter = self.db[COUNTERS].find_one_and_update(
            {"_id": f"{prefix}{day}"}, {"$inc": {"seq": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER, session=tx.session)
        return f"{prefix}{day}{counter['seq']:04d}"

    def get(self, cls, ident: str, session=None):
        collection, _, missing, _ = KINDS[cls]
        doc = self.db[collection].find_one({"_id": ident}, session=session)
        if doc is None:
            raise missing(ident)
        return from_document(cls, doc)

    def add(self, tx, aggregate) -> None:
        collection, _, _, _ = KINDS[type(aggregate)]
        aggregate.version = 1
        self.db[collection].insert_one(to_document(aggregate), session=tx.session)
        self.record_changes(tx, aggregate)

    def save(self, tx, aggregate) -> None:
        """Store a changed aggregate with its events and figures; the version check refuses
        a change made from a stale copy."""
        collection, id_name, _, _ = KINDS[type(aggregate)]
        expected = aggregate.version
        aggregate.version += 1
        result = self.db[collection].replace_one(
            {"_id": getattr(aggregate, id_name), "version": expected},
            to_document(aggregate), session=tx.session)
        if result.matched_count != 1:
            raise RuntimeError(f"{collection} {getattr(aggregate, id_name)} changed underneath "
                               f"(v{expected})")
        self.record_changes(tx, aggregate)

    def record_changes(self, tx, aggregate) -> None:
        for event_type, data in aggregate.events:
            tx.emit(event_type, data)
        merged: dict[tuple, dict] = {}
        for month, community, changes in aggregate.stat_changes:
            bucket = merged.setdefault((month, community), {})
            for name, value in changes.items():
                bucket[name] = bucket.get(name, 0) + value
        for (month, community), changes in merged.items():
            changes = {f"counts.{name}": value for name, value in changes.items() if value}
            if changes:
                self.db[STATS].update_one(
                    {"_id": f"{month}|{community}"},
                    {"$inc": changes, "$setOnInsert": {"month": month, "community": community}},
                    upsert=True, session=tx.session)
        aggregate.events, aggregate.stat_changes = [], []

    def _page(self, cls, criteria: dict, sort: list, query: dict):
        collection, _, _, _ = KINDS[cls]
        skip = (query["page"] - 1) * query["page_size"]
        cursor = self.db[collection].find(criteria).sort(sort).skip(skip).limit(
            query["page_size"])
        return ([from_document(cls, d) for d in cursor],
                count(self.db[collection], criteria))

    # -- employers and visits ---------------------------------------------------------------

    def add_employer(self, tx, employer: domain.Employer) -> None:
        try:
            self.add(tx, employer)
        except DuplicateKeyError:
            raise self._employer_exists(employer) from None

    def save_employer(self, tx, employer: domain.Employer) -> None:
        try:
            self.save(tx, employer)
        except DuplicateKeyError:
            raise self._employer_exists(employer) from None

    def employers_named(self, name: str, community: str | None = None,
                        session=None) -> list[domain.Employer]:
        """Employers by name (spaces and case ignored), in one community or any."""
        criteria = {"name_key": domain.name_key(name)}
        if community:
            criteria["community"] = community
        return [from_document(domain.Employer, doc)
                for doc in self.db[EMPLOYERS].find(criteria, session=session).limit(5)]

    def _employer_exists(self, employer: domain.Employer):
        # A write error has aborted the transaction: look outside it, at what is committed.
        existing = self.db[EMPLOYERS].find_one(
            {"community": employer.community, "name_key": domain.name_key(employer.name)},
            {"_id": 1})
        return exceptions.employer_exists(employer.name, employer.community,
                                          existing["_id"] if existing else "?")

    def list_employers(self, query: dict):
        criteria = _equal(query, "community", "sector", "size", "active")
        if query.get("q"):
            pattern = re.escape(query["q"])
            criteria["$or"] = [{"name": {"$regex": pattern}}, {"address": {"$regex": pattern}}]
        return self._page(domain.Employer, criteria, _sorted_by(query, name="name_key"), query)

    def visit_with_problem(self, problem_id: str, session=None) -> domain.Visit | None:
        doc = self.db[VISITS].find_one({"problems.problem_id": problem_id}, session=session)
        return from_document(domain.Visit, doc) if doc else None

    def list_visits(self, query: dict):
        criteria = _equal(query, "employer_id", "community")
        visited = {}
        if query.get("visited_from"):
            visited["$gte"] = query["visited_from"]
        if query.get("visited_to"):
            visited["$lte"] = query["visited_to"]
        if visited:
            criteria["visited_on"] = visited
        if query.get("delivery_kind"):
            criteria["deliveries.kind"] = query["delivery_kind"]
        if query.get("problem_state"):
            criteria["problems.state"] = query["problem_state"]
        return self._page(domain.Visit, criteria, _sorted_by(query), query)

    # -- postings ---------------------------------------------------------------------------

    def list_postings(self, query: dict):
        criteria = _equal(query, "community", "employer_id", "hours_flexible",
                          "employment_type", "visit_id")
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        if query.get("q"):
            pattern = re.escape(query["q"])
            criteria["$or"] = [{"title": {"$regex": pattern}},
                               {"employer_name": {"$regex": pattern}},
                               {"skills": {"$regex": pattern}}]
        return self._page(domain.JobPosting, criteria, _sorted_by(query), query)

    def open_postings(self, community: str | None = None, limit: int = 2000):
        """Open postings, newest first, to read (without their history: never save these).
        The whole office has at most a few thousand open at a time, so matching scores all
        of them rather than guessing which to leave out."""
        criteria = {"state": domain.OPEN}
        if community:
            criteria["community"] = community
        cursor = self.db[POSTINGS].find(criteria, {"history": 0}).sort(
            [("posted_at", DESCENDING), ("_id", ASCENDING)]).limit(limit)
        return [from_document(domain.JobPosting, d) for d in cursor]

    def expired_postings(self, at: datetime, limit: int) -> list[str]:
        cursor = self.db[POSTINGS].find(
            {"state": domain.OPEN, "valid_through": {"$lt": at}}, {"_id": 1}
        ).sort("valid_through", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    # -- seekers ----------------------------------------------------------------------------

    def add_seeker(self, tx, seeker: domain.JobSeeker) -> None:
        try:
            self.add(tx, seeker)
        except DuplicateKeyError:
            raise self._seeker_exists(seeker) from None

    def save_seeker(self, tx, seeker: domain.JobSeeker) -> None:
        try:
            self.save(tx, seeker)
        except DuplicateKeyError:
            raise self._seeker_exists(seeker) from None

    def _seeker_exists(self, seeker):
        # A write error has aborted the transaction: look outside it, at what is committed.
        existing = self.db[SEEKERS].find_one(
            {"id_number.fingerprint": seeker.id_number["fingerprint"]}, {"_id": 1})
        return exceptions.seeker_exists(existing["_id"] if existing else "?")

    def list_seekers(self, query: dict, phone_fingerprint: str | None = None):
        criteria = _equal(query, "community")
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        if query.get("skill"):
            criteria["skills"] = query["skill"]
        if query.get("q"):
            criteria["name"] = {"$regex": re.escape(query["q"])}
        if phone_fingerprint:
            criteria = {"phone.fingerprint": phone_fingerprint}
        return self._page(domain.JobSeeker, criteria, _sorted_by(query), query)

    def candidate_seekers(self, posting: domain.JobPosting, radius_km: float,
                          limit: int = 1000) -> list[domain.JobSeeker]:
        """People looking for work who could take a posting, to read (without their history:
        never save these): those of its community and, when it has a place on the map, those
        living in a box of `radius_km` around it (the matching measures the real distance)."""
        near = [{"community": posting.community}]
        if posting.location:
            lat, long = posting.location["lat"], posting.location["long"]
            dlat = radius_km / 111.2
            dlong = radius_km / (111.2 * max(math.cos(math.radians(lat)), 0.01))
            near.append({"home_lat": {"$gte": lat - dlat, "$lte": lat + dlat},
                         "home_long": {"$gte": long - dlong, "$lte": long + dlong}})
        found = {}
        for criteria in near:
            for doc in self.db[SEEKERS].find({"state": domain.SEEKING, **criteria},
                                             {"history": 0}).limit(limit):
                found[doc["_id"]] = doc
        return [from_document(domain.JobSeeker, d) for d in found.values()]

    # -- applications and placements --------------------------------------------------------

    def add_application(self, tx, application: domain.Application) -> None:
        try:
            self.add(tx, application)
        except DuplicateKeyError:
            existing = self.db[APPLICATIONS].find_one(
                {"posting_id": application.posting_id, "seeker_id": application.seeker_id,
                 "active": True}, {"_id": 1})
            raise exceptions.application_exists(existing["_id"] if existing else "?") from None

    def active_applications_of(self, seeker_id: str) -> dict[str, str]:
        """posting id → application id, for the applications a person has in progress."""
        return {d["posting_id"]: d["_id"] for d in self.db[APPLICATIONS].find(
            {"seeker_id": seeker_id, "active": True}, {"posting_id": 1})}

    def active_applicants_of(self, posting_id: str) -> dict[str, str]:
        """seeker id → application id, for the applications in progress for a posting."""
        return {d["seeker_id"]: d["_id"] for d in self.db[APPLICATIONS].find(
            {"posting_id": posting_id, "active": True}, {"seeker_id": 1})}

    def list_applications(self, query: dict):
        criteria = _equal(query, "posting_id", "seeker_id", "employer_id", "community")
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        return self._page(domain.Application, criteria, _sorted_by(query), query)

    def list_placements(self, query: dict, today: date):
        criteria = _equal(query, "community", "employer_id", "seeker_id")
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        if query.get("follow_up_due") is True:
            criteria["open_follow_up_on"] = _due_by(today)
        elif query.get("follow_up_due") is False:
            criteria["$nor"] = [{"open_follow_up_on": _due_by(today)}]
        return self._page(domain.Placement, criteria, _sorted_by(query), query)

    def placements_with_due_follow_ups(self, today: date, limit: int) -> list[str]:
        cursor = self.db[PLACEMENTS].find(
            {"next_announcement_on": _due_by(today)}, {"_id": 1}
        ).sort("next_announcement_on", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    # -- notifications ----------------------------------------------------------------------

    def add_notification(self, tx, visit: domain.Visit, note: dict, event_id: str,
                         at: datetime) -> None:
        self.db[NOTIFICATIONS].insert_one({
            "_id": uuid.uuid4().hex, "event_id": event_id, "employer_id": visit.employer_id,
            "employer_name": visit.employer_name, "community": visit.community,
            "visit_id": visit.visit_id, "created_at": at, "read_at": None, "read_by": None,
            **note}, session=tx.session)

    def notification(self, notification_id: str, session=None) -> dict:
        doc = self.db[NOTIFICATIONS].find_one({"_id": notification_id}, session=session)
        if doc is None:
            raise exceptions.notification_not_found(notification_id)
        return doc

    def mark_read(self, tx, notification_id: str, actor: dict, at: datetime) -> dict:
        doc = self.db[NOTIFICATIONS].find_one_and_update(
            {"_id": notification_id, "read_at": None},
            {"$set": {"read_at": at, "read_by": {k: actor.get(k) for k in ("id", "name")}}},
            return_document=ReturnDocument.AFTER, session=tx.session)
        return doc or self.notification(notification_id, tx.session)  # already read: as is

    def list_notifications(self, query: dict):
        criteria = _equal(query, "employer_id", "community")
        if query.get("unread") is True:
            criteria["read_at"] = None
        elif query.get("unread") is False:
            criteria["read_at"] = {"$ne": None}
        skip = (query["page"] - 1) * query["page_size"]
        docs = list(self.db[NOTIFICATIONS].find(criteria).sort(
            [("created_at", DESCENDING), ("_id", ASCENDING)]).skip(skip).limit(
            query["page_size"]))
        return docs, count(self.db[NOTIFICATIONS], criteria)

    # -- figures ----------------------------------------------------------------------------

    def stat_buckets(self, first_month, last_month, community) -> list[dict]:
        criteria: dict = {}
        months = {}
        if first_month:
            months["$gte"] = first_month
        if last_month:
            months["$lte"] = last_month
        if months:
            criteria["month"] = months
        if community:
            criteria["community"] = community
        return [{**doc, "counts": _flatten(doc.get("counts", {}))}
                for doc in self.db[STATS].find(criteria)]


def _due_by(today: date) -> dict:
    """Dates up to today. The lower bound says what MongoDB infers anyway (a string range
    leaves out nulls); SecantusDB scans every null in the index without it, which at 100k
    placements made the follow-up timer take seconds instead of milliseconds."""
    return {"$gte": "0000-01-01", "$lte": today.isoformat()}


def _equal(query: dict, *names) -> dict:
    return {name: query[name] for name in names if query.get(name) is not None}


def _sorted_by(query: dict, **stored_as) -> list:
    """A list's `sort` ('posted_at', '-posted_at', …) as a MongoDB sort, ties broken by _id in
    the same direction so that pages never repeat or skip a record."""
    key = query["sort"].lstrip("-")
    direction = DESCENDING if query["sort"].startswith("-") else ASCENDING
    return [(stored_as.get(key, key), direction), ("_id", direction)]


def _flatten(counts: dict, prefix: str = "") -> dict:
    flat = {}
    for name, value in counts.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat
