"""Notifications through the gateway on one running system: a resident's report, accepted by
the street, becomes a message (工单已受理) the street admin reads in 消息记录 (the development
mailbox) and in 通知发送记录 with its attempts; community staff are refused both; a resident
who turns work-order messages off in 消息设置 is not sent the next one (it is recorded as not
sent, 收件人已退订); bad settings are refused and change nothing."""
from __future__ import annotations

import re

import pytest

from tests.conftest import wait_until
from tests.integration.gateway.conftest import Client

PHONE = "13912345601"
COMMUNITY = "天宝社区"


@pytest.fixture(scope="module")
def module_config(module_config):
    # Messages go out whatever the hour the suite runs at, and none waits for the rate limit.
    return {**module_config, "NOTIFY_QUIET_HOURS": "off", "NOTIFY_RATE_LIMIT": "100/3600",
            "NOTIFY_DELIVERY_SECONDS": 0.5}


def mailbox(admin, phone: str, kind: str) -> list[dict]:
    answer = admin.get("/api/notifications/dev-messages", params={"phone": phone})
    assert answer.status_code == 200, answer.text
    return [m for m in answer.json()["items"] if m["kind"] == kind]


def signed_in_resident(base, admin, phone: str) -> Client:
    """Signed in on the resident site with the code 消息记录 shows the street admin."""
    client = Client(base)
    sent = client.post("/m/api/sign-in/code", json={"phone": phone})
    assert sent.status_code == 200, sent.text
    texts = wait_until(lambda: mailbox(admin, phone, "sign_in_code"), timeout=30,
                       message="the sign-in code")
    code = re.search(r"\d{6}", texts[0]["text"]).group(0)
    answer = client.post("/m/api/sign-in", json={"phone": phone, "code": code})
    assert answer.status_code == 200, answer.text
    return client


def reported_and_accepted(resident, admin) -> str:
    reported = resident.post("/m/api/work-orders", json={
        "category": "street_light", "community": COMMUNITY, "address": "新宇巷5号楼东侧",
        "description": "路灯不亮"})
    assert reported.status_code == 201, reported.text
    number = reported.json()["number"]
    accepted = admin.post(f"/api/work-orders/{number}/accept", json={})
    assert accepted.status_code == 200, accepted.text
    return number


def message_of(admin, number: str, *states: str) -> dict:
    """The 工单已受理 message of an order once it is in one of `states`."""
    key = f"work_order_accepted|{number}"

    def found():
        answer = admin.get(f"/api/notifications/messages/{key}")
        return answer.json() if answer.status_code == 200 and \
            answer.json()["state"] in states else None
    return wait_until(found, timeout=30, message=f"message {key} {states}")


@pytest.fixture(scope="module")
def resident(module_system, module_admin):
    client = signed_in_resident(module_system, module_admin, PHONE)
    yield client
    client.close()


def test_an_accepted_report_is_told_to_the_resident_and_the_admin_reads_it(
        module_system, module_admin, module_make_user, resident):
    admin = module_admin
    number = reported_and_accepted(resident, admin)

    message = message_of(admin, number, "sent")
    assert message["kind_name"] == "工单已受理" and message["topic_name"] == "工单办理进度"
    assert message["state_name"] == "已发送" and message["channel"] == "sms"
    assert message["address_masked"] == "139****5601" and message["data"]["number"] == number
    assert [a["outcome_name"] for a in message["attempts_made"]] == ["已发送"]

    told = [m for m in mailbox(admin, PHONE, "work_order_accepted") if number in m["text"]]
    assert len(told) == 1 and told[0]["kind_name"] == "工单已受理"
    assert told[0]["channel_name"] == "短信" and told[0]["to_masked"] == "139****5601"
    assert PHONE not in str(told[0])

    listed = admin.get("/api/notifications/messages", params={
        "phone": PHONE, "kind": "work_order_accepted"}).json()
    assert [m["key"] for m in listed["items"]] == [message["key"]] and listed["total"] == 1
    attempts = admin.get("/api/notifications/attempts",
                         params={"message_key": message["key"]}).json()["items"]
    assert [(a["outcome"], a["kind_name"]) for a in attempts] == [("sent", "工单已受理")]

    # Only a failed message is sent again; a sent one is refused for its state.
    again = admin.post(f"/api/notifications/messages/{message['key']}/retry", json={})
    assert again.status_code == 409 and again.json()["code"] == "ILLEGAL_TRANSITION"
    callbacks = admin.get("/api/notifications/hotline-callbacks")
    assert callbacks.status_code == 200 and callbacks.json()["total"] == 0

    staff = module_make_user("community_staff", community=COMMUNITY)
    for path in ("/api/notifications/messages", "/api/notifications/dev-messages",
                 f"/api/notifications/messages/{message['key']}",
                 "/api/notifications/hotline-callbacks"):
        refused = staff.get(path)
        assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN", path
    refused = staff.post(f"/api/notifications/messages/{message['key']}/retry", json={})
    assert refused.status_code == 403


def test_a_resident_who_turns_work_orders_off_is_not_sent_the_next(module_admin, resident):
    admin = module_admin
    mine = resident.get("/m/api/me/notifications")
    assert mine.status_code == 200, mine.text
    assert mine.json()["address_masked"] == "139****5601"
    assert mine.json()["quiet_hours"] is None  # off on this system
    assert {t["code"]: t["on"] for t in mine.json()["topics"]} == {
        "work_orders": True, "activities": True, "volunteering": True, "jobs": True}

    # A sign-in code cannot be turned off; a bad setting changes nothing.
    bad = resident.put("/m/api/me/notifications", json={"topics_off": ["sign_in"]})
    assert bad.status_code == 422 and "topics_off" in bad.json()["fields"]
    assert resident.get("/m/api/me/notifications").json()["topics_off"] == []

    off = resident.put("/m/api/me/notifications", json={"topics_off": ["work_orders"]})
    assert off.status_code == 200, off.text
    topics = {t["code"]: (t["name"], t["on"]) for t in off.json()["topics"]}
    assert topics["work_orders"] == ("工单办理进度", False) and topics["jobs"][1] is True
    assert resident.get("/m/api/me/notifications").json()["topics_off"] == ["work_orders"]

    number = reported_and_accepted(resident, admin)
    message = message_of(admin, number, "skipped", "sent")
    assert message["state"] == "skipped" and message["skip_reason_name"] == "收件人已退订"
    assert not [m for m in mailbox(admin, PHONE, "work_order_accepted") if number in m["text"]]

    # Another resident cannot be named in place of oneself.
    other = resident.put("/m/api/me/notifications",
                         json={"opted_out": True, "resident": "someone-else"})
    assert other.status_code == 403
    assert resident.get("/m/api/me/notifications").json()["opted_out"] is False
