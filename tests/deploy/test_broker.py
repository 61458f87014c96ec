"""The broker in production: the topology step, and one user per service whose permissions let
it do its work and nothing of another service's — on the real broker, in a throw-away vhost."""
from __future__ import annotations

import kombu
import pytest
from amqp.exceptions import AccessRefused
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcProxy

from services.repair.service import RepairService
from shared import topology
from shared.envelope import Envelope
from shared.events.job import EMPLOYER_PROBLEM_REPORTED
from shared.outbox import ConfirmingPublisher, exchange_name
from shared.rpc import ServiceRpc
from tests.conftest import EventTap, wait_until
from tests.deploy.conftest import amqp_uri_for, load_tool, run_tool

provision = load_tool("rabbitmq/provision.py")
PASSWORDS = {"repair": "repair-pw-1", "job": "job-pw-2", "caller": "caller-pw-3",
             "topology": "topology-pw-4"}


@pytest.fixture
def users(rabbit_api, rabbit_config, user_prefix):
    """xiuhua's production users in this test's vhost: name -> AMQP URI."""
    env = {f"RABBITMQ_{name.upper()}_PASSWORD": pw for name, pw in PASSWORDS.items()}
    services = [name for name in PASSWORDS if name != "topology"]
    created = provision.provision(rabbit_api.api, rabbit_config["vhost"], services, env,
                                  user_prefix=user_prefix)
    assert created == [f"{user_prefix}{name}" for name in PASSWORDS]
    return {name: amqp_uri_for(rabbit_config, f"{user_prefix}{name}", pw)
            for name, pw in PASSWORDS.items()}


def test_provisioning_is_idempotent_and_rotates_passwords(rabbit_api, rabbit_config, users,
                                                          user_prefix):
    env = {"RABBITMQ_REPAIR_PASSWORD": "rotated-pw", "RABBITMQ_TOPOLOGY_PASSWORD": "t-pw"}
    provision.provision(rabbit_api.api, rabbit_config["vhost"], ["repair"], env,
                        user_prefix=user_prefix)
    with pytest.raises(AccessRefused):
        with kombu.Connection(users["repair"]) as connection:
            connection.connect()
    rotated = amqp_uri_for(rabbit_config, f"{user_prefix}repair", "rotated-pw")
    with kombu.Connection(rotated) as connection:
        connection.connect()


def test_passwords_must_be_set_and_url_safe(rabbit_api, rabbit_config, user_prefix):
    with pytest.raises(SystemExit, match="RABBITMQ_REPAIR_PASSWORD is not set"):
        provision.provision(rabbit_api.api, rabbit_config["vhost"], ["repair"],
                            {"RABBITMQ_TOPOLOGY_PASSWORD": "x"}, user_prefix=user_prefix)
    with pytest.raises(SystemExit, match="URL-safe"):
        provision.provision(rabbit_api.api, rabbit_config["vhost"], ["repair"],
                            {"RABBITMQ_REPAIR_PASSWORD": "a@b/c",
                             "RABBITMQ_TOPOLOGY_PASSWORD": "x"}, user_prefix=user_prefix)


def test_the_topology_step_declares_what_the_services_consume(rabbit_config, users):
    expected = {queue.name for cls in topology.service_classes()
                for queue in topology.subscriptions(cls)}
    assert expected, "no subscriber queues found in the services"
    as_repair = {"AMQP_URI": users["repair"]}
    waiting = run_tool("topology.py", "--wait", "--timeout", "2", env=as_repair)
    assert waiting.returncode == 1 and "still missing" in waiting.stdout
    declared = run_tool("topology.py", env={"AMQP_URI": users["topology"]})
    assert declared.returncode == 0, declared.stdout + declared.stderr
    assert f"for {len(topology.service_classes())} services" in declared.stdout
    # Any service's user can check (passive declares need no permission) before it starts.
    waited = run_tool("topology.py", "--wait", "--timeout", "10", env=as_repair)
    assert waited.returncode == 0, waited.stdout + waited.stderr
    with kombu.Connection(rabbit_config["AMQP_URI"]) as connection:
        channel = connection.channel()
        for name in expected:
            channel.queue_declare(name, passive=True)


class CallerService:
    """Another service calling repair over RPC, as the gateway does."""
    name = "caller"
    repair = ServiceRpc("repair")

    @rpc
    def ask(self):
        return self.repair.health()["status"]


