"""Container health check for a Xiuhua service: exit 0 when healthy, 1 when not.

    python deploy/healthcheck.py repair            # ready: `health` RPC answers status "ok"
    python deploy/healthcheck.py repair --local    # ... and this container holds a broker link
    python deploy/healthcheck.py repair --live     # alive: this process is not cut off
    python deploy/healthcheck.py --http http://127.0.0.1:8000/healthz   # the gateway

**Ready** calls the service's `health` RPC through the broker, exactly as a client would, and
wants `"status": "ok"` back (broker and database reachable from the service). The reply
comes to an exclusive queue that disappears with the probe's connection, so frequent probes
leave nothing behind (nameko's own proxies leave a reply queue for five minutes each), and
the request expires with the probe's timeout, so a backlogged service does not answer stale
probes later. The service name defaults to `XIUHUA_SERVICE`.

The RPC is load-balanced: with several replicas, any one of them may answer. `--local` adds
what only this container can tell: that it holds an established TCP connection to the
broker (read from the network namespace's socket table before the probe opens its own). A
replica that has lost its broker connection while the others answer is then not ready.

**Live** deliberately calls nothing: a liveness probe that fails when the broker or database
is down restarts every replica at once and turns an outage into a crash loop. It fails only
when the broker is reachable from here but this container holds no connection to it (the
service has lost its connection and not recovered), which a restart does fix. Where the
socket table cannot be read it falls back to the RPC, accepting any answer.

Configuration is read from deploy/config.yaml like the services read it (AMQP_URI, AMQP_SSL).
With several nodes in AMQP_URI (a cluster, `;`-separated), the probe calls through the first
node that answers, and a connection held to any of them counts.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CONFIG = ROOT / "deploy" / "config.yaml"
ESTABLISHED = "01"


def load_config(path: Path) -> dict:
    """deploy/config.yaml with nameko's ${VAR:default} substitution, as `nameko run` reads it."""
    import yaml
    from nameko.cli.main import setup_yaml_parser

    setup_yaml_parser()
    with open(path) as handle:
        return yaml.safe_load(handle)


def established_connections(ports, tables=("/proc/net/tcp", "/proc/net/tcp6")) -> int | None:
    """How many established TCP connections in this network namespace go to one of `ports` (a
    port or several); None when the socket table cannot be read (not Linux)."""
    ports = {ports} if isinstance(ports, int) else set(ports)
    found, readable = 0, False
    for table in tables:
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        readable = True
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == ESTABLISHED:
                if int(fields[2].rsplit(":", 1)[1], 16) in ports:
                    found += 1
    return found if readable else None


def reachable(addresses, timeout: float) -> bool:
    """Whether any of the broker's nodes accepts a TCP connection."""
    for host, port in addresses:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return True
        except OSError:
            continue
    return False


class ProbeFailed(Exception):
    pass


def call_health(config: dict, service: str, timeout: float) -> dict:
    """One `health` RPC in nameko's wire format, with an exclusive reply queue."""
    import kombu

    from shared.broker import nodes

    deadline = time.monotonic() + timeout
    exchange = kombu.Exchange(config.get("rpc_exchange", "nameko-rpc"), type="topic",
                              durable=True)
    reply_key = uuid.uuid4().hex
    correlation_id = uuid.uuid4().hex
    outcome: dict = {}

    def on_reply(body, message):
        message.ack()
        if message.properties.get("correlation_id") == correlation_id:
            outcome["reply"] = body

    def on_return(exception, exchange, routing_key, message):
        outcome["returned"] = True

    with kombu.Connection(config["AMQP_URI"], ssl=config.get("AMQP_SSL") or False,
                          connect_timeout=timeout, heartbeat=0) as connection:
        try:
            connection.ensure_connection(max_retries=len(nodes(config["AMQP_URI"])),
                                         timeout=timeout)
        except Exception as error:
            raise ProbeFailed(f"broker unreachable: {error}") from None
        channel = connection.channel()
        reply_queue = kombu.Queue(f"rpc.reply-{service}-probe-{reply_key}", exchange=exchange,
                                  routing_key=reply_key, durable=False, exclusive=True,
                                  auto_delete=True)
        with kombu.Consumer(channel, queues=[reply_queue], callbacks=[on_reply],
                            accept=["json"]):
            producer = kombu.Producer(channel, exchange=exchange, serializer="json",
                                      on_return=on_return)
            producer.publish({"args": [], "kwargs": {}}, routing_key=f"{service}.health",
                             reply_to=reply_key, correlation_id=correlation_id, mandatory=True,
                             delivery_mode=1, expiration=max(timeout, 1.0))
            while "reply" not in outcome and "returned" not in outcome:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ProbeFailed(f"no answer from {service} within {timeout:g}s")
                try:
                    connection.drain_events(timeout=min(remaining, 1.0))
                except socket.timeout:
                    pass
    if outcome.get("returned"):
        raise ProbeFailed(f"no {service} service is consuming RPC (queue rpc-{service} missing)")
    reply = outcome["reply"]
    if reply.get("error"):
        error = reply["error"]
        raise ProbeFailed(f"health RPC raised {error.get('exc_type')}: {error.get('value')}")
    return reply["result"]


def check_http(url: str, timeout: float) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200, f"{url}: HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return False, f"{url}: HTTP {error.code} {error.read()[:200].decode(errors='replace')}"
    except OSError as error:
        return False, f"{url}: {error}"


def check(service: str | None, live: bool, local: bool, http: str | None, timeout: float,
          config: dict | None = None, tables=("/proc/net/tcp", "/proc/net/tcp6")
          ) -> tuple[bool, str]:
    if http:
        return check_http(http, timeout)
    if not service:
        return False, "name the service (argument or XIUHUA_SERVICE)"
    from shared.broker import addresses

    config = config if config is not None else load_config(CONFIG)
    nodes = addresses(config["AMQP_URI"])
    where = ", ".join(f"{host}:{port}" for host, port in nodes)
    held = established_connections({port for _, port in nodes}, tables) \
        if (local or live) else None
    if live and held is not None:
        if held:
            return True, f"{service}: alive ({held} broker connection(s) held)"
        if reachable(nodes, timeout):
            return False, f"{service}: broker {where} is reachable but this container " \
                          "holds no connection to it"
        return True, f"{service}: broker {where} unreachable; not this process's fault"
    try:
        report = call_health(config, service, timeout)
    except ProbeFailed as failure:
        return False, f"{service}: {failure}"
    status = report.get("status")
    summary = f"{service}: {status} {json.dumps(report, ensure_ascii=False, default=str)[:400]}"
    if live:
        return True, summary
    if status != "ok":
        return False, summary
    if local and held == 0:
        return False, f"{service}: the service answers, but this container holds no " \
                      f"connection to the broker {where}"
    return True, summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("service", nargs="?", default=os.environ.get("XIUHUA_SERVICE"))
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--live", action="store_true", help="liveness instead of readiness")
    mode.add_argument("--http", metavar="URL", help="check an HTTP endpoint for 200 instead")
    parser.add_argument("--local", action="store_true",
                        help="also require this container's own broker connection")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args(argv)
    healthy, message = check(args.service, args.live, args.local, args.http, args.timeout)
    print(message, flush=True)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
