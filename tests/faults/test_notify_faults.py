"""A message is sent once, and not lost, when the notification service is killed between
the send and its record (a `nameko run` process, SIGKILL), and when its events come twice."""
from __future__ import annotations

import pytest

from tests.e2e.harness import Publisher, System, new_event, wait_until
from shared.events.repair import WORK_ORDER_ACCEPTED

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(400)]

ADMIN = {"id": "u-admin", "name": "周启春", "role": "street_admin"}


@pytest.fixture(scope="module")
def system(tmp_path_factory, vhost, database):
    folder = tmp_path_factory.mktemp("notify-faults")
    running = System(folder, vhost.uri, database.uri, services=("repair", "notify"), env={
        "CRASH_MARKER": str(folder / "crashed"), "NOTIFY_DELIVERY_SECONDS": "0.3",
        "NOTIFY_LEASE_SECONDS": "3", "NOTIFY_QUIET_HOURS": "off",
        "NOTIFY_RATE_LIMIT": "100/3600"})
    running.marker = folder / "crashed"
    try:
        running.start()
        yield running
    finally:
        running.close()


def test_killed_between_send_and_record_the_message_goes_once_and_is_recorded(system):
    system.stop_service("notify")
    system.start_service("notify", module="tests.faults.crashing_notify")
    system.wait_healthy(["notify"])
    with system.rpc() as rpc:
        order = rpc.repair.report_work_order(
            ADMIN, category="street_light", community="浚河社区", alley="新宇巷",
            description="路灯不亮", channel="resident",
            reporter={"name": "张清松", "phone": "13805501234"})
        rpc.repair.accept_work_order(order["number"], ADMIN)
    wait_until(lambda: system.processes["notify"].poll() is not None, timeout=60,
               message="the crashing notify to die mid-send: " + system.log_tail("notify", 800))
    key = system.marker.read_text()
    mailbox = system.db("notify").dev_messages
    assert mailbox.count_documents({"_id": key}) == 1          # it did go out
    assert system.db("notify").messages.find_one({"_id": key})["state"] == "pending"
    system.start_service("notify")
    system.wait_healthy(["notify"])
    with system.rpc() as rpc:
        sent = wait_until(lambda: rpc.notify.get_message(key)["state"] == "sent"
                          and rpc.notify.get_message(key), timeout=60)
        outcomes = [a["outcome"] for a in sent["attempts_made"]]
    assert outcomes == ["interrupted", "sent"]
    assert mailbox.count_documents({}) == 1  # sent again after the crash, kept once


def test_events_delivered_twice_around_a_kill_make_each_message_once(system):
    """A stream of acceptances, every one published twice, with the service killed (-9) in
    the middle of it: every reporter is told exactly once."""
    publisher = Publisher(system.amqp_uri)
    numbers = [f"WO2099010{i:05d}" for i in range(30)]
    try:
        events = [new_event(WORK_ORDER_ACCEPTED, {
            "number": number, "state": "accepted", "category": "street_light",
            "community": "浚河社区", "alley": "新宇巷", "actor_name": "王主任",
            "due_at": "2099-01-10T00:00:00.000+00:00", "channel": "resident",
            "reporter_reachable": True, "imported": False}) for number in numbers]
        publisher.publish(events[:15] + events[:15])
        ours = {"_id": {"$regex": "^work_order_accepted\\|WO2099"}}
        wait_until(lambda: system.db("notify").messages.count_documents(ours) >= 5, timeout=60)
        system.kill_service("notify")
        publisher.publish(events[15:] + events[15:] + events[:15])
        system.start_service("notify")
        system.wait_healthy(["notify"])
        inbox = {"_id": {"$regex": "^notify.tell_work_order_accepted\\|"}}
        before = 1  # the first test's acceptance
        wait_until(lambda: system.db("notify").messages.count_documents(ours) == len(numbers)
                   and system.db("notify").inbox.count_documents(inbox) == len(numbers) + before,
                   timeout=120)
    finally:
        publisher.close()
    keys = sorted(d["_id"] for d in system.db("notify").messages.find(ours))
    assert keys == sorted(f"work_order_accepted|{n}" for n in numbers)
