"""The staff's own steps on a work order, each with its effect on the order and the event it
publishes, field by field: 退单 (returned), 申请延期 / 批准 / 驳回 (the extension events), 督办
by hand (escalated), 重办 of a closed order (reopened) and 不予受理 (rejected). A step taken
from the wrong state is refused with a typed error and changes nothing, publishes nothing."""
from datetime import timedelta

import pytest

from shared import clock
from shared.errors import IllegalTransition, ValidationFailed
from tests.integration.repair.test_repair_service import (ADMIN, DEPT, GRID, LAMP, repair,  # noqa: F401
                                                          walk_to_completed)
from tests.payloads import fields_holding

PHONE = LAMP["reporter"]["phone"]


def common(number, state, actor):
    """What every repair event carries about the order (shared/events/repair.py)."""
    return {"number": number, "state": state, "category": "street_light",
            "community": "浚河社区", "alley": "新宇巷", "actor_name": actor["name"],
            "channel": "grid_worker", "external_ref": None, "reporter_reachable": True,
            "imported": False}


def reported(rpc):
    return rpc.repair.report_work_order(actor=GRID, **LAMP)["number"]


def dispatched(rpc):
    number = rpc.repair.report_work_order(actor=GRID, **LAMP)["number"]
    rpc.repair.accept_work_order(number, ADMIN)
    return rpc.repair.dispatch_work_order(number, ADMIN)


def events_of(tap, number, *types):
    return [b for b in tap.seen if b["data"]["number"] == number and b["type"] in types]


def assert_unchanged(rpc, before):
    after = rpc.repair.get_work_order(before["number"])
    assert (after["state"], after["version"], len(after["history"])) == (
        before["state"], before["version"], len(before["history"]))


def test_a_department_returns_an_order_with_its_grounds(repair, rpc, event_tap):
    tap = event_tap("repair")
    order = dispatched(rpc)
    number = order["number"]
    returned = rpc.repair.return_work_order(number, DEPT, grounds="该路灯属小区物业,非市政路灯")
    assert (returned["state"], returned["department"]) == ("returned", None)
    assert returned["history"][-1]["action"] == "return"
    assert returned["history"][-1]["note"] == "该路灯属小区物业,非市政路灯"
    assert [a["action"] for a in returned["allowed_actions"]] == ["dispatch", "escalate",
                                                                   "cancel"]
    with pytest.raises(IllegalTransition):  # the same return twice: it is no longer with them
        rpc.repair.return_work_order(number, DEPT, grounds="再退一次")
    assert_unchanged(rpc, returned)

    assert tap.types().count("work_order_returned") == 1
    [event] = events_of(tap, number, "work_order_returned")
    assert event["data"] == {**common(number, "returned", DEPT), "department_code": "power",
                             "grounds": "该路灯属小区物业,非市政路灯"}
    assert fields_holding(event, PHONE) == []


def test_an_extension_is_requested_then_approved_or_rejected(repair, rpc, event_tap):
    tap = event_tap("repair")
    first, second = dispatched(rpc)["number"], dispatched(rpc)["number"]
    due = {}
    for number in (first, second):
        due[number] = rpc.repair.sign_for_work_order(number, DEPT)["due_at"]
    later = clock.iso(clock.parse_iso(due[first]) + timedelta(days=7))
    with pytest.raises(ValidationFailed) as failed:  # not later than the deadline it extends
        rpc.repair.request_extension(first, DEPT, requested_due_at=due[first], reason="早一点")
    assert set(failed.value.fields) == {"requested_due_at"}

    for number in (first, second):
        asked = rpc.repair.request_extension(number, DEPT, requested_due_at=later,
                                             reason="需要采购灯杆")
        assert asked["state"] == "extension_requested"
        assert asked["extension"]["reason"] == "需要采购灯杆"
        assert clock.parse_iso(asked["extension"]["requested_due_at"]) == \
            clock.parse_iso(later)
    approved = rpc.repair.approve_extension(first, ADMIN, note="同意")
    assert (approved["state"], approved["extension"]) == ("in_progress", None)
    assert clock.parse_iso(approved["due_at"]) == clock.parse_iso(later)
    assert approved["history"][-1]["details"]["old_due_at"] == clock.iso(
        clock.parse_iso(due[first]))
    refused = rpc.repair.reject_extension(second, ADMIN, note="按原期限办结")
    assert (refused["state"], refused["extension"]) == ("in_progress", None)
    assert refused["due_at"] == due[second]  # the deadline stands
    with pytest.raises(IllegalTransition):  # no request pending any more
        rpc.repair.approve_extension(second, ADMIN)
    assert_unchanged(rpc, refused)

    types = tap.types()
    assert [types.count(t) for t in ("work_order_extension_requested",
                                     "work_order_extension_approved",
                                     "work_order_extension_rejected")] == [2, 1, 1]
    requested = events_of(tap, first, "work_order_extension_requested")[0]["data"]
    assert clock.parse_iso(requested.pop("requested_due_at")) == clock.parse_iso(later)
    assert requested == {**common(first, "extension_requested", DEPT),
                         "reason": "需要采购灯杆"}
    [yes] = events_of(tap, first, "work_order_extension_approved")
    assert clock.parse_iso(yes["data"].pop("due_at")) == clock.parse_iso(later)
    assert yes["data"] == common(first, "in_progress", ADMIN)
    [no] = events_of(tap, second, "work_order_extension_rejected")
    assert clock.parse_iso(no["data"].pop("due_at")) == clock.parse_iso(due[second])
    assert no["data"] == common(second, "in_progress", ADMIN)