def test_a_service_works_with_its_own_user_only(
        rabbit_config, users, container_factory, service_config, service_db):
    assert run_tool("topology.py", env={"AMQP_URI": users["topology"]}).returncode == 0
    container_factory(RepairService, {**service_config, "AMQP_URI": users["repair"]}).start()
    container_factory(CallerService, {**service_config, "AMQP_URI": users["caller"]}).start()

    # The health probe, with the service's own credentials, as in its container.
    probe = run_tool("healthcheck.py", "repair", env={"AMQP_URI": users["repair"]})
    assert probe.returncode == 0, probe.stdout + probe.stderr
    # Another service, under its own user, calls it through its own reply queue.
    with ClusterRpcProxy(rabbit_config, timeout=20) as proxy:
        assert proxy.caller.ask() == "ok"

    # job publishes an event; repair consumes it and publishes its own in turn.
    tap = EventTap(rabbit_config["AMQP_URI"], "repair")
    try:
        publisher = ConfirmingPublisher(users["job"])
        event = Envelope.new(EMPLOYER_PROBLEM_REPORTED, {
            "problem_id": "p-7", "visit_id": "visit-7", "employer_id": "e-7",
            "employer_name": "聚宝路小吃城", "community": "天宝社区", "category": "parking",
            "alley": "聚宝路", "address": "聚宝路45号", "location": None,
            "description": "门口电动车乱停", "visitor_name": "周敏"})
        publisher.publish_batch([(exchange_name("job"), event.type, event.to_message(),
                                  event.event_id, {})])
        publisher.close()
        orders = service_db("repair")["work_orders"]
        wait_until(lambda: orders.find_one({"source_ref.ref": "p-7"}), timeout=20)
        tap.wait_for("work_order_reported", lambda data: data.get("channel") == "employer_visit",
                      timeout=20)
    finally:
        tap.close()


def test_a_service_cannot_touch_another_services_queues_or_events(rabbit_config, users):
    assert run_tool("topology.py", env={"AMQP_URI": users["topology"]}).returncode == 0
    repair_queue = next(q.name for q in topology.subscriptions(RepairService))

    def refused(action):
        with kombu.Connection(users["job"]) as connection:
            with pytest.raises(AccessRefused):
                action(connection.channel())

    # job may not publish repair's events...
    refused(lambda channel: ConfirmingPublisher(users["job"]).publish_batch(
        [(exchange_name("repair"), "work_order_closed", {"forged": True}, "m-1", {})]))
    # ...nor read repair's queues, nor declare them, nor call itself a repair reply queue.
    refused(lambda channel: channel.basic_consume(repair_queue, callback=lambda m: None))
    refused(lambda channel: channel.basic_consume("rpc-repair", callback=lambda m: None))
    refused(lambda channel: channel.queue_declare("rpc-repair", durable=True))
    refused(lambda channel: channel.queue_declare("rpc.reply-repair-x", exclusive=True))
    refused(lambda channel: channel.queue_declare("repair.dead-letters", durable=True))
    # Its own events exchange is fine.
    ConfirmingPublisher(users["job"]).publish_batch(
        [(exchange_name("job"), "employer_visited", {"test": True}, "m-2", {})])


def test_quorum_policy_keeps_messages_past_the_delivery_limit():
    policy = provision.quorum_policy("repair", 1000)
    assert policy["apply-to"] == "quorum_queues"
    assert policy["definition"] == {"delivery-limit": 1000,
                                    "dead-letter-exchange": "xiuhua.dead-letters",
                                    "dead-letter-routing-key": "repair",
                                    "dead-letter-strategy": "at-least-once",
                                    "overflow": "reject-publish"}
    import re
    pattern = re.compile(policy["pattern"])
    assert not pattern.match("rpc-repair")  # the RPC queue has a policy of its own
    assert pattern.match("evt-job-employer_problem_reported--repair.open_work_order_for_employer")
    assert not pattern.match("evt-repair-work_order_closed--job.on_work_order_closed")
    assert not pattern.match("rpc.reply-repair-1234")
    # A delay queue named after a handler's queue is not one of the handler's queues.
    assert not pattern.match("evt-job-employer_problem_reported--repair.open_work_order_for_"
                             "employer.delay")


def test_rpc_policy_limits_deliveries_and_drops_what_its_caller_gave_up_on():
    policy = provision.rpc_policy("repair", 1000)
    assert policy["apply-to"] == "quorum_queues"
    # No dead-letter exchange: a request the broker expires at its caller's deadline is dropped.
    assert policy["definition"] == {"delivery-limit": 1000}
    import re
    pattern = re.compile(policy["pattern"])
    assert pattern.match("rpc-repair")
    assert not pattern.match("rpc-repair2")
    assert not pattern.match("rpc.reply-repair-1234")
    assert not pattern.match("evt-repair-work_order_closed--repair.x")
