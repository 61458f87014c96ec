"""The notifications owed to employers and the figures' buckets, in and out of the job
service's own database: plain records and counters, not aggregates."""
from __future__ import annotations

import uuid
from datetime import datetime

from pymongo import ReturnDocument

from services.job import domain, exceptions, listing
from services.job.listing import equal
from services.job.repositories import NOTIFICATIONS, STATISTICS
from shared.listing import empty_page
from shared.unit_of_work import Repository


class Notifications(Repository):
    """What employers are to be told about the problems they reported: plain records."""

    @property
    def documents(self):
        return self.collection(NOTIFICATIONS)

    tallies = listing.TALLIES[NOTIFICATIONS]
    extents = listing.EXTENTS[NOTIFICATIONS]

    def add(self, visit: domain.Visit, note: dict, event_id: str, at: datetime) -> None:
        self.documents.insert_one({
            "_id": uuid.uuid4().hex, "event_id": event_id, "employer_id": visit.employer_id,
            "employer_name": visit.employer_name, "community": visit.community,
            "visit_id": visit.visit_id, "created_at": at, "read_at": None, "read_by": None,
            **note})
        self.tallies.record(self.uow, None, (visit.community, True))
        self.extents.widen(self.uow, {"created_at": at})

    def get(self, notification_id: str) -> dict:
        doc = self.documents.find_one({"_id": notification_id})
        if doc is None:
            raise exceptions.notification_not_found(notification_id)
        return doc

    def mark_read(self, notification_id: str, actor: dict, at: datetime) -> dict:
        """Read by `actor` at `at`; one already read stays as it is."""
        doc = self.documents.find_one_and_update(
            {"_id": notification_id, "read_at": None},
            {"$set": {"read_at": at, "read_by": {k: actor.get(k) for k in ("id", "name")}}},
            return_document=ReturnDocument.AFTER)
        if doc is None:
            return self.get(notification_id)
        self.tallies.record(self.uow, (doc["community"], True), (doc["community"], False))
        return doc

    def page(self, query: dict) -> dict:
        """Newest first, by cursor; the total from the counters unless by employer."""
        criteria = equal(query, "employer_id", "community")
        if query.get("unread") is True:
            criteria["read_at"] = None
        elif query.get("unread") is False:
            criteria["read_at"] = {"$ne": None}
        total = self.tallies.total(self.uow, {"community": query.get("community"),
                                              "unread": query.get("unread"),
                                              "employer_id": query.get("employer_id")})
        extent = self.extents.of(self.uow, "created_at")
        if extent is None:
            return empty_page(query, total)
        page = listing.NOTIFICATIONS.page(self.documents, criteria, "-created_at", query,
                                          self.uow.now, extent)
        return {**page, "total": total}

    def upgrade(self) -> None:
        """See _upgrade_records; then the count of all of them made whole (shared.tallies)."""
        self._upgrade_records()
        self.tallies.upgrade(self.uow)

    def _upgrade_records(self) -> None:
        """Once, for notifications stored before their totals and extents were kept."""
        if self.uow.collection(self.tallies.collection).find_one({}) or \
                not self.documents.find_one({}):
            return
        counts: dict = {}
        for doc in self.documents.find({}, {"community": 1, "read_at": 1, "created_at": 1}):
            key = (doc.get("community"), doc.get("read_at") is None)
            counts[key] = counts.get(key, 0) + 1
            self.extents.widen(self.uow, {"created_at": doc["created_at"]})
        for key, n in counts.items():
            self.tallies.add(self.uow, key, n)


class Statistics(Repository):
    """The monthly counters the aggregates keep (by office month and community)."""

    def buckets(self, first_month: str | None, last_month: str | None,
                community: str | None) -> list[dict]:
        return STATISTICS.read(self.uow, first_month, last_month, community=community)
