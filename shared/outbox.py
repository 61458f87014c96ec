"""The outbox: events are stored with the change that caused them, then published.

A service never publishes from inside a worker. Its state change and the events it causes are
written in one MongoDB transaction (`Outbox.append`); a relay thread in every service process
(`OutboxRelay`) then publishes pending events in the order they were stored, waits for the
broker's publisher confirms, and only then marks them published. A crash between the write and
the publish therefore loses nothing: the events are still pending when the service comes back.
A crash after the publish but before the mark publishes them again, which consumers absorb
through their inbox (at-least-once delivery, idempotent effects).

With several processes of one service, a lease lets one relay publish at a time, which keeps the
service's events in their stored order; another process takes over when a lease lapses.

What a relay pass costs the database (the lease, the pending batch, the mark) is shared by the
events of the batch: a holder renews its lease only when half of it has run out, and a relay
woken by a commit gathers for a moment (`OUTBOX_GATHER_SECONDS`, 20 ms) so that a busy service
publishes several events per pass rather than one. While commits keep coming (the next one
wakes the relay within the longest gathering), each pass gathers twice as long as the last, up
to `OUTBOX_GATHER_MAX_SECONDS` (100 ms): under a steady stream a pass carries several events
and its mark costs the database once for all of them; a quiet service's first event still
leaves after 20 ms.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from datetime import timedelta

from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared import broker, clock

log = logging.getLogger(__name__)

OUTBOX = "outbox"
LEASES = "outbox_lease"
PUBLISHED_RETENTION = timedelta(days=7)


def exchange_name(source: str) -> str:
    """nameko's convention, so that `@event_handler` in any nameko service receives them."""
    return f"{source}.events"


OUTBOX_INDEXES = {
    OUTBOX: [
        # Only pending events are in this index, and they are few, so finding the next batch
        # stays cheap however many published events are kept.
        IndexModel([("pending", ASCENDING), ("_id", ASCENDING)], name="pending_in_order",
                   partialFilterExpression={"pending": True}),
        IndexModel([("published_at", ASCENDING)], name="published_expiry",
                   expireAfterSeconds=int(PUBLISHED_RETENTION.total_seconds())),
        IndexModel([("event_id", ASCENDING)], name="event_id", unique=True),
    ],
}


class Outbox:
    def __init__(self, db):
        self.collection = db[OUTBOX]

    def append(self, session, envelopes) -> None:
        if not envelopes:
            return
        stored_at = clock.now()
        self.collection.insert_many([
            {"_id": ObjectId(), "event_id": e.event_id, "source": e.source, "type": e.type,
             "body": e.to_message(), "pending": True, "stored_at": stored_at}
            for e in envelopes], ordered=True, session=session)

    def pending(self, limit: int) -> list[dict]:
        return list(self.collection.find({"pending": True}).sort("_id", ASCENDING).limit(limit))

    def mark_published(self, ids) -> None:
        self.collection.update_many(
            {"_id": {"$in": list(ids)}},
            {"$unset": {"pending": ""}, "$set": {"published_at": clock.now()}})

    def backlog(self) -> int:
        return self.collection.count_documents({"pending": True})


