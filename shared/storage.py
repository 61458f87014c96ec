"""The MongoDB dependency: the one place a service's workers touch their database.

Each service owns one database (`<MONGO_DB_PREFIX><service name>`) and the collections in it;
no service opens another's. `MongoStore(UnitOfWorkClass)` connects, creates the service's
indexes (and those of its outbox, inbox and command log) when the service starts, runs the
outbox relay, and hands every worker a `Store` whose `run(handler, ...)` runs one of the
service's handler functions (shared.unit_of_work):

- a `@query` outside any transaction;
- a `@command` in one multi-document transaction, together with the events it emits (the
  outbox) and, when the worker handles an event, the inbox mark that makes a repeated event
  do nothing;
- a `@command` called over RPC is also recorded under its command id — the caller's
  (`Idempotency-Key` through the gateway) or else the request's own correlation id — with its
  answer, in the same transaction: a request carried out and then redelivered (the process
  died before replying) or sent again by a client returns the stored answer instead of
  happening twice.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import random

import eventlet
import eventlet.semaphore

from kombu.utils import json as kombu_json
from nameko.extensions import DependencyProvider
from pymongo import ASCENDING, IndexModel, MongoClient
from pymongo.errors import DuplicateKeyError

from shared import clock
from shared.envelope import Envelope
from shared.errors import ValidationFailed
from shared.outbox import OUTBOX_INDEXES, Outbox, OutboxRelay
from shared.personal_data import Cipher
from shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

INBOX = "inbox"
COMMANDS = "commands"
COMMAND_ID = "command_id"  # the worker context's key (nameko header `nameko.command_id`)
INBOX_INDEXES = {
    # The unique _id (handler + event id) is what makes a repeated event a no-op; entries expire
    # long after any redelivery could still arrive.
    INBOX: [IndexModel([("applied_at", ASCENDING)], name="inbox_expiry",
                       expireAfterSeconds=90 * 24 * 3600)],
}


def command_indexes(retention_days: float) -> dict:
    # A command's answer is kept for as long as a client or the broker may still repeat it.
    return {COMMANDS: [IndexModel([("at", ASCENDING)], name="command_expiry",
                                  expireAfterSeconds=int(retention_days * 24 * 3600))]}


class EventAlreadyApplied(Exception):
    """This handler has already applied this event; the repeat is acknowledged and ignored."""


class CommandAlreadyApplied(Exception):
    """This command has already been carried out; its stored answer is returned instead."""


def database_name(config: dict, service_name: str) -> str:
    return f"{config.get('MONGO_DB_PREFIX', 'xiuhua_')}{service_name}"


class Store:
    """What a worker is given: `run(handler, ...)` runs a handler function of the service
    against its database (see shared.unit_of_work)."""

    def __init__(self, provider: "MongoStore", consumed: Envelope | None, handler: str | None,
                 context: dict | None = None):
        self._provider = provider
        self.db = provider.db
        self._consumed = consumed
        self._handler = handler
        self._command_id = (context or {}).get(COMMAND_ID)
        self._transactions = 0

    def outbox_backlog(self) -> int:
        return self._provider.outbox.backlog()

    def transaction_counts(self) -> dict:
        return dict(self._provider.transactions or {"run": 0, "retried": 0})

    def unit_of_work(self, session=None, now=None) -> UnitOfWork:
        provider = self._provider
        return provider.unit_of_work_class(
            self.db, session, source=provider.container.service_name, cause=self._consumed,
            now=now, cipher=provider.cipher, config=provider.container.config)

    def run(self, handler, *args, **kwargs):
        """A query runs outside any transaction; a command in one transaction, once."""
        changes = getattr(handler, "changes", None)
        if changes is None:
            raise TypeError(f"{handler.__qualname__} is neither a @command nor a @query")
        if not changes:
            return handler(self.unit_of_work(), *args, **kwargs)
        return self._command(handler, args, kwargs)

    def _command(self, handler, args, kwargs):
        self._transactions += 1
        key = (f"{self._command_id}|{self._transactions}" if self._command_id and
               self._consumed is None and getattr(handler, "remember", True) else None)
        fingerprint = _fingerprint(handler, args, kwargs) if key else None
        now = clock.now()

        def work(session, uow):
            if key is not None:
                try:
                    self.db[COMMANDS].insert_one(
                        {"_id": key, "handler": fingerprint["handler"],
                         "fingerprint": fingerprint["digest"], "at": now}, session=session)
                except DuplicateKeyError:
                    raise CommandAlreadyApplied(key) from None
            result = handler(uow, *args, **kwargs)
            if key is not None:
                self.db[COMMANDS].update_one(
                    {"_id": key}, {"$set": {"result": kombu_json.dumps(result)}},
                    session=session)
            return result

        try:
            return self._in_transaction(work, now)
        except CommandAlreadyApplied:
            return self._stored_answer(key, fingerprint)

    def _stored_answer(self, key: str, fingerprint: dict):
        stored = self.db[COMMANDS].find_one({"_id": key})
        if stored["fingerprint"] != fingerprint["digest"]:
            raise ValidationFailed(
                "该幂等键(Idempotency-Key)已用于另一个不同的请求,请为新请求使用新的键",
                fields={"Idempotency-Key": ["已用于另一个不同的请求。"]},
                code="IDEMPOTENCY_KEY_REUSED")
        log.info("command %s repeated: answered from the stored result", key)
        return kombu_json.loads(stored["result"])

    def _in_transaction(self, work, now):
        """`work(session, uow)` in one transaction, retried as a whole on transient conflicts,
        with the inbox mark of the event being handled and the events it emits."""
        if self._consumed is not None:
            # One transaction per event: the inbox mark and the effect commit together.
            if self._used_by_event:
                raise RuntimeError("an event handler may run one transaction per event")
            self._used_by_event = True
        provider = self._provider
        last = {"attempts": 0}

        def attempt(session):
            last["attempts"] += 1
            uow = self.unit_of_work(session, now)
            uow.writer = writer
            if self._consumed is not None:
                try:
                    self.db[INBOX].insert_one(
                        {"_id": f"{self._handler}|{self._consumed.event_id}",
                         "event_type": f"{self._consumed.source}.{self._consumed.type}",
                         "applied_at": clock.now()}, session=session)
                except DuplicateKeyError:
                    raise EventAlreadyApplied(self._consumed.event_id) from None
            result = work(session, uow)
            provider.outbox.append(session, uow.events)
            last["events"] = uow.events
            return result

        with provider.writing() as writer:
            with provider.client.start_session() as session:
                try:
                    result = session.with_transaction(attempt)
                finally:
                    provider.count_transaction(last["attempts"])
        if last.get("events"):
            provider.relay.wake()
        return result

    _used_by_event = False


def _fingerprint(handler, args, kwargs) -> dict:
    body = kombu_json.dumps({"args": args, "kwargs": kwargs}, sort_keys=True)
    return {"handler": f"{handler.__module__}.{handler.__qualname__}",
            "digest": hashlib.sha256(f"{handler.__qualname__}|{body}".encode()).hexdigest()}


class MongoStore(DependencyProvider):
    def __init__(self, unit_of_work: type[UnitOfWork]):
        if not (isinstance(unit_of_work, type) and issubclass(unit_of_work, UnitOfWork)):
            raise TypeError("MongoStore takes the service's UnitOfWork subclass")
        self.unit_of_work_class = unit_of_work

    def setup(self):
        config = self.container.config
        service_name = self.container.service_name
        self.client = MongoClient(
            config["MONGO_URI"], tz_aware=True, appname=service_name,
            serverSelectionTimeoutMS=int(config.get("MONGO_TIMEOUT_MS", 5000)))
        self.db = self.client[database_name(config, service_name)]
        self.cipher = Cipher(config["PII_KEY"]) if config.get("PII_KEY") else None
        self.outbox = Outbox(self.db)
        # Transactions of one process run TRANSACTION_CONCURRENCY at a time (default 4). The
        # common write path has no hot document (numbers are taken outside the transaction,
        # statistics and tallies are spread over shards, one per writer, extents are seldom
        # written), so transactions run together seldom conflict; `health` counts those that
        # had to retry.
        concurrency = max(1, int(config.get("TRANSACTION_CONCURRENCY") or 4))
        self._writers = eventlet.semaphore.Semaphore(concurrency)
        # Each transaction running at once has a writer number of its own, and counters spread
        # over shards take the writer's shard (shared.unit_of_work.shard_of): the transactions
        # of one process never meet on a figure bucket or a tally, as random shards did
        # (several of four at once mostly met on one). Another process starts elsewhere.
        first = random.randrange(1 << 16)
        self._free_writers = [first + n for n in range(concurrency)]
        self._writing: dict = {}  # greenthread -> its writer number
        self.relay = OutboxRelay(self.db, config["AMQP_URI"], name=f"{service_name}-relay",
                                 poll_interval=float(config.get("OUTBOX_POLL_SECONDS", 1.0)),
                                 gather=float(config.get("OUTBOX_GATHER_SECONDS", 0.02)),
                                 gather_max=float(config.get("OUTBOX_GATHER_MAX_SECONDS", 0.1)),
                                 ssl=config.get("AMQP_SSL"))
        # Here and not in start(): nameko starts all extensions at once, so consumers would
        # begin handling a waiting backlog before the unique indexes and reference data exist.
        # Every setup() has finished before any extension starts.
        retention = float(config.get("COMMAND_RETENTION_DAYS") or 7)
        ensure_indexes(self.db, {**self.unit_of_work_class.indexes, **OUTBOX_INDEXES,
                                 **INBOX_INDEXES, **command_indexes(retention)})
        drop_indexes(self.db, self.unit_of_work_class.retired_indexes)
        if self.unit_of_work_class.seed is not None:
            Store(self, None, None).run(self.unit_of_work_class.seed)

    transactions = None

    def count_transaction(self, attempts: int) -> None:
        """Transactions run since the process started, and the attempts that had to start
        again (a write conflict with a concurrent transaction, mostly): `health` shows them."""
        if self.transactions is None:
            self.transactions = {"run": 0, "retried": 0}
        self.transactions["run"] += 1
        self.transactions["retried"] += max(0, attempts - 1)

    @contextlib.contextmanager
    def writing(self):
        """Waits for one of the process's TRANSACTION_CONCURRENCY writers; yields its number."""
        me = eventlet.getcurrent()
        if me in self._writing:  # already inside a transaction of this worker
            yield self._writing[me]
            return
        with self._writers:
            writer = self._free_writers.pop()
            self._writing[me] = writer
            try:
                yield writer
            finally:
                del self._writing[me]
                self._free_writers.append(writer)

    def start(self):
        self.relay.start(self.container.spawn_managed_thread)

    def stop(self):
        self.relay.stop()
        self.client.close()

    def kill(self):
        self.client.close()

    def get_dependency(self, worker_ctx):
        entrypoint = worker_ctx.entrypoint
        if getattr(entrypoint, "handles_events", False):  # shared.messaging.EventSubscriber
            handler = f"{self.container.service_name}.{entrypoint.method_name}"
            return Store(self, consumed=worker_ctx.args[0], handler=handler)
        return Store(self, consumed=None, handler=None, context=worker_ctx.data)


def ensure_indexes(db, indexes: dict[str, list[IndexModel]]) -> None:
    for collection, models in indexes.items():
        if models:
            db[collection].create_indexes(models)


def drop_indexes(db, retired: dict[str, list[str]]) -> None:
    """Drops the named indexes where they still exist (a start after an upgrade); a start
    that finds them gone does nothing."""
    for collection, names in retired.items():
        present = db[collection].index_information() if names else {}
        for name in names:
            if name in present:
                db[collection].drop_index(name)


def count(collection, criteria: dict) -> int:
    """A list's total. With no filter, the collection's own count, which MongoDB keeps in its
    metadata: counting the matches of an empty filter reads every document."""
    if not criteria:
        return collection.estimated_document_count()
    return collection.count_documents(criteria)