def test_staff_escalate_an_order_by_hand_without_moving_it(repair, rpc, event_tap):
    tap = event_tap("repair")
    order = dispatched(rpc)
    number = order["number"]
    escalated = rpc.repair.escalate_work_order(number, ADMIN, note="居民多次来电催办")
    assert (escalated["state"], escalated["escalations"]) == ("dispatched", 1)
    assert escalated["escalated_at"] is not None
    assert escalated["history"][-1]["action"] == "escalate"
    assert escalated["history"][-1]["details"] == {"automatic": False}
    again = rpc.repair.escalate_work_order(number, ADMIN, note="再次督办")
    assert again["escalations"] == 2  # each 督办 counts

    closed = walk_to_completed(rpc, reported(rpc))
    with pytest.raises(IllegalTransition):  # nothing is owed on a completed order
        rpc.repair.escalate_work_order(closed["number"], ADMIN)
    assert_unchanged(rpc, closed)

    events = events_of(tap, number, "work_order_escalated")
    assert tap.types().count("work_order_escalated") == 2
    for event in events:
        assert clock.parse_iso(event["data"].pop("due_at")) == clock.parse_iso(order["due_at"])
        assert event["data"] == {**common(number, "dispatched", ADMIN),
                                 "department_code": "power", "automatic": False}


def test_staff_reopen_a_closed_order_and_what_no_longer_holds_is_cleared(
        repair, rpc, event_tap):
    tap = event_tap("repair")
    number = walk_to_completed(rpc, reported(rpc))["number"]
    closed = rpc.repair.record_follow_up(number, GRID, result="satisfied", note="满意")
    assert closed["state"] == "closed"
    with pytest.raises(ValidationFailed) as failed:
        rpc.repair.reopen_work_order(number, ADMIN)
    assert set(failed.value.fields) == {"reason"}
    assert_unchanged(rpc, closed)

    reopened = rpc.repair.reopen_work_order(number, ADMIN, reason="督查发现灯又不亮了")
    assert (reopened["state"], reopened["reopen_count"]) == ("in_progress", 1)
    # The old follow-up, completion and close no longer hold: cleared, kept in the record.
    assert (reopened["follow_up"], reopened["quantities"], reopened["completed_at"],
            reopened["closed_at"], reopened["resolution"]) == (None, [], None, None, None)
    [previous] = reopened["previous_completions"]
    assert previous["follow_up"]["result"] == "satisfied"
    assert previous["reopen_reason"] == "督查发现灯又不亮了"
    # A new deadline, counted from the reopen (the category's time limit).
    assert clock.parse_iso(reopened["due_at"]) > clock.parse_iso(reopened["history"][-1]["at"])
    assert reopened["history"][-1]["action"] == "reopen"
    with pytest.raises(IllegalTransition):  # the same reopen twice: it is under way now
        rpc.repair.reopen_work_order(number, ADMIN, reason="督查发现灯又不亮了")
    assert_unchanged(rpc, reopened)

    assert tap.types().count("work_order_reopened") == 1
    [event] = events_of(tap, number, "work_order_reopened")
    assert clock.parse_iso(event["data"].pop("due_at")) == clock.parse_iso(reopened["due_at"])
    assert event["data"] == {**common(number, "in_progress", ADMIN),
                             "reason": "督查发现灯又不亮了"}


def test_staff_reject_a_report_and_it_ends_without_work(repair, rpc, event_tap):
    tap = event_tap("repair")
    number = rpc.repair.report_work_order(actor=GRID, **LAMP)["number"]
    rejected = rpc.repair.reject_work_order(number, ADMIN, reason="不属于本街道管辖")
    assert (rejected["state"], rejected["resolution"]) == ("rejected", "rejected")
    assert rejected["closed_at"] is not None and rejected["allowed_actions"] == []
    assert rejected["history"][-1]["note"] == "不属于本街道管辖"
    with pytest.raises(IllegalTransition):  # the same rejection twice
        rpc.repair.reject_work_order(number, ADMIN, reason="不属于本街道管辖")
    accepted = rpc.repair.accept_work_order(
        rpc.repair.report_work_order(actor=GRID, **LAMP)["number"], ADMIN)
    with pytest.raises(IllegalTransition):  # accepted orders are not rejected, but cancelled
        rpc.repair.reject_work_order(accepted["number"], ADMIN, reason="晚了")
    assert_unchanged(rpc, accepted)

    assert tap.types().count("work_order_rejected") == 1
    [event] = events_of(tap, number, "work_order_rejected")
    assert event["data"] == {**common(number, "rejected", ADMIN),
                             "reason": "不属于本街道管辖", "duplicate_of": None,
                             "source_ref": None}
    assert fields_holding(event, PHONE) == []
