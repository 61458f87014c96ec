"""`quiet()` (tests/quiet.py) waits for work that a fixed pause would miss: a handler still
running, an event waiting in a delay queue for its retry, an event written to an outbox whose
relay has not published it yet. What the tests conclude with "and no more" rests on it."""
from __future__ import annotations

import eventlet
import pytest
from marshmallow import fields

from shared.events import EventType
from shared.messaging import handle_event, rpc
from shared.schemas import Schema
from shared.storage import MongoStore
from shared.unit_of_work import UnitOfWork, command
from tests.quiet import wait_quiet


class Poked(Schema):
    key = fields.String(required=True)


POKED = EventType("quietproducer", "poked", Poked, "测试事件")
ANSWERED = EventType("quietconsumer", "answered", Poked, "测试事件")


@command
def poke(uow, key):
    uow.emit(POKED, {"key": key})


@command
def answer(uow, key):
    uow.collection("answers").insert_one({"_id": key})
    uow.emit(ANSWERED, {"key": key})


class Producer:
    name = "quietproducer"
    store = MongoStore(UnitOfWork)

    @rpc
    def poke(self, key):
        self.store.run(poke, key)


class SlowConsumer:
    """Takes its time with every event; fails the first attempt at a key marked `retry`."""
    name = "quietconsumer"
    store = MongoStore(UnitOfWork)
    failed = set()

    @handle_event(POKED)
    def on_poked(self, event):
        eventlet.sleep(1.5)
        key = event.data["key"]
        if key.startswith("retry") and key not in SlowConsumer.failed:
            SlowConsumer.failed.add(key)
            raise RuntimeError("the first attempt fails")
        self.store.run(answer, key)


def test_quiet_waits_for_a_handler_still_running(start_service, rpc, event_tap, quiet,
                                                  service_db):
    tap = event_tap("quietconsumer")
    start_service(SlowConsumer)
    start_service(Producer)
    rpc.quietproducer.poke("k1")
    look = quiet()
    assert look["workers"] == 0 and look["queues"] == {} and look["outbox_pending"] == 0
    assert service_db("quietconsumer").answers.count_documents({}) == 1
    assert tap.types(wait_quiet=False) == ["answered"]


def test_quiet_waits_for_an_event_in_a_delay_queue(start_service, rpc, event_tap, quiet,
                                                   service_db):
    tap = event_tap("quietconsumer")
    start_service(SlowConsumer, EVENT_RETRY_DELAY=2.0)  # waits 2 s in the delay queue
    start_service(Producer)
    rpc.quietproducer.poke("retry-1")
    assert tap.types() == ["answered"]  # the retry's answer, after the pause
    assert service_db("quietconsumer").answers.count_documents({"_id": "retry-1"}) == 1


class FakeOutboxes:
    def __init__(self):
        self.pending, self.stored = 0, 0

    def count_documents(self, where):
        return self.pending if where else self.stored


class FakeDb:
    def __init__(self, outbox):
        self.outbox = outbox


def test_quiet_is_two_empty_looks_with_no_event_stored_between():
    outbox = FakeOutboxes()
    stored = iter([1, 2, 3, 3])  # a handler stores events between the first looks

    def queues():
        outbox.stored = next(stored)
        return {"svc.handler": 0, "svc.dead-letters": 4, "test-tap-x": 9}
    look = wait_quiet(outboxes=lambda: [FakeDb(outbox)], queues=queues, interval=0)
    assert look["outbox_stored"] == 3  # dead letters and taps are not work


def test_not_quiet_says_what_is_still_busy():
    with pytest.raises(AssertionError) as busy:
        wait_quiet(queues=lambda: {"svc.handler.delay": 1}, workers=lambda: 2, timeout=0.3)
    assert "'svc.handler.delay': 1" in str(busy.value) and "'workers': 2" in str(busy.value)
