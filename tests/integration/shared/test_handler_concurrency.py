"""A handler takes the events of its queue one at a time in a process (EVENT_HANDLER_CONCURRENCY,
default 1), however many workers the container has: concurrent transactions of one handler
write the same documents and would abort each other with write conflicts. Waiting events stay
unacknowledged and are all handled."""
import eventlet
from marshmallow import fields

from shared.events import EventType
from shared.messaging import handle_event
from shared.schemas import Schema
from shared.storage import MongoStore
from shared.unit_of_work import UnitOfWork, command
from tests.conftest import wait_until


class Tick(Schema):
    n = fields.Integer(required=True)


TICKED = EventType("tickertest", "ticked", Tick, "测试事件")
IN_FLIGHT = {"now": 0, "most": 0}


@command
def count_tick(uow):
    uow.collection("ticks").update_one({"_id": "day"}, {"$inc": {"n": 1}}, upsert=True)


class Counter:
    name = "countertest"
    store = MongoStore(UnitOfWork)

    @handle_event(TICKED)
    def count(self, event):
        IN_FLIGHT["now"] += 1
        IN_FLIGHT["most"] = max(IN_FLIGHT["most"], IN_FLIGHT["now"])
        try:
            eventlet.sleep(0.02)  # room for another worker to start, were it allowed
            self.store.run(count_tick)
        finally:
            IN_FLIGHT["now"] -= 1


def ticks(service_db):
    return (service_db("countertest").ticks.find_one({"_id": "day"}) or {}).get("n", 0)


def run_ticks(start_service, publish_event, service_db, **config):
    IN_FLIGHT.update(now=0, most=0)
    start_service(Counter, max_workers=10, **config)
    for n in range(12):
        publish_event(TICKED, {"n": n})
    wait_until(lambda: ticks(service_db) == 12, timeout=30, message="every tick counted")
    return IN_FLIGHT["most"]


def test_a_handler_takes_one_event_at_a_time_by_default(start_service, publish_event,
                                                        service_db):
    assert run_ticks(start_service, publish_event, service_db) == 1


def test_the_limit_is_configurable(start_service, publish_event, service_db):
    assert 1 < run_ticks(start_service, publish_event, service_db,
                         EVENT_HANDLER_CONCURRENCY=4) <= 4
