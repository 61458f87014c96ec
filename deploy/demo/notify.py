"""The demo's month of sent messages (消息记录), built from the demo's own plan and recorded
through the notification service's 补录 method (`record_past_message`), which applies the
real rules at each message's moment: opt-out, quiet hours (a message due at night goes in
the morning), the rate limit per person. Residents' names and numbers are the demo's own
(137/138 numbers with a fixed pattern), like the rest of the demo."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from shared import names

ACTOR = {"id": "demo-loader", "name": "广陵街道办(演示数据)", "role": "street_admin"}
REASON = "广陵街道2026年消息发送台账(演示数据)"


def _day(text: str) -> str:
    moment = datetime.fromisoformat(text)
    return f"{moment.month}月{moment.day}日"


def _time(text: str) -> str:
    moment = datetime.fromisoformat(text)
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def plan(demo: dict, today: date) -> list[dict]:
    """The messages of the last 30 days, in time order."""
    since = (today - timedelta(days=30)).isoformat()
    messages = []
    for index, order in enumerate(demo["work_orders"]):
        if order["channel"] != "resident" or order["accepted_at"][:10] < since:
            continue
        person = {"name": f"居民{index + 1:03d}", "phone": f"1380550{index:04d}"}
        number = f"补录工单{index + 1:03d}"
        place = order["address"]
        messages.append({"key": f"demo|work_order_accepted|{index}",
                         "kind": "work_order_accepted", "recipient": person,
                         "at": order["accepted_at"],
                         "data": {"number": number, "address": place,
                                  "due_date": _day(order["completed_at"])}})
        messages.append({"key": f"demo|work_order_completed|{index}",
                         "kind": "work_order_completed", "recipient": person,
                         "at": order["completed_at"],
                         "data": {"number": number, "address": place,
                                  "answer": order["result_note"]}})
    for index, activity in enumerate(demo["held_activities"]):
        if activity["starts_at"][:10] < since:
            continue
        starts = datetime.fromisoformat(activity["starts_at"])
        reminder = (starts - timedelta(days=1)).replace(hour=9, minute=0)
        for seat in range(min(3, activity["registered"])):
            messages.append({
                "key": f"demo|activity_reminder|{index}|{seat}", "kind": "activity_reminder",
                "recipient": {"name": f"报名居民{index:03d}{seat}",
                              "phone": f"1370551{index % 1000:03d}{seat}"},
                "at": reminder.isoformat(),
                "data": {"title": activity["title"], "start_time": _time(activity["starts_at"]),
                         "place": names.place(activity['venue'], activity['room'])}})
    messages.sort(key=lambda m: m["at"])
    return messages


def load(loader, demo: dict, today: date) -> int:
    messages = plan(demo, today)
    loader.each("消息记录", messages, lambda client, message: client.notify.record_past_message(
        actor=ACTOR, reason=REASON, **message)["key"])
    return len(messages)