class Lease:
    """Who may relay now: held by one process, renewed while it works, taken over when it
    lapses (a crashed process frees it after `ttl`)."""

    def __init__(self, db, name: str, ttl: timedelta = timedelta(seconds=10)):
        self.collection = db[LEASES]
        self.name = name
        self.ttl = ttl
        self.owner = uuid.uuid4().hex
        self._held_until = None  # when the lease we last took or renewed runs out

    def hold(self) -> bool:
        now = clock.now()
        if self._held_until is not None and now < self._held_until - self.ttl / 2:
            # Ours until it expires, and nobody may take it before: no need to ask yet.
            return True
        self._held_until = None
        try:
            held = self.collection.find_one_and_update(
                {"_id": self.name, "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "expires_at": now + self.ttl}},
                upsert=True, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:  # another live process holds it
            return False
        if held is not None and held["owner"] == self.owner:
            self._held_until = now + self.ttl
            return True
        return False

    def release(self) -> None:
        self._held_until = None
        self.collection.delete_one({"_id": self.name, "owner": self.owner})


class ConfirmingPublisher:
    """Publishes a batch and waits for the broker to confirm every message of it.

    One connection of its own, confirms in batches: the broker acknowledges a whole batch at
    once instead of one round trip per message, which is where publishing spends its time.
    """

    def __init__(self, amqp_uri: str, confirm_timeout: float = 10.0, ssl=None):
        self.amqp_uri = amqp_uri
        self.ssl = ssl  # AMQP_SSL: the same TLS options as nameko's own connections
        self.confirm_timeout = confirm_timeout
        self._connection = None
        self._channel = None
        self._declared = set()

    def _open(self):
        if self._channel is not None:
            return self._channel
        # No heartbeats: this connection is used in short bursts from one thread, and a dead
        # one shows itself at the next publish or confirm wait, which then reconnects.
        # Any node of a cluster will do (AMQP_URI may list several): the first that answers.
        connection = broker.connect(self.amqp_uri, self.ssl, connect_timeout=5)
        channel = connection.channel()
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self._connection, self._channel, self._declared = connection, channel, set()
        self._next_tag, self._acked, self._acked_singly, self._nacked = 1, 0, set(), False
        return channel

    def _on_ack(self, delivery_tag, multiple):
        # The broker confirms either one tag or every tag up to this one (`multiple`).
        if multiple:
            self._acked = max(self._acked, delivery_tag)
        else:
            self._acked_singly.add(delivery_tag)
        while self._acked + 1 in self._acked_singly:
            self._acked += 1
        self._acked_singly = {tag for tag in self._acked_singly if tag > self._acked}

    def _on_nack(self, delivery_tag, multiple):
        self._nacked = True

    def publish_batch(self, messages) -> None:
        """messages: (exchange, routing_key, body: dict, message_id, headers). Raises if the
        broker does not confirm them all."""
        try:
            channel = self._open()
            last_tag = self._next_tag - 1
            for exchange, routing_key, body, message_id, headers in messages:
                if exchange not in self._declared:
                    channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
                    self._declared.add(exchange)
                message = channel.prepare_message(
                    json.dumps(body, ensure_ascii=False).encode("utf-8"),
                    content_type="application/json", content_encoding="utf-8",
                    headers=headers,
                    properties={"delivery_mode": 2, "message_id": message_id})
                channel.basic_publish(message, exchange=exchange, routing_key=routing_key)
                last_tag += 1
            self._next_tag = last_tag + 1
            while self._acked < last_tag and not self._nacked:
                self._connection.drain_events(timeout=self.confirm_timeout)
            if self._nacked:
                raise RuntimeError("broker refused (nack) a published event")
        except Exception:
            self.close()
            raise

    def close(self):
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # already broken; nothing left to release
                pass
        self._connection = self._channel = None


class OutboxRelay:
    def __init__(self, db, amqp_uri: str, name: str, batch_size: int = 200,
                 poll_interval: float = 1.0, gather: float = 0.02, gather_max: float = 0.1,
                 ssl=None):
        self.outbox = Outbox(db)
        self.lease = Lease(db, name)
        self.publisher = ConfirmingPublisher(amqp_uri, ssl=ssl)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.gather = gather
        self.gather_max = max(gather, gather_max)
        self._wakeup = threading.Event()
        self._stopping = False
        self._thread = None

    def start(self, spawn):
        self._thread = spawn(self._run)

    def wake(self):
        self._wakeup.set()

    def stop(self):
        """Publish what is pending now, then stop; whatever stays pending waits in the database
        for the next start."""
        self._stopping = True
        self._wakeup.set()
        if self._thread is not None:
            self._thread.wait()
        self.publisher.close()
        try:
            self.lease.release()
        except Exception:  # the database may be gone; the lease then simply lapses
            pass

    def _run(self):
        failures = 0
        gather = self.gather
        while True:
            stopping = self._stopping
            try:
                published = self.relay_once()
                failures = 0
            except Exception as error:
                failures += 1
                published = 0
                log.warning("outbox relay: %s (retrying)", error)
            if stopping:
                return
            if published >= self.batch_size:
                continue
            delay = self.poll_interval if not failures else min(0.2 * 2 ** failures, 5.0)
            began = time.monotonic()
            woken = self._wakeup.wait(delay)
            gather = (self.next_gather(gather, published, time.monotonic() - began)
                      if woken else self.gather)
            if woken and gather and not self._stopping:
                time.sleep(gather)  # let the commits in flight join this pass
            self._wakeup.clear()

    def next_gather(self, gather: float, published: int, waited: float) -> float:
        """How long a woken pass gathers: twice the last while commits keep coming (the last
        pass published, and the next commit woke the relay within `gather_max`), up to
        `gather_max`; back to `gather` once the relay waited longer than that (a `gather` of 0
        turns gathering off)."""
        if published and waited < self.gather_max and self.gather:
            return min(gather * 2, self.gather_max)
        return self.gather

    def relay_once(self) -> int:
        if not self.lease.hold():
            return 0
        docs = self.outbox.pending(self.batch_size)
        if not docs:
            return 0
        self.publisher.publish_batch(
            (exchange_name(d["source"]), d["type"], d["body"], d["event_id"],
             {"x-event-type": d["type"], "x-event-source": d["source"]})
            for d in docs)
        self.outbox.mark_published(d["_id"] for d in docs)
        return len(docs)
