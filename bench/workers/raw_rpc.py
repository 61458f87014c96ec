"""The raw request/reply ceiling: kombu on both sides, no nameko.

    python -m bench.workers.raw_rpc serve --db NAME
        answers {"number": …} on the queue `bench-raw-rpc` with the work order read by the
        same `find_one` as repair's `get_work_order`, as JSON, to `reply_to`; one consumer,
        sequential.
"""
from __future__ import annotations

import argparse
import json
import os
import signal

import kombu
from pymongo import MongoClient

QUEUE = "bench-raw-rpc"


def serve(db_name: str) -> None:
    client = MongoClient(os.environ["MONGO_URI"], tz_aware=True)
    orders = client[db_name].work_orders
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    with kombu.Connection(os.environ["AMQP_URI"], heartbeat=0) as connection:
        channel = connection.channel()
        queue = kombu.Queue(QUEUE, durable=False, auto_delete=True)
        producer = kombu.Producer(channel)

        def on_request(body, message):
            doc = orders.find_one({"_id": body["number"]})
            producer.publish(json.dumps({"result": doc, "error": None}, default=str),
                             routing_key=message.properties["reply_to"],
                             correlation_id=message.properties["correlation_id"],
                             content_type="application/json", delivery_mode=1)
            message.ack()

        with kombu.Consumer(channel, [queue], callbacks=[on_request], accept=["json"],
                            prefetch_count=20):
            while not stopping:
                try:
                    connection.drain_events(timeout=0.5)
                except TimeoutError:
                    pass
    client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["serve"])
    parser.add_argument("--db", required=True)
    serve(parser.parse_args().db)
