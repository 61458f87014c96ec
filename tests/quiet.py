"""Waiting until the system is quiet — by a condition, never by a fixed silence.

An "exactly once" assertion ("each order got one shift", "these events and no more") holds
only once nothing that could still change the answer is left anywhere. Work moves through
three places, and the system is quiet when all three are empty:

1. the services' outboxes: events stored with their change, not yet published;
2. the broker's queues: messages ready for a consumer, or delivered and not yet acknowledged
   (being handled), including the delay queues where a failed event waits for its retry;
3. for services running in the test's own process, their running workers.

The places are looked at one after the other, so one look can miss a message moving between
them; the condition is therefore two consecutive looks that both find everything empty, with
no event stored in any outbox in between. Dead-letter queues (where messages rest by design),
the tests' own taps and RPC reply queues are not work and are not counted.

How the queues are counted depends on the broker. `rabbitmqctl list_queues` asks the queues
themselves and is exact (a private node, a private cluster, or the machine's broker when the
test may use its CLI). The management API's queue figures lag by up to its statistics interval
(5 s by default), so they are only the fallback: an AMQP passive declare gives the exact ready
count, and the quiet must then have lasted longer than that interval, so that a message handed
to a consumer inside it has had time to show as unacknowledged.
"""
from __future__ import annotations

import json
import subprocess
import time
from typing import Callable, Iterable
from urllib.parse import quote

import kombu
import requests

# RabbitMQ's `collect_statistics_interval` default: how stale a management queue figure can be.
MANAGEMENT_STATS_LAG = 5.5


def not_work(name: str) -> bool:
    """Queues whose messages are results or resting places, not work still to do."""
    return name.endswith(".dead-letters") or name.startswith(("test-tap-", "rpc.reply"))


def outbox_figures(databases: Iterable) -> tuple[int, int]:
    """(pending, stored) over the given service databases' outboxes."""
    pending = stored = 0
    for db in databases:
        pending += db.outbox.count_documents({"pending": True})
        stored += db.outbox.count_documents({})
    return pending, stored


def ready_by_passive_declare(amqp_uri: str, names: Iterable[str], ssl=None) -> dict[str, int]:
    """The exact number of ready messages in each queue (a queue gone meanwhile counts 0)."""
    counts = {}
    with kombu.Connection(amqp_uri, ssl=ssl or False, connect_timeout=5) as connection:
        for name in names:
            channel = connection.channel()
            try:
                counts[name] = channel.queue_declare(name, passive=True).message_count
            except Exception:  # noqa: BLE001 - an exclusive or deleted queue
                counts[name] = 0
            finally:
                try:
                    channel.close()
                except Exception:  # noqa: BLE001 - closed by the broker's refusal
                    pass
    return counts


def rabbitmqctl_counts(command: list[str], vhost: str, env=None) -> dict[str, int] | None:
    """Ready plus unacknowledged messages per queue, asked of the queues themselves; None
    when the CLI cannot reach the node (not installed, or no right to its Erlang cookie)."""
    try:
        done = subprocess.run([*command, "-q", "list_queues", "-p", vhost, "name",
                               "messages_ready", "messages_unacknowledged", "--formatter",
                               "json"], env=env, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return {row["name"]: int(row["messages_ready"] or 0) + int(row["messages_unacknowledged"]
                                                               or 0)
            for row in json.loads(done.stdout or "[]")}


class ManagementCounts:
    """The fallback on a broker whose CLI the test may not use: queue names and unacknowledged
    figures from the management API, ready counts exact by passive declare. Its figures lag
    by up to `lag` seconds, so `wait_quiet` wants the quiet to have lasted that long."""

    lag = MANAGEMENT_STATS_LAG

    def __init__(self, api: str, vhost: str, amqp_uri: str, auth=("guest", "guest")):
        self.api, self.vhost, self.amqp_uri, self.auth = api.rstrip("/"), vhost, amqp_uri, auth

    def __call__(self) -> dict[str, int]:
        answer = requests.get(f"{self.api}/queues/{quote(self.vhost, safe='')}",
                              auth=self.auth, timeout=10)
        answer.raise_for_status()
        queues = [q for q in answer.json() if not not_work(q["name"])]
        counts = ready_by_passive_declare(self.amqp_uri, [q["name"] for q in queues])
        for q in queues:
            counts[q["name"]] += int(q.get("messages_unacknowledged") or 0)
        return counts


def wait_quiet(*, outboxes: Callable[[], Iterable] = lambda: (),
               queues: Callable[[], dict[str, int]] = dict,
               workers: Callable[[], int] = lambda: 0, lag: float | None = None,
               timeout: float = 60, interval: float = 0.1, message: str = "") -> dict:
    """Until two consecutive looks find no pending outbox event, no message in any working
    queue and no running worker, with no event stored in between (and, where the queue figures
    lag, as far apart as they may lag: `lag`, or `queues.lag`). Returns the last look;
    raises AssertionError with what was still busy when `timeout` runs out."""
    deadline = time.monotonic() + timeout
    # How stale the queue figures may be: the quiet must last that long.
    lasting = float(getattr(queues, "lag", 0) if lag is None else lag)
    previous = None
    while True:
        busy_workers = workers()
        busy_queues = {name: n for name, n in queues().items() if n and not not_work(name)}
        pending, stored = outbox_figures(outboxes())
        look = {"workers": busy_workers, "queues": busy_queues, "outbox_pending": pending,
                "outbox_stored": stored, "at": time.monotonic()}
        quiet = not busy_workers and not busy_queues and not pending
        if quiet and previous is not None and previous["outbox_stored"] == stored \
                and look["at"] - previous["at"] >= lasting:
            return look
        if not quiet or previous is None or previous["outbox_stored"] != stored:
            previous = look if quiet else None
        if time.monotonic() > deadline:
            raise AssertionError(f"not quiet after {timeout}s{': ' + message if message else ''}"
                                 f"; still busy: {look}")
        time.sleep(interval)
