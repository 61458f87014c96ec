"""Work orders and what goes with them, in and out of the repair service's own database.

Repositories are bound to the unit of work (shared.unit_of_work): they never take a session,
and every query they run is inside the unit of work's transaction when it has one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pymongo import ASCENDING, DESCENDING, GEOSPHERE, IndexModel
from pymongo.errors import DuplicateKeyError

from services.repair import domain
from services.repair.figures_upgrade import upgrade_figures_by_department
from services.repair.exceptions import (department_not_found, duplicate_ticket,
                                        work_order_not_found)
from shared import clock, holidays
from shared.paging import Extents, Order, empty_page, keyset_page
from shared.personal_data import AUDIT_LOG, record_reveal
from shared.repository import AggregateRepository, plain_fields
from shared.search import TERMS, search_criteria, terms
from shared.statistics import StatBuckets
from shared.tallies import Tallies
from shared.unit_of_work import Repository

WORK_ORDERS = "work_orders"
DEPARTMENTS = "departments"
SETTINGS = "settings"
STATISTICS = StatBuckets("work_order_stats",
                         ("month", "community", "alley", "category", "department"),
                         rollups=(("month", "community"), ("month", "community", "category"),
                                  ("month", "department"), ("month", "community", "department")))

TALLIES = Tallies("work_order_tallies", ("community", "state"))


def _newest(*fields: str, by: str = "reported_at", name: str) -> IndexModel:
    """An index for a list filtered by `fields` in the order of `by` (shared.paging)."""
    return IndexModel([*((f, ASCENDING) for f in fields), (by, DESCENDING), ("_id", DESCENDING)],
                      name=name)


INDEXES = {
    WORK_ORDERS: [
        # Lists page by keyset on (order field, _id) in windows of the order field; each filter
        # a list offers has an index that starts with it, so a window costs what it holds.
        _newest(name="newest_first"),
        _newest("community", name="community_newest"),
        _newest("community", "state", name="community_state_newest"),
        _newest("state", name="state_newest"),
        _newest("category", name="category_newest"),
        _newest("channel", name="channel_newest"),
        _newest("department.code", name="department_newest"),
        _newest("alley_key", name="alley_newest"),
        _newest("escalated", name="escalated_newest"),
        _newest(TERMS, name="search_newest"),
        # A resident's own orders (居民端 我的报修), by the keyed fingerprint of their phone.
        _newest("reporter.phone.fingerprint", name="reporter_newest"),
        _newest(by="updated_at", name="updated"),
        _newest("community", by="updated_at", name="community_updated"),
        _newest(by="due_at", name="due"),
        _newest("state", by="due_at", name="state_due_keyset"),
        _newest("community", by="due_at", name="community_due"),
        IndexModel([("state", ASCENDING), ("due_at", ASCENDING)], name="state_due"),
        # A report's possible duplicates: its community's recent orders of its category.
        _newest("community", "category", name="community_category_newest"),
        # The version is the server's default, said explicitly: SecantusDB refuses to create a
        # 2dsphere index a second time (at the next start) unless the spec names it.
        IndexModel([("geo", GEOSPHERE)], name="geo", **{"2dsphereIndexVersion": 3}),
        IndexModel([("token", ASCENDING)], name="open311_token", unique=True,
                   partialFilterExpression={"token": {"$type": "string"}}),
        # One order per ticket of a channel (a 12345 ticket, an Open311 client's request id):
        # a repeated report answers the order it already made.
        IndexModel([("channel", ASCENDING), ("external_ref", ASCENDING)], name="ticket",
                   unique=True, partialFilterExpression={"external_ref": {"$type": "string"}}),
        IndexModel([("source_ref.ref", ASCENDING)], name="source_ref", sparse=True),
    ],
    **STATISTICS.indexes,
    **TALLIES.indexes,
}
# The orders a list may be sorted in (`sort`, with "-" for newest first); `number` follows
# the report time (an order's number is its report day and sequence).
ORDERS = {"reported_at": "reported_at", "number": "reported_at", "updated_at": "updated_at",
          "due_at": "due_at"}
HORIZONS = {"reported_at": timedelta(days=1), "updated_at": timedelta(days=1),
            "due_at": timedelta(days=3660)}
EXTENTS = Extents(WORK_ORDERS, ("reported_at", "updated_at", "due_at"))


class WorkOrders(AggregateRepository):
    collection_name = WORK_ORDERS
    statistics = STATISTICS
    tallies = TALLIES
    extents = EXTENTS
    # Fields stored as they are on the aggregate; the rest are mapped below.
    PLAIN = plain_fields(domain.WorkOrder, "number", "location")

    def to_document(self, order: domain.WorkOrder) -> dict:
        doc = {name: getattr(order, name) for name in self.PLAIN}
        doc["_id"] = order.number
        doc["alley_key"] = domain.normalise_alley(order.alley)
        doc["escalated"] = order.escalations > 0
        doc[TERMS] = terms(order.number, order.external_ref, order.address, order.alley,
                           order.description)
        if order.location:
            # GeoJSON wants [longitude, latitude].
            doc["geo"] = {"type": "Point",
                          "coordinates": [order.location["long"], order.location["lat"]]}
        return doc

    def from_document(self, doc: dict) -> domain.WorkOrder:
        values = {name: doc.get(name) for name in self.PLAIN if name in doc}
        geo = doc.get("geo")
        location = {"lat": geo["coordinates"][1], "long": geo["coordinates"][0]} if geo else None
        return domain.WorkOrder(number=doc["_id"], location=location, **values)

    def not_found(self, number):
        return work_order_not_found(number)

    def tally_values(self, order: domain.WorkOrder) -> dict:
        return {"community": order.community, "state": order.state}

    def next_number(self, at: datetime) -> str:
        day = clock.local_date(at).strftime("%Y%m%d")
        return f"WO{day}{self.uow.next_number(f'WO{day}'):04d}"

    def add(self, order: domain.WorkOrder) -> None:
        try:
            super().add(order)
        except DuplicateKeyError:
            # Numbers and tokens are unique by construction: only a ticket can collide, when
            # two reports of it race (the first to commit wins).
            if order.external_ref:
                raise duplicate_ticket(order.channel, order.external_ref) from None
            raise

    def by_ticket(self, channel: str, external_ref: str | None) -> domain.WorkOrder | None:
        if not external_ref:
            return None
        return self.find({"channel": channel, "external_ref": external_ref})

    def by_token(self, token: str) -> domain.WorkOrder | None:
        return self.find({"token": token})

    def page(self, query: dict, at: datetime) -> dict:
        """A page of the list (shared.paging): {items: [WorkOrder], next_cursor, has_more,
        page_size, total}; the total only where the counters can give it."""
        key = query["sort"].lstrip("-")
        order = Order(ORDERS[key], ascending=not query["sort"].startswith("-"),
                      horizon=HORIZONS[ORDERS[key]])
        extent = EXTENTS.of(self.uow, order.field)
        if extent is None:  # no order has a value for it: an empty list, at once
            return {"items": [], "next_cursor": None, "has_more": False,
                    "page_size": query["page_size"],
                    "total": 0 if order.field != "due_at" else None}
        # Only where the counters can say: no search, no dates, and every order (an order
        # without a deadline is not in a list by deadline). Known first, it also tells the
        # first page where to start (shared.paging, _FIRST_WINDOWS).
        total = None if query.get("q") or query.get("reported_from") or \
            query.get("reported_to") or order.field == "due_at" else TALLIES.total(self.uow, {
                name: query.get(name) for name in ("community", "state", "category", "alley",
                                                   "department_code", "channel", "escalated",
                                                   "overdue")})
        page = keyset_page(self.documents, self._criteria(query, at), order, query, now=at,
                           extent=extent, indexes=INDEXES[WORK_ORDERS], total=total)
        page["items"] = self.many(page["items"])
        page["total"] = total
        return page

    @staticmethod
    def _criteria(query: dict, at: datetime) -> dict:
        criteria: dict = {}
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        for name in ("category", "community", "channel"):
            if query.get(name):
                criteria[name] = query[name]
        if query.get("alley"):
            criteria["alley_key"] = domain.normalise_alley(query["alley"])
        if query.get("department_code"):
            criteria["department.code"] = query["department_code"]
        if query.get("escalated") is not None:
            criteria["escalated"] = query["escalated"]
        if query.get("overdue") is not None:
            overdue = {"state": {"$in": list(domain.UNDER_WAY)}, "due_at": {"$lt": at}}
            criteria.update(overdue if query["overdue"] else
                            {"$nor": [overdue]})
        reported = {}
        if query.get("reported_from"):
            reported["$gte"] = query["reported_from"]
        if query.get("reported_to"):
            reported["$lt"] = query["reported_to"]
        if reported:
            criteria["reported_at"] = reported
        if query.get("q"):
            criteria.update(search_criteria(query["q"]))
        return criteria

    def overdue(self, at: datetime, limit: int) -> list[str]:
        """Numbers only: each order is loaded in its own transaction, so that one that cannot
        be read does not hide the others."""
        cursor = self.documents.find({"state": {"$in": list(domain.UNDER_WAY)},
                                      "due_at": {"$lt": at}, "overdue_escalated": {"$ne": True}},
                                     {"_id": 1}).sort("due_at", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    def duplicate_candidates(self, report: dict, exclude: str | None = None):
        """The newest DUPLICATE_READ open orders of the report's category in its community
        of the last DUPLICATE_WINDOW (`exclude`, the report's own order, left out), read
        through the (community, category, reported_at) index, at most DUPLICATE_SCAN orders
        in all: a bounded read whatever the history (a geographic or `$in` query reads the
        whole collection on some servers). Where many of them are recent — a burst of reports
        about one flooded street, an import — the time that held the newest DUPLICATE_READ
        open ones when last looked (in this process) is read first, and the rest of the period
        only when that holds fewer: SecantusDB reads a whole index range whatever the limit,
        and a burst would otherwise make every report read all of it. The domain decides which
        are duplicates (distance, alley); of each order only what that takes is read
        (DuplicateCandidate)."""
        now, wanted = self.uow.now, domain.DUPLICATE_READ
        since = now - domain.DUPLICATE_WINDOW
        key = (report["community"], report["category"])
        learned = _RECENT_CANDIDATES.get(key)
        start = max(since, now - learned) if learned else since

        def candidates(reported: dict, limit: int) -> list[DuplicateCandidate]:
            read = self._candidates(report, reported, limit)
            scanned.append(len(read))
            return [order for order in map(_candidate, read)
                    if order.number != exclude and order.state in domain.OPEN]

        scanned: list[int] = []
        found = candidates({"$gt": start}, domain.DUPLICATE_SCAN)
        if len(found) < wanted and start > since and sum(scanned) < domain.DUPLICATE_SCAN:
            found += candidates({"$gt": since, "$lte": start},
                                domain.DUPLICATE_SCAN - sum(scanned))
        found = found[:wanted]
        if len(found) >= wanted:
            # What held them, with a quarter and a second to spare.
            reach = now - clock.as_utc(found[-1].reported_at)
            _RECENT_CANDIDATES[key] = reach * 1.25 + timedelta(seconds=1)
            if len(_RECENT_CANDIDATES) > 4096:
                _RECENT_CANDIDATES.pop(next(iter(_RECENT_CANDIDATES)))
        else:
            _RECENT_CANDIDATES.pop(key, None)
        return found

    def _candidates(self, report: dict, reported: dict, limit: int) -> list[dict]:
        """The category's orders of the community reported in `reported`, newest first, at
        most `limit`, in one reply."""
        return list(self.documents.find(
            {"community": report["community"], "category": report["category"],
             "reported_at": reported}, CANDIDATE_FIELDS
        ).sort([("reported_at", DESCENDING), ("_id", DESCENDING)]).limit(limit).batch_size(limit))

    def reported_by(self, resident: str, query: dict, at: datetime) -> dict:
        """A page of the orders whose reporter's phone has the keyed fingerprint `resident`
        (居民端 我的报修: those a resident reported, and those staff took down with their
        phone), newest first: {items: [WorkOrder], next_cursor, has_more, page_size, total}.
        Read in bounded windows of the (fingerprint, reported_at, _id) index (shared.paging),
        so a page costs what it holds however long the street's history; no total (the
        counters do not count by reporter)."""
        order = Order("reported_at", horizon=HORIZONS["reported_at"])
        extent = EXTENTS.of(self.uow, order.field)
        if extent is None:  # no order yet: an empty list, at once
            return empty_page(query, total=None)
        page = keyset_page(self.documents, {"reporter.phone.fingerprint": resident}, order,
                           query, now=at, extent=extent, indexes=INDEXES[WORK_ORDERS])
        return {**page, "items": self.many(page["items"]), "total": None}

    def open311_requests(self, numbers: list[str] | None, service_codes: list[str] | None,
                         status: set | None, start: datetime | None, end: datetime | None,
                         limit: int) -> list[domain.WorkOrder]:
        """Orders for GeoReport's GET requests: by number, or reported in a period."""
        criteria: dict = {}
        if numbers is not None:
            criteria["_id"] = {"$in": numbers}
        if service_codes:
            criteria["category"] = {"$in": service_codes}
        if status == {"open"}:
            criteria["state"] = {"$nin": list(OPEN311_ENDED)}
        elif status == {"closed"}:
            criteria["state"] = {"$in": list(OPEN311_ENDED)}
        reported = {}
        if start:
            reported["$gte"] = start
        if end:
            reported["$lte"] = end
        if reported:
            criteria["reported_at"] = reported
        cursor = self.documents.find(criteria).sort("reported_at", DESCENDING).limit(limit)
        return self.many(cursor)

    def statistics_buckets(self, first_month, last_month, community, alley, category,
                           department=None, group_by: tuple[str, ...] | None = None) -> list[dict]:
        return STATISTICS.read(self.uow, first_month, last_month, group_by, community=community,
                               alley=alley.strip() if alley else None, category=category,
                               department=department)

    def upgrade(self) -> None:
        upgrade_figures_by_department(self)
        super().upgrade()

    def record_reveal(self, actor: dict, number: str, fields: list[str], purpose: str) -> None:
        record_reveal(self.uow.collection(AUDIT_LOG), actor, "work_order", number, fields,
                      purpose)


