"""The hours ledger and the certificates drawn from it, in the volunteer service's database.
Entries are written once and never changed (ledger.py); a certificate changes only when it is
revoked."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from bson import ObjectId
from pymongo import ASCENDING, IndexModel

from services.volunteer.exceptions import certificate_not_found, entry_not_found
from services.volunteer.repositories.common import cursor_page, newest, total_of
from services.volunteer.repositories.figures import count_entry
from shared.paging import Extents, Order
from shared.tallies import Tallies
from shared.unit_of_work import Repository

LEDGER = "hours_ledger"
CERTIFICATES = "certificates"

# The ledger is listed by the day of service, newest first: the date ("2026-12-06") as the
# instant its day begins in UTC, kept beside it as the list's order field.
SERVED_ON = "served_on"
# A day of service is the office's date, at most a day ahead of UTC's.
LEDGER_ORDER = Order(SERVED_ON, horizon=timedelta(days=2))
LEDGER_EXTENTS = Extents(LEDGER, (SERVED_ON,))
LEDGER_TALLIES = Tallies("ledger_tallies", ("community", "source_kind"))
LEDGER_FILTERS = ("volunteer_id", "organiser", "community", "from_date", "to_date",
                  "source_kind")
CERTIFICATE_ORDER = Order("issued_at")
CERTIFICATE_EXTENTS = Extents(CERTIFICATES, ("issued_at",))
CERTIFICATE_TALLIES = Tallies("certificate_tallies", ("issuer", "state"))
CERTIFICATE_FILTERS = ("volunteer_id", "community", "issuer", "state")

INDEXES = {
    LEDGER: [
        # Whatever way a service's hours arrive (check-out, activity list, a repeat), they are
        # credited once.
        IndexModel([("key", ASCENDING)], name="once_per_service", unique=True),
        # The list pages by keyset on (served_on, _id) in windows of days; each filter has an
        # index that starts with it, so that a window costs what it holds.
        newest(by=SERVED_ON, name="listed"),
        newest("volunteer_id", by=SERVED_ON, name="volunteer_listed"),
        newest("organiser", by=SERVED_ON, name="organiser_listed"),
        newest("community", by=SERVED_ON, name="community_listed"),
        newest("source.kind", by=SERVED_ON, name="source_listed"),
        newest("community", "source.kind", by=SERVED_ON, name="community_source_listed"),
        # A volunteer's entries for a certificate or their hours by month.
        IndexModel([("volunteer_id", ASCENDING), ("organiser", ASCENDING),
                    ("date", ASCENDING)], name="volunteer_organiser_date"),
        IndexModel([("volunteer_id", ASCENDING), ("date", ASCENDING)], name="volunteer_days"),
        IndexModel([("corrects", ASCENDING)], name="corrections"),
    ],
    CERTIFICATES: [
        newest(by="issued_at", name="listed"),
        newest("volunteer_id", by="issued_at", name="volunteer_listed"),
        newest("issuer", by="issued_at", name="issuer_listed"),
        newest("state", by="issued_at", name="state_listed"),
        newest("issuer", "state", by="issued_at", name="issuer_state_listed"),
        # A community's certificates (its staff's list), and those of one state.
        newest("community", by="issued_at", name="community_listed"),
        newest("community", "state", by="issued_at", name="community_state_listed"),
    ],
    **LEDGER_TALLIES.indexes,
    **CERTIFICATE_TALLIES.indexes,
}


def served_on(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(), tzinfo=timezone.utc)


class Ledger(Repository):
    """志愿服务记录: one document per entry, `_id` its id (the rules call it `id`)."""

    @property
    def entries(self):
        return self.collection(LEDGER)

    def new_entry_id(self) -> str:
        return f"E{ObjectId()}"

    def has_entry(self, key: str) -> bool:
        """Whether the service `key` names has been credited already."""
        return self.entries.find_one({"key": key}, {"_id": 1}) is not None

    def get(self, entry_id: str) -> dict:
        doc = self.entries.find_one({"_id": entry_id})
        if doc is None:
            raise entry_not_found(entry_id)
        return _entry(doc)

    def by_key(self, key: str) -> dict | None:
        doc = self.entries.find_one({"key": key})
        return _entry(doc) if doc else None

    def net_hours(self, entry_id: str) -> float:
        """An entry's hours with its corrections."""
        total = sum(d["hours"] for d in self.entries.find(
            {"$or": [{"_id": entry_id}, {"corrects": entry_id}]}, {"hours": 1}))
        return round(total, 2)

    def add(self, entry: dict) -> None:
        """Write one ledger entry and move the figures, totals and extents with it."""
        doc = _entry_document(entry)
        self.entries.insert_one(doc)
        count_entry(self.uow, entry)
        LEDGER_TALLIES.add(self.uow, _ledger_key(doc), 1)
        LEDGER_EXTENTS.widen(self.uow, {SERVED_ON: doc[SERVED_ON]})

    def page(self, query: dict) -> dict:
        """A page of entries by cursor, latest day of service first (then the latest
        recorded); the total where the counters give it (by community and source)."""
        return cursor_page(self, LEDGER, self._criteria(query), LEDGER_ORDER, query,
                           LEDGER_EXTENTS, INDEXES[LEDGER], _entry,
                           total_of(LEDGER_TALLIES, self.uow, query, LEDGER_FILTERS))

    @staticmethod
    def _criteria(query: dict) -> dict:
        criteria: dict = {}
        for name in ("volunteer_id", "organiser", "community"):
            if query.get(name):
                criteria[name] = query[name]
        if query.get("source_kind"):
            criteria["source.kind"] = query["source_kind"]
        days = {}
        if query.get("from_date"):
            days["$gte"] = served_on(query["from_date"].isoformat())
        if query.get("to_date"):
            days["$lt"] = served_on(query["to_date"].isoformat()) + timedelta(days=1)
        if days:
            criteria[SERVED_ON] = days
        return criteria

    def upgrade(self) -> None:
        """See _upgrade_records; then the count of all of them made whole (shared.tallies)."""
        self._upgrade_records()
        LEDGER_TALLIES.upgrade(self.uow)

    def _upgrade_records(self) -> None:
        """Once, for entries stored before their totals and extents were kept: count and
        measure them, and give them their day of service as an instant (run at start)."""
        if self.collection(LEDGER_TALLIES.collection).find_one({}) or \
                not self.entries.find_one({}):
            return
        counts: dict[tuple, int] = {}
        for doc in self.entries.find({}):
            if SERVED_ON not in doc:
                doc[SERVED_ON] = served_on(doc["date"])
                self.entries.update_one({"_id": doc["_id"]},
                                        {"$set": {SERVED_ON: doc[SERVED_ON]}})
            key = _ledger_key(doc)
            counts[key] = counts.get(key, 0) + 1
            LEDGER_EXTENTS.widen(self.uow, {SERVED_ON: doc[SERVED_ON]})
        for key, n in counts.items():
            LEDGER_TALLIES.add(self.uow, key, n)

    def entries_of(self, volunteer_id: str, organiser: str | None = None, first=None,
                   last=None) -> list[dict]:
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
        return [_entry(d) for d in self.entries.find(criteria)]

    def hours_by_month(self, volunteer_id: str, first: str | None,
                       last: str | None) -> list[dict]:
        """[{month, hours, services}] of a volunteer's entries in a range of months."""
        match: dict = {"volunteer_id": volunteer_id}
        months = {}
        if first:
            months["$gte"] = f"{first}-01"
        if last:
            months["$lte"] = f"{last}-31"
        if months:
            match["date"] = months
        rows = self.entries.aggregate([
            {"$match": match},
            {"$group": {"_id": "$month", "hours": {"$sum": "$hours"},
                        "services": {"$sum": {"$cond": [{"$eq": ["$corrects", None]}, 1, 0]}}}},
            {"$sort": {"_id": 1}}])
        return [{"month": row["_id"], "hours": round(row["hours"], 2),
                 "services": row["services"]} for row in rows]


