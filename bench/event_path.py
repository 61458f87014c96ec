"""Event path: events per second from the publish to the handler's write being visible, for
the service (volunteer's `open_follow_up_visit` under `nameko run`) and for the raw ceiling
(kombu + the same transaction in plain pymongo), interleaved in one run; and scaling out: the
same service path with one and with two processes consuming the one queue."""
from __future__ import annotations

import os
import statistics
import time

from bench import events
from bench.env import Environment, say
from shared import topology

SERVICE_PREFIX = "bev_"
TARGET_RATIO = 0.8      # the service path against the raw ceiling
TARGET_SPEED_UP = 1.0   # two processes against one
RAW_DB = "bev_raw_volunteer"


def _volunteer_class():
    from services.volunteer.service import VolunteerService
    return VolunteerService


def wait_for_consumers(env: Environment, queue: str, count: int, processes,
                       timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.label} exited:\n{env.log_of(process)}")
        try:
            if env.management.queue(env.vhost, queue).get("consumers", 0) >= count:
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {count} consumer(s) on {queue} within {timeout}s")
        time.sleep(0.3)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (Linux /proc)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Path:
    """One way from a publish to a visible write. `consumers()` gives the PIDs of the
    processes that consume; their CPU time and the database's are counted per event."""

    def __init__(self, env: Environment, name: str, exchange: str | None, db, handler: str,
                 consumers):
        self.env, self.name, self.exchange, self.db = env, name, exchange, db
        self.collection = db.shifts
        self.handler = handler  # the inbox marks are "<handler>|<event id>"
        self.consumers = consumers

    def _applied(self, event_ids: list[str]) -> bool:
        """Whether every event's inbox mark is there: the last one first (one look-up by _id,
        whatever the collection's size), then the rest, each by its _id."""
        inbox = self.db.inbox
        if inbox.find_one({"_id": f"{self.handler}|{event_ids[-1]}"}, {"_id": 1}) is None:
            return False
        return all(inbox.find_one({"_id": f"{self.handler}|{e}"}, {"_id": 1}) is not None
                   for e in event_ids)

    def trial(self, count: int, timeout: float = 300) -> dict:
        messages = events.batch(count, self.exchange)
        event_ids = [m[3] for m in messages]
        pids = {"consumer": list(self.consumers()), "database": [self.env.mongo_process.pid]}
        cpu_before = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
        started = time.perf_counter()
        events.publish(self.env.amqp_uri, messages)
        published = time.perf_counter() - started
        deadline = time.monotonic() + timeout
        while not self._applied(event_ids):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: not all {count} writes visible in {timeout}s")
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        cpu = {k: sum(cpu_seconds(p) for p in v) - cpu_before[k] for k, v in pids.items()}
        return {"events": count, "seconds": round(elapsed, 3),
                "per_second": round(count / elapsed, 1),
                "publish_per_second": round(count / published, 1),
                "cpu_ms_per_event": {k: round(1000 * v / count, 2) for k, v in cpu.items()}}


def start_service(env: Environment, label: str, **config):
    return env.nameko(label, "services.volunteer.service", MONGO_DB_PREFIX=SERVICE_PREFIX,
                      **config)


def run(env: Environment, count: int = 1000, repeats: int = 3, scale: bool = True,
        existing: int | None = None, **service_config) -> dict:
    topology.declare(env.amqp_uri, [_volunteer_class()])
    service = start_service(env, "volunteer-1", **service_config)
    raw = env.python("raw-events", "bench.workers.raw_events", "--db", RAW_DB)
    wait_for_consumers(env, events.SERVICE_QUEUE, 1, [service])
    wait_for_consumers(env, events.RAW_QUEUE, 1, [raw])
    db = env.mongo
    services = [service]
    paths = {
        "service": Path(env, "service", None, db[f"{SERVICE_PREFIX}volunteer"],
                        "volunteer.open_follow_up_visit", lambda: [p.pid for p in services]),
        "raw": Path(env, "raw", events.RAW_EXCHANGE, db[RAW_DB], "raw.open_follow_up_visit",
                    lambda: [raw.pid]),
    }
    for path in paths.values():  # warm-up: connections, caches, first documents
        path.trial(min(100, count))
    trials = {"service": [], "raw": []}
    for r in range(repeats):
        order = ("raw", "service") if r % 2 == 0 else ("service", "raw")
        for name in order:
            result = paths[name].trial(count)
            trials[name].append(result)
            say(f"event path {name:<8} {result['per_second']:>7.1f} events/s, CPU ms per "
                f"event {result['cpu_ms_per_event']}")
    env.stop(raw)
    ratios = [s["per_second"] / r["per_second"]
              for s, r in zip(trials["service"], trials["raw"])]
    result = {
        "event": "repair.work_order_completed → volunteer.open_follow_up_visit",
        "events_per_trial": count, "repeats": repeats,
        "service_per_second": median(trials["service"], "per_second"),
        "raw_per_second": median(trials["raw"], "per_second"),
        "ratio": round(statistics.median(ratios), 3),
        "target_ratio": TARGET_RATIO,
        "trials": trials,
    }
    if scale:
        result["scaling"] = scaling(env, paths["service"], services, count, repeats)
    if existing:
        result["existing"] = with_existing(paths["service"], existing, count, repeats)
    env.stop(service)
    return result


