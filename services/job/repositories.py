"""Employers, visits, postings, seekers, applications, placements, notifications and the
figures, in and out of the job service's own database.

Repositories are bound to the unit of work (shared.unit_of_work): they never take a session,
and every query they run is inside the unit of work's transaction when it has one.
"""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from services.job import domain, exceptions, listing
from services.job.listing import day_key, day_range, equal, one_of
from shared import clock
from shared.listing import Listing, empty_page, search
from shared.paging import Order, keyset_page
from shared.personal_data import AUDIT_LOG, record_reveal
from shared.repository import AggregateRepository, plain_fields
from shared.search import TERMS, terms
from shared.statistics import StatBuckets

EMPLOYERS = "employers"
VISITS = "visits"
POSTINGS = "job_postings"
SEEKERS = "job_seekers"
APPLICATIONS = "applications"
PLACEMENTS = "placements"
NOTIFICATIONS = "notifications"
STATISTICS = StatBuckets("job_stats", ("month", "community"))

INDEXES = {
    # Each list's indexes: for each order it offers, one per combination of filters it serves
    # (services/job/listing.py); the others are what the rules look records up by.
    EMPLOYERS: [
        IndexModel([("community", ASCENDING), ("name_key", ASCENDING)], name="community_name",
                   unique=True),
        *listing.EMPLOYERS.indexes,
    ],
    VISITS: [
        IndexModel([("problems.problem_id", ASCENDING)], name="problem_id"),
        *listing.VISITS.indexes,
    ],
    POSTINGS: [
        IndexModel([("state", ASCENDING), ("valid_through", ASCENDING)], name="state_deadline"),
        IndexModel([("visit_id", ASCENDING)], name="visit", sparse=True),
        *listing.POSTINGS.indexes,
    ],
    SEEKERS: [
        IndexModel([("id_number.fingerprint", ASCENDING)], name="id_number", unique=True,
                   partialFilterExpression={"id_number.fingerprint": {"$type": "string"}}),
        *listing.SEEKERS.indexes,
    ],
    APPLICATIONS: [
        # One application in progress per person and posting; after it ends, another may start.
        IndexModel([("posting_id", ASCENDING), ("seeker_id", ASCENDING)], name="one_active",
                   unique=True, partialFilterExpression={"active": True}),
        *listing.APPLICATIONS.indexes,
    ],
    PLACEMENTS: [
        # The earliest follow-up still to announce, kept on each record (null once there is
        # none). Queried with both bounds: see `_due_by`.
        IndexModel([("next_announcement_on", ASCENDING)], name="to_announce"),
        *listing.PLACEMENTS.indexes,
    ],
    NOTIFICATIONS: [
        IndexModel([("event_id", ASCENDING)], name="once_per_event", unique=True),
        *listing.NOTIFICATIONS.indexes,
    ],
    **STATISTICS.indexes,
    **{tallies.collection: tallies.indexes[tallies.collection]
       for tallies in listing.TALLIES.values()},
}
MIGRATIONS = "migrations"
LISTS_MIGRATION = "lists-by-cursor"


