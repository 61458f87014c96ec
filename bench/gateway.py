"""Gateway: requests per second and latency percentiles of a typical list and a typical write
through the admin API (HTTP → session → role and scope checks → audit → RPC to repair →
JSON), under wrk on the loopback interface, beside the same HTTP stack (nameko's `@http` on
eventlet) answering a constant body and beside the raw database sent the same page's queries
(bench/raw_page.py). Each load lasts a bounded time with a fixed number of connections, and
the runs are interleaved and repeated."""
from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import time

import requests

from bench.env import Environment, free_port, say
from bench.event_path import cpu_seconds, wait_for_consumers
from bench import growth, raw_page
from bench.growth.services import Repair

PREFIX = "bgw_"
DEFAULT_CONCURRENCY = 4  # deploy/config.yaml's TRANSACTION_CONCURRENCY
ADMIN_PASSWORD = "bench-Admin-2026"
ORDERS = 100_000
# The targets: the list at 0.1 of the constant answer's throughput with p95 under 100 ms; the
# write at four times its throughput before the bounded work (13.7 req/s, the run of
# 2026-11-28 in bench/results' history) with p95 under 300 ms.
TARGET_LIST_VS_CONSTANT, TARGET_LIST_P95_MS = 0.1, 100
WRITE_BEFORE, TARGET_WRITE_TIMES, TARGET_WRITE_P95_MS = 13.7, 4, 300
REPORT = {"category": "street_light", "community": "浚河社区", "alley": "新宇巷",
          "address": "新宇巷49号院门口", "description": "路灯不亮,晚上出行不便。",
          "channel": "grid_worker", "location": {"lat": 32.6912, "long": 118.9938}}

