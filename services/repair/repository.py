"""Work orders and what goes with them, in and out of the repair service's own database."""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, GEOSPHERE, IndexModel, ReturnDocument

from services.repair import domain
from shared import clock
from shared.storage import count
from services.repair.exceptions import department_not_found, work_order_not_found

WORK_ORDERS = "work_orders"
STATS = "work_order_stats"
DEPARTMENTS = "departments"
COMMUNITIES = "communities"
SETTINGS = "settings"
COUNTERS = "counters"

INDEXES = {
    WORK_ORDERS: [
        # Lists sort by a field and then by _id: with _id in the index a page is read in index
        # order instead of sorting every match (new names: an index cannot change its keys).
        IndexModel([("reported_at", DESCENDING), ("_id", DESCENDING)], name="newest_first"),
        IndexModel([("community", ASCENDING), ("reported_at", DESCENDING), ("_id", DESCENDING)],
                   name="community_newest"),
        # A community's staff list their orders by state: with only the two indexes above and
        # state_due to choose from, the planner may scan the whole collection.
        IndexModel([("community", ASCENDING), ("state", ASCENDING), ("reported_at", DESCENDING),
                    ("_id", DESCENDING)], name="community_state_newest"),
        IndexModel([("state", ASCENDING), ("due_at", ASCENDING)], name="state_due"),
        IndexModel([("category", ASCENDING), ("alley_key", ASCENDING), ("state", ASCENDING)],
                   name="same_alley"),
        # The version is the server's default, said explicitly: SecantusDB refuses to create a
        # 2dsphere index a second time (at the next start) unless the spec names it.
        IndexModel([("geo", GEOSPHERE)], name="geo", **{"2dsphereIndexVersion": 3}),
        IndexModel([("department.code", ASCENDING), ("state", ASCENDING)], name="department"),
        IndexModel([("token", ASCENDING)], name="open311_token", unique=True,
                   partialFilterExpression={"token": {"$type": "string"}}),
        IndexModel([("source_ref.ref", ASCENDING)], name="source_ref", sparse=True),
        IndexModel([("updated_at", DESCENDING)], name="recently_updated"),
    ],
    STATS: [IndexModel([("month", ASCENDING)], name="month")],
}

# Fields stored as they are on the aggregate; the rest are mapped below.
_PLAIN = [f.name for f in dataclasses.fields(domain.WorkOrder)
          if f.name not in ("number", "location", "events", "stat_changes")]


def to_document(order: domain.WorkOrder) -> dict:
    doc = {name: getattr(order, name) for name in _PLAIN}
    doc["_id"] = order.number
    doc["alley_key"] = domain.normalise_alley(order.alley)
    if order.location:
        # GeoJSON wants [longitude, latitude].
        doc["geo"] = {"type": "Point",
                      "coordinates": [order.location["long"], order.location["lat"]]}
    return doc


def from_document(doc: dict) -> domain.WorkOrder:
    values = {name: doc.get(name) for name in _PLAIN if name in doc}
    geo = doc.get("geo")
    location = {"lat": geo["coordinates"][1], "long": geo["coordinates"][0]} if geo else None
    return domain.WorkOrder(number=doc["_id"], location=location, **values)


