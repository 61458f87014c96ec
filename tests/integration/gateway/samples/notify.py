"""Samples for the notification routes: a work order reported with the reporter's phone and
accepted (so notify makes a message, 工单已受理, under a key this module knows), and a 12345
callback that failed — stored straight in notify's database (`stored`), since a system
without a hotline URL queues none — for the street admin to send again."""
import random
import uuid
from datetime import datetime, timezone

from tests.conftest import wait_until
from tests.integration.gateway.samples.repair import ORDER

SERVICE = "notify"


def records(admin, community):
    phone = f"137{random.randrange(10**8):08d}"
    order = admin.post("/api/work-orders", json={
        **ORDER, "community": community, "reporter": {"name": "王秀梅", "phone": phone}})
    assert order.status_code == 201, order.text
    number = order.json()["number"]
    accepted = admin.post(f"/api/work-orders/{number}/accept", json={})
    assert accepted.status_code == 200, accepted.text
    key = f"work_order_accepted|{number}"
    wait_until(lambda: admin.get(f"/api/notifications/messages/{key}").status_code == 200,
               timeout=30, message="the message of the accepted order")
    return {"key": key, "number": number, "phone": phone, "community": community,
            "callback_id": f"T{uuid.uuid4().hex[:10]}|completed"}


def stored(database, placeholders):
    """A 12345 callback of the set's order that the hotline never took."""
    now = datetime.now(timezone.utc)
    ticket = placeholders["callback_id"].split("|")[0]
    database("notify")["hotline_callbacks"].insert_one({
        "_id": placeholders["callback_id"], "ticket": ticket,
        "work_order_number": placeholders["number"], "stage": "completed",
        "stage_name": "办结", "body": {"ticket": ticket, "stage": "completed"},
        "state": "failed", "attempts": 10, "next_at": None, "lease_until": None,
        "last_error": {"code": "HTTP_503", "message": "", "at": now}, "delivered_at": None,
        "created_at": now, "cause": None})


def snapshot(admin, placeholders):
    return admin.get(f"/api/notifications/messages/{placeholders['key']}").json()["state"]


SAMPLES = {
    "notifications.messages": ({}, {"state": ["sent", "pending"], "kind": "work_order_accepted"}),
    "notifications.message": ({"key": "{key}"}, {}),
    "notifications.retry": ({"key": "{key}"}, {"note": "收件人已更正号码"}),
    "notifications.attempts": ({}, {"message_key": "{key}"}),
    "notifications.hotline_callbacks": ({}, {"state": ["failed"]}),
    "notifications.retry_hotline_callback": ({"callback_id": "{callback_id}"},
                                             {"note": "热线平台已恢复"}),
    "notifications.dev_messages": ({}, {"phone": "{phone}"}),
    "resident.notifications": ({}, {}),
    "resident.set_notifications": ({}, {"topics_off": ["jobs"]}),
}