LUA = """
wrk.method = "%(method)s"
wrk.body = %(body)s
wrk.headers["Content-Type"] = "application/json"
%(auth)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"p99_us": %%d, "non_2xx": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    say("installing wrk (Debian package) for the gateway benchmark")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True,
                   timeout=300)
    return shutil.which("wrk")


def wait_http(url: str, processes, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.label} exited")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def load(env: Environment, wrk: str, url: str, method: str = "GET", body: dict | None = None,
         token: str | None = None, seconds: int = 8, connections: int = 10) -> dict:
    script = env.folder / f"wrk-{random.randrange(1 << 30)}.lua"
    script.write_text(LUA % {
        "method": method,
        # A Lua string literal: raw UTF-8 (LuaJIT knows no \\u escapes), quotes escaped.
        "body": json.dumps(json.dumps(body, ensure_ascii=False), ensure_ascii=False)
        if body else "nil",
        "auth": f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""})
    out = subprocess.run([wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", str(script), url], capture_output=True, text=True,
                         timeout=seconds + 60)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line[6:])
    return {"requests_per_second": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
            "p50_ms": round(raw["p50_us"] / 1000, 2), "p95_ms": round(raw["p95_us"] / 1000, 2),
            "p99_ms": round(raw["p99_us"] / 1000, 2), "requests": raw["requests"],
            "non_2xx": raw["non_2xx"], "socket_errors": raw["socket_errors"]}


def run(env: Environment, seconds: int = 8, repeats: int = 3, connections: int = 10,
        orders: int = ORDERS) -> dict:
    wrk = ensure_wrk()
    spec = Repair()
    db = env.mongo[f"{PREFIX}repair"]
    growth.ensure_indexes(db, spec.indexes)
    took = growth.seed(spec, spec.unit_of_work(db, source="repair"), orders, 0,
                       random.Random(6))
    say(f"gateway: {orders} work orders seeded in {took:.0f}s")
    port, constant_port = free_port(), free_port()

    def start_repair(concurrency: int):
        process = env.nameko(f"repair-gw-{concurrency}", "services.repair.service",
                             MONGO_DB_PREFIX=PREFIX, TRANSACTION_CONCURRENCY=str(concurrency))
        wait_for_consumers(env, "rpc-repair", 1, [process])
        return process

    service = start_repair(DEFAULT_CONCURRENCY)
    gateway = env.nameko("gateway", "services.gateway.service", MONGO_DB_PREFIX=PREFIX,
                         WEB_SERVER_ADDRESS=f"127.0.0.1:{port}",
                         BOOTSTRAP_ADMIN_USERNAME="admin",
                         BOOTSTRAP_ADMIN_PASSWORD=ADMIN_PASSWORD)
    constant = env.nameko("constant-http", "bench.workers.constant_http",
                          WEB_SERVER_ADDRESS=f"127.0.0.1:{constant_port}")
    base, constant_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{constant_port}/constant"
    wait_http(f"{base}/healthz", [gateway])
    wait_http(constant_url, [constant])
    deadline = time.monotonic() + 30
    while True:  # the first admin is made as the gateway starts, beside its web server
        login = requests.post(f"{base}/api/session", json={"username": "admin",
                                                           "password": ADMIN_PASSWORD},
                              timeout=30)
        if login.status_code != 401 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    login.raise_for_status()
    token = login.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    check = requests.get(f"{base}/api/work-orders?page_size=20", headers=headers, timeout=30)
    check.raise_for_status()

    def raw(threads: int = 1) -> dict:
        """The raw database beside the list: the page's queries as the list sends them now
        (the write runs add orders), in plain pymongo."""
        page_queries = raw_page.record_page_queries(env.mongo_uri, f"{PREFIX}repair",
                                                    {"page_size": 20})
        return raw_page.rate(env.mongo_uri, f"{PREFIX}repair", page_queries, seconds, threads)

    def transactions() -> dict:
        """The repair process's transactions and retries so far, from its health RPC."""
        from nameko.standalone.rpc import ClusterRpcProxy
        with ClusterRpcProxy({"AMQP_URI": env.amqp_uri}, timeout=60) as rpc:
            return rpc.repair.health()["database"]["transactions"]

    def write():
        before = transactions()
        result = load(env, wrk, f"{base}/api/work-orders", "POST", REPORT, token, seconds,
                      connections)
        after = transactions()
        run_ = after["run"] - before["run"]
        result["retries_per_1000"] = round(1000 * (after["retried"] - before["retried"])
                                           / run_, 1) if run_ else None
        return result

    cases = {
        "list": lambda: load(env, wrk, f"{base}/api/work-orders?page_size=20", token=token,
                             seconds=seconds, connections=connections),
        "write": write,
        "raw_page": raw,
        "raw_page_threads": lambda: raw(connections),
        "constant_get": lambda: load(env, wrk, constant_url, seconds=seconds,
                                     connections=connections),
        "constant_post": lambda: load(env, wrk, constant_url, "POST", REPORT, None, seconds,
                                      connections),
    }
    def with_cpu(case):
        """The case's result, with the CPU time the database server and the two services
        (gateway, repair) spent per request while it ran."""
        pids = {"database": [env.mongo_process.pid],
                "services": [gateway.pid, service.pid]}
        before = {k: sum(map(cpu_seconds, v)) for k, v in pids.items()}
        result = case()
        requests_ = result.get("requests") or 0
        for k, v in pids.items():
            spent = sum(map(cpu_seconds, v)) - before[k]
            result[f"{k}_cpu_ms"] = round(1000 * spent / requests_, 2) if requests_ else None
        return result

    trials = {name: [] for name in [*cases, "write_one_at_a_time"]}
    for r in range(repeats):
        names = list(cases) if r % 2 == 0 else list(reversed(cases))
        for name in names:
            result = with_cpu(cases[name])
            trials[name].append(result)
            say(f"gateway {name:<13} {result['requests_per_second']:>7.1f} req/s, "
                f"p95 {result['p95_ms']} ms, non-2xx {result['non_2xx']}")
    # The same writes with one transaction at a time in the repair process.
    env.stop(service)
    service = start_repair(1)
    for _ in range(repeats):
        result = with_cpu(write)
        trials["write_one_at_a_time"].append(result)
        say(f"gateway write (1 transaction at a time) {result['requests_per_second']:>7.1f} "
            f"req/s, p95 {result['p95_ms']} ms, retries/1000 {result['retries_per_1000']}")
    for process in (gateway, constant, service):
        env.stop(process)
    summary = {"tool": f"wrk, 1 thread, {connections} connections, {seconds} s per run",
               "list_request": f"GET /api/work-orders?page_size=20 (street admin, {orders} "
                               "orders seeded, more as the write runs add theirs)",
               "write_request": "POST /api/work-orders (report a problem: audit, RPC, "
                                "transaction, outbox, duplicate search), "
                                f"TRANSACTION_CONCURRENCY={DEFAULT_CONCURRENCY} (the default) "
                                "and 1",
               "raw_page_request": "the queries repair's list sends the database for that "
                                   f"page ({trials['raw_page'][-1]['queries_per_page']}), in "
                                   "plain pymongo, one page after another and from "
                                   f"{connections} threads",
               "orders": orders, "repeats": repeats}
    for name, rows in trials.items():
        summary[name] = {k: round(statistics.median(t[k] for t in rows), 2)
                         for k in ("requests_per_second", "p50_ms", "p95_ms", "p99_ms")}
        summary[name]["non_2xx"] = sum(t["non_2xx"] for t in rows)
        if "threads" in rows[0]:
            summary[name]["threads"] = rows[0]["threads"]
        for k in ("database_cpu_ms", "services_cpu_ms"):
            spent = [t[k] for t in rows if t.get(k) is not None]
            if spent:
                summary[name][k] = round(statistics.median(spent), 2)
        retries = [t["retries_per_1000"] for t in rows if t.get("retries_per_1000") is not None]
        if retries:
            summary[name]["retries_per_1000"] = round(statistics.median(retries), 1)
    summary["list_vs_constant"] = round(summary["list"]["requests_per_second"]
                                        / summary["constant_get"]["requests_per_second"], 3)
    summary["list_vs_raw_page"] = round(summary["list"]["requests_per_second"]
                                        / summary["raw_page_threads"]["requests_per_second"], 3)
    summary["write_vs_constant"] = round(summary["write"]["requests_per_second"]
                                         / summary["constant_post"]["requests_per_second"], 3)
    summary["targets"] = {"list_vs_constant": TARGET_LIST_VS_CONSTANT,
                          "list_p95_ms": TARGET_LIST_P95_MS, "write_before": WRITE_BEFORE,
                          "write_times": TARGET_WRITE_TIMES,
                          "write_p95_ms": TARGET_WRITE_P95_MS}
    summary["trials"] = trials
    return summary
