"""The production broker for real: a three-node RabbitMQ cluster on this machine
(tests/e2e/cluster.py), provisioned by deploy/rabbitmq/provision.py in its quorum mode, every
service connected with its own broker user and a URI listing all three nodes — while work
orders are reported and completed through the gateway and events flow between all four
services, and a stream of events is published straight to the broker:

1. one node killed with SIGKILL, then brought back;
2. a second node stopped while the first is down: no majority, so the last node pauses
   (pause_minority) — requests fail with a typed error or wait, nothing is lost;
3. a rolling restart of all three nodes, one after the other.

After each: every acknowledged request has exactly one effect, every event was applied once,
nothing is dead-lettered, and the time to recover is reported (printed in the summary and
written to test-artefacts/broker-cluster.json; measured, not asserted).
"""
from __future__ import annotations

import os
import threading
import time
from collections import Counter

import kombu
import pytest
import requests

from shared.messaging import dead_letter_queue
from tests.conftest import require
from tests.e2e.cluster import RabbitCluster
from tests.e2e.harness import ALL_SERVICES, System, Tap, wait_until
from tests.faults.ledger import GatewayLedger, Ledger
from tests.faults.test_service_faults import opened_shifts

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.cluster, pytest.mark.timeout(420)]

VHOST = "xiuhua"
ADMIN = ("admin", "e2e-admin-password")  # the harness's first street admin
# The four domain services and the gateway, whose flows the issue names; notifications (which
# would turn the stream of synthetic completions into reveals and messages) are left out.
SERVICES = tuple(name for name in ALL_SERVICES if name != "notify")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require(RabbitCluster.available(),
            "RabbitMQ is not installed here: the cluster tests need rabbitmq-server")
    running = RabbitCluster(tmp_path_factory.mktemp("cluster"))
    try:
        running.start()
        running.passwords = {name: f"{name}-{os.urandom(8).hex()}"
                             for name in (*SERVICES, "topology")}
        running.provision(VHOST, SERVICES, running.passwords)
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def cluster_system(tmp_path_factory, cluster, database):
    """Every service as `nameko run`, each as its own broker user, each listing the three
    nodes in a different order (as an operator spreads connections)."""
    def uri_for(user, shift):
        nodes = cluster.nodes[shift:] + cluster.nodes[:shift]
        return cluster.uri(VHOST, f"xiuhua-{user}", cluster.passwords[user], nodes)

    service_env = {name: {"AMQP_URI": uri_for(name, i % 3)} for i, name in enumerate(SERVICES)}
    running = System(tmp_path_factory.mktemp("cluster-system"), uri_for("topology", 0),
                     database.uri, services=SERVICES, service_env=service_env)
    running.queue_counts = lambda: cluster.management().queue_counts(VHOST)
    try:
        running.start()
        setup_reference_data(running)
        yield running
    finally:
        running.close()


def setup_reference_data(system):
    session = requests.Session()
    session.post(f"{system.web}/api/session", json=dict(zip(("username", "password"), ADMIN)),
                 timeout=30).raise_for_status()
    employer = session.post(f"{system.web}/api/employers", timeout=30, json={
        "name": "聚宝路毛绒玩具加工点", "community": "天宝社区", "address": "聚宝路12号",
        "alley": "聚宝路", "sector": "handicraft", "size": "micro",
        "contact": {"name": "周老板", "phone": "13900000001"}, "employees": 8})
    assert employer.status_code == 201, employer.text
    system.employer_id = employer.json()["employer_id"]
    venue = session.post(f"{system.web}/api/venues", timeout=30, json={
        "community": "天宝社区", "name": "天宝社区新时代文明实践站", "kind": "cultural_centre",
        "address": "天宝路8号"})
    assert venue.status_code == 201, venue.text
    room = session.post(f"{system.web}/api/venues/{venue.json()['id']}/rooms", timeout=30,
                        json={"name": "市民学校", "kind": "citizen_school", "capacity": 40})
    assert room.status_code == 201, room.text
    venue = session.post(f"{system.web}/api/venues", timeout=30, json={
        "community": "浚河社区", "name": "浚河社区综合文化服务中心", "kind": "cultural_centre",
        "address": "新宇巷1号"})
    assert venue.status_code == 201, venue.text
    room = session.post(f"{system.web}/api/venues/{venue.json()['id']}/rooms", timeout=30,
                        json={"name": "书画室", "kind": "calligraphy", "capacity": 30})
    assert room.status_code == 201, room.text
    system.venue = {"venue_id": venue.json()["id"], "room_id": room.json()["rooms"][0]["id"]}


