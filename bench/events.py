"""The typical cross-service event of the event-path benchmark: repair's `work_order_completed`,
which the volunteer service turns into a follow-up visit (a shift for one volunteer), in one
transaction with its inbox mark and its own `volunteer_shift_opened` event."""
from __future__ import annotations

import uuid
from datetime import timedelta

from shared import clock
from shared.envelope import Envelope
from shared.events.repair import WORK_ORDER_COMPLETED
from shared.outbox import ConfirmingPublisher, exchange_name

SERVICE_QUEUE = "evt-repair-work_order_completed--volunteer.open_follow_up_visit"
RAW_EXCHANGE = "bench-raw.events"
RAW_QUEUE = "bench-raw-work_order_completed"
COMMUNITIES = ("浚河社区", "天宝社区", "仁和社区", "千秋社区", "永福社区")


def completed(number: str, community: str, completed_at) -> dict:
    return {"number": number, "state": "completed", "category": "street_light",
            "community": community, "alley": "新宇巷", "actor_name": "供电班组",
            "address": "新宇巷49号院门口", "department_code": "power",
            "completed_at": clock.iso(completed_at), "on_time": True,
            "quantities": [{"kind": "street_lamp", "amount": 2.0, "unit": "盏"}],
            "reporter_name": "张清松", "reporter_phone_masked": "138****5678"}


def batch(count: int, exchange: str | None = None) -> list[tuple]:
    """`count` distinct events as the repair relay publishes them: (exchange, routing key,
    body, message id, headers)."""
    tag = uuid.uuid4().hex[:6].upper()
    at = clock.now() - timedelta(hours=1)
    found = []
    for n in range(count):
        envelope = Envelope.new(WORK_ORDER_COMPLETED, completed(
            f"WO{tag}{n:06d}", COMMUNITIES[n % len(COMMUNITIES)], at))
        found.append((exchange or exchange_name("repair"), envelope.type,
                      envelope.to_message(), envelope.event_id,
                      {"x-event-type": envelope.type, "x-event-source": envelope.source}))
    return found


def publish(amqp_uri: str, messages: list[tuple], batch_size: int = 200) -> None:
    """With publisher confirms, in batches as the outbox relay publishes."""
    publisher = ConfirmingPublisher(amqp_uri)
    try:
        for start in range(0, len(messages), batch_size):
            publisher.publish_batch(messages[start:start + batch_size])
    finally:
        publisher.close()
