"""The topology step of a deployment: declare every subscriber queue before services start.

    python deploy/topology.py            # declare every queue and exchange (topology user)
    python deploy/topology.py --wait     # wait until every queue exists (any service's user)

nameko publishes events with `mandatory=False`: an event published before its consumer's
queue exists is dropped without a word. The queues are derived from the services' own code
(`shared.topology`), so this image's version of the code decides what exists.

Declaring runs once per deployment with a user allowed to declare everything (compose: the
`topology` one-shot; Kubernetes: the topology Job), retrying while the broker is starting.
`--wait` only looks (passive declares, which need no permissions), so each service's pod can
run it as an init container with the service's own credentials and start only once the
topology it will publish into is complete.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")


def expected_queues(classes) -> list[str]:
    from shared.messaging import dead_letter_queue
    from shared.topology import subscriptions

    return [queue.name for cls in classes
            for queue in [*subscriptions(cls), dead_letter_queue(cls.name)]]


def missing_queues(amqp_uri: str, names: list[str], ssl=None) -> list[str]:
    from amqp.exceptions import NotFound

    from shared.broker import connect

    missing = []
    with connect(amqp_uri, ssl, connect_timeout=5) as connection:
        channel = connection.channel()
        for name in names:
            try:
                channel.queue_declare(name, passive=True)
            except NotFound:
                missing.append(name)
                channel = connection.channel()  # a failed passive declare closes the channel
    return missing


def until(deadline: float, attempt, what: str):
    delay = 1.0
    while True:
        try:
            return attempt()
        except Exception as error:  # the broker may still be starting, or the user not exist yet
            if time.monotonic() + delay > deadline:
                raise SystemExit(f"topology: {what} failed: {type(error).__name__}: {error}")
            print(f"topology: {what}: {error}; retrying in {delay:.0f}s", flush=True)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wait", action="store_true",
                        help="do not declare; wait until every queue exists")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds to keep trying (broker starting, topology not yet run)")
    args = parser.parse_args(argv)
    amqp_uri = os.environ.get("AMQP_URI")
    if not amqp_uri:
        raise SystemExit("topology: AMQP_URI is not set")
    ssl = None
    if os.environ.get("AMQP_SSL"):
        import yaml
        ssl = yaml.safe_load(os.environ["AMQP_SSL"])

    from shared import topology

    classes = topology.service_classes()
    deadline = time.monotonic() + args.timeout
    if not args.wait:
        declared = until(deadline, lambda: topology.declare(amqp_uri, classes, ssl),
                         "declaring")
        print(f"topology: declared {len(declared)} queues for {len(classes)} services: "
              f"{', '.join(cls.name for cls in classes)}", flush=True)
        return 0
    names = expected_queues(classes)
    while True:
        missing = until(deadline, lambda: missing_queues(amqp_uri, names, ssl), "checking")
        if not missing:
            print(f"topology: all {len(names)} queues exist", flush=True)
            return 0
        if time.monotonic() > deadline:
            print(f"topology: still missing after {args.timeout:g}s: {', '.join(missing)}",
                  flush=True)
            return 1
        time.sleep(2)


if __name__ == "__main__":
    sys.exit(main())
