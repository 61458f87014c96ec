"""RPC: round-trip latency of a typical read, `repair.get_work_order`, through nameko (the
repair service under `nameko run`, called by nameko's ClusterRpcProxy) beside the raw kombu
request/reply ceiling (a kombu server doing the same `find_one`), sequential and with 20
concurrent callers, interleaved and repeated."""
from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys

from bench.env import ROOT, Environment, say
from bench.event_path import wait_for_consumers
from bench import growth
from bench.growth.services import Repair
from bench.workers.raw_rpc import QUEUE as RAW_QUEUE

PREFIX = "brpc_"


def seed_order(env: Environment) -> str:
    """One realistic work order (made by the repair domain) in the database repair reads."""
    spec, db = Repair(), env.mongo[f"{PREFIX}repair"]
    growth.ensure_indexes(db, spec.indexes)
    growth.seed(spec, spec.unit_of_work(db, source="repair"), 50, 0, random.Random(5))
    return db.work_orders.find_one({}, {"_id": 1})["_id"]


def client(env: Environment, mode: str, number: str, calls: int, callers: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.workers.rpc_client", mode, "--number", number,
         "--calls", str(calls), "--callers", str(callers)],
        cwd=ROOT, env=env.env(), capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"rpc client {mode} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(env: Environment, calls: int = 400, repeats: int = 3, callers=(1, 20)) -> dict:
    number = seed_order(env)
    service = env.nameko("repair-rpc", "services.repair.service", MONGO_DB_PREFIX=PREFIX)
    raw = env.python("raw-rpc", "bench.workers.raw_rpc", "serve", "--db", f"{PREFIX}repair")
    wait_for_consumers(env, "rpc-repair", 1, [service])
    wait_for_consumers(env, RAW_QUEUE, 1, [raw])
    trials = {f"{mode}/{n}": [] for n in callers for mode in ("nameko", "raw")}
    for r in range(repeats):
        for n in callers:
            modes = ("raw", "nameko") if r % 2 == 0 else ("nameko", "raw")
            for mode in modes:
                result = client(env, mode, number, calls, n)
                trials[f"{mode}/{n}"].append(result)
                say(f"rpc {mode:<6} callers={n:<3} p50 {result['p50_ms']} ms, "
                    f"p95 {result['p95_ms']} ms, {result['calls_per_second']} calls/s")
    env.stop(raw)
    env.stop(service)
    summary = {"call": "repair.get_work_order", "calls_per_trial": calls, "repeats": repeats}
    for n in callers:
        label = "sequential" if n == 1 else f"{n}_callers"
        row = {}
        for mode in ("nameko", "raw"):
            rows = trials[f"{mode}/{n}"]
            row[mode] = {k: round(statistics.median(t[k] for t in rows), 2)
                         for k in ("p50_ms", "p95_ms", "p99_ms", "calls_per_second")}
        ratios = [a["p50_ms"] / b["p50_ms"]
                  for a, b in zip(trials[f"nameko/{n}"], trials[f"raw/{n}"])]
        row["p50_ratio"] = round(statistics.median(ratios), 2)
        row["target_p50_ratio"] = 2.0
        summary[label] = row
    summary["trials"] = trials
    return summary
