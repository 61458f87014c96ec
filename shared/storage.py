"""The MongoDB dependency: the one place a service's workers touch their database.

Each service owns one database (`<MONGO_DB_PREFIX><service name>`) and the collections in it;
no service opens another's. `MongoStore` connects, creates the service's indexes (and those of
its outbox and inbox) when the service starts, runs the outbox relay, and hands every worker a
`Store`.

Every change goes through `Store.transaction(work)`: `work(tx)` runs in one multi-document
transaction, and whatever it emits with `tx.emit(...)` is stored in the outbox in that same
transaction. When the worker is an event handler, the transaction also records the event in the
inbox, so an event that arrives again does nothing (EventAlreadyApplied ends the worker quietly).
"""
from __future__ import annotations

import contextlib
import logging

import eventlet
import eventlet.semaphore

from nameko.extensions import DependencyProvider
from pymongo import ASCENDING, IndexModel, MongoClient
from pymongo.errors import DuplicateKeyError

from shared import clock
from shared.envelope import Envelope
from shared.events import EventType
from shared.outbox import OUTBOX_INDEXES, Outbox, OutboxRelay

log = logging.getLogger(__name__)

INBOX = "inbox"
INBOX_INDEXES = {
    # The unique _id (handler + event id) is what makes a repeated event a no-op; entries expire
    # long after any redelivery could still arrive.
    INBOX: [IndexModel([("applied_at", ASCENDING)], name="inbox_expiry",
                       expireAfterSeconds=90 * 24 * 3600)],
}


class EventAlreadyApplied(Exception):
    """This handler has already applied this event; the repeat is acknowledged and ignored."""


def database_name(config: dict, service_name: str) -> str:
    return f"{config.get('MONGO_DB_PREFIX', 'xiuhua_')}{service_name}"


class Transaction:
    """What a unit of work sees: the database and session to write through, and `emit`."""

    def __init__(self, db, session, source: str, cause: Envelope | None):
        self.db = db
        self.session = session
        self.source = source
        self.cause = cause
        self.events: list[Envelope] = []

    def emit(self, event_type: EventType, data: dict) -> Envelope:
        if event_type.source != self.source:
            raise ValueError(f"{self.source} cannot publish {event_type.key}")
        envelope = Envelope.new(event_type, data, cause=self.cause)
        self.events.append(envelope)
        return envelope


class Store:
    def __init__(self, provider: "MongoStore", consumed: Envelope | None, handler: str | None):
        self._provider = provider
        self.db = provider.db
        self._consumed = consumed
        self._handler = handler
        self._used = False

    def outbox_backlog(self) -> int:
        return self._provider.outbox.backlog()

    def transaction(self, work):
        """Run `work(tx)` atomically; retried as a whole on transient conflicts, so `work`
        must read what it needs inside and do nothing outside the database."""
        if self._consumed is not None:
            # One transaction per event: the inbox mark and the effect commit together.
            if self._used:
                raise RuntimeError("an event handler may run one transaction per event")
            self._used = True
        provider = self._provider
        last = {}

        def attempt(session):
            tx = Transaction(self.db, session, provider.container.service_name, self._consumed)
            if self._consumed is not None:
                try:
                    self.db[INBOX].insert_one(
                        {"_id": f"{self._handler}|{self._consumed.event_id}",
                         "event_type": f"{self._consumed.source}.{self._consumed.type}",
                         "applied_at": clock.now()}, session=session)
                except DuplicateKeyError:
                    raise EventAlreadyApplied(self._consumed.event_id) from None
            result = work(tx)
            provider.outbox.append(session, tx.events)
            last["events"] = tx.events
            return result

        with provider.writing():
            with provider.client.start_session() as session:
                result = session.with_transaction(attempt)
        if last.get("events"):
            provider.relay.wake()
        return result


class MongoStore(DependencyProvider):
    def __init__(self, indexes: dict[str, list[IndexModel]] | None = None, seed=None):
        self.indexes = indexes or {}
        self.seed = seed  # seed(db): reference data a first start needs; must be idempotent

    def setup(self):
        config = self.container.config
        service_name = self.container.service_name
        self.client = MongoClient(
            config["MONGO_URI"], tz_aware=True, appname=service_name,
            serverSelectionTimeoutMS=int(config.get("MONGO_TIMEOUT_MS", 5000)))
        self.db = self.client[database_name(config, service_name)]
        self.outbox = Outbox(self.db)
        # Transactions of one process run TRANSACTION_CONCURRENCY at a time (default 1). A
        # service's transactions mostly write the same few documents (the day's number counter,
        # statistics buckets); run together, MongoDB aborts all but one with a write conflict
        # and each retries from the start, so concurrency only multiplies the work.
        self._writers = eventlet.semaphore.Semaphore(
            max(1, int(config.get("TRANSACTION_CONCURRENCY") or 1)))
        self._writing: set = set()
        self.relay = OutboxRelay(self.db, config["AMQP_URI"], name=f"{service_name}-relay",
                                 poll_interval=float(config.get("OUTBOX_POLL_SECONDS", 1.0)),
                                 gather=float(config.get("OUTBOX_GATHER_SECONDS", 0.02)),
                                 ssl=config.get("AMQP_SSL"))
        # Here and not in start(): nameko starts all extensions at once, so consumers would
        # begin handling a waiting backlog before the unique indexes and reference data exist.
        # Every setup() has finished before any extension starts.
        ensure_indexes(self.db, {**self.indexes, **OUTBOX_INDEXES, **INBOX_INDEXES})
        if self.seed is not None:
            self.seed(self.db)

    @contextlib.contextmanager
    def writing(self):
        me = eventlet.getcurrent()
        if me in self._writing:  # already inside a transaction of this worker
            yield
            return
        with self._writers:
            self._writing.add(me)
            try:
                yield
            finally:
                self._writing.discard(me)

    def start(self):
        self.relay.start(self.container.spawn_managed_thread)

    def stop(self):
        self.relay.stop()
        self.client.close()

    def kill(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        from shared.messaging import EventSubscriber  # one-way: messaging knows nothing of us

        entrypoint = worker_ctx.entrypoint
        if isinstance(entrypoint, EventSubscriber):
            handler = f"{self.container.service_name}.{entrypoint.method_name}"
            return Store(self, consumed=worker_ctx.args[0], handler=handler)
        return Store(self, consumed=None, handler=None)


def ensure_indexes(db, indexes: dict[str, list[IndexModel]]) -> None:
    for collection, models in indexes.items():
        if models:
            db[collection].create_indexes(models)


def count(collection, criteria: dict) -> int:
    """A list's total. With no filter, the collection's own count, which MongoDB keeps in its
    metadata: counting the matches of an empty filter reads every document."""
    if not criteria:
        return collection.estimated_document_count()
    return collection.count_documents(criteria)
