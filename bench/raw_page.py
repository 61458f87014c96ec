"""The raw database beside the gateway's list: the queries repair's work-order list sends the
database for a page (recorded once from its repository, as a service that has served the list
before sends them), sent again in plain pymongo, one page after another or from several threads
at once, with no service, broker or HTTP around them. What the gateway's list does above this
rate is the service's, the broker's and the gateway's share."""
from __future__ import annotations

import statistics
import threading
import time

from pymongo import MongoClient, monitoring


class _Recorder(monitoring.CommandListener):
    def __init__(self):
        self.commands: list[dict] = []

    def started(self, event):
        self.commands.append({"name": event.command_name, "command": dict(event.command)})

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def record_page_queries(mongo_uri: str, db_name: str, query: dict) -> list[dict]:
    """The finds one page of the work-order list sends: collection, filter, sort, limit and
    projection of each, in order."""
    from services.repair.handlers import reading
    from services.repair.unit_of_work import RepairUnitOfWork

    recorder = _Recorder()
    with MongoClient(mongo_uri, tz_aware=True, event_listeners=[recorder]) as client:
        db = client[db_name]
        reading.page(RepairUnitOfWork(db, source="repair"), dict(query))  # as served before
        recorder.commands.clear()
        reading.page(RepairUnitOfWork(db, source="repair"), dict(query))
        sent_for_page = list(recorder.commands)
    queries = []
    for sent in sent_for_page:
        if sent["name"] != "find":
            raise RuntimeError(f"the list sent {sent['name']}, which the replay cannot send")
        command = sent["command"]
        queries.append({"collection": command["find"], "filter": command.get("filter", {}),
                        "sort": list(command["sort"].items()) if command.get("sort") else None,
                        "limit": command.get("limit", 0),
                        "projection": command.get("projection")})
    return queries


def replay(db, queries: list[dict]) -> int:
    """One page's queries; the documents they returned."""
    found = 0
    for q in queries:
        found += len(list(db[q["collection"]].find(q["filter"], q["projection"], sort=q["sort"],
                                                    limit=q["limit"])))
    return found


def rate(mongo_uri: str, db_name: str, queries: list[dict], seconds: float,
         threads: int = 1) -> dict:
    """Pages a second, and each page's latency, for `seconds`, from `threads` threads."""
    latencies: list[float] = []
    lock = threading.Lock()
    with MongoClient(mongo_uri, tz_aware=True, maxPoolSize=threads + 2) as client:
        db = client[db_name]
        replay(db, queries)  # the connections opened
        deadline = time.perf_counter() + seconds

        def run():
            own = []
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                replay(db, queries)
                own.append(time.perf_counter() - started)
            with lock:
                latencies.extend(own)

        began = time.perf_counter()
        workers = [threading.Thread(target=run) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - began
    latencies.sort()

    def percentile(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))],
                     2)

    return {"requests_per_second": round(len(latencies) / elapsed, 1),
            "requests": len(latencies),
            "p50_ms": round(1000 * statistics.median(latencies), 2),
            "p95_ms": percentile(95), "p99_ms": percentile(99), "non_2xx": 0,
            "queries_per_page": len(queries), "threads": threads}
