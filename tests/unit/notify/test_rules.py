"""The notification rules on an in-memory unit of work: quiet hours, opt-out, once per fact,
the rate limit, sign-in codes, and the templates."""
from datetime import datetime, timedelta, timezone

import pytest

from services.notify import domain
from services.notify.handlers import codes, delivery, events, preferences
from shared.envelope import Envelope
from shared.errors import RateLimited, ValidationFailed
from shared.events.repair import WORK_ORDER_ACCEPTED
from tests.payloads import fields_equal_to
from tests.unit.fakes import run
from tests.unit.notify.fakes import FakeNotifyUnitOfWork

UTC = timezone.utc
NOON = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)      # 12:00 in Shanghai
NIGHT = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)   # 23:30 in Shanghai
SETTINGS = domain.Settings()
ACCEPTED = {"number": "WO202612010001", "state": "accepted", "category": "street_light",
            "community": "浚河社区", "alley": "新宇巷", "actor_name": "王主任",
            "due_at": "2026-12-08T15:59:59.999+00:00", "channel": "resident",
            "reporter_reachable": True, "imported": False}


def accepted(**changes) -> Envelope:
    return Envelope.new(WORK_ORDER_ACCEPTED, {**ACCEPTED, **changes})


def test_quiet_hours_cross_midnight_and_end_in_the_morning():
    assert domain.quiet_until(NOON, SETTINGS) is None
    morning = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 08:00 next day in Shanghai
    assert domain.quiet_until(NIGHT, SETTINGS) == morning
    early = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)   # 05:00 in Shanghai
    assert domain.quiet_until(early, SETTINGS) == morning
    assert domain.quiet_until(NIGHT, domain.Settings(quiet_start=None, quiet_end=None)) is None


def test_the_rate_limit_lets_n_through_and_then_waits_for_the_oldest():
    settings = domain.Settings(rate_count=2, rate_window=timedelta(hours=1))
    one = NOON - timedelta(minutes=50)
    two = NOON - timedelta(minutes=10)
    assert domain.rate_limited_until([one], NOON, settings) is None
    assert domain.rate_limited_until([one, two], NOON, settings) == one + timedelta(hours=1)
    old = NOON - timedelta(hours=2)
    assert domain.rate_limited_until([old, two], NOON, settings) is None


def test_every_template_renders_and_html_escapes_what_people_typed():
    sample = {name: "X" for name in ("number", "address", "due_date", "answer",
                                     "resolution_name", "title", "start_time", "end_time",
                                     "place", "reason", "problem", "employer_name", "summary",
                                     "reasons", "code", "minutes")}
    for kind in domain.KINDS:
        rendered = domain.render(kind, {**sample, "name": "张清松"})
        assert rendered.text and rendered.subject and len(rendered.sms_params) == len(
            domain.KINDS[kind].sms_params)
    rendered = domain.render("work_order_completed", {
        **sample, "name": "<b>张</b>", "answer": "换了<script>灯</script>"})
    assert "<script>" in rendered.text
    assert "&lt;script&gt;" in rendered.html and "<script>" not in rendered.html
    assert "&lt;b&gt;张&lt;/b&gt;" in rendered.html
    with pytest.raises(KeyError):
        domain.render("work_order_accepted", {"name": "张"})


def test_an_event_twice_or_the_same_fact_again_makes_one_message():
    uow = FakeNotifyUnitOfWork(now=NOON)
    event = accepted()
    run(events.work_order_accepted, uow, event)
    run(events.work_order_accepted, uow, event)
    run(events.work_order_accepted, uow, accepted())  # another id, the same fact
    assert [m.key for m in uow.messages.all()] == ["work_order_accepted|WO202612010001"]


def test_nobody_is_told_of_history_hotline_tickets_or_without_a_contact():
    uow = FakeNotifyUnitOfWork(now=NOON)
    run(events.work_order_accepted, uow, accepted(imported=True))
    run(events.work_order_accepted, uow, accepted(reporter_reachable=False))
    run(events.work_order_accepted, uow, accepted(channel="hotline_12345",
                                                  external_ref="12345-1"))
    assert uow.messages.all() == []
    assert uow.callbacks.stored == {}  # no callback URL configured: nothing queued
    uow.config["NOTIFY_HOTLINE_URL"] = "http://127.0.0.1:9/cb"
    run(events.work_order_accepted, uow, accepted(channel="hotline_12345",
                                                  external_ref="12345-1"))
    assert list(uow.callbacks.stored) == ["12345-1|accepted"]


