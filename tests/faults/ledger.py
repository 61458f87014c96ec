"""A ledger for fault tests: what was sent (a stream of events with unique ids, and repeats of
some of them) and what arrived (the consumer's effects in its database, and the events it
published in turn), reconciled at the end.

The stream is `repair.work_order_completed` for made-up work orders; its consumer is the
volunteer service, which opens exactly one follow-up visit shift per completed order and
publishes `volunteer_shift_opened` for it.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

from shared import clock
from shared.envelope import Envelope
from shared.events.repair import WORK_ORDER_COMPLETED
from tests.e2e.harness import Publisher


def completed(number: str, completed_at: str | None = None) -> Envelope:
    return Envelope.new(WORK_ORDER_COMPLETED, {
        "number": number, "state": "completed", "category": "street_light",
        "community": "浚河社区", "alley": "新宇巷", "actor_name": "供电班组",
        "address": "新宇巷49号", "department_code": "power",
        "completed_at": completed_at or clock.iso(clock.now()), "on_time": True,
        "quantities": [{"kind": "street_lamp", "amount": 1.0, "unit": "盏"}],
        "reporter_name": "张清松", "reporter_phone_masked": "138****5678"})


class Ledger:
    def __init__(self, amqp_uri: str, label: str):
        self.amqp_uri = amqp_uri
        self.prefix = f"{label}-{uuid.uuid4().hex[:6]}"
        self.sent: dict[str, Envelope] = {}   # work order number -> its event
        self.copies = 0                        # repeats of events already sent
        self.failed_attempts = 0               # publishes the broker did not confirm
        self.publisher = Publisher(amqp_uri)

    def number(self, n: int) -> str:
        return f"{self.prefix}-{n:05d}"

    def send(self, envelopes: list[Envelope], retry_for: float = 0.0) -> None:
        """Publish and wait for the broker's confirms; with `retry_for`, a batch the broker
        did not confirm (it is down) is sent again until it is, for up to that long."""
        deadline = time.monotonic() + retry_for
        while True:
            try:
                self.publisher.publish(envelopes)
                break
            except Exception:  # noqa: BLE001 - the broker is away; retry the same batch
                self.failed_attempts += 1
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        for envelope in envelopes:
            number = envelope.data["number"]
            if number in self.sent:
                self.copies += 1
            else:
                self.sent[number] = envelope

    def stream(self, count: int, start: int = 0, batch: int = 10, repeat_every: int = 5,
               retry_for: float = 0.0, pause: float = 0.0) -> None:
        """`count` new events in batches; every `repeat_every`-th batch also carries again
        the first event of the batch before it (the same envelope: a redelivery)."""
        previous = None
        for first in range(start, start + count, batch):
            envelopes = [completed(self.number(n))
                         for n in range(first, min(first + batch, start + count))]
            if previous is not None and (first // batch) % repeat_every == 0:
                envelopes.append(previous)
            self.send(envelopes, retry_for)
            previous = envelopes[0]
            if pause:
                time.sleep(pause)

    def stream_in_background(self, **kwargs) -> threading.Thread:
        errors = []

        def run():
            try:
                self.stream(**kwargs)
            except Exception as error:  # noqa: BLE001 - reported by join()
                errors.append(error)
        thread = threading.Thread(target=run, daemon=True)
        thread.errors = errors
        thread.start()
        return thread

    # -- what arrived -----------------------------------------------------------------------

    def shifts(self, system) -> Counter:
        """Visit shifts per work order number of this ledger (1 each when all is well)."""
        found = system.db("volunteer").shifts.find(
            {"source.work_order_number": {"$regex": f"^{self.prefix}-"}},
            {"source.work_order_number": 1})
        return Counter(doc["source"]["work_order_number"] for doc in found)

    def applied(self, system) -> int:
        """Events of this ledger marked in the volunteer's inbox."""
        ids = [e.event_id for e in self.sent.values()]
        return system.db("volunteer").inbox.count_documents(
            {"_id": {"$in": [f"volunteer.open_follow_up_visit|{i}" for i in ids]}})

    def reconcile(self, system) -> dict:
        shifts = self.shifts(system)
        return {"sent": len(self.sent), "copies": self.copies, "arrived": len(shifts),
                "lost": sorted(set(self.sent) - set(shifts)),
                "twice": sorted(n for n, c in shifts.items() if c > 1),
                "unexpected": sorted(set(shifts) - set(self.sent)),
                "inbox": self.applied(system)}

    def close(self):
        self.publisher.close()
