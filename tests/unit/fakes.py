"""An in-memory unit of work, for testing handler functions without a broker or a database.

It offers what shared.unit_of_work.UnitOfWork offers a handler — repositories, `now`, `emit`,
`cipher`, `next_number` — with repositories that keep aggregates in dictionaries. Each
service's unit tests subclass `FakeUnitOfWork` with fakes of its repositories; the fakes keep
the real ones' promises that handlers rely on (a stale save is refused, events and figures are
collected), and the integration tests check the real repositories against the database.

    uow = FakeRepairUnitOfWork()
    answer = run(intake.report, uow, actor, report)   # as MongoStore.run would
    assert uow.committed and uow.published_types() == ["work_order_reported"]
"""
from __future__ import annotations

import copy
import itertools
from datetime import datetime

from shared import clock
from shared.envelope import Envelope
from shared.personal_data import Cipher
from shared.repository import StaleAggregate

TEST_KEY = "dGVzdC1vbmx5LWtleS1ub3QtZm9yLXJlYWwtZGF0YSE="


class InMemoryAggregates:
    """An AggregateRepository's promises, kept in a dict of copies."""

    def __init__(self, uow: "FakeUnitOfWork", ident: str, not_found):
        self.uow = uow
        self.ident = ident            # the aggregate's id attribute
        self.not_found = not_found    # id -> the service's NotFound error
        self.stored: dict = {}
        uow.stores.append(self)

    def _id(self, aggregate):
        return getattr(aggregate, self.ident)

    def get(self, ident):
        if ident not in self.stored:
            raise self.not_found(ident)
        return copy.deepcopy(self.stored[ident])

    def all(self) -> list:
        return [copy.deepcopy(a) for a in self.stored.values()]

    def where(self, predicate) -> list:
        return [a for a in self.all() if predicate(a)]

    def add(self, aggregate) -> None:
        aggregate.version = 1
        self.uow.collect(aggregate)
        self.stored[self._id(aggregate)] = copy.deepcopy(aggregate)

    def save(self, aggregate) -> None:
        current = self.stored.get(self._id(aggregate))
        if current is None or current.version != aggregate.version:
            raise StaleAggregate(f"{self._id(aggregate)} changed underneath")
        aggregate.version += 1
        self.uow.collect(aggregate)
        self.stored[self._id(aggregate)] = copy.deepcopy(aggregate)


class FakeUnitOfWork:
    """The handler-facing surface of shared.unit_of_work.UnitOfWork, in memory."""

    source = "fake"

    def __init__(self, now: datetime | None = None):
        self.now = now or clock.now()
        self.cipher = Cipher(TEST_KEY)
        self.config: dict = {}
        self.cause = None
        self.events: list[Envelope] = []
        self.figures: list = []
        self.committed = False
        self.stores: list = []        # whatever keeps state: rolled back when a command fails
        self._numbers = itertools.count(1)

    @property
    def changes(self) -> bool:
        return True

    def emit(self, event_type, data: dict) -> Envelope:
        envelope = Envelope.new(event_type, data, cause=self.cause)
        self.events.append(envelope)
        return envelope

    def collect(self, aggregate) -> None:
        for event_type, data in aggregate.events:
            self.emit(event_type, data)
        self.figures.extend(aggregate.stat_changes)
        aggregate.events, aggregate.stat_changes = [], []

    def next_number(self, name: str) -> int:
        return next(self._numbers)

    def published_types(self) -> list[str]:
        return [e.type for e in self.events]


def run(handler, uow: FakeUnitOfWork, *args, **kwargs):
    """Run a handler as MongoStore.run would: a command's effects count only if it returns."""
    before = (list(uow.events), list(uow.figures),
              [copy.deepcopy(store.stored) for store in uow.stores])
    try:
        result = handler(uow, *args, **kwargs)
    except Exception:  # a failed command changes and publishes nothing
        uow.events, uow.figures, snapshots = before
        for store, stored in zip(uow.stores, snapshots):
            store.stored = stored
        raise
    if getattr(handler, "changes", False):
        uow.committed = True
    return result


def first_page(found: list, query: dict) -> dict:
    """The first page of what a fake list found, in the shape of shared.paging's pages."""
    size = query["page_size"]
    return {"items": found[:size], "next_cursor": "next" if len(found) > size else None,
            "has_more": len(found) > size, "page_size": size, "total": len(found)}
