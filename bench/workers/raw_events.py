"""The raw ceiling of the event path: kombu consume + the same MongoDB transaction as the
volunteer service's `open_follow_up_visit` handler, with no nameko, no envelope checking and no
domain objects.

Per message, in one transaction, exactly the handler's operations on the same collections and
indexes: the inbox mark (unique _id), the look-up of an existing visit by source key, the
look-up of open visits of the work order, the day's shift number (taken outside the
transaction, as the service takes it), the read of the list's time window, the shift's two
total counters, the shift document (the same shape, made once by the domain from a sample and
copied) and its event in the outbox.
Then the message is acknowledged. One consumer, sequential, with a prefetch window.

    python -m bench.workers.raw_events --db NAME --prefetch 100
"""
from __future__ import annotations

import argparse
import copy
import os
import random
import signal

import kombu
from pymongo import MongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError

from bench.events import RAW_EXCHANGE, RAW_QUEUE
from services.volunteer import sources
from services.volunteer.repositories import INDEXES
from services.volunteer.shifts import Shift
from services.volunteer.unit_of_work import VolunteerUnitOfWork
from shared import clock
from shared.envelope import Envelope
from shared.outbox import OUTBOX_INDEXES
from shared.storage import INBOX_INDEXES, ensure_indexes


def templates():
    """A shift document and its outbox entry, made once by the real domain code."""
    sample = {"number": "WO0", "state": "completed", "category": "street_light",
              "community": "浚河社区", "alley": "新宇巷", "actor_name": "供电班组",
              "address": "新宇巷49号院门口", "department_code": "power",
              "completed_at": clock.iso(clock.now()), "on_time": True, "quantities": [],
              "reporter_name": "张清松", "reporter_phone_masked": "138****5678"}
    actor = {"id": "repair", "name": "供电班组", "role": "system"}
    shift = Shift.open("S0", sources.follow_up_visit_shift(sample), actor, clock.now())
    [(event_type, data)] = shift.events
    envelope = Envelope.new(event_type, data)
    outbox = {"event_id": envelope.event_id, "source": envelope.source, "type": envelope.type,
              "body": envelope.to_message(), "pending": True}
    shifts = VolunteerUnitOfWork(None, source="volunteer").shifts
    return shifts.to_document(shift), outbox


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--prefetch", type=int, default=100)
    args = parser.parse_args()
    client = MongoClient(os.environ["MONGO_URI"], tz_aware=True)
    db = client[args.db]
    ensure_indexes(db, {**INDEXES, **OUTBOX_INDEXES, **INBOX_INDEXES})
    shift_template, outbox_template = templates()

    def apply(body: dict) -> None:
        data, event_id = body["data"], body["event_id"]
        number = data["number"]
        key = f"work_order:{number}:{data['completed_at']}"
        at = clock.now()

        def work(session):
            try:
                db.inbox.insert_one({"_id": f"raw.open_follow_up_visit|{event_id}",
                                     "event_type": "repair.work_order_completed",
                                     "applied_at": at}, session=session)
            except DuplicateKeyError:
                return
            if db.shifts.find_one({"source_key": key}, session=session):
                return
            list(db.shifts.find({"source.work_order_number": number, "state": "open"},
                                session=session))
            day = clock.local_date(at).strftime("%Y%m%d")
            # The day's number is taken outside the transaction, as the service takes it.
            seq = db.counters.find_one_and_update(
                {"_id": f"S{day}"}, {"$inc": {"seq": 1}}, upsert=True,
                return_document=ReturnDocument.AFTER)["seq"]
            # The list's time window (read once per transaction, as the service does) and
            # the shift's totals: one counter of its community, kind and state, one of all
            # shifts, each on one of its shards.
            db.extents.find_one({"_id": "shifts"}, session=session)
            combination = (data["community"], shift_template["kind"], shift_template["state"])
            shard = random.randrange(8)
            db.shift_tallies.update_one(
                {"_id": "|".join(map(str, (*combination, shard)))},
                {"$inc": {"n": 1}, "$setOnInsert": {
                    **dict(zip(("community", "kind", "state"), combination)), "shard": shard}},
                upsert=True, session=session)
            shard = random.randrange(8)
            db.shift_tallies.update_one(
                {"_id": f"*|{shard}"}, {"$inc": {"n": 1}, "$setOnInsert": {"shard": shard}},
                upsert=True, session=session)
            shift = copy.deepcopy(shift_template)
            shift.update({"_id": f"S{day}{seq:04d}", "source_key": key,
                          "title": f"工单回访:{number}", "community": data["community"],
                          "created_at": at, "updated_at": at})
            shift["source"]["work_order_number"] = number
            db.shifts.insert_one(shift, session=session)
            entry = copy.deepcopy(outbox_template)
            entry.update({"event_id": f"{event_id}-shift", "stored_at": at})
            db.outbox.insert_many([entry], session=session)

        with client.start_session() as session:
            session.with_transaction(work)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    exchange = kombu.Exchange(RAW_EXCHANGE, type="topic", durable=True)
    queue = kombu.Queue(RAW_QUEUE, exchange, routing_key="work_order_completed", durable=True)
    with kombu.Connection(os.environ["AMQP_URI"], heartbeat=0) as connection:
        channel = connection.channel()
        queue(channel).declare()

        def on_message(body, message):
            apply(body)
            message.ack()

        with kombu.Consumer(channel, [queue], callbacks=[on_message], accept=["json"],
                            prefetch_count=args.prefetch):
            while not stopping:
                try:
                    connection.drain_events(timeout=0.5)
                except TimeoutError:
                    pass
    client.close()


if __name__ == "__main__":
    main()
