"""Storing aggregates: the versioned save every service uses, once.

An `AggregateRepository` maps one kind of aggregate to one collection. `add` stores a new one
at version 1; `save` replaces it only if nobody stored another version in between (a change
made from a stale copy is refused, and the transaction retried from the start). Both hand the
aggregate's events to the unit of work's outbox and its figures to the service's statistics
buckets, in the same transaction.
"""
from __future__ import annotations

import dataclasses

from shared.errors import XiuhuaError
from shared.paging import Extents
from shared.statistics import StatBuckets
from shared.tallies import Tallies
from shared.unit_of_work import Repository

TALLIED = "_tallied"  # what an aggregate was counted as when it was read


class StaleAggregate(RuntimeError):
    """Another transaction stored this aggregate since it was read."""


class AggregateRepository(Repository):
    collection_name: str = ""
    statistics: StatBuckets | None = None
    tallies: Tallies | None = None
    extents: Extents | None = None  # the order fields of the kind's lists (shared.paging)
    # Fields to_document derives for the lists (a sort key, search terms): set by `upgrade`
    # on records stored before they were kept.
    derived_fields: tuple[str, ...] = ()

    # -- what a subclass provides -------------------------------------------------------------

    def to_document(self, aggregate) -> dict:
        raise NotImplementedError

    def from_document(self, document: dict):
        raise NotImplementedError

    def not_found(self, ident) -> XiuhuaError:
        raise NotImplementedError

    def tally_values(self, aggregate) -> dict:
        """The aggregate's values for the tallies' dimensions (when there are tallies)."""
        raise NotImplementedError

    def _tally_key(self, aggregate):
        return self.tallies.key(self.tally_values(aggregate)) if self.tallies else None

    def _read(self, document: dict):
        aggregate = self.from_document(document)
        if self.tallies is not None:
            aggregate.__dict__[TALLIED] = self._tally_key(aggregate)
        return aggregate

    # -- reading ----------------------------------------------------------------------------

    @property
    def documents(self):
        return self.collection(self.collection_name)

    def get(self, ident):
        document = self.documents.find_one({"_id": ident})
        if document is None:
            raise self.not_found(ident)
        return self._read(document)

    def find(self, criteria: dict):
        document = self.documents.find_one(criteria)
        return None if document is None else self._read(document)

    def many(self, cursor) -> list:
        return [self._read(document) for document in cursor]

    def upgrade(self) -> None:
        """Once, for records stored before their kind kept tallies and extents: count and
        measure them all, and give them the derived fields the lists need (run by the
        service's seed at start; it reads the collection once)."""
        if self.statistics is not None:
            self.statistics.upgrade(self.uow)
        self._upgrade_records()
        if self.tallies is not None:  # after the records are counted, if they had to be
            self.tallies.upgrade(self.uow)

    def _upgrade_records(self) -> None:
        missing_tallies = self.tallies is not None and not self.collection(
            self.tallies.collection).find_one({})
        missing_extents = self.extents is not None and not self.collection(
            "extents").find_one({"_id": self.extents.collection})
        if not (missing_tallies or missing_extents) or not self.documents.find_one({}):
            return
        counts: dict[tuple, int] = {}
        for document in self.documents.find({}):
            aggregate = self.from_document(document)
            if missing_tallies:
                key = self._tally_key(aggregate)
                counts[key] = counts.get(key, 0) + 1
            if missing_extents:
                self._widen(aggregate)
            derived = {name: value for name, value in self.to_document(aggregate).items()
                       if name in self.derived_fields and name not in document}
            if derived:
                self.documents.update_one({"_id": document["_id"]}, {"$set": derived})
        for key, n in counts.items():
            self.tallies.add(self.uow, key, n)

    def _widen(self, aggregate) -> None:
        self.extents.widen(self.uow, {name: getattr(aggregate, name)
                                      for name in self.extents.fields})

    # -- writing ----------------------------------------------------------------------------

    def add(self, aggregate) -> None:
        aggregate.version = 1
        self.documents.insert_one(self.to_document(aggregate))
        self.record_changes(aggregate)

    def save(self, aggregate) -> None:
        expected = aggregate.version
        aggregate.version += 1
        document = self.to_document(aggregate)
        result = self.documents.replace_one({"_id": document["_id"], "version": expected},
                                            document)
        if result.matched_count != 1:
            raise StaleAggregate(f"{self.collection_name} {document['_id']} changed underneath "
                                 f"(v{expected})")
        self.record_changes(aggregate)

    def record_changes(self, aggregate) -> None:
        """Events to the outbox, figures to the buckets, totals to the tallies, in this unit
        of work."""
        self.uow.collect(aggregate)
        if self.statistics is not None and aggregate.stat_changes:
            self.statistics.record(self.uow, aggregate.stat_changes)
        aggregate.stat_changes = []
        if self.tallies is not None:
            # What it was counted as when read (nothing, for a new one), and what it is now.
            now = self._tally_key(aggregate)
            self.tallies.record(self.uow, aggregate.__dict__.get(TALLIED), now)
            aggregate.__dict__[TALLIED] = now
        if self.extents is not None:
            self._widen(aggregate)


def plain_fields(cls, *excluded: str) -> list[str]:
    """A dataclass's stored-as-is fields: all but those a repository maps itself."""
    return [f.name for f in dataclasses.fields(cls) if f.name not in excluded]
