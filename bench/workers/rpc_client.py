"""Callers for the RPC benchmark, each run in a process of its own; prints one JSON line.

    python -m bench.workers.rpc_client nameko --number WO… --calls 400 --callers 20
        repair.get_work_order through nameko's ClusterRpcProxy, one proxy per caller, callers
        as eventlet greenthreads (as nameko's own clients and the gateway run);
    python -m bench.workers.rpc_client raw --number WO… --calls 400 --callers 20
        the same request to the raw kombu server, one connection and reply queue per caller,
        callers as OS threads.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid


def nameko_calls(number: str, calls: int, callers: int) -> list[float]:
    import eventlet
    eventlet.monkey_patch()
    from nameko.standalone.rpc import ClusterRpcProxy

    config = {"AMQP_URI": os.environ["AMQP_URI"]}
    proxies = [ClusterRpcProxy(config, timeout=30) for _ in range(callers)]
    started = [p.start() for p in proxies]
    for rpc in started:  # warm-up: the reply queue and the connection
        rpc.repair.get_work_order(number)
    latencies: list[float] = []

    def caller(rpc, n):
        for _ in range(n):
            t = time.perf_counter()
            rpc.repair.get_work_order(number)
            latencies.append(time.perf_counter() - t)

    pool = eventlet.GreenPool(callers)
    began = time.perf_counter()
    for rpc in started:
        pool.spawn(caller, rpc, calls // callers)
    pool.waitall()
    elapsed = time.perf_counter() - began
    for p in proxies:
        p.stop()
    return latencies, elapsed


def raw_calls(number: str, calls: int, callers: int) -> list[float]:
    import threading

    import kombu

    from bench.workers.raw_rpc import QUEUE

    class Caller:
        def __init__(self):
            self.connection = kombu.Connection(os.environ["AMQP_URI"], heartbeat=0)
            self.channel = self.connection.channel()
            self.reply_to = f"bench-raw-reply-{uuid.uuid4().hex}"
            queue = kombu.Queue(self.reply_to, exclusive=True, auto_delete=True)
            self.producer = kombu.Producer(self.channel)
            self.replies = {}
            self.consumer = kombu.Consumer(self.channel, [queue], callbacks=[self.on_reply],
                                           accept=["json"], no_ack=True)
            self.consumer.consume()

        def on_reply(self, body, message):
            self.replies[message.properties["correlation_id"]] = body

        def call(self):
            correlation_id = uuid.uuid4().hex
            self.producer.publish({"number": number}, routing_key=QUEUE,
                                  reply_to=self.reply_to, correlation_id=correlation_id,
                                  delivery_mode=1)
            while correlation_id not in self.replies:
                self.connection.drain_events(timeout=30)
            return self.replies.pop(correlation_id)

    clients = [Caller() for _ in range(callers)]
    for c in clients:
        c.call()
    latencies: list[float] = []
    lock = threading.Lock()

    def run(client, n):
        own = []
        for _ in range(n):
            t = time.perf_counter()
            client.call()
            own.append(time.perf_counter() - t)
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=run, args=(c, calls // callers)) for c in clients]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    for c in clients:
        c.connection.release()
    return latencies, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["nameko", "raw"])
    parser.add_argument("--number", required=True)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--callers", type=int, default=1)
    args = parser.parse_args()
    run = nameko_calls if args.mode == "nameko" else raw_calls
    latencies, elapsed = run(args.number, args.calls, args.callers)
    latencies.sort()

    def pct(p):
        return round(1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 2)

    print(json.dumps({"calls": len(latencies), "callers": args.callers,
                      "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
                      "calls_per_second": round(len(latencies) / elapsed, 1)}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