def _claimed(uow, at):
    run(events.work_order_accepted, uow, accepted())
    key = "work_order_accepted|WO202612010001"
    uow.now = at
    return key, run(delivery.claim, uow, key, "me")


def test_at_night_a_message_waits_for_the_morning_and_asks_nobody():
    uow = FakeNotifyUnitOfWork(now=NIGHT)
    key, job = _claimed(uow, NIGHT)
    assert job is None
    message = uow.messages.get(key)
    assert message.state == "pending" and message.not_before == datetime(2026, 12, 2, 0, 0,
                                                                         tzinfo=UTC)


def test_an_opted_out_recipient_is_skipped_and_the_skip_recorded():
    uow = FakeNotifyUnitOfWork(now=NOON)
    resident = {"id": "r", "name": "居民", "role": "resident"}
    run(preferences.set_, uow, resident, {"phone": "13800001234",
                                          "topics_off": ["work_orders"]})
    key, job = _claimed(uow, NOON)
    fingerprint = uow.cipher.fingerprint("13800001234")
    assert run(delivery.decide, uow, key, "me", "sms", "138****1234", fingerprint) == {
        "go": False}
    assert uow.messages.get(key).state == "skipped"
    assert uow.messages.get(key).skip_reason == "opted_out"
    assert uow.attempts.log[-1]["outcome"] == "skipped"


def test_over_the_rate_limit_a_message_is_deferred_not_dropped():
    uow = FakeNotifyUnitOfWork(now=NOON, NOTIFY_RATE_LIMIT="1/3600")
    fingerprint = uow.cipher.fingerprint("13800001234")
    earlier = domain.Message.new("work_order_closed|WO0|t", "work_order_closed",
                                 {"kind": "reporter"}, {}, NOON - timedelta(minutes=30))
    earlier.recipient_fp, earlier.sent_at, earlier.state = fingerprint, earlier.created_at, "sent"
    uow.messages.stored[earlier.key] = earlier
    key, job = _claimed(uow, NOON)
    assert run(delivery.decide, uow, key, "me", "sms", "138****1234", fingerprint)["go"] is False
    message = uow.messages.get(key)
    assert message.state == "pending"
    assert message.not_before == earlier.sent_at + timedelta(hours=1)


def test_a_failed_send_is_retried_later_then_fails_for_good():
    uow = FakeNotifyUnitOfWork(now=NOON, NOTIFY_MAX_ATTEMPTS=2)
    key, _ = _claimed(uow, NOON)
    failure = {"sent": False, "code": "SMTP_UNAVAILABLE", "message": "down", "ms": 1.0}
    assert run(delivery.finish, uow, key, "me", failure) == "pending"
    assert uow.messages.get(key).not_before == NOON + SETTINGS.retry_base
    assert run(delivery.finish, uow, key, "me", failure) == "failed"


def test_a_code_is_never_kept_in_clear_waits_for_no_one_and_is_good_once():
    uow = FakeNotifyUnitOfWork(now=NIGHT)
    sent = run(codes.send_code, uow, {"phone": "13800001234"})
    record = next(iter(uow.codes.stored.values()))
    message = uow.messages.all()[0]
    assert "13800001234" not in str(record) + str(message.recipient)
    code = uow.cipher.open(message.secret)
    # Field by field: a digest or an id may hold the same six digits by chance.
    assert fields_equal_to(record, code) == [] and fields_equal_to(sent, code) == []
    assert run(delivery.claim, uow, message.key, "me") is not None  # night: still goes
    wrong = "000000" if code != "000000" else "111111"
    assert run(codes.check_code, uow, {"phone": "13800001234", "code": wrong})["valid"] is False
    assert run(codes.check_code, uow, {"phone": "13800001234", "code": code})["valid"] is True
    assert run(codes.check_code, uow, {"phone": "13800001234", "code": code})["valid"] is False


def test_a_code_asked_again_too_soon_is_refused_and_changes_nothing():
    uow = FakeNotifyUnitOfWork(now=NOON)
    run(codes.send_code, uow, {"phone": "13800001234"})
    with pytest.raises(RateLimited) as refused:
        run(codes.send_code, uow, {"phone": "13800001234"})
    assert refused.value.fields == {"retry_after": ["61"]}
    assert len(uow.codes.stored) == 1 and len(uow.messages.all()) == 1
    uow.now = NOON + timedelta(seconds=61)
    run(codes.send_code, uow, {"phone": "13800001234"})
    assert len(uow.codes.stored) == 2
    with pytest.raises(ValidationFailed):
        run(codes.send_code, uow, {"phone": "not-a-phone"})