def test_provisioned_in_quorum_mode_every_durable_queue_is_a_quorum_queue_on_three_nodes(
        cluster_system, cluster):
    """What provision.py's quorum mode gives on the installed broker: the vhost's default
    queue type makes every durable queue nameko and the topology step declare a quorum queue
    replicated on all three nodes — RPC queues, event handlers' queues, dead-letter queues and
    nameko's reply queues (durable, with an expiry) alike — and the per-service policy (delivery
    limit, at-least-once dead-lettering) reaches each service's handler queues, and its RPC
    policy (the delivery limit, no dead-lettering) its RPC queue."""
    system = cluster_system
    with system.rpc(timeout=10) as rpc:  # a standalone proxy's reply queue, too
        assert rpc.repair.health()["status"] == "ok"
    queues = cluster.queues(VHOST)
    names = {q["name"] for q in queues}
    for service in SERVICES:
        assert f"{service}.dead-letters" in names
    assert "rpc-repair" in names and any(n.startswith("rpc.reply-gateway-") for n in names)
    handlers = [n for n in names if n.startswith("evt-")]
    assert len(handlers) >= 10, handlers
    everyone = {n.node for n in cluster.nodes}
    for queue in queues:
        assert queue["durable"] is True, queue
        assert queue["type"] == "quorum", queue
        assert set(queue["members"]) == everyone, queue
    for queue in queues:
        if queue["name"].startswith("evt-"):
            owner = queue["name"].split("--")[-1].split(".")[0]
            assert queue["policy"] == f"xiuhua-{owner}", queue
        elif queue["name"].startswith("rpc-"):
            assert queue["policy"] == f"xiuhua-{queue['name'][4:]}-rpc", queue
    definition = cluster.policy(VHOST, "xiuhua-volunteer")["definition"]
    assert definition["delivery-limit"] == 1000
    assert definition["dead-letter-strategy"] == "at-least-once"
    # A request expired at its caller's deadline is dropped, not left for a person.
    assert cluster.policy(VHOST, "xiuhua-volunteer-rpc")["definition"] == {"delivery-limit": 1000}


def test_past_the_delivery_limit_a_message_is_dead_lettered_not_dropped(cluster):
    """The policy's delivery limit on this broker (provisioned here with a limit of 2 in a
    vhost of its own): a message requeued past it lands in the service's dead-letter queue,
    with the reason, instead of vanishing."""
    vhost = "xiuhua-limit"
    cluster.provision(vhost, ["volunteer"], {k: v for k, v in cluster.passwords.items()
                                            if k in ("volunteer", "topology")},
                      delivery_limit=2)
    uri = cluster.uri(vhost, "xiuhua-topology", cluster.passwords["topology"])
    name = "evt-repair-work_order_completed--volunteer.open_follow_up_visit"
    with kombu.Connection(uri) as connection:
        channel = connection.channel()
        dead = dead_letter_queue("volunteer")(channel)
        dead.declare()
        queue = kombu.Queue(name, durable=True)(channel)
        queue.declare()
        wait_until(lambda: [q for q in cluster.queues(vhost)
                            if q["name"] == name and q["policy"] == "xiuhua-volunteer"],
                   message="the policy applied")
        kombu.Producer(channel).publish({"n": 1}, routing_key=name, delivery_mode=2)
        deliveries = 0
        while deliveries < 10:
            message = wait_until(lambda: queue.get(no_ack=False) or dead.get(no_ack=False),
                                 timeout=30, message="the message back")
            if message.delivery_info["routing_key"] == "volunteer":  # dead-lettered
                break
            deliveries += 1
            message.requeue()  # what a handler does while the database is away
        assert deliveries == 3  # the first delivery and two more: the limit
        [death] = message.headers["x-death"]
        assert (death["reason"], death["queue"]) == ("delivery_limit", name)
        assert message.payload == {"n": 1}
        message.ack()


