"""Foundation promises found wanting by the fault tests, each shown in a nameko container on
the real broker and SecantusDB."""
from __future__ import annotations

import time

from marshmallow import fields
from pymongo import ASCENDING, IndexModel

from shared import topology
from shared.events import EventType
from shared.messaging import handle_event
from shared.schemas import Schema
from shared.storage import MongoStore
from shared.unit_of_work import UnitOfWork, command
from tests.conftest import wait_until


class ThingHappened(Schema):
    key = fields.String(required=True)


THING_HAPPENED = EventType("startsource", "thing_happened", ThingHappened, "测试事件")


@command
def slow_seed(uow):
    time.sleep(1.5)  # reference data takes a while to load (cooperative under eventlet)
    uow.collection("reference").update_one({"_id": "categories"}, {"$set": {"loaded": True}},
                                           upsert=True)


class StartUnitOfWork(UnitOfWork):
    indexes = {"things": [IndexModel([("key", ASCENDING)], name="one_key", unique=True)]}
    seed = slow_seed


@command
def take_note(uow, key, seen):
    uow.collection("notes").insert_one({"_id": key, **seen})


class Restarted:
    """A consumer that finds a backlog waiting when it starts, as after a crash or a deploy."""
    name = "starttest"
    store = MongoStore(StartUnitOfWork)

    @handle_event(THING_HAPPENED)
    def note(self, event):
        db = self.store.db
        seen = {"seeded": db.reference.count_documents({"loaded": True}) == 1,
                "indexed": "one_key" in db.things.index_information()}
        self.store.run(take_note, event.data["key"], seen)


def test_a_backlog_is_handled_only_after_indexes_and_reference_data_are_in_place(
        start_service, service_config, service_db, publish_event):
    topology.declare(service_config["AMQP_URI"], [Restarted])
    for n in range(5):
        publish_event(THING_HAPPENED, {"key": f"k{n}"})
    start_service(Restarted)
    notes = service_db("starttest").notes
    wait_until(lambda: notes.count_documents({}) == 5, timeout=30)
    assert list(notes.find({"$or": [{"seeded": False}, {"indexed": False}]})) == []
