"""Sign-in codes through Tencent Cloud's SMS SDK against a local server that speaks its API
(and checks its signature): sent at once, never stored or answered in clear, good once;
asked too often, refused. Opt-out and quiet hours on the real service."""
from __future__ import annotations

import json

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.notify.service import NotifyService
from services.repair.service import RepairService
from shared import clock
from shared.errors import RateLimited, ValidationFailed
from tests.conftest import wait_until
from tests.integration.notify.conftest import ADMIN, TENCENT_ID, TENCENT_KEY

TEMPLATES = {"sign_in_code": "1880001", "work_order_accepted": "1880002"}


@pytest.fixture
def tencent_notify(runner_factory, notify_config, tencent_server):
    config = {**notify_config, "NOTIFY_SMS_CHANNEL": "tencent",
              "TENCENTCLOUD_SECRET_ID": TENCENT_ID, "TENCENTCLOUD_SECRET_KEY": TENCENT_KEY,
              "NOTIFY_SMS_APP_ID": "1400000001", "NOTIFY_SMS_SIGN_NAME": "广陵街道",
              "NOTIFY_SMS_TEMPLATES": json.dumps(TEMPLATES), "NOTIFY_SMS_SCHEME": "http",
              "NOTIFY_SMS_ENDPOINT": f"127.0.0.1:{tencent_server.port}"}
    runner = runner_factory(config, NotifyService, RepairService)
    runner.start()
    return config


def test_a_sign_in_code_goes_by_the_providers_sdk_and_is_good_once(
        tencent_notify, tencent_server, service_db):
    with ClusterRpcProxy(tencent_notify, timeout=30) as rpc:
        sent = rpc.notify.send_sign_in_code(phone="13805501234", client="10.0.0.8")
        assert sent["phone_masked"] == "138****1234" and "code" not in sent
        request = wait_until(lambda: tencent_server.requests, timeout=30)[0]
        assert request["action"] == "SendSms" and request["signature_ok"] is True
        body = request["body"]
        assert body["PhoneNumberSet"] == ["+8613805501234"]
        assert (body["SmsSdkAppId"], body["SignName"], body["TemplateId"]) == (
            "1400000001", "广陵街道", "1880001")
        code, minutes = body["TemplateParamSet"]
        assert len(code) == 6 and code.isdigit() and minutes == "5"
        key = f"sign_in_code|{sent['code_id']}"
        assert body["SessionContext"] == key
        wait_until(lambda: rpc.notify.get_message(key)["state"] == "sent", timeout=10)
        # Neither the code nor the number is anywhere in notify's database in clear.
        db = service_db("notify")
        for name in db.list_collection_names():
            stored = str(list(db[name].find()))
            assert code not in stored and "13805501234" not in stored, name
        assert rpc.notify.get_message(key)["attempts_made"][0]["provider_ref"].startswith("2433:")

        wrong = "000000" if code != "000000" else "111111"
        refused = rpc.notify.check_sign_in_code(phone="13805501234", code=wrong)
        assert (refused["valid"], refused["reason"], refused["attempts_left"]) == (
            False, "CODE_INVALID", 4)
        assert rpc.notify.check_sign_in_code(phone="13805501234", code=code)["valid"] is True
        again = rpc.notify.check_sign_in_code(phone="13805501234", code=code)
        assert (again["valid"], again["reason"]) == (False, "CODE_EXPIRED")

        with pytest.raises(RateLimited) as limited:  # asked again within the minute
            rpc.notify.send_sign_in_code(phone="13805501234")
        assert limited.value.code == "CODE_RATE_LIMITED"
        assert db.sign_in_codes.count_documents({}) == 1
        with pytest.raises(ValidationFailed) as bad:
            rpc.notify.send_sign_in_code(phone="12345", extra=True)
        assert set(bad.value.fields) == {"phone", "extra"}


def test_too_many_wrong_codes_burn_the_code(tencent_notify, tencent_server):
    with ClusterRpcProxy(tencent_notify, timeout=30) as rpc:
        rpc.notify.send_sign_in_code(phone="13900001111")
        code = wait_until(lambda: tencent_server.requests, timeout=30)[0]["body"][
            "TemplateParamSet"][0]
        wrong = "000000" if code != "000000" else "111111"
        answers = [rpc.notify.check_sign_in_code(phone="13900001111", code=wrong)
                   for _ in range(5)]
        assert [a["attempts_left"] for a in answers] == [4, 3, 2, 1, 0]
        assert answers[-1]["reason"] == "TOO_MANY_TRIES"
        late = rpc.notify.check_sign_in_code(phone="13900001111", code=code)
        assert late["valid"] is False  # the right code no longer opens anything