def test_a_quorum_delay_queue_expires_each_message_back_to_its_queue_with_x_death(cluster):
    """What a retry through the broker needs (a delay queue per handler queue, per-message
    TTL, dead-lettered back): on this broker a quorum queue honours a message's expiration
    and dead-letters it back with x-death, whose count grows with each round. Expiry happens
    at the head of the queue only: a shorter delay waits behind a longer one before it."""
    uri = cluster.uri(VHOST, "xiuhua-topology", cluster.passwords["topology"])
    handler = f"test-retries-{os.urandom(4).hex()}"
    with kombu.Connection(uri) as connection:
        channel = connection.channel()
        queue = kombu.Queue(handler, durable=True)(channel)
        queue.declare()
        kombu.Queue(f"{handler}.delay", durable=True, queue_arguments={
            "x-dead-letter-exchange": "", "x-dead-letter-routing-key": handler})(channel).declare()
        types = {q["name"]: q["type"] for q in cluster.queues(VHOST)}
        assert types[f"{handler}.delay"] == types[handler] == "quorum"
        producer = kombu.Producer(channel)
        producer.publish({"n": 1}, routing_key=f"{handler}.delay", expiration=0.2,
                         delivery_mode=2)
        for round_ in (1, 2, 3):
            message = wait_until(lambda: queue.get(no_ack=True), timeout=30,
                                 message=f"round {round_} back from the delay queue")
            [death] = message.headers["x-death"]
            assert (death["reason"], death["queue"], death["count"]) == (
                "expired", f"{handler}.delay", round_)
            producer.publish(message.body, routing_key=f"{handler}.delay", expiration=0.2,
                             delivery_mode=2, headers=message.headers,
                             content_type=message.content_type,
                             content_encoding=message.content_encoding)
        # Head of line: a 0.1 s delay behind a 2 s one comes back after it, not before.
        wait_until(lambda: queue.get(no_ack=True), timeout=30, message="round 4")
        producer.publish({"n": "long"}, routing_key=f"{handler}.delay", expiration=2.0,
                         delivery_mode=2)
        producer.publish({"n": "short"}, routing_key=f"{handler}.delay", expiration=0.1,
                         delivery_mode=2)
        back = [wait_until(lambda: queue.get(no_ack=True), timeout=30).payload["n"]
                for _ in range(2)]
        assert back == ["long", "short"]
        queue.delete()
        kombu.Queue(f"{handler}.delay")(channel).delete()