OPEN311_ENDED = (domain.CLOSED, *domain.ENDED_WITHOUT_WORK)


@dataclass(frozen=True)
class DuplicateCandidate:
    """What telling a duplicate and presenting it need of an order (its history, reporter and
    the rest are not read: a report may look through hundreds of them)."""
    number: str
    category: str
    state: str
    community: str
    alley: str | None
    address: str
    reported_at: datetime
    location: dict | None


# (community, category) -> how far back the newest DUPLICATE_READ of them reached when last
# looked, in this process (see duplicate_candidates).
_RECENT_CANDIDATES: dict = {}
CANDIDATE_FIELDS = {"category": 1, "state": 1, "community": 1, "alley": 1, "address": 1,
                    "reported_at": 1, "geo": 1}


def _candidate(doc: dict) -> DuplicateCandidate:
    geo = doc.get("geo")
    return DuplicateCandidate(
        number=doc["_id"], category=doc["category"], state=doc["state"],
        community=doc["community"], alley=doc.get("alley"), address=doc["address"],
        reported_at=doc["reported_at"],
        location={"lat": geo["coordinates"][1], "long": geo["coordinates"][0]} if geo else None)


class Reference(Repository):
    """The office's settings: departments, deadlines, the working calendar."""

    def departments(self, active_only=False) -> list[dict]:
        criteria = {"active": True} if active_only else {}
        return [_department(d) for d in
                self.collection(DEPARTMENTS).find(criteria).sort("_id")]

    def department(self, code: str) -> dict:
        doc = self.collection(DEPARTMENTS).find_one({"_id": code})
        if doc is None or not doc.get("active", True):
            raise department_not_found(code)
        return _department(doc)

    def route(self, category: str) -> dict:
        """The department a category goes to: one that claims it, else the default one."""
        doc = self.collection(DEPARTMENTS).find_one({"categories": category, "active": True},
                                                    sort=[("_id", ASCENDING)])
        if doc is None:
            return self.department(domain.CATEGORIES[category].default_department)
        return _department(doc)

    def save_department(self, department: dict) -> None:
        fields = {k: v for k, v in department.items() if k != "code"}
        self.collection(DEPARTMENTS).update_one({"_id": department["code"]}, {"$set": fields},
                                                upsert=True)

    def ensure_default_departments(self) -> None:
        for department in domain.DEFAULT_DEPARTMENTS:
            self.collection(DEPARTMENTS).update_one(
                {"_id": department["code"]},
                {"$setOnInsert": {"name": department["name"],
                                  "categories": department["categories"], "phone": None,
                                  "active": True}}, upsert=True)

    def deadline_days(self, category: str) -> int:
        return self.all_deadline_days()[category]

    def all_deadline_days(self) -> dict[str, int]:
        doc = self.collection(SETTINGS).find_one({"_id": "deadlines"}) or {}
        return {code: int(doc.get("days", {}).get(code, c.deadline_days))
                for code, c in domain.CATEGORIES.items()}

    def set_deadline_days(self, category: str, days: int) -> None:
        self.collection(SETTINGS).update_one({"_id": "deadlines"},
                                             {"$set": {f"days.{category}": days}}, upsert=True)

    def calendar(self) -> clock.WorkingCalendar:
        """China's statutory holidays and 调休 (shared/holidays.py), with the office's own
        dates instead for the years it has set."""
        doc = self.collection(SETTINGS).find_one({"_id": "calendar"}) or {}
        return holidays.calendar(
            holidays={datetime.fromisoformat(d).date() for d in doc.get("holidays", [])},
            extra_workdays={datetime.fromisoformat(d).date()
                            for d in doc.get("extra_workdays", [])})

    def set_calendar(self, holidays, extra_workdays) -> None:
        self.collection(SETTINGS).update_one(
            {"_id": "calendar"},
            {"$set": {"holidays": sorted(d.isoformat() for d in holidays),
                      "extra_workdays": sorted(d.isoformat() for d in extra_workdays)}},
            upsert=True)

    def deadline(self, category: str, at: datetime) -> datetime:
        """When work accepted at `at` is due: the category's working days on the calendar."""
        return self.calendar().add_working_days(at, self.deadline_days(category))


def _department(doc: dict) -> dict:
    return {"code": doc["_id"], "name": doc["name"], "categories": doc.get("categories", []),
            "phone": doc.get("phone"), "active": doc.get("active", True)}