class Certificates(Repository):
    """志愿服务记录证明: one document per certificate, `_id` its number."""

    @property
    def documents(self):
        return self.collection(CERTIFICATES)

    def next_sequence(self, year: int) -> int:
        """The year's running number, allocated outside the transaction."""
        return self.uow.next_number(f"certificate{year}")

    def get(self, number: str) -> dict:
        doc = self.documents.find_one({"_id": number})
        if doc is None:
            raise certificate_not_found(number)
        return _certificate(doc)

    def add(self, cert: dict) -> None:
        self.documents.insert_one(_certificate_document(cert))
        CERTIFICATE_TALLIES.record(self.uow, None, _certificate_key(cert))
        CERTIFICATE_EXTENTS.widen(self.uow, {"issued_at": cert["issued_at"]})

    def save(self, cert: dict) -> None:
        """Store a changed certificate (revoked), its totals moved from what it was."""
        before = self.documents.find_one({"_id": cert["number"]}, {"issuer": 1, "state": 1})
        self.documents.replace_one({"_id": cert["number"]}, _certificate_document(cert))
        CERTIFICATE_TALLIES.record(self.uow, before and _certificate_key(before),
                                   _certificate_key(cert))

    def page(self, query: dict) -> dict:
        """A page of certificates by cursor, newest first, of a volunteer, a community, an
        issuer or a state; the total where the counters give it (by issuer and state; a
        community's list says only whether there is more)."""
        criteria = {k: query[k] for k in CERTIFICATE_FILTERS if query.get(k)}
        return cursor_page(self, CERTIFICATES, criteria, CERTIFICATE_ORDER, query,
                           CERTIFICATE_EXTENTS, INDEXES[CERTIFICATES], _certificate,
                           total_of(CERTIFICATE_TALLIES, self.uow, query, CERTIFICATE_FILTERS))

    def upgrade(self) -> None:
        """See _upgrade_records; then the count of all of them made whole (shared.tallies)."""
        self._upgrade_records()
        CERTIFICATE_TALLIES.upgrade(self.uow)

    def _upgrade_records(self) -> None:
        """Once, for certificates stored before their totals and extents were kept."""
        if self.collection(CERTIFICATE_TALLIES.collection).find_one({}) or \
                not self.documents.find_one({}):
            return
        counts: dict[tuple, int] = {}
        for doc in self.documents.find({}):
            key = _certificate_key(_certificate(doc))
            counts[key] = counts.get(key, 0) + 1
            CERTIFICATE_EXTENTS.widen(self.uow, {"issued_at": doc["issued_at"]})
        for key, n in counts.items():
            CERTIFICATE_TALLIES.add(self.uow, key, n)


def _entry(doc: dict) -> dict:
    """A ledger entry as the rules see it (`id`, not `_id`; no list field)."""
    entry = {"id": doc["_id"], **doc}
    del entry["_id"]
    entry.pop(SERVED_ON, None)
    return entry


def _entry_document(entry: dict) -> dict:
    doc = {**entry, "_id": entry["id"], SERVED_ON: served_on(entry["date"])}
    del doc["id"]
    return doc


def _ledger_key(doc: dict) -> tuple:
    return LEDGER_TALLIES.key({"community": doc["community"],
                               "source_kind": doc["source"]["kind"]})


def _certificate_key(cert: dict) -> tuple:
    return CERTIFICATE_TALLIES.key({"issuer": cert["issuer"], "state": cert["state"]})


def _certificate(doc: dict) -> dict:
    cert = {"number": doc["_id"], **doc}
    del cert["_id"]
    return cert


def _certificate_document(cert: dict) -> dict:
    doc = {"_id": cert["number"], **cert}
    del doc["number"]
    return doc
