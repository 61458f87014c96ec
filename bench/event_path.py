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

    def __init__(self, env: Environment, name: str, exchange: str | None, collection,
                 consumers):
        self.env, self.name, self.exchange, self.collection = env, name, exchange, collection
        self.consumers = consumers

    def trial(self, count: int, timeout: float = 300) -> dict:
        messages = events.batch(count, self.exchange)
        target = self.collection.estimated_document_count() + count
        pids = {"consumer": list(self.consumers()), "database": [self.env.mongo_process.pid]}
        cpu_before = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
        started = time.perf_counter()
        events.publish(self.env.amqp_uri, messages)
        published = time.perf_counter() - started
        deadline = time.monotonic() + timeout
        while self.collection.estimated_document_count() < target:
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
        **service_config) -> dict:
    topology.declare(env.amqp_uri, [_volunteer_class()])
    service = start_service(env, "volunteer-1", **service_config)
    raw = env.python("raw-events", "bench.workers.raw_events", "--db", RAW_DB)
    wait_for_consumers(env, events.SERVICE_QUEUE, 1, [service])
    wait_for_consumers(env, events.RAW_QUEUE, 1, [raw])
    db = env.mongo
    services = [service]
    paths = {
        "service": Path(env, "service", None, db[f"{SERVICE_PREFIX}volunteer"].shifts,
                        lambda: [p.pid for p in services]),
        "raw": Path(env, "raw", events.RAW_EXCHANGE, db[RAW_DB].shifts, lambda: [raw.pid]),
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
        "target_ratio": 0.5,
        "trials": trials,
    }
    if scale:
        result["scaling"] = scaling(env, paths["service"], services, count, repeats)
    env.stop(service)
    return result


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
            "speed_up": round(two / one, 2), "trials": trials}


def median(rows: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in rows), 1)
