"""Registrations: who registered for, waits for or came to an activity."""
from __future__ import annotations

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.activity import exceptions as errors
from services.activity.registrations import WAITLISTED, Registration
from services.activity.repositories.indexes import (INDEXES, REGISTRATION_TALLIES,
                                                    REGISTRATIONS)
from shared.paging import Extents, Order, empty_page, keyset_page
from shared.personal_data import AUDIT_LOG, record_reveal
from shared.repository import TALLIED, plain_fields
from shared.search import TERMS, search_criteria, terms
from shared.unit_of_work import Repository

# An activity's registrations in the order they came; one person's, newest first.
IN_ORDER = Order("registered_at", ascending=True)
NEWEST_FIRST = Order("registered_at")
EXTENTS = Extents(REGISTRATIONS, ("registered_at",))
DERIVED = ("dedupe_key", "checked_in", TERMS)


class Registrations(Repository):
    """Registrations are plain records, changed only with their activity (whose versioned
    save orders them). Their totals by activity and status are kept in the same transaction
    (shared.tallies), including the registrations an activity's change moves in bulk."""

    # Stored as they are on the record; the dedupe key, whether they came and the search
    # terms are kept beside them for their indexes.
    PLAIN = plain_fields(Registration, "registration_id")

    @property
    def documents(self):
        return self.collection(REGISTRATIONS)

    def _document(self, registration: Registration) -> dict:
        return {"_id": registration.registration_id,
                **{n: getattr(registration, n) for n in self.PLAIN},
                "dedupe_key": registration.dedupe_key,
                "checked_in": registration.checked_in_at is not None,
                TERMS: terms(registration.name, registration.code)}

    def _record(self, doc: dict) -> Registration:
        registration = Registration(registration_id=doc["_id"],
                                    **{n: doc[n] for n in self.PLAIN if n in doc})
        registration.__dict__[TALLIED] = _tally_key(registration)
        return registration

    def _counted(self, registration: Registration) -> None:
        """Move the registration's count from what it was read as to what it is now."""
        now = _tally_key(registration)
        REGISTRATION_TALLIES.record(self.uow, registration.__dict__.get(TALLIED), now)
        registration.__dict__[TALLIED] = now
        EXTENTS.widen(self.uow, {"registered_at": registration.registered_at})

    def get(self, registration_id: str) -> Registration:
        doc = self.documents.find_one({"_id": registration_id})
        if doc is None:
            raise errors.registration_not_found(registration_id)
        return self._record(doc)

    def by_code(self, activity_id: str, code: str) -> Registration:
        doc = self.documents.find_one({"activity_id": activity_id, "code": code})
        if doc is None:
            raise errors.registration_not_found(f"(签到码 {code})")
        return self._record(doc)

    def by_key(self, key: str) -> Registration | None:
        doc = self.documents.find_one({"dedupe_key": key})
        return self._record(doc) if doc else None

    def code_taken(self, activity_id: str, code: str) -> bool:
        return self.documents.count_documents({"activity_id": activity_id, "code": code},
                                               limit=1) > 0

    def add(self, registration: Registration) -> None:
        try:
            self.documents.insert_one(self._document(registration))
            self._counted(registration)
        except DuplicateKeyError:
            # Ids and codes are unique within their activity, whose versioned save orders
            # them; only the same phone registered twice at once can collide.
            if registration.phone:
                raise errors.already_registered(registration.phone["masked"]) from None
            raise

    def save(self, registration: Registration) -> None:
        self.documents.replace_one({"_id": registration.registration_id},
                                   self._document(registration))
        self._counted(registration)

    def waitlisted(self, activity_id: str, limit: int) -> list[Registration]:
        cursor = self.documents.find({"activity_id": activity_id, "status": WAITLISTED}).sort(
            [("waitlisted_at", ASCENDING), ("_id", ASCENDING)]).limit(limit)
        return [self._record(d) for d in cursor]

    def checked_in(self, activity_id: str) -> list[Registration]:
        cursor = self.documents.find(
            {"activity_id": activity_id, "checked_in_at": {"$ne": None}}
        ).sort([("checked_in_at", ASCENDING), ("_id", ASCENDING)])
        return [self._record(d) for d in cursor]

    def waitlist_position(self, registration: Registration) -> int | None:
        if registration.status != WAITLISTED:
            return None
        ahead = self.documents.count_documents({
            "activity_id": registration.activity_id, "status": WAITLISTED,
            "$or": [{"waitlisted_at": {"$lt": registration.waitlisted_at}},
                    {"waitlisted_at": registration.waitlisted_at,
                     "_id": {"$lt": registration.registration_id}}]})
        return ahead + 1

    def page(self, query: dict, fingerprint: str | None) -> dict:
        """An activity's registrations in the order they came, or one person's (by the
        phone's fingerprint) newest first: a page of them (shared.paging), with the total
        where the counters can give it (an activity's, by status)."""
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
            criteria["checked_in"] = query["checked_in"]
        if query.get("q"):
            criteria.update(search_criteria(query["q"]))
        counted = query.get("activity_id") and not fingerprint and not query.get("role") \
            and query.get("checked_in") is None and not query.get("q")
        total = REGISTRATION_TALLIES.total(self.uow, {
            "activity_id": query["activity_id"], "status": query.get("status")}) \
            if counted else None
        extent = EXTENTS.of(self.uow, "registered_at")
        if extent is None:
            return empty_page(query, total)
        order = NEWEST_FIRST if fingerprint and not query.get("activity_id") else IN_ORDER
        page = keyset_page(self.documents, criteria, order, query, extent=extent,
                           indexes=INDEXES[REGISTRATIONS])
        page["items"] = [self._record(d) for d in page["items"]]
        page["total"] = total
        return page

    def upgrade(self) -> None:
        """See _upgrade_records; then the count of all of them made whole (shared.tallies)."""
        self._upgrade_records()
        REGISTRATION_TALLIES.upgrade(self.uow)

    def _upgrade_records(self) -> None:
        """Once, for registrations stored before their totals and extents were kept: count
        and measure them, and give them the fields their lists need (run at start)."""
        if self.collection(REGISTRATION_TALLIES.collection).find_one({}) or \
                not self.documents.find_one({}):
            return
        counts: dict[tuple, int] = {}
        for document in self.documents.find({}):
            registration = self._record(document)
            key = _tally_key(registration)
            counts[key] = counts.get(key, 0) + 1
            EXTENTS.widen(self.uow, {"registered_at": registration.registered_at})
            derived = {name: value for name, value in self._document(registration).items()
                       if name in DERIVED and name not in document}
            if derived:
                self.documents.update_one({"_id": document["_id"]}, {"$set": derived})
        for key, n in counts.items():
            REGISTRATION_TALLIES.add(self.uow, key, n)

    def record_reveal(self, actor: dict, registration_id: str, fields: list[str],
                      purpose: str) -> None:
        record_reveal(self.uow.collection(AUDIT_LOG), actor, "registration", registration_id,
                      fields, purpose)


def _tally_key(registration: Registration) -> tuple:
    return REGISTRATION_TALLIES.key({"activity_id": registration.activity_id,
                                     "status": registration.status})