def test_a_number_the_provider_refuses_fails_at_once_and_is_shown_to_admins(
        tencent_notify, tencent_server):
    tencent_server.refuse = "FailedOperation.PhoneNumberInBlacklist"
    with ClusterRpcProxy(tencent_notify, timeout=30) as rpc:
        sent = rpc.notify.send_sign_in_code(phone="13700002222")
        key = f"sign_in_code|{sent['code_id']}"
        failed = wait_until(lambda: rpc.notify.get_message(key)["state"] == "failed"
                            and rpc.notify.get_message(key), timeout=30)
        assert failed["attempts"] == 1
        assert failed["last_error"]["code"] == "TENCENT_FailedOperation.PhoneNumberInBlacklist"
        listed = rpc.notify.list_delivery_attempts(outcome=["failed"], channel="sms")["items"]
        assert [a["message_key"] for a in listed] == [key]
        assert rpc.notify.health()["delivery"]["ok"] is False


REPORT = {"category": "street_light", "community": "浚河社区", "alley": "新宇巷",
          "description": "路灯不亮", "channel": "resident"}


def test_quiet_hours_hold_messages_until_morning_but_never_a_code(
        runner_factory, notify_config, smtp_server):
    config = {**notify_config, "NOTIFY_QUIET_HOURS": "00:00-23:59"}  # quiet (almost) all day
    runner_factory(config, NotifyService, RepairService).start()
    with ClusterRpcProxy(config, timeout=30) as rpc:
        order = rpc.repair.report_work_order(ADMIN, **REPORT, reporter={
            "name": "甲", "email": "in@example.org"})
        rpc.repair.accept_work_order(order["number"], ADMIN)
        rpc.notify.send_sign_in_code(phone="13600003333")
        wait_until(lambda: rpc.notify.list_dev_messages(phone="13600003333")["items"],
                   timeout=30)  # the code goes at once
        waiting = wait_until(lambda: [m for m in rpc.notify.list_messages(
            kind="work_order_accepted")["items"] if m["not_before"] > m["created_at"]],
            timeout=30)
        assert waiting[0]["state"] == "pending" and waiting[0]["attempts"] == 0
        morning = clock.parse_iso(waiting[0]["not_before"]).astimezone(clock.OFFICE_TZ)
        assert morning.strftime("%H:%M") == "23:59" and morning > clock.now()
        assert smtp_server.messages == []


def test_an_opted_out_reporter_is_not_told_and_the_skip_is_recorded(
        runner_factory, notify_config, smtp_server):
    runner_factory(notify_config, NotifyService, RepairService).start()
    with ClusterRpcProxy(notify_config, timeout=30) as rpc:
        resident = {"id": "r1", "name": "居民", "role": "resident"}
        off = rpc.notify.set_preferences(resident, email="Out@Example.org",
                                         topics_off=["work_orders"])
        assert off["address_masked"] == "o***@example.org"
        assert [t["on"] for t in off["topics"]] == [False, True, True, True]
        with pytest.raises(ValidationFailed):
            rpc.notify.set_preferences(resident, email="out@example.org", topics_off=["spam"])
        told = rpc.repair.report_work_order(ADMIN, **REPORT, reporter={
            "name": "甲", "email": "in@example.org"})
        opted = rpc.repair.report_work_order(ADMIN, **REPORT, reporter={
            "name": "乙", "email": "out@example.org"})
        rpc.repair.accept_work_order(told["number"], ADMIN)
        rpc.repair.accept_work_order(opted["number"], ADMIN)
        wait_until(lambda: rpc.notify.list_messages(state=["sent", "skipped"])["total"] == 2,
                   timeout=30)
        skipped = rpc.notify.list_messages(state=["skipped"])["items"]
        assert [m["skip_reason"] for m in skipped] == ["opted_out"]
        assert skipped[0]["address_masked"] == "o***@example.org"
        assert [m["to"] for m in smtp_server.messages] == [["in@example.org"]]
        assert rpc.notify.get_preferences(email="out@example.org")["opted_out"] is False