class _JobAggregates(AggregateRepository):
    """One kind of this service's aggregates: its class, the attribute holding its id, the id's
    prefix and the error when one is missing; its list, the counters of its totals and the
    extents of its order fields (services/job/listing.py)."""
    statistics = STATISTICS
    aggregate: type = object
    prefix = ""
    missing = None
    lists: Listing | None = None  # its list: orders, indexed filters
    counted = ("community", "state")  # the filters the list's tallies count by

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.collection_name:
            cls.tallies = listing.TALLIES[cls.collection_name]
            cls.extents = listing.EXTENTS[cls.collection_name]

    def tally_values(self, aggregate) -> dict:
        return {name: getattr(aggregate, name) for name in self.tallies.dimensions}

    def derived(self, aggregate) -> dict:
        """What the document keeps besides the aggregate's fields, for its lists."""
        return {}

    def _widen(self, aggregate) -> None:
        values = {**{name: getattr(aggregate, name, None) for name in self.extents.fields},
                  **self.derived(aggregate)}
        self.extents.widen(self.uow, {name: values.get(name) for name in self.extents.fields})

    @property
    def id_name(self) -> str:
        return self.aggregate.ID

    @property
    def plain(self) -> list[str]:
        return plain_fields(self.aggregate, self.id_name)

    def to_document(self, aggregate) -> dict:
        doc = {name: getattr(aggregate, name) for name in self.plain}
        doc["_id"] = getattr(aggregate, self.id_name)
        doc.update(self.derived(aggregate))
        return doc

    def from_document(self, doc: dict):
        values = {name: doc[name] for name in self.plain if name in doc}
        return self.aggregate(**{self.id_name: doc["_id"]}, **values)

    def not_found(self, ident):
        return self.missing(ident)

    def next_id(self, at: datetime) -> str:
        """The next id of the office day of `at`: EM202603020001, allocated outside the
        transaction (a number taken by a command that then fails is skipped)."""
        day = clock.local_date(at).strftime("%Y%m%d")
        return f"{self.prefix}{day}{self.uow.next_number(f'{self.prefix}{day}'):04d}"

    def _page(self, query: dict, criteria: dict, counted: bool = True) -> dict:
        """A page of the list by cursor (shared.listing): {items: [aggregate], next_cursor,
        has_more, page_size, total}; the total from the counters when they count every
        filter given (`counted` False: the list leaves some records out, or filters by what
        is not counted)."""
        order = self.lists.order(query["sort"])
        total = self.tallies.total(self.uow, {name: query.get(name) for name in (
            "community", "state", "employer_id", "seeker_id", "posting_id", "sector", "size",
            "active", "skill", "q", "visit_id", "hours_flexible", "employment_type",
            "delivery_kind", "problem_state", "visited_from", "visited_to",
            "follow_up_due")}) if counted else None
        extent = self.extents.of(self.uow, order.field)
        if extent is None:  # no record has a value for the order field: empty, at once
            return empty_page(query, total)
        page = self.lists.page(self.documents, criteria, query["sort"], query,
                                 self.uow.now, extent)
        page["items"] = self.many(page["items"])
        page["total"] = total
        return page

    def first(self, criteria: dict, order: Order, cap: int, keep=None) -> list:
        """The first `cap` records in `order` matching `criteria` (equalities an index of the
        list serves) and `keep`, read in bounded windows; to read (without their history),
        never to save."""
        extent = self.extents.of(self.uow, order.field)
        if extent is None:
            return []
        page = keyset_page(self.documents, criteria, order, {"page_size": cap, "cursor": None},
                           now=self.uow.now, extent=extent, keep=keep)
        return self.many({**d, "history": []} for d in page["items"])

    def backfill(self) -> None:
        """Once, for records stored before the lists paged by cursor: their order keys and
        search terms (run by the service's seed at start)."""
        marker = f"{LISTS_MIGRATION}:{self.collection_name}"
        migrations = self.uow.collection(MIGRATIONS)
        if migrations.find_one({"_id": marker}):
            return
        for document in self.documents.find({}):
            derived = self.derived(self.from_document(document))
            if derived:
                self.documents.update_one({"_id": document["_id"]}, {"$set": derived})
        migrations.insert_one({"_id": marker, "at": self.uow.now})

    def committed(self, criteria: dict) -> dict | None:
        """The id of what matches, as committed: after a write error has aborted the
        transaction, nothing can be read inside it."""
        return self.uow.db[self.collection_name].find_one(criteria, {"_id": 1})


class Employers(_JobAggregates):
    collection_name, aggregate, prefix = EMPLOYERS, domain.Employer, "EM"
    missing = staticmethod(exceptions.employer_not_found)
    lists = listing.EMPLOYERS

    def tally_values(self, employer: domain.Employer) -> dict:
        return {"community": employer.community, "active": employer.active}

    def derived(self, employer: domain.Employer) -> dict:
        return {"name_key": domain.name_key(employer.name),
                TERMS: terms(employer.employer_id, employer.name, employer.address,
                             employer.alley)}

    # Ids are unique by construction: only a name in a community can collide.
    def add(self, employer: domain.Employer) -> None:
        try:
            super().add(employer)
        except DuplicateKeyError:
            raise self._exists(employer) from None

    def save(self, employer: domain.Employer) -> None:
        try:
            super().save(employer)
        except DuplicateKeyError:
            raise self._exists(employer) from None

    def _exists(self, employer: domain.Employer):
        existing = self.committed({"community": employer.community,
                                   "name_key": domain.name_key(employer.name)})
        return exceptions.employer_exists(employer.name, employer.community,
                                          existing["_id"] if existing else "?")

    def named(self, name: str, community: str | None = None) -> list[domain.Employer]:
        """Employers by name (spaces and case ignored), in one community or any."""
        criteria = {"name_key": domain.name_key(name)}
        if community:
            criteria["community"] = community
        return self.many(self.documents.find(criteria).limit(5))

    def page(self, query: dict) -> dict:
        criteria = equal(query, "community", "sector", "size", "active")
        if query.get("q"):
            criteria.update(search(query["q"]))
        return self._page(query, criteria)

    def record_reveal(self, actor: dict, employer_id: str, fields: list[str],
                      purpose: str) -> None:
        record_reveal(self.uow.collection(AUDIT_LOG), actor, "employer", employer_id, fields,
                      purpose)