class Traffic:
    """Both ledgers at once: people's requests through the gateway (`clients` of them, each
    with its own session, so that several requests are in flight at any moment) and a stream
    of events, in background threads, and how far along they are."""

    def __init__(self, system, label: str, clients: int = 3):
        """Runs until `finish()` (at most 300 cycles per client and 3,000 events, about 12
        events a second)."""
        self.system = system
        self.stop = threading.Event()
        self.clients = [GatewayLedger(system.web, *ADMIN, label=f"{label}{n}",
                                      employer_id=system.employer_id, venue=system.venue)
                        for n in range(clients)]
        self.events = Ledger(system.amqp_uri, label)
        self.tap = Tap(system.amqp_uri, "volunteer", "volunteer_shift_opened")
        self.threads = [client.run_in_background(start=0, count=300, pause=0.2,
                                                 stop=self.stop)
                        for client in self.clients]
        self.threads.append(self.events.stream_in_background(
            count=3000, batch=5, pause=0.4, retry_for=240, stop=self.stop))

    def answers(self) -> list:
        return [answer for client in self.clients for answer in list(client.answers)]

    def progress(self) -> tuple[int, int]:
        """(events applied, requests acknowledged) so far."""
        applied = len(self.events.shifts(self.system))
        return applied, sum(1 for _, _, code in self.answers() if code == "OK")

    def wait_moving(self, since: tuple[int, int], timeout: float = 180) -> float:
        """Seconds until both events and requests have moved on from `since`."""
        started = time.monotonic()
        wait_until(lambda: all(now > then for now, then in zip(self.progress(), since)),
                   timeout=timeout, interval=0.2, message="events and requests moving again")
        return time.monotonic() - started

    def running(self) -> bool:
        return all(thread.is_alive() for thread in self.threads)

    def finish(self, timeout: float = 300) -> dict:
        """Stop sending (a cycle under way completes), then reconcile."""
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)
            assert not thread.is_alive(), "the traffic did not finish"
            assert thread.errors == [], thread.errors
        return self.reconcile()

    def reconcile(self, timeout: float = 180) -> dict:
        system = self.system
        last = {}

        def settled():
            last["events"] = len(self.events.shifts(system))
            last["requests"] = [client.reconcile(system) for client in self.clients]
            return last["events"] >= len(self.events.sent) and \
                not any(r["problems"] for r in last["requests"])
        try:
            wait_until(settled, timeout=timeout, interval=1.0,
                       message="every effect of what was sent and acknowledged")
        except AssertionError as error:
            raise AssertionError(f"{error}: {last.get('events')} of {len(self.events.sent)} "
                                 f"events applied; requests: {last.get('requests')}") from None
        # A repeat still queued or being handled would show now: wait until none is left.
        system.wait_quiet()
        events = self.events.reconcile(system)
        assert events["lost"] == [] and events["twice"] == [] and events["unexpected"] == [], \
            events
        assert events["arrived"] == events["inbox"] == len(self.events.sent)
        requests_ = {"answers": 0, "acknowledged": 0, "refused": Counter()}
        for client in self.clients:
            one = client.reconcile(system)
            assert one["problems"] == {}, one
            requests_["answers"] += one["answers"]
            requests_["acknowledged"] += one["acknowledged"]
            requests_["refused"].update(one["refused"])
        untyped = {key: n for key, n in requests_["refused"].items()
                   if key[0] is None or key[1] in ("INTERNAL_ERROR", "None")}
        assert untyped == {}, f"answers that were not typed errors: {untyped}"
        opened = wait_until(lambda: (lambda c: c if len(c) >= len(self.events.sent) else None)(
            opened_shifts(self.tap, self.events)), timeout=60, message="every shift's event")
        assert len(opened) == len(self.events.sent)
        return {"events": events, "requests": requests_}

    def close(self):
        self.tap.close()
        self.events.close()
        for client in self.clients:
            client.close()


def dead_letters(system, name: str) -> list[dict]:
    """Why each message in a service's dead-letter queue is there (read when a test fails)."""
    found = []
    with kombu.Connection(system.amqp_uri) as connection:
        queue = dead_letter_queue(name)(connection.channel())
        while (message := queue.get(no_ack=False)) is not None:
            headers = message.headers or {}
            found.append({"headers": headers, "routing_key": message.delivery_info.get(
                "routing_key"), "body": message.body[:300]})
    return found  # unacknowledged: back in the queue when the connection closes


def assert_nothing_dead_lettered(system):
    """Every service healthy, its dead-letter queue empty and its outbox drained."""
    def settled(rpc, name):
        report = getattr(rpc, name).health()
        return report if report["status"] == "ok" and \
            report["database"]["outbox_backlog"] == 0 else None
    with system.rpc(timeout=15) as rpc:  # one reply queue for all the questions
        for name in SERVICES:
            report = wait_until(lambda name=name: settled(rpc, name), timeout=60,
                                message=f"{name} healthy, its outbox drained")
            assert report["broker"]["dead_letters"] == 0, (name, dead_letters(system, name))
    for name, process in system.processes.items():
        assert process.poll() is None, f"{name} exited: every service rides it out"
    for process in system.processes.values():
        assert process.poll() is None  # every service rode it out


