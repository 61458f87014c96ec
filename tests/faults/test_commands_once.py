"""Commands take effect once however the system fails around them (shared.storage,
shared.rpc): the service killed between the commit of a command and its reply, and a request
whose caller gave up before the service could take it."""
from __future__ import annotations

import time
import uuid

import pytest
import requests

from tests.e2e.harness import System, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(400)]


@pytest.fixture(scope="module")
def system(tmp_path_factory, vhost, database):
    folder = tmp_path_factory.mktemp("commands-once")
    running = System(folder, vhost.uri, database.uri, services=("repair", "gateway"),
                     env={"CRASH_MARKER": str(folder / "crashed"), "RPC_TIMEOUT": "4"})
    running.marker = folder / "crashed"
    try:
        running.start()
        yield running
    finally:
        running.close()


def signed_in(system) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{system.web}/api/session", json={
        "username": "admin", "password": "e2e-admin-password"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return session


def report(description: str) -> dict:
    return {"category": "street_light", "community": "天宝社区", "alley": "聚宝路",
            "description": description, "channel": "grid_worker"}


def orders_described(system, description: str) -> list[dict]:
    return list(system.db("repair").work_orders.find({"description": description}))


def test_a_service_killed_between_commit_and_reply_has_one_effect_and_answers_the_retry(
        system):
    session = signed_in(system)
    system.stop_service("repair")
    system.start_service("repair", module="tests.faults.crashing_repair")
    system.wait_healthy(["repair"])
    description = f"提交后崩溃 {uuid.uuid4().hex}"
    key = uuid.uuid4().hex
    first = session.post(f"{system.web}/api/work-orders", json=report(description),
                         headers={"Idempotency-Key": key}, timeout=30)
    wait_until(lambda: system.processes["repair"].poll() is not None, timeout=30,
               message=f"the crashing repair to die (the POST: {first.status_code} "
                       f"{first.text[:300]}; its log: {system.log_tail('repair', 1500)})")
    committed = system.marker.read_text()
    system.start_service("repair")
    system.wait_healthy(["repair"])
    # The client saw the request fail (or, if the redelivered request beat its deadline, the
    # stored answer); either way it may send the same request again.
    assert first.status_code in (201, 503), first.text
    retry = session.post(f"{system.web}/api/work-orders", json=report(description),
                         headers={"Idempotency-Key": key}, timeout=30)
    assert retry.status_code == 201, retry.text
    assert retry.json()["number"] == committed
    if first.status_code == 201:
        assert first.json()["number"] == committed
    assert [o["_id"] for o in orders_described(system, description)] == [committed]
    reported = system.db("repair").outbox.count_documents(
        {"type": "work_order_reported", "body.data.number": committed})
    assert reported == 1


def test_a_request_its_caller_gave_up_on_is_never_carried_out(system):
    session = signed_in(system)
    system.stop_service("repair")
    description = f"无人等待 {uuid.uuid4().hex}"
    started = time.monotonic()
    answer = session.post(f"{system.web}/api/work-orders", json=report(description),
                          timeout=30)
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "SERVICE_TIMEOUT"
    wait_until(lambda: time.monotonic() - started > 5, timeout=10)  # past the 4 s deadline
    system.start_service("repair")
    system.wait_healthy(["repair"])
    with system.rpc() as rpc:  # the service has taken everything waiting in its queue
        rpc.repair.health()
    assert orders_described(system, description) == []