class Visits(_JobAggregates):
    collection_name, aggregate, prefix = VISITS, domain.Visit, "VS"
    missing = staticmethod(exceptions.visit_not_found)
    lists = listing.VISITS

    def derived(self, visit: domain.Visit) -> dict:
        return {"visited_key": day_key(visit.visited_on, visit.recorded_at)}

    def with_problem(self, problem_id: str) -> domain.Visit | None:
        return self.find({"problems.problem_id": problem_id})

    def page(self, query: dict) -> dict:
        criteria = equal(query, "employer_id", "community")
        visited = day_range(query.get("visited_from"), query.get("visited_to"))
        if visited:
            criteria["visited_key"] = visited
        if query.get("delivery_kind"):
            criteria["deliveries.kind"] = query["delivery_kind"]
        if query.get("problem_state"):
            criteria["problems.state"] = query["problem_state"]
        return self._page(query, criteria)


class Postings(_JobAggregates):
    collection_name, aggregate, prefix = POSTINGS, domain.JobPosting, "JP"
    missing = staticmethod(exceptions.posting_not_found)
    lists = listing.POSTINGS

    def derived(self, posting: domain.JobPosting) -> dict:
        return {TERMS: terms(posting.posting_id, posting.title, posting.employer_name,
                             " ".join(posting.skills or ()), posting.address)}

    def page(self, query: dict) -> dict:
        criteria = equal(query, "community", "employer_id", "hours_flexible",
                         "employment_type", "visit_id")
        if query.get("state"):
            criteria["state"] = one_of(query["state"])
        if query.get("q"):
            criteria.update(search(query["q"]))
        return self._page(query, criteria)

    def open(self, community: str | None = None, limit: int = 300) -> list[domain.JobPosting]:
        """Open postings still within their deadline, newest first: at most `limit` of them,
        those whose deadline comes soonest (read in bounded windows of the deadline from now
        on), to read: never save these."""
        criteria = {"state": domain.OPEN, "valid_through": {"$gt": self.uow.now}}
        if community:
            criteria["community"] = community
        found = self.first(criteria, Order("valid_through", ascending=True,
                                           horizon=listing.FAR), limit)
        return sorted(found, key=lambda p: (p.posted_at, p.posting_id), reverse=True)

    def past_deadline(self, at: datetime, limit: int) -> list[str]:
        """Ids only: each posting is loaded in its own transaction."""
        cursor = self.documents.find(
            {"state": domain.OPEN, "valid_through": {"$lt": at}}, {"_id": 1}
        ).sort("valid_through", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]


class Seekers(_JobAggregates):
    collection_name, aggregate, prefix = SEEKERS, domain.JobSeeker, "JS"
    missing = staticmethod(exceptions.seeker_not_found)
    lists = listing.SEEKERS

    def derived(self, seeker: domain.JobSeeker) -> dict:
        home = seeker.home_location or {}
        return {"home_lat": home.get("lat"), "home_long": home.get("long"),
                TERMS: terms(seeker.seeker_id, seeker.name)}

    # Ids are unique by construction: only an ID number can collide.
    def add(self, seeker: domain.JobSeeker) -> None:
        try:
            super().add(seeker)
        except DuplicateKeyError:
            raise self._exists(seeker) from None

    def save(self, seeker: domain.JobSeeker) -> None:
        try:
            super().save(seeker)
        except DuplicateKeyError:
            raise self._exists(seeker) from None

    def _exists(self, seeker: domain.JobSeeker):
        existing = self.committed({"id_number.fingerprint": seeker.id_number["fingerprint"]})
        return exceptions.seeker_exists(existing["_id"] if existing else "?")

    def page(self, query: dict, phone_fingerprint: str | None = None) -> dict:
        criteria = equal(query, "community")
        if query.get("state"):
            criteria["state"] = one_of(query["state"])
        if query.get("skill"):
            criteria["skills"] = query["skill"]
        if query.get("q"):
            criteria.update(search(query["q"]))
        if phone_fingerprint:  # is this person registered? (any community may ask)
            return self._page(query, {"phone.fingerprint": phone_fingerprint}, counted=False)
        return self._page(query, criteria)

    def candidates(self, posting: domain.JobPosting, radius_km: float,
                   limit: int = 500) -> list[domain.JobSeeker]:
        """People looking for work who could take a posting, to read (never save these): of
        its community and, when it has a place on the map, living in a box of `radius_km`
        around it (the matching measures the real distance) — at most `limit` of each, those
        whose record changed last first, read in bounded windows."""
        latest = Order("updated_at")
        found = {s.seeker_id: s for s in self.first(
            {"state": domain.SEEKING, "community": posting.community}, latest, limit)}
        if posting.location:
            lat, long = posting.location["lat"], posting.location["long"]
            dlat = radius_km / 111.2
            dlong = radius_km / (111.2 * max(math.cos(math.radians(lat)), 0.01))

            def near(d):
                return d.get("home_lat") is not None and d.get("home_long") is not None \
                    and abs(d["home_lat"] - lat) <= dlat and abs(d["home_long"] - long) <= dlong
            for seeker in self.first({"state": domain.SEEKING}, latest, limit, keep=near):
                found.setdefault(seeker.seeker_id, seeker)
        return list(found.values())

    def record_reveal(self, actor: dict, seeker_id: str, fields: list[str],
                      purpose: str) -> None:
        record_reveal(self.uow.collection(AUDIT_LOG), actor, "job_seeker", seeker_id, fields,
                      purpose)