class RepairRepository:
    def __init__(self, db):
        self.db = db
        self.orders = db[WORK_ORDERS]

    # -- work orders ------------------------------------------------------------------------

    def next_number(self, tx, at: datetime) -> str:
        day = clock.local_date(at).strftime("%Y%m%d")
        counter = self.db[COUNTERS].find_one_and_update(
            {"_id": f"WO{day}"}, {"$inc": {"seq": 1}}, upsert=True,
            return_document=ReturnDocument.AFTER, session=tx.session)
        return f"WO{day}{counter['seq']:04d}"

    def get(self, number: str, session=None) -> domain.WorkOrder:
        doc = self.orders.find_one({"_id": number}, session=session)
        if doc is None:
            raise work_order_not_found(number)
        return from_document(doc)

    def find_by_token(self, token: str) -> domain.WorkOrder | None:
        doc = self.orders.find_one({"token": token})
        return from_document(doc) if doc else None

    def add(self, tx, order: domain.WorkOrder) -> None:
        order.version = 1
        self.orders.insert_one(to_document(order), session=tx.session)
        self._record_changes(tx, order)

    def save(self, tx, order: domain.WorkOrder) -> None:
        """Store a changed order with its events and figures; the version check refuses a
        change made from a stale copy."""
        expected = order.version
        order.version += 1
        result = self.orders.replace_one({"_id": order.number, "version": expected},
                                         to_document(order), session=tx.session)
        if result.matched_count != 1:
            raise RuntimeError(f"work order {order.number} changed underneath (v{expected})")
        self._record_changes(tx, order)

    def _record_changes(self, tx, order: domain.WorkOrder) -> None:
        for event_type, data in order.events:
            tx.emit(event_type, data)
        by_month: dict[str, dict] = {}
        for month, changes in order.stat_changes:
            merged = by_month.setdefault(month, {})
            for name, value in changes.items():
                merged[name] = merged.get(name, 0) + value
        alley = (order.alley or "").strip()
        for month, changes in by_month.items():
            changes = {f"counts.{name}": value for name, value in changes.items() if value}
            if not changes:
                continue
            self.db[STATS].update_one(
                {"_id": f"{month}|{order.community}|{alley}|{order.category}"},
                {"$inc": changes,
                 "$setOnInsert": {"month": month, "community": order.community,
                                  "alley": alley, "category": order.category}},
                upsert=True, session=tx.session)
        order.events, order.stat_changes = [], []

    def list(self, query: dict, at: datetime) -> tuple[list[domain.WorkOrder], int]:
        criteria = self._criteria(query, at)
        key = query["sort"].lstrip("-")
        direction = DESCENDING if query["sort"].startswith("-") else ASCENDING
        sort_key = "_id" if key == "number" else key
        skip = (query["page"] - 1) * query["page_size"]
        cursor = (self.orders.find(criteria).sort([(sort_key, direction), ("_id", direction)])
                  .skip(skip).limit(query["page_size"]))
        return [from_document(d) for d in cursor], count(self.orders, criteria)

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
            criteria["escalations"] = {"$gt": 0} if query["escalated"] else 0
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
            pattern = re.escape(query["q"])
            criteria["$or"] = [{"_id": {"$regex": pattern}},
                               {"description": {"$regex": pattern}},
                               {"address": {"$regex": pattern}},
                               {"alley": {"$regex": pattern}}]
        return criteria

    def overdue(self, at: datetime, limit: int) -> list[str]:
        """Numbers only: each order is loaded in its own transaction, so that one that cannot
        be read does not hide the others."""
        cursor = self.orders.find({"state": {"$in": list(domain.UNDER_WAY)},
                                   "due_at": {"$lt": at}, "overdue_escalated": {"$ne": True}},
                                  {"_id": 1}).sort("due_at", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    def duplicate_candidates(self, report: dict, exclude: str | None = None):
        base = {"category": report["category"], "state": {"$in": list(domain.OPEN)}}
        if exclude:
            base["_id"] = {"$ne": exclude}
        found: dict[str, dict] = {}
        if report.get("location"):
            point = [report["location"]["long"], report["location"]["lat"]]
            radians = domain.DUPLICATE_RADIUS_M / domain.EARTH_RADIUS_M
            for doc in self.orders.find(
                    {**base, "geo": {"$geoWithin": {"$centerSphere": [point, radians]}}}
            ).limit(20):
                found[doc["_id"]] = doc
        alley = domain.normalise_alley(report.get("alley"))
        if alley:
            for doc in self.orders.find({**base, "alley_key": alley,
                                         "community": report["community"]}).limit(20):
                found[doc["_id"]] = doc
        return [from_document(d) for d in found.values()]

    def by_reported_period(self, criteria: dict, start: datetime | None, end: datetime | None,
                           limit: int) -> list[domain.WorkOrder]:
        reported = {}
        if start:
            reported["$gte"] = start
        if end:
            reported["$lte"] = end
        if reported:
            criteria = {**criteria, "reported_at": reported}
        cursor = self.orders.find(criteria).sort("reported_at", DESCENDING).limit(limit)
        return [from_document(d) for d in cursor]

    # -- figures ----------------------------------------------------------------------------

    def stat_buckets(self, first_month, last_month, community, alley, category) -> list[dict]:
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
        if alley:
            criteria["alley"] = alley.strip()
        if category:
            criteria["category"] = category
        return [{**doc, "counts": _flatten(doc.get("counts", {}))}
                for doc in self.db[STATS].find(criteria)]

    # -- reference data ---------------------------------------------------------------------

    def departments(self, active_only=False) -> list[dict]:
        criteria = {"active": True} if active_only else {}
        return [_department(d) for d in self.db[DEPARTMENTS].find(criteria).sort("_id")]

    def department(self, code: str, session=None) -> dict:
        doc = self.db[DEPARTMENTS].find_one({"_id": code}, session=session)
        if doc is None or not doc.get("active", True):
            raise department_not_found(code)
        return _department(doc)

    def route(self, category: str, session=None) -> dict:
        """The department a category goes to: one that claims it, else the default one."""
        doc = self.db[DEPARTMENTS].find_one({"categories": category, "active": True},
                                            sort=[("_id", ASCENDING)], session=session)
        if doc is None:
            return self.department(domain.CATEGORIES[category].default_department, session)
        return _department(doc)

    def save_department(self, tx, department: dict) -> None:
        fields = {k: v for k, v in department.items() if k != "code"}
        self.db[DEPARTMENTS].update_one({"_id": department["code"]}, {"$set": fields},
                                        upsert=True, session=tx.session)

    def ensure_default_departments(self) -> None:
        for department in domain.DEFAULT_DEPARTMENTS:
            self.db[DEPARTMENTS].update_one(
                {"_id": department["code"]},
                {"$setOnInsert": {"name": department["name"],
                                  "categories": department["categories"], "phone": None,
                                  "active": True}}, upsert=True)

    def communities(self) -> list[dict]:
        return [{"name": d["_id"], "centre": d.get("centre")}
                for d in self.db[COMMUNITIES].find().sort("_id")]

    def save_community(self, tx, community: dict) -> None:
        self.db[COMMUNITIES].update_one({"_id": community["name"]},
                                        {"$set": {"centre": community.get("centre")}},
                                        upsert=True, session=tx.session)

    def deadline_days(self, category: str, session=None) -> int:
        doc = self.db[SETTINGS].find_one({"_id": "deadlines"}, session=session) or {}
        return int(doc.get("days", {}).get(category, domain.CATEGORIES[category].deadline_days))

    def all_deadline_days(self) -> dict[str, int]:
        doc = self.db[SETTINGS].find_one({"_id": "deadlines"}) or {}
        return {code: int(doc.get("days", {}).get(code, c.deadline_days))
                for code, c in domain.CATEGORIES.items()}

    def set_deadline_days(self, tx, category: str, days: int) -> None:
        self.db[SETTINGS].update_one({"_id": "deadlines"}, {"$set": {f"days.{category}": days}},
                                     upsert=True, session=tx.session)

    def calendar(self, session=None) -> clock.WorkingCalendar:
        doc = self.db[SETTINGS].find_one({"_id": "calendar"}, session=session) or {}
        return clock.WorkingCalendar(
            holidays={datetime.fromisoformat(d).date() for d in doc.get("holidays", [])},
            extra_workdays={datetime.fromisoformat(d).date()
                            for d in doc.get("extra_workdays", [])})

    def set_calendar(self, tx, holidays, extra_workdays) -> None:
        self.db[SETTINGS].update_one(
            {"_id": "calendar"},
            {"$set": {"holidays": sorted(d.isoformat() for d in holidays),
                      "extra_workdays": sorted(d.isoformat() for d in extra_workdays)}},
            upsert=True, session=tx.session)


def seed_reference_data(db) -> None:
    """The usual departments on a first start, for the office to edit or extend."""
    RepairRepository(db).ensure_default_departments()


def _department(doc: dict) -> dict:
    return {"code": doc["_id"], "name": doc["name"], "categories": doc.get("categories", []),
            "phone": doc.get("phone"), "active": doc.get("active", True)}


def _flatten(counts: dict, prefix: str = "") -> dict:
    flat = {}
    for name, value in counts.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat
