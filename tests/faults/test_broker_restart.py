"""RabbitMQ stopped and started again while events flow, on a private node of this test's own
(the machine's broker is shared with other tests and never restarted). The services, the
outbox relay and the publishing side must come back by themselves: no event lost, none
applied twice, and processing back within 30 s of the broker returning."""
from __future__ import annotations

import threading
import time

import pytest

from tests.conftest import require
from tests.e2e.harness import PrivateRabbit, System, Tap, wait_until
from tests.faults.ledger import Ledger
from tests.faults.test_service_faults import RECOVERY_BOUND, assert_reconciled, opened_shifts

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def rabbit(tmp_path_factory):
    require(PrivateRabbit.available(), "RabbitMQ is not installed here: the broker-restart "
            "test needs a private rabbitmq-server node")
    node = PrivateRabbit(tmp_path_factory.mktemp("rabbit"))
    node.start()
    yield node
    node.close()


@pytest.fixture(scope="module")
def broker_system(tmp_path_factory, rabbit, database):
    running = System(tmp_path_factory.mktemp("broker-system"), rabbit.uri, database.uri,
                     services=("volunteer",))
    running.queue_counts = rabbit.queue_counts
    try:
        running.start()
        yield running
    finally:
        running.close()


@pytest.mark.timeout(400)
def test_a_broker_restart_while_events_flow_loses_nothing_and_processing_resumes(
        broker_system, rabbit):
    system = broker_system
    ledger = Ledger(system.amqp_uri, "broker")
    tap = Tap(system.amqp_uri, "volunteer", "volunteer_shift_opened")
    try:
        # Events keep coming until the test says stop (at most 3,000): the restart lands
        # while they flow however long stopping the broker takes (a fixed count of 300 was
        # seen all handled before a slow `rabbitmqctl stop` returned).
        enough = threading.Event()
        flow = ledger.stream_in_background(count=3000, batch=10, pause=0.25, retry_for=120,
                                           stop=enough)
        wait_until(lambda: len(ledger.shifts(system)) >= 20, timeout=60,
                   message="handling under way")
        assert flow.is_alive(), "the restart must land while events flow"
        rabbit.stop()
        stopped = len(ledger.shifts(system))
        time.sleep(2)
        back = rabbit.start()
        try:
            wait_until(lambda: len(ledger.shifts(system)) > stopped, timeout=120, interval=0.2,
                       message="processing resumed")
        except AssertionError as error:  # say where it stopped: the publisher or the consumer
            raise AssertionError(f"{error}: {stopped} shifts at the stop, "
                                 f"{len(ledger.shifts(system))} now; {len(ledger.sent)} events "
                                 f"sent, {ledger.failed_attempts} publishes refused, stream "
                                 f"{'running' if flow.is_alive() else 'ended'} "
                                 f"{flow.errors}; queues {rabbit.queue_counts()}") from None
        recovery = time.monotonic() - back
        wait_until(lambda: len(ledger.shifts(system)) > stopped + 20, timeout=120,
                   message="events after the restart handled")
        enough.set()
        flow.join(180)
        assert not flow.is_alive() and flow.errors == []

        result = assert_reconciled(ledger, system, timeout=120)
        print(f"\nbroker restart: {result['sent']} events + {result['copies']} repeats "
              f"({ledger.failed_attempts} publishes refused while it was down); processing "
              f"resumed {recovery:.1f}s after the broker returned")
        assert recovery < RECOVERY_BOUND
        assert system.processes["volunteer"].poll() is None  # it rode the outage out
        # The consumer's own events went out through its relay after the restart too.
        outbox = system.db("volunteer").outbox
        wait_until(lambda: outbox.count_documents({"pending": True}) == 0, timeout=60,
                   message="the volunteer's outbox drained")
        opened = wait_until(lambda: (lambda c: c if len(c) >= len(ledger.sent) else None)(
            opened_shifts(tap, ledger)), timeout=30,
            message=f"every shift's event (have {len(opened_shifts(tap, ledger))})")
        assert len(opened) == len(ledger.sent)
        report = wait_until(lambda: (lambda r: r if r["status"] == "ok" else None)(
            system.health("volunteer")), timeout=30, message="healthy again")
        assert report["database"]["outbox_backlog"] == 0
        with system.rpc(timeout=10) as rpc:
            assert rpc.volunteer.get_recognition_rules()["star_thresholds"]
    finally:
        tap.close()
        ledger.close()