class Applications(_JobAggregates):
    collection_name, aggregate, prefix = APPLICATIONS, domain.Application, "AP"
    missing = staticmethod(exceptions.application_not_found)
    lists = listing.APPLICATIONS

    def derived(self, application: domain.Application) -> dict:
        return {"active": application.active}

    # Ids are unique by construction: only a second active application of a person for a
    # posting can collide.
    def add(self, application: domain.Application) -> None:
        try:
            super().add(application)
        except DuplicateKeyError:
            existing = self.committed({"posting_id": application.posting_id,
                                       "seeker_id": application.seeker_id, "active": True})
            raise exceptions.application_exists(existing["_id"] if existing else "?") from None

    def active_of_seeker(self, seeker_id: str) -> dict[str, str]:
        """posting id → application id, for the applications a person has in progress."""
        return {d["posting_id"]: d["_id"] for d in self.documents.find(
            {"seeker_id": seeker_id, "active": True}, {"posting_id": 1})}

    def active_for_posting(self, posting_id: str) -> dict[str, str]:
        """seeker id → application id, for the applications in progress for a posting."""
        return {d["seeker_id"]: d["_id"] for d in self.documents.find(
            {"posting_id": posting_id, "active": True}, {"seeker_id": 1})}

    def page(self, query: dict) -> dict:
        criteria = equal(query, "posting_id", "seeker_id", "employer_id", "community")
        if query.get("state"):
            criteria["state"] = one_of(query["state"])
        return self._page(query, criteria)


class Placements(_JobAggregates):
    collection_name, aggregate, prefix = PLACEMENTS, domain.Placement, "PL"
    missing = staticmethod(exceptions.placement_not_found)
    lists = listing.PLACEMENTS

    def derived(self, placement: domain.Placement) -> dict:
        open_follow_up = placement.earliest_follow_up(domain.FOLLOW_UP_PENDING,
                                                      domain.FOLLOW_UP_ANNOUNCED)
        return {"next_announcement_on": placement.earliest_follow_up(domain.FOLLOW_UP_PENDING),
                "open_follow_up_on": open_follow_up,
                "started_key": day_key(placement.started_on, placement.created_at),
                "follow_up_key": day_key(open_follow_up, placement.created_at)}

    def page(self, query: dict, today: date) -> dict:
        criteria = equal(query, "community", "employer_id", "seeker_id")
        if query.get("state"):
            criteria["state"] = one_of(query["state"])
        # A follow-up due: one still to record, due today or earlier.
        due = {"$lt": clock.start_of_local_day(today + timedelta(days=1))}
        if query.get("follow_up_due") is True:
            criteria["follow_up_key"] = due
        elif query.get("follow_up_due") is False:
            criteria["$nor"] = [{"follow_up_key": due}]
        # In the order of the next follow-up, only placements with one are listed.
        return self._page(query, criteria,
                          counted=not query["sort"].lstrip("-") == "open_follow_up_on")

    def with_follow_ups_to_announce(self, today: date, limit: int) -> list[str]:
        """Ids only: each placement is loaded in its own transaction."""
        cursor = self.documents.find(
            {"next_announcement_on": _due_by(today)}, {"_id": 1}
        ).sort("next_announcement_on", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]


def _due_by(today: date) -> dict:
    """Dates up to today. The lower bound says what MongoDB infers anyway (a string range
    leaves out nulls); SecantusDB scans every null in the index without it, which at 100k
    placements made the follow-up timer take seconds instead of milliseconds."""
    return {"$gte": "0000-01-01", "$lte": today.isoformat()}
