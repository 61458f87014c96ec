"""The unit of work: what a handler function is given, and all it may touch.

A handler (`services/<name>/handlers/*.py`) is a plain function `handler(uow, ...)`. It loads
its input, asks the unit of work's repositories for the aggregates it needs, applies a domain
rule and saves them; what it returns is the caller's answer. It never sees a database session:
every repository is bound to the unit of work, and the unit of work to one transaction (for a
command) or to none (for a query), so a read inside a command cannot escape the transaction
by forgetting an argument.

    @command
    def accept(uow, number, actor, command):
        order = uow.work_orders.get(number)
        order.accept(...)
        uow.work_orders.save(order)
        return WorkOrderView().dump(order)

A service declares its unit of work once, as a subclass naming its repositories:

    class RepairUnitOfWork(UnitOfWork):
        repositories = {"work_orders": WorkOrders, "settings": Settings}

`shared.storage.MongoStore` runs handlers against MongoDB; tests/unit has an in-memory unit of
work with the same repositories' interface for testing handlers without a broker or database.
"""
from __future__ import annotations

import random
from datetime import datetime
from typing import Callable

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared import clock
from shared.envelope import Envelope
from shared.events import EventType

COUNTERS = "counters"


def command(handler: Callable | None = None, *, remember: bool = True):
    """Marks a handler that changes something: it runs in one transaction, its events are
    stored with it, and a repeat of the same command returns the stored answer. A handler whose
    answer must not be kept (a reveal of personal data in clear) says `remember=False`: a
    repeat then runs again."""
    def mark(function: Callable) -> Callable:
        function.changes = True
        function.remember = remember
        return function
    return mark(handler) if handler is not None else mark


def query(handler: Callable) -> Callable:
    """Marks a handler that only reads: it runs outside any transaction."""
    handler.changes = False
    return handler


def shard_of(uow, shards: int) -> int:
    """Which of `shards` counters a change goes to: its writer's (concurrent transactions of a
    process have different writers, so they never write the same one), else one at random."""
    writer = getattr(uow, "writer", None)
    return random.randrange(shards) if writer is None else writer % shards


class BoundCollection:
    """A MongoDB collection with the unit of work's session passed to every operation."""

    def __init__(self, collection, session):
        self._collection = collection
        self._session = session
        self.name = collection.name
        self.full_name = collection.full_name

    def find_one(self, *args, **kwargs):
        return self._collection.find_one(*args, session=self._session, **kwargs)

    def find(self, *args, **kwargs):
        return self._collection.find(*args, session=self._session, **kwargs)

    def insert_one(self, document, **kwargs):
        return self._collection.insert_one(document, session=self._session, **kwargs)

    def insert_many(self, documents, **kwargs):
        return self._collection.insert_many(documents, session=self._session, **kwargs)

    def replace_one(self, criteria, document, **kwargs):
        return self._collection.replace_one(criteria, document, session=self._session, **kwargs)

    def update_one(self, criteria, update, **kwargs):
        return self._collection.update_one(criteria, update, session=self._session, **kwargs)

    def update_many(self, criteria, update, **kwargs):
        return self._collection.update_many(criteria, update, session=self._session, **kwargs)

    def delete_one(self, criteria, **kwargs):
        return self._collection.delete_one(criteria, session=self._session, **kwargs)

    def delete_many(self, criteria, **kwargs):
        return self._collection.delete_many(criteria, session=self._session, **kwargs)

    def find_one_and_update(self, criteria, update, **kwargs):
        return self._collection.find_one_and_update(criteria, update, session=self._session,
                                                    **kwargs)

    def count_documents(self, criteria, **kwargs):
        return self._collection.count_documents(criteria, session=self._session, **kwargs)

    def bulk_write(self, requests, **kwargs):
        return self._collection.bulk_write(requests, session=self._session, **kwargs)

    def aggregate(self, pipeline, **kwargs):
        return self._collection.aggregate(pipeline, session=self._session, **kwargs)

    def distinct(self, key, criteria=None, **kwargs):
        return self._collection.distinct(key, criteria, session=self._session, **kwargs)


class Repository:
    """A repository bound to a unit of work; subclasses reach their collections through
    `self.collection(name)`, which carries the unit of work's transaction."""

    def __init__(self, uow: "UnitOfWork"):
        self.uow = uow

    def collection(self, name: str) -> BoundCollection:
        return self.uow.collection(name)


class UnitOfWork:
    """Repositories bound to one transaction (or to none), the moment it runs at, and `emit`.

    Subclasses set `repositories` ({attribute: Repository subclass}); `indexes` ({collection:
    [IndexModel]}) are created when the service starts, `retired_indexes` ({collection: [name]})
    dropped then; `seed(uow)`, if set, stores the
    reference data a first start needs (it must be idempotent).
    """

    repositories: dict[str, type[Repository]] = {}
    indexes: dict = {}
    # {collection: [index name]}: indexes earlier versions made that no query uses any more
    # (each still costs every write); dropped when the service starts.
    retired_indexes: dict = {}
    seed: Callable | None = None
    writer: int | None = None  # the process's writer running its transaction (shared.storage)

    def __init__(self, db, session=None, *, source: str, cause: Envelope | None = None,
                 now: datetime | None = None, cipher=None, config: dict | None = None):
        self.db = db
        self.session = session
        self.source = source
        self.cause = cause
        self.now = now or clock.now()
        self.cipher = cipher
        self.config = config or {}
        self.events: list[Envelope] = []
        for name, repository in self.repositories.items():
            setattr(self, name, repository(self))

    @property
    def changes(self) -> bool:
        """Whether this unit of work may write (it runs in a transaction)."""
        return self.session is not None

    def collection(self, name: str) -> BoundCollection:
        return BoundCollection(self.db[name], self.session)

    def emit(self, event_type: EventType, data: dict) -> Envelope:
        if event_type.source != self.source:
            raise ValueError(f"{self.source} cannot publish {event_type.key}")
        envelope = Envelope.new(event_type, data, cause=self.cause)
        self.events.append(envelope)
        return envelope

    def collect(self, aggregate) -> None:
        """The events an aggregate's last changes caused, into the outbox of this unit."""
        for event_type, data in aggregate.events:
            self.emit(event_type, data)
        aggregate.events = []

    def next_number(self, name: str) -> int:
        """The next of a sequence (a day's work-order numbers, say), allocated outside the
        transaction: concurrent commands never wait on the counter, and a crashed one cannot
        hold it. A number taken by a command that then fails is skipped, never reused."""
        for _ in range(10):
            try:
                counter = self.db[COUNTERS].find_one_and_update(
                    {"_id": name}, {"$inc": {"seq": 1}}, upsert=True,
                    return_document=ReturnDocument.AFTER)
            except DuplicateKeyError:  # two first numbers of a sequence at once: one won
                continue
            # SecantusDB has been seen to answer nothing to the loser of that race instead.
            if counter is not None:
                return counter["seq"]
        raise RuntimeError(f"no next number of {name} after ten tries")
