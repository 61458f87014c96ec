"""An RPC request delivered twice changes things once.

The broker delivers a request again when the service lost its connection before it could
acknowledge it (a broker node went away mid-request), and a caller's publisher sends it again
when the confirm of the first copy was lost. Both copies carry the caller's correlation id, the
request's command id when the caller gives none (shared.storage): the second is answered with
the first's stored answer and changes nothing. A new request — a new id — is carried out as
always, and a request refused by a rule can be sent again."""
from __future__ import annotations

import uuid

import kombu

from services.repair.service import RepairService
from shared.errors import ValidationFailed
from shared.messaging import rpc
from shared.storage import MongoStore
from shared.unit_of_work import Repository, UnitOfWork, command
from tests.conftest import wait_until


class Records(Repository):
    def add(self, label, part):
        self.collection("records").insert_one({"label": label, "part": part})


class RecordsUnitOfWork(UnitOfWork):
    repositories = {"records": Records}


@command
def first_part(uow, label, fail):
    uow.records.add(label, 1)
    if fail:
        raise ValidationFailed("故意失败", fields={"fail": ["测试"]})
    return label


@command
def second_part(uow, label):
    uow.records.add(label, 2)
    return label


class Counter:
    """Each call adds two records in two transactions: nothing makes a repeat harmless but
    the request's id."""
    name = "countertest"
    store = MongoStore(RecordsUnitOfWork)

    @rpc
    def add(self, label, fail=False):
        self.store.run(first_part, label, fail)
        return self.store.run(second_part, label)


class Caller:
    """Sends nameko RPC requests by hand, so that one request can be sent twice."""

    def __init__(self, amqp_uri):
        self.connection = kombu.Connection(amqp_uri)
        self.exchange = kombu.Exchange("nameko-rpc", type="topic", durable=True)
        self.reply_key = uuid.uuid4().hex
        self.queue = kombu.Queue(f"test-replies-{self.reply_key}", self.exchange,
                                 routing_key=self.reply_key, exclusive=True)
        self.replies = self.connection.SimpleQueue(self.queue)

    def send(self, service, method, correlation_id, **kwargs):
        producer = kombu.Producer(self.connection.channel(), exchange=self.exchange,
                                  serializer="json")
        producer.publish({"args": [], "kwargs": kwargs}, routing_key=f"{service}.{method}",
                         reply_to=self.reply_key, correlation_id=correlation_id)

    def answers(self, expected) -> dict:
        found = {}
        while sum(len(v) for v in found.values()) < expected:
            message = self.replies.get(timeout=20)
            message.ack()
            found.setdefault(message.properties["correlation_id"], []).append(message.payload)
        return found

    def close(self):
        self.replies.close()
        self.connection.release()


def codes(replies):
    """What each reply says: OK, or the typed error's code (nameko sends "CODE: message")."""
    return sorted(r["error"]["value"].split(":")[0] if r.get("error") else "OK"
                  for r in replies)


def test_a_request_delivered_twice_changes_things_once(start_service, service_config,
                                                       service_db):
    start_service(Counter)
    caller = Caller(service_config["AMQP_URI"])
    try:
        same = uuid.uuid4().hex
        caller.send("countertest", "add", same, label="twice")
        caller.send("countertest", "add", same, label="twice")
        caller.send("countertest", "add", uuid.uuid4().hex, label="twice")
        answers = caller.answers(3)
    finally:
        caller.close()
    records = service_db("countertest").records
    # Two requests, each with both of its transactions, once.
    assert records.count_documents({"label": "twice", "part": 1}) == 2
    assert records.count_documents({"label": "twice", "part": 2}) == 2
    assert sorted(len(v) for v in answers.values()) == [1, 2]
    assert [r.get("result") for r in answers[same]] == ["twice", "twice"]


def test_a_request_refused_by_a_rule_changed_nothing_and_can_come_again(
        start_service, service_config, service_db):
    start_service(Counter)
    caller = Caller(service_config["AMQP_URI"])
    try:
        same = uuid.uuid4().hex
        caller.send("countertest", "add", same, label="refused", fail=True)
        first = caller.answers(1)[same][0]
        assert first["error"]["exc_type"] == "ValidationFailed"
        # Its transaction was rolled back with the record of the command: the same request
        # delivered again is carried out again (and refused again by the same rule).
        caller.send("countertest", "add", same, label="refused", fail=True)
        again = caller.answers(1)[same][0]
        assert again["error"]["exc_type"] == "ValidationFailed"
    finally:
        caller.close()
    assert service_db("countertest").records.count_documents({"label": "refused"}) == 0


def test_a_work_order_report_delivered_twice_files_one_work_order(start_service, service_config,
                                                                  service_db):
    start_service(RepairService)
    caller = Caller(service_config["AMQP_URI"])
    report = {"actor": {"id": "u-grid", "name": "刘网格", "role": "grid_worker",
                        "community": "浚河社区"},
              "category": "street_light", "community": "浚河社区", "alley": "新宇巷",
              "address": "新宇巷49号", "description": "路灯晚上不亮", "channel": "grid_worker",
              "external_ref": "12345-twice"}
    try:
        same = uuid.uuid4().hex
        caller.send("repair", "report_work_order", same, **report)
        caller.send("repair", "report_work_order", same, **report)
        answers = caller.answers(2)[same]
    finally:
        caller.close()
    orders = service_db("repair").work_orders
    assert wait_until(lambda: orders.count_documents({"external_ref": "12345-twice"}) == 1)
    first, again = [a["result"] for a in answers]
    assert first == again  # the repeat is answered from the record of the first
    assert orders.find_one({"external_ref": "12345-twice"})["_id"] == first["number"]


def test_a_reply_that_cannot_be_sent_leaves_the_service_running_and_the_answer_comes_once(
        start_service, service_config, service_db, monkeypatch):
    """A broker node going away between the commit and the reply: nameko would kill the whole
    service for the failed publish. The request goes back to its queue instead, and its
    redelivery is answered from the command record: one effect, and the caller's answer."""
    from kombu.exceptions import OperationalError

    from shared import messaging
    failures = []
    send = messaging.ReplyResponder.send_response

    def first_reply_lost(self, result, exc_info):
        if not failures:
            failures.append(result)
            raise OperationalError("[Errno 111] ECONNREFUSED")
        return send(self, result, exc_info)

    monkeypatch.setattr(messaging.ReplyResponder, "send_response", first_reply_lost)
    start_service(Counter)
    caller = Caller(service_config["AMQP_URI"])
    try:
        lost = uuid.uuid4().hex
        caller.send("countertest", "add", lost, label="lost-reply")
        answers = caller.answers(1)
        assert [r.get("result") for r in answers[lost]] == ["lost-reply"]
        assert failures == ["lost-reply"]  # the first reply did fail
        later = uuid.uuid4().hex  # and the service still answers
        caller.send("countertest", "add", later, label="after")
        assert [r.get("result") for r in caller.answers(1)[later]] == ["after"]
    finally:
        caller.close()
    records = service_db("countertest").records
    assert records.count_documents({"label": "lost-reply", "part": 1}) == 1
    assert records.count_documents({"label": "lost-reply", "part": 2}) == 1
