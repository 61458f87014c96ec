"""The reporter of a work order is told, by e-mail through a real SMTP server, when it is
accepted, completed and closed; an event delivered twice (or the same fact published again)
tells nobody twice; the 12345 hotline gets its tickets' outcomes, signed, even from a
receiver that fails first."""
from __future__ import annotations

from nameko.standalone.rpc import ClusterRpcProxy

from shared.envelope import Envelope
from shared.events.repair import WORK_ORDER_ACCEPTED
from tests.conftest import wait_until
from tests.integration.notify.conftest import ADMIN, HOTLINE_SECRET

REPORT = {"category": "street_light", "community": "浚河社区", "alley": "新宇巷",
          "address": "新宇巷49号院门口", "description": "路灯不亮", "channel": "resident"}


def work_through(rpc, number: str, answer: str) -> None:
    rpc.repair.accept_work_order(number, ADMIN)
    rpc.repair.dispatch_work_order(number, ADMIN)
    rpc.repair.sign_for_work_order(number, ADMIN)
    rpc.repair.complete_work_order(number, ADMIN, result_note=answer,
                                   evidence_urls=["https://example.org/after.jpg"],
                                   quantities=[{"kind": "street_lamp", "amount": 1}])
    rpc.repair.record_follow_up(number, ADMIN, result="satisfied")


def test_the_reporter_is_told_of_acceptance_completion_and_close_by_email(
        system, smtp_server, service_db):
    config = system()
    with ClusterRpcProxy(config, timeout=30) as rpc:
        order = rpc.repair.report_work_order(ADMIN, **REPORT, reporter={
            "name": "张清松", "email": "zhang.qingsong@example.org"})
        silent = rpc.repair.report_work_order(ADMIN, **{**REPORT, "channel": "grid_worker"})
        work_through(rpc, order["number"], "更换<LED>路灯 1 盏")
        work_through(rpc, silent["number"], "已修复")
        mails = wait_until(lambda: len(smtp_server.to("zhang.qingsong@example.org")) >= 3
                           and smtp_server.to("zhang.qingsong@example.org"), timeout=30)
        subjects = sorted(m["Subject"] for m in mails)
        assert subjects == sorted([f"您反映的问题已受理(工单 {order['number']})",
                                   f"您反映的问题已办结(工单 {order['number']})",
                                   f"工单 {order['number']} 已结案"])
        completed = next(m for m in mails if "已办结" in m["Subject"])
        assert "张清松您好" in completed.get_body(("plain",)).get_content()
        assert "更换<LED>路灯 1 盏" in completed.get_body(("plain",)).get_content()
        html = completed.get_body(("html",)).get_content()
        assert "更换&lt;LED&gt;路灯" in html and "<LED>" not in html
        assert len({m["Message-ID"] for m in mails}) == 3
        sent = rpc.notify.list_messages(kind="work_order_accepted")["items"]
        assert [m["address_masked"] for m in sent] == ["z***@example.org"]
        assert sent[0]["state"] == "sent" and sent[0]["channel"] == "email"
        # The grid worker's order had nobody to tell: no message was even made.
        assert rpc.notify.list_messages()["total"] == 3
        attempts = rpc.notify.list_delivery_attempts(outcome=["sent"])
        assert attempts["total"] == 3
    # repair audited each look at the reporter's address, by notify, with the purpose.
    reveals = list(service_db("repair").audit_log.find({"record_id": order["number"]}))
    assert len(reveals) == 3 and {r["actor"]["id"] for r in reveals} == {"notify"}
    assert all(r["purpose"].startswith("发送通知") for r in reveals)
    assert len(smtp_server.messages) == 3


def test_an_event_delivered_twice_or_published_again_tells_the_reporter_once(
        system, smtp_server, publish_event, service_db):
    config = system()
    with ClusterRpcProxy(config, timeout=30) as rpc:
        order = rpc.repair.report_work_order(ADMIN, **REPORT, reporter={
            "name": "胡明英", "email": "hu@example.org"})
        rpc.repair.accept_work_order(order["number"], ADMIN)
        mails = wait_until(lambda: smtp_server.to("hu@example.org"), timeout=30)
        accepted = service_db("repair").outbox.find_one({"type": "work_order_accepted"})
        original = Envelope.parse(accepted["body"], WORK_ORDER_ACCEPTED)
        publish_event(WORK_ORDER_ACCEPTED, None, envelope=original)      # redelivered
        publish_event(WORK_ORDER_ACCEPTED, dict(accepted["body"]["data"]))  # same fact, new id
        # Both repeats are handled (the inbox has the original twice over; the second id too).
        wait_until(lambda: service_db("notify").inbox.count_documents({}) >= 2, timeout=20)
        wait_until(lambda: rpc.notify.list_messages(state=["sent"])["total"] == 1, timeout=20)
        assert rpc.notify.list_messages()["total"] == 1
        assert len(mails) == 1 and len(smtp_server.to("hu@example.org")) == 1