def with_existing(path: Path, target: int, count: int, repeats: int) -> dict:
    """The service path as it is (a thousand or so shifts), then with `target` shifts already
    in the collection (copies of those the trials made, seeded with insert_many and kept in
    the same indexes): events per second and CPU per event, side by side."""
    before = [path.trial(count) for _ in range(repeats)]
    have = path.collection.estimated_document_count()
    took = _grow(path.collection, target)
    say(f"event path: {have} → {target} existing shifts in {took:.0f}s")
    after = [path.trial(count) for _ in range(repeats)]
    cpu = {label: statistics.median(t["cpu_ms_per_event"]["consumer"]
                                    + t["cpu_ms_per_event"]["database"] for t in trials)
           for label, trials in (("before", before), ("after", after))}
    return {"existing_before": have, "existing_after": target, "seconds_to_seed": round(took),
            "per_second_before": median(before, "per_second"),
            "per_second_after": median(after, "per_second"),
            "cpu_ms_per_event_before": round(cpu["before"], 2),
            "cpu_ms_per_event_after": round(cpu["after"], 2),
            "cpu_ratio": round(cpu["after"] / cpu["before"], 2) if cpu["before"] else None,
            "target_cpu_ratio": 1.2, "trials": {"before": before, "after": after}}


def _grow(collection, target: int, chunk: int = 2000) -> float:
    """Copies of the collection's documents until it holds `target`, every value of a unique
    index made unique again."""
    started = time.perf_counter()
    unique = [name for spec in collection.index_information().values() if spec.get("unique")
              for name, _ in spec["key"] if name != "_id"]
    models = list(collection.find({}).limit(200))
    have, n = collection.estimated_document_count(), 0
    while have < target:
        batch = []
        for _ in range(min(chunk, target - have)):
            copy = dict(models[n % len(models)])
            copy["_id"] = f"{copy['_id']}-copy{n}"
            for name in unique:
                if isinstance(copy.get(name), str):
                    copy[name] = f"{copy[name]}-copy{n}"
            batch.append(copy)
            n += 1
        collection.insert_many(batch, ordered=False)
        have += len(batch)
    return time.perf_counter() - started


def scaling(env: Environment, path: Path, services: list, count: int, repeats: int) -> dict:
    trials = {"1": [], "2": []}
    for r in range(repeats):
        trials["1"].append(path.trial(count))
        second = start_service(env, "volunteer-2")
        services.append(second)
        wait_for_consumers(env, events.SERVICE_QUEUE, 2, services)
        path.trial(min(100, count))  # the new process warms up
        trials["2"].append(path.trial(count))
        env.stop(second)
        services.remove(second)
        wait_for_consumers(env, events.SERVICE_QUEUE, 1, services)
        say(f"scaling: 1 process {trials['1'][-1]['per_second']:.1f}/s, "
            f"2 processes {trials['2'][-1]['per_second']:.1f}/s")
    one, two = median(trials["1"], "per_second"), median(trials["2"], "per_second")
    return {"one_process_per_second": one, "two_processes_per_second": two,
            "speed_up": round(two / one, 2), "target_speed_up": TARGET_SPEED_UP,
            "trials": trials}


def median(rows: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in rows), 1)
