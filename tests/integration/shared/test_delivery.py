"""The foundation's promises, against the real broker and database:

nothing is lost (a state change and its events commit together, and events written just before
a crash are published after it), nothing happens twice (a repeated event has one effect), and
what cannot be processed ends in the service's dead-letter queue with the reason, while the
service keeps working.
"""
from datetime import timedelta

import kombu
import pytest
from marshmallow import fields
from nameko.exceptions import MethodNotFound

from shared import clock
from shared.envelope import Envelope
from shared.errors import InternalError, ValidationFailed
from shared.events import EventType
from shared.messaging import dead_letter_queue, handle_event, rpc
from shared.schemas import Schema
from shared.storage import MongoStore
from shared.unit_of_work import UnitOfWork, command
from tests.conftest import wait_until


class EntryRecorded(Schema):
    entry_id = fields.String(required=True)
    amount = fields.Integer(required=True)


ENTRY_RECORDED = EventType("ledgertest", "entry_recorded", EntryRecorded, "测试事件")


@command
def record_entry(uow, entry_id, amount, fail_after_emit):
    uow.collection("entries").insert_one({"_id": entry_id, "amount": amount})
    uow.emit(ENTRY_RECORDED, {"entry_id": entry_id, "amount": amount})
    if fail_after_emit:
        raise ValidationFailed("故意失败", fields={"amount": ["测试"]})


@command
def add_to_total(uow, amount):
    uow.collection("totals").update_one({"_id": "sum"}, {"$inc": {"amount": amount, "count": 1}},
                                        upsert=True)


class Ledger:
    """A producer: writes an entry and emits an event about it."""
    name = "ledgertest"
    store = MongoStore(UnitOfWork)

    @rpc
    def record(self, entry_id, amount, fail_after_emit=False):
        self.store.run(record_entry, entry_id, amount, fail_after_emit)
        return entry_id

    @rpc
    def explode(self):
        raise RuntimeError("something internal that callers must not see")


class Tally:
    """A consumer: adds up entries; a negative amount is a poison event."""
    name = "tallytest"
    store = MongoStore(UnitOfWork)

    @handle_event(ENTRY_RECORDED)
    def add_entry(self, event):
        # Counted outside the transaction on purpose: it shows how often the handler ran.
        self.store.db.attempts.update_one({"_id": event.event_id}, {"$inc": {"n": 1}},
                                          upsert=True)
        if event.data["amount"] < 0:
            raise RuntimeError("negative amounts cannot be tallied")

        self.store.run(add_to_total, event.data["amount"])


def total(service_db):
    return service_db("tallytest").totals.find_one({"_id": "sum"}) or {"amount": 0, "count": 0}


def test_a_change_and_its_event_commit_together_or_not_at_all(start_service, rpc, service_db):
    start_service(Ledger)
    with pytest.raises(ValidationFailed) as failed:
        rpc.ledgertest.record("e1", 5, fail_after_emit=True)
    assert failed.value.fields == {"amount": ["测试"]}
    db = service_db("ledgertest")
    assert db.entries.count_documents({}) == 0
    assert db.outbox.count_documents({}) == 0

    rpc.ledgertest.record("e2", 5)
    assert db.entries.count_documents({}) == 1
    assert wait_until(lambda: db.outbox.count_documents({"pending": True}) == 0
                      and db.outbox.count_documents({}) == 1)


def test_events_written_before_a_crash_are_published_after_it(
        start_service, rpc, service_db, event_tap):
    tap = event_tap("ledgertest")
    db = service_db("ledgertest")
    # Another (dead) process holds the relay lease: this one writes but cannot publish yet,
    # exactly the window between a write and its publish.
    db.outbox_lease.insert_one({"_id": "ledgertest-relay", "owner": "crashed-process",
                                "expires_at": clock.now() + timedelta(minutes=5)})
    first = start_service(Ledger)
    for n in range(3):
        rpc.ledgertest.record(f"e{n}", n)
    first.kill()  # the crash: three events are stored, none published
    assert db.outbox.count_documents({"pending": True}) == 3
    assert tap.types(wait_quiet=False) == []  # its relay cannot publish: no lease

    db.outbox_lease.delete_many({})  # the lease lapses
    start_service(Ledger)
    for n in range(3):
        tap.wait_for("entry_recorded", lambda data, n=n: data["entry_id"] == f"e{n}")
    assert [b["data"]["entry_id"] for b in tap.seen] == ["e0", "e1", "e2"]  # stored order
    assert wait_until(lambda: db.outbox.count_documents({"pending": True}) == 0)