def test_hotline_tickets_are_answered_back_signed_and_retried_until_the_hotline_takes_them(
        system, hotline_receiver, smtp_server):
    hotline_receiver.fail_first = 2  # the hotline is down at first, then recovers
    config = system(NOTIFY_HOTLINE_URL=hotline_receiver.url,
                    NOTIFY_HOTLINE_SECRET=HOTLINE_SECRET, NOTIFY_HOTLINE_RETRY_SECONDS=0.1)
    with ClusterRpcProxy(config, timeout=30) as rpc:
        order = rpc.repair.report_work_order(ADMIN, **{
            **REPORT, "channel": "hotline_12345", "external_ref": "12345-20261128-0042"},
            reporter={"name": "来电人", "email": "caller@example.org"})
        work_through(rpc, order["number"], "已更换路灯")

        def delivered():
            return [r for r in hotline_receiver.received if r["verified"]]
        wait_until(lambda: len({r["body"]["stage"] for r in delivered()}) == 2
                   and rpc.notify.list_hotline_callbacks(state=["sent"])["total"] == 2,
                   timeout=30)
        stages = {r["body"]["stage"]: r["body"] for r in delivered()}
        assert stages["accepted"]["ticket"] == "12345-20261128-0042"
        assert stages["accepted"]["stage_name"] == "受理"
        assert stages["completed"]["stage_name"] == "办结"
        assert stages["completed"]["answer"] == "已更换路灯"
        assert all(r["timestamp"] == str(r["body"]["sent_at"]) for r in delivered())
        # Two failures first (503), then delivered: attempts counted, nothing lost or doubled.
        assert len(hotline_receiver.received) == 2 + 2
        callbacks = rpc.notify.list_hotline_callbacks()["items"]
        assert sum(c["attempts"] for c in callbacks) == 4
        assert {c["state"] for c in callbacks} == {"sent"}
        assert rpc.notify.health()["hotline"]["ok"] is True
        # The hotline tells its own caller: the reporter gets no e-mail of ours.
        assert smtp_server.to("caller@example.org") == []


def test_a_hotline_that_never_answers_surfaces_in_health_and_an_admin_sends_it_again(
        system, hotline_receiver):
    hotline_receiver.fail_first = 3
    config = system(NOTIFY_HOTLINE_URL=hotline_receiver.url,
                    NOTIFY_HOTLINE_SECRET=HOTLINE_SECRET, NOTIFY_HOTLINE_RETRY_SECONDS=0.05,
                    NOTIFY_HOTLINE_MAX_ATTEMPTS=3)
    with ClusterRpcProxy(config, timeout=30) as rpc:
        order = rpc.repair.report_work_order(ADMIN, **{
            **REPORT, "channel": "hotline_12345", "external_ref": "12345-FAIL-1"})
        rpc.repair.accept_work_order(order["number"], ADMIN)
        failed = wait_until(lambda: rpc.notify.list_hotline_callbacks(state=["failed"])["items"],
                            timeout=30)
        assert failed[0]["attempts"] == 3 and failed[0]["last_error"]["code"] == "HTTP_503"
        health = rpc.notify.health()
        assert health["status"] == "ok"  # still ready: the hotline's outage is not ours
        assert health["hotline"]["ok"] is False and health["hotline"]["failed"] == 1
        assert "hotline" in health["attention"]
        retried = rpc.notify.retry_hotline_callback(failed[0]["id"], ADMIN)
        assert retried["state"] == "pending"
        wait_until(lambda: rpc.notify.list_hotline_callbacks(state=["sent"])["total"] == 1,
                   timeout=30)
        assert rpc.notify.health()["hotline"]["ok"] is True