def test_a_node_killed_hard_and_brought_back_costs_no_request_and_no_event(
        cluster_system, cluster, report_recovery):
    system = cluster_system
    traffic = Traffic(system, "kill")
    try:
        wait_until(lambda: min(traffic.progress()) >= 10, timeout=120, message="traffic flowing")
        victim = cluster.nodes[0]  # where the topology step declared every queue: the leaders
        before = traffic.progress()
        killed = time.monotonic()
        victim.kill()
        assert traffic.running(), "the kill must land while traffic flows"
        moving = traffic.wait_moving(before)
        restarted = time.monotonic()
        victim.start()
        cluster.wait_formed()
        rejoined = time.monotonic() - restarted
        traffic.wait_moving(traffic.progress())
        assert traffic.running()
        result = traffic.finish()
        applied = time.monotonic() - killed
        assert_nothing_dead_lettered(system)
        report_recovery("one node killed (SIGKILL) and restarted", result, {
            "requests and events moving again after the kill": moving,
            "restarted node running and back in the cluster": rejoined,
            "everything sent applied, from the kill": applied})
    finally:
        traffic.close()


def test_two_nodes_down_is_no_majority_requests_fail_typed_or_wait_and_nothing_is_lost(
        cluster_system, cluster, report_recovery):
    system = cluster_system
    traffic = Traffic(system, "minority")
    first, second, last = cluster.nodes[1], cluster.nodes[2], cluster.nodes[0]
    try:
        wait_until(lambda: min(traffic.progress()) >= 10, timeout=120, message="traffic flowing")
        first.kill()
        second.stop()  # the second node of three: the last one has no majority and pauses
        lost_majority = time.monotonic()
        answered_before = {id(a) for a in traffic.answers()}
        # A while without a majority, with requests still coming.
        wait_until(lambda: len(traffic.answers()) >= len(answered_before) + 3, timeout=60,
                   message="requests answered while the broker had no majority")
        time.sleep(5)
        during = [a for a in traffic.answers() if id(a) not in answered_before]
        assert traffic.running(), "the outage must land while traffic flows"
        before = traffic.progress()
        second.start()
        majority_back = time.monotonic()
        moving = traffic.wait_moving(before)
        first.start()
        cluster.wait_formed()
        traffic.wait_moving(traffic.progress())
        assert traffic.running()
        result = traffic.finish()
        refused = [a for a in during if a[2] != "OK"]
        assert refused, f"with no majority, requests are refused: {during}"
        assert all(status == 503 for _, status, _ in refused), refused
        assert_nothing_dead_lettered(system)
        report_recovery("two of three nodes down (no majority), then back", result, {
            "without a majority": majority_back - lost_majority,
            "requests and events moving again after the majority returned": moving,
            "everything sent applied, from the majority's return":
                time.monotonic() - majority_back,
            "codes of refused requests meanwhile": sorted({code for _, _, code in refused})})
    finally:
        traffic.close()


def test_a_rolling_restart_of_all_three_nodes_costs_no_request_and_no_event(
        cluster_system, cluster, report_recovery):
    system = cluster_system
    traffic = Traffic(system, "rolling")
    try:
        wait_until(lambda: min(traffic.progress()) >= 10, timeout=120, message="traffic flowing")
        started = time.monotonic()
        figures = {}
        for node in cluster.nodes:
            n = node.index
            figures[f"node {n}: waited until no quorum queue needed it"] = \
                cluster.wait_quorum_safe(node)
            stopped = time.monotonic()
            node.stop()
            node.start()
            cluster.wait_formed()
            figures[f"node {n}: from stop to back in the cluster"] = time.monotonic() - stopped
        figures["whole rolling restart"] = time.monotonic() - started
        traffic.wait_moving(traffic.progress())
        assert traffic.running(), "the restarts must land while traffic flows"
        result = traffic.finish()
        assert_nothing_dead_lettered(system)
        report_recovery("rolling restart of all three nodes", result, figures)
    finally:
        traffic.close()