def test_a_repeated_event_has_one_effect(start_service, service_db, publish_event):
    start_service(Tally)
    event = Envelope.new(ENTRY_RECORDED, {"entry_id": "e1", "amount": 7})
    for _ in range(5):
        publish_event(ENTRY_RECORDED, None, envelope=event)
    publish_event(ENTRY_RECORDED, {"entry_id": "e2", "amount": 1})
    wait_until(lambda: total(service_db)["count"] == 2)
    wait_until(lambda: service_db("tallytest").attempts.find_one({"_id": event.event_id})
               ["n"] == 5, message="all five copies handled")
    assert total(service_db) == {"_id": "sum", "amount": 8, "count": 2}
    assert service_db("tallytest").inbox.count_documents({}) == 2


def test_a_poison_event_is_retried_then_dead_lettered_with_the_reason(
        start_service, service_db, publish_event, queue_messages):
    start_service(Tally)  # EVENT_MAX_ATTEMPTS is 3 in tests
    poison = publish_event(ENTRY_RECORDED, {"entry_id": "bad", "amount": -1})
    dead = queue_messages(dead_letter_queue("tallytest"))
    assert len(dead) == 1
    headers = dead[0].headers
    assert "negative amounts cannot be tallied" in headers["x-dead-letter-reason"]
    assert headers["x-original-queue"] == \
        "evt-ledgertest-entry_recorded--tallytest.add_entry"
    assert headers["x-xiuhua-attempts"] == 3
    assert dead[0].payload["event_id"] == poison.event_id
    assert service_db("tallytest").attempts.find_one({"_id": poison.event_id})["n"] == 3
    # The service is still up and the next event is tallied.
    publish_event(ENTRY_RECORDED, {"entry_id": "good", "amount": 2})
    wait_until(lambda: total(service_db)["count"] == 1)


def publish_raw(service_config, exchange, routing_key, body, **properties):
    with kombu.Connection(service_config["AMQP_URI"]) as connection:
        producer = connection.Producer()
        producer.publish(body, exchange=exchange, routing_key=routing_key, **properties)


def test_malformed_and_undecodable_events_are_dead_lettered_at_once(
        start_service, service_config, service_db, publish_event, queue_messages):
    start_service(Tally)
    exchange = kombu.Exchange("ledgertest.events", type="topic", durable=True)
    publish_raw(service_config, exchange, "entry_recorded", {"not": "an envelope"},
                serializer="json")
    publish_raw(service_config, exchange, "entry_recorded", b"{this is not json",
                content_type="application/json", content_encoding="utf-8")
    dead = queue_messages(dead_letter_queue("tallytest"), expected=2)
    reasons = sorted(m.headers["x-dead-letter-reason"] for m in dead)
    assert reasons[0].startswith("事件信封无效") and reasons[1].startswith("无法解码的消息")
    publish_event(ENTRY_RECORDED, {"entry_id": "good", "amount": 3})
    wait_until(lambda: total(service_db)["count"] == 1)


def test_an_rpc_request_without_reply_to_is_dead_lettered_and_the_service_answers_on(
        start_service, service_config, rpc, queue_messages):
    start_service(Ledger)
    publish_raw(service_config, kombu.Exchange("nameko-rpc", type="topic", durable=True),
                "ledgertest.record", {"args": [], "kwargs": {"entry_id": "x", "amount": 1}},
                serializer="json")
    dead = queue_messages(dead_letter_queue("ledgertest"))
    assert dead[0].headers["x-dead-letter-reason"] == "RPC 请求缺少 reply_to,无法回复"
    assert rpc.ledgertest.record("after", 1) == "after"


def test_unexpected_errors_leave_the_service_typed_and_without_detail(start_service, rpc):
    start_service(Ledger)
    with pytest.raises(InternalError) as failed:
        rpc.ledgertest.explode()
    assert failed.value.code == "INTERNAL_ERROR"
    assert "internal" not in failed.value.message
    with pytest.raises(MethodNotFound):  # nameko's own errors stay nameko's
        rpc.ledgertest.no_such_method()
