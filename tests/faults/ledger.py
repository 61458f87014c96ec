"""Ledgers for fault tests: what was sent and what arrived, reconciled at the end.

`Ledger`: a stream of events with unique ids, and repeats of some of them, against the
consumer's effects in its database and the events it published in turn. The stream is
`repair.work_order_completed` for made-up work orders; its consumer is the volunteer service,
which opens exactly one follow-up visit shift per completed order and publishes
`volunteer_shift_opened` for it.

`GatewayLedger`: requests through the gateway's HTTP API, as people make them, against what
each acknowledged request did in every service, events between services included.
"""
from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta

import requests

from shared import clock
from shared.envelope import Envelope
from shared.events.repair import WORK_ORDER_COMPLETED
from tests.e2e.harness import Publisher


def completed(number: str, completed_at: str | None = None) -> Envelope:
    return Envelope.new(WORK_ORDER_COMPLETED, {
        "number": number, "state": "completed", "category": "street_light",
        "community": "浚河社区", "alley": "新宇巷", "actor_name": "供电班组",
        "address": "新宇巷49号", "department_code": "power",
        "completed_at": completed_at or clock.iso(clock.now()), "on_time": True,
        "quantities": [{"kind": "street_lamp", "amount": 1.0, "unit": "盏"}],
        "reporter_name": "张清松", "reporter_phone_masked": "138****5678"})


class Ledger:
    def __init__(self, amqp_uri: str, label: str):
        self.amqp_uri = amqp_uri
        self.prefix = f"{label}-{uuid.uuid4().hex[:6]}"
        self.sent: dict[str, Envelope] = {}   # work order number -> its event
        self.copies = 0                        # repeats of events already sent
        self.failed_attempts = 0               # publishes the broker did not confirm
        self.publisher = Publisher(amqp_uri)

    def number(self, n: int) -> str:
        return f"{self.prefix}-{n:05d}"

    def send(self, envelopes: list[Envelope], retry_for: float = 0.0) -> None:
        """Publish and wait for the broker's confirms; with `retry_for`, a batch the broker
        did not confirm (it is down) is sent again until it is, for up to that long."""
        deadline = time.monotonic() + retry_for
        while True:
            try:
                self.publisher.publish(envelopes)
                break
            except Exception:  # noqa: BLE001 - the broker is away; retry the same batch
                self.failed_attempts += 1
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        for envelope in envelopes:
            number = envelope.data["number"]
            if number in self.sent:
                self.copies += 1
            else:
                self.sent[number] = envelope

    def stream(self, count: int, start: int = 0, batch: int = 10, repeat_every: int = 5,
               retry_for: float = 0.0, pause: float = 0.0,
               stop: threading.Event | None = None) -> None:
        """`count` new events in batches (fewer if `stop` is set first); every
        `repeat_every`-th batch also carries again the first event of the batch before it
        (the same envelope: a redelivery)."""
        previous = None
        for first in range(start, start + count, batch):
            if stop is not None and stop.is_set():
                return
            envelopes = [completed(self.number(n))
                         for n in range(first, min(first + batch, start + count))]
            if previous is not None and (first // batch) % repeat_every == 0:
                envelopes.append(previous)
            self.send(envelopes, retry_for)
            previous = envelopes[0]
            if pause:
                time.sleep(pause)

    def stream_in_background(self, **kwargs) -> threading.Thread:
        errors = []

        def run():
            try:
                self.stream(**kwargs)
            except Exception as error:  # noqa: BLE001 - reported by join()
                errors.append(error)
        thread = threading.Thread(target=run, daemon=True)
        thread.errors = errors
        thread.start()
        return thread

    # -- what arrived -----------------------------------------------------------------------

    def shifts(self, system) -> Counter:
        """Visit shifts per work order number of this ledger (1 each when all is well)."""
        found = system.db("volunteer").shifts.find(
            {"source.work_order_number": {"$regex": f"^{self.prefix}-"}},
            {"source.work_order_number": 1})
        return Counter(doc["source"]["work_order_number"] for doc in found)

    def applied(self, system) -> int:
        """Events of this ledger marked in the volunteer's inbox."""
        ids = [e.event_id for e in self.sent.values()]
        return system.db("volunteer").inbox.count_documents(
            {"_id": {"$in": [f"volunteer.open_follow_up_visit|{i}" for i in ids]}})

    def reconcile(self, system) -> dict:
        shifts = self.shifts(system)
        return {"sent": len(self.sent), "copies": self.copies, "arrived": len(shifts),
                "lost": sorted(set(self.sent) - set(shifts)),
                "twice": sorted(n for n, c in shifts.items() if c > 1),
                "unexpected": sorted(set(shifts) - set(self.sent)),
                "inbox": self.applied(system)}

    def close(self):
        self.publisher.close()


# The room is booked once per activity: each takes its own two hours, from three days on.
_ACTIVITY_SLOTS = itertools.count()
_ACTIVITY_DAY = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)


