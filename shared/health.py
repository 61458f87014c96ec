"""What a service says about itself when asked `health`: can it reach its broker and its
database, how many events wait in its outbox, how many messages sit in its dead-letter queue."""
from __future__ import annotations

import time

import kombu

from shared.messaging import dead_letter_queue


def dead_letter_count(amqp_uri: str, service_name: str, ssl=None) -> int:
    with kombu.Connection(amqp_uri, connect_timeout=3, ssl=ssl or False) as connection:
        channel = connection.channel()
        queue = dead_letter_queue(service_name)(channel)
        queue.declare()  # idempotent, and a service that never dead-lettered has none yet
        return queue.queue_declare(passive=True).message_count


def health_report(service_name: str, store, config: dict) -> dict:
    report = {"service": service_name, "status": "ok", "checked_at": time.time()}
    try:
        started = time.perf_counter()
        store.db.command("ping")
        report["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1),
                              "outbox_backlog": store.outbox_backlog()}
    except Exception as error:
        report["database"] = {"ok": False, "error": str(error)[:200]}
    try:
        report["broker"] = {"ok": True,
                            "dead_letters": dead_letter_count(config["AMQP_URI"], service_name,
                                                              config.get("AMQP_SSL"))}
    except Exception as error:
        report["broker"] = {"ok": False, "error": str(error)[:200]}
    if not (report["database"]["ok"] and report["broker"]["ok"]):
        report["status"] = "degraded"
    return report
