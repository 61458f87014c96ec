"""What a service says about itself when asked `health`: can it reach its broker and its
database, how many events wait in its outbox, how many messages sit in its dead-letter queue,
and which register of places it uses (the same digest everywhere after a deployment)."""
from __future__ import annotations

import time

from shared import places
from shared.broker import connect
from shared.messaging import dead_letter_queue


def dead_letter_count(amqp_uri: str, service_name: str, ssl=None) -> int:
    with connect(amqp_uri, ssl, connect_timeout=3) as connection:
        channel = connection.channel()
        queue = dead_letter_queue(service_name)(channel)
        queue.declare()  # idempotent, and a service that never dead-lettered has none yet
        return queue.queue_declare(passive=True).message_count


def health_report(service_name: str, store, config: dict, extra=None) -> dict:
    """`extra()`, if given, adds sections of the service's own ({name: {"ok": bool, …}}). A
    section that is not ok is named in `attention`; it does not make the service unready
    (`status` is about the broker and the database, which a restart could mend)."""
    report = {"service": service_name, "status": "ok", "checked_at": time.time()}
    try:
        started = time.perf_counter()
        store.db.command("ping")
        report["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1),
                              "outbox_backlog": store.outbox_backlog(),
                              "transactions": store.transaction_counts()}
    except Exception as error:
        report["database"] = {"ok": False, "error": str(error)[:200]}
    try:
        report["broker"] = {"ok": True,
                            "dead_letters": dead_letter_count(config["AMQP_URI"], service_name,
                                                              config.get("AMQP_SSL"))}
    except Exception as error:
        report["broker"] = {"ok": False, "error": str(error)[:200]}
    try:  # which register of places this process checks names against (shared/places.py)
        report["places"] = {"ok": True, **places.summary()}
    except places.PlacesError as error:
        report["places"] = {"ok": False, "error": str(error)[:200]}
    if not (report["database"]["ok"] and report["broker"]["ok"] and report["places"]["ok"]):
        report["status"] = "degraded"
    if extra is not None and report["database"]["ok"]:
        try:
            sections = extra()
        except Exception as error:
            sections = {"checks": {"ok": False, "error": str(error)[:200]}}
        report.update(sections)
        report["attention"] = sorted(name for name, section in sections.items()
                                     if not section.get("ok", True))
    return report