class GatewayLedger:
    """Requests made through the gateway's HTTP API while a fault happens, what each one was
    answered, and — reconciled at the end — what each one did in every service.

    One cycle reports a work order and walks it to completion (repair; the completion opens a
    follow-up visit shift in volunteer); every third records an employer visit with a problem
    and agreed training (job; the problem becomes a work order in repair, whose number job
    learns, and the training a draft activity); every third, offset, creates and publishes an
    activity with volunteer slots (activity; volunteer opens a shift). Every record carries a
    marker of this ledger, so its effects can be counted in the services' databases.

    Each request is sent once. A step of a work order's flow that was refused (a typed 503)
    is sent again until it is answered, since a repeat of a transition that was applied is
    refused as an illegal transition and changes nothing; a creation is never repeated.
    A request the broker delivered twice (its first answer lost with a node) is answered from
    the record of the first (shared.storage), so it is acknowledged like any other.
    """

    STEPS = (("accept", {}), ("dispatch", {}), ("sign-for", {}),
             ("complete", {"result_note": "已更换灯头", "evidence_urls": [
                 "https://img.example/done.jpg"],
                 "quantities": [{"kind": "street_lamp", "amount": 1}]}))

    def __init__(self, web: str, username: str, password: str, label: str, employer_id: str,
                 venue: dict):
        """`employer_id`: an employer in 天宝社区 (which has a citizen school for training);
        `venue`: {"venue_id", "room_id"} in 浚河社区, where the activities are booked."""
        self.web = web
        self.prefix = f"{label}-{uuid.uuid4().hex[:6]}"
        self.employer_id = employer_id
        self.venue = venue
        self.session = requests.Session()
        answer = self.session.post(f"{web}/api/session", timeout=30,
                                   json={"username": username, "password": password})
        answer.raise_for_status()
        self.answers: list[tuple[str, int | None, str]] = []  # (what, status, code)
        self.orders: dict[str, dict] = {}      # marker -> {"acked", "number", "steps"}
        self.visits: dict[str, dict] = {}      # marker -> {"acked", "visit_id", "request_id"}
        self.activities: dict[str, dict] = {}  # marker -> {"acked", "activity_id", "published"}
        self.cycles = 0

    def marker(self, n: int) -> str:
        return f"{self.prefix}-{n:04d}"

    # -- sending ----------------------------------------------------------------------------

    def send(self, what: str, path: str, body: dict) -> tuple[int | None, dict]:
        try:
            answer = self.session.post(f"{self.web}{path}", json=body, timeout=60)
        except requests.RequestException as error:
            self.answers.append((what, None, type(error).__name__))
            return None, {}
        try:
            payload = answer.json()
        except ValueError:
            payload = {}
        code = "OK" if answer.ok else str(payload.get("code"))
        self.answers.append((what, answer.status_code, code))
        return answer.status_code, payload

    def step(self, number: str, path: str, body: dict, retry_for: float) -> bool:
        """True once the transition is known applied: answered 200, or refused as illegal
        after an earlier attempt whose answer was lost (the order has moved on)."""
        deadline = time.monotonic() + retry_for
        tried = False
        while True:
            status, payload = self.send(path, f"/api/work-orders/{number}/{path}", body)
            if status == 200:
                return True
            if status == 409 and tried and payload.get("code") == "ILLEGAL_TRANSITION":
                return True
            tried = tried or status in (None, 503, 504)
            if status not in (None, 503, 504) or time.monotonic() > deadline:
                return False
            time.sleep(0.5)

    def cycle(self, n: int, retry_for: float = 120) -> None:
        marker = self.marker(n)
        status, order = self.send("report", "/api/work-orders", {
            "category": "street_light", "community": "浚河社区", "alley": "新宇巷",
            "address": f"新宇巷{n}号", "description": "路灯晚上不亮", "channel": "grid_worker",
            "reporter": {"name": "张清松", "phone": "13812345678"}, "external_ref": marker})
        record = self.orders[marker] = {"acked": status == 201, "number": order.get("number"),
                                        "applied": status == 201,
                                        "steps": {}}
        if status == 201:
            for path, body in self.STEPS:
                record["steps"][path] = self.step(record["number"], path, body, retry_for)
                if not record["steps"][path]:
                    break
        if n % 3 == 1:
            today = clock.local_date(clock.now()).isoformat()
            status, visit = self.send("visit", f"/api/employers/{self.employer_id}/visits", {
                "visited_on": today, "findings": f"走访发现问题 {marker}",
                "problems": [{"category": "street_light", "description": f"门前路灯不亮 {marker}",
                              "alley": "聚宝路", "address": "聚宝路12号"}],
                "deliveries": [{"kind": "training", "topic": f"缝纫技能培训{n:04d}",
                                "expected_participants": 10}]})
            self.visits[marker] = {
                "acked": status == 201, "visit_id": visit.get("visit_id"),
                "applied": status == 201,
                "request_id": (visit.get("deliveries") or [{}])[0].get("request_id")}
        if n % 3 == 2:
            starts = _ACTIVITY_DAY + timedelta(hours=2 * next(_ACTIVITY_SLOTS))
            status, activity = self.send("activity", "/api/activities", {**self.venue,
                "title": f"文明交通宣讲 {marker}", "theme": "civilised_traffic",
                "organiser": "浚河社区", "community": "浚河社区",
                "volunteer_slots": {"count": 1, "skills": []},
                "starts_at": clock.iso(starts), "ends_at": clock.iso(starts + timedelta(hours=1))})
            record = self.activities[marker] = {"acked": status == 201, "published": False,
                                                "applied": status == 201,
                                                "activity_id": activity.get("activity_id")}
            if status == 201:
                record["published"] = self.publish_activity(record["activity_id"], retry_for)
        self.cycles += 1

    def publish_activity(self, activity_id: str, retry_for: float) -> bool:
        deadline = time.monotonic() + retry_for
        tried = False
        while True:
            status, payload = self.send("publish", f"/api/activities/{activity_id}/publish", {})
            if status == 200:
                return True
            if status == 409 and tried:
                return True  # published by an attempt whose answer was lost
            tried = tried or status in (None, 503, 504)
            if status not in (None, 503, 504) or time.monotonic() > deadline:
                return False
            time.sleep(0.5)

    def run_in_background(self, start: int, count: int, pause: float = 0.0,
                          stop: threading.Event | None = None) -> threading.Thread:
        errors = []

        def run():
            try:
                for n in range(start, start + count):
                    if stop is not None and stop.is_set():
                        return
                    self.cycle(n)
                    if pause:
                        time.sleep(pause)
            except Exception as error:  # noqa: BLE001 - reported by join()
                errors.append(error)
        thread = threading.Thread(target=run, daemon=True)
        thread.errors = errors
        thread.start()
        return thread

    # -- what the services did --------------------------------------------------------------

    def refusals(self) -> Counter:
        """Answers that were not 2xx, by (status, code)."""
        return Counter((status, code) for _, status, code in self.answers if code != "OK")

    def reconcile(self, system) -> dict:
        """Every acknowledged request's effects, counted; an unacknowledged one may have had
        its effect (the answer may be what was lost), but never twice."""
        pattern = {"$regex": f"^{self.prefix}-"}
        problems: dict[str, list] = {}
        repair = system.db("repair").work_orders
        reported = Counter(d["external_ref"] for d in repair.find(
            {"external_ref": pattern}, {"external_ref": 1}))
        numbers = [o["number"] for o in self.orders.values() if o["number"]]
        follow_ups = Counter(d["source"]["work_order_number"] for d in system.db(
            "volunteer").shifts.find({"kind": "follow_up_visit",
                                      "source.work_order_number": {"$in": numbers}},
                                     {"source.work_order_number": 1}))
        for marker, order in self.orders.items():
            count = reported.get(marker, 0)
            if count > 1 or (order["applied"] and count != 1):
                problems.setdefault("work orders", []).append((marker, count, order["acked"]))
            if not order["acked"]:
                continue
            doc = repair.find_one({"_id": order["number"]})
            actions = Counter(h["action"] for h in doc["history"])
            for path, done in order["steps"].items():
                action = path.replace("-", "_")
                if done and actions[action] != 1:
                    problems.setdefault("transitions", []).append(
                        (order["number"], action, actions[action]))
            if order["steps"].get("complete") and follow_ups[order["number"]] != 1:
                problems.setdefault("follow-up shifts", []).append(
                    (order["number"], follow_ups[order["number"]]))
        visits = Counter(_marker_of(d["findings"]) for d in system.db("job").visits.find(
            {"findings": {"$regex": f"{self.prefix}-"}}, {"findings": 1}))
        for marker, visit in self.visits.items():
            if visits[marker] > 1 or (visit["applied"] and visits[marker] != 1):
                problems.setdefault("visits", []).append((marker, visits[marker]))
            if visit["acked"]:
                opened = repair.count_documents({"source_ref.service": "job",
                                                 "source_ref.ref": f"{visit['visit_id']}-P1"})
                trained = system.db("activity").activities.count_documents(
                    {"source_ref.service": "job", "source_ref.ref": visit["request_id"]})
                if (opened, trained) != (1, 1):
                    problems.setdefault("visit effects", []).append((marker, opened, trained))
        created = Counter(_marker_of(d["title"]) for d in system.db("activity").activities.find(
            {"title": {"$regex": f"{self.prefix}-"}}, {"title": 1}))
        for marker, activity in self.activities.items():
            if created[marker] > 1 or (activity["applied"] and created[marker] != 1):
                problems.setdefault("activities", []).append((marker, created[marker]))
            if activity["published"]:
                shifts = system.db("volunteer").shifts.count_documents(
                    {"source.activity_id": activity["activity_id"]})
                if shifts != 1:
                    problems.setdefault("activity shifts", []).append((marker, shifts))
        return {"cycles": self.cycles, "answers": len(self.answers),
                "acknowledged": sum(1 for _, _, code in self.answers if code == "OK"),
                "refused": dict(self.refusals()), "problems": problems}

    def settled(self, system) -> bool:
        """Every effect an acknowledged request causes through events has arrived."""
        return not self.reconcile(system)["problems"]

    def close(self):
        self.session.close()


def _marker_of(text: str) -> str:
    return text.rsplit(" ", 1)[-1] if " " in text else text
