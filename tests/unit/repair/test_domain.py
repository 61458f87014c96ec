"""The work-order rules, without I/O."""
from datetime import datetime, timedelta, timezone

import pytest

from services.repair import domain, figures
from shared import clock
from shared.errors import IllegalTransition, ValidationFailed

STAFF = {"id": "s1", "name": "李伟", "role": "community_staff"}
DEPT = {"id": "d1", "name": "市政维修班", "role": "department"}
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in the office


def reported(category="street_light", at=T0, **extra):
    details = {"category": category, "community": "浚河社区", "alley": "新宇巷",
               "address": "新宇巷49号院门口", "description": "路灯不亮", "channel": "resident",
               "reporter": {"name": "张清松", "phone": {"masked": "138****5678"}}, **extra}
    return domain.WorkOrder.report("WO202603020001", details, STAFF, at)


def at(hours):
    return T0 + timedelta(hours=hours)


def in_progress(due=at(100)):
    order = reported()
    order.accept(STAFF, at(1), due)
    order.dispatch(STAFF, at(2), {"code": "power", "name": "供电公司路灯所"})
    order.sign_for(DEPT, at(3))
    return order


def types(order):
    return [event_type.name for event_type, _ in order.events]


def test_reporting_starts_the_history_and_emits_reported():
    order = reported()
    assert order.state == domain.REPORTED
    assert [h["action"] for h in order.history] == ["report"]
    assert types(order) == ["work_order_reported"]
    assert order.allowed_actions() == ["accept", "mark_duplicate", "reject", "cancel"]


def test_the_whole_flow_to_close_keeps_who_when_and_note():
    order = in_progress()
    order.complete(DEPT, at(20), [domain.quantity("street_lamp", 2)],
                   ["https://img.example/after.jpg"], "更换LED灯头2盏")
    order.record_follow_up(STAFF, at(30), "satisfied", "居民满意", due_at=at(200))
    assert order.state == domain.CLOSED and order.resolution == "satisfied"
    assert [h["action"] for h in order.history] == [
        "report", "accept", "dispatch", "sign_for", "complete", "follow_up"]
    last = order.history[-1]
    assert (last["actor"]["name"], last["at"], last["note"]) == ("李伟", at(30), "居民满意")
    assert types(order) == ["work_order_reported", "work_order_accepted",
                            "work_order_dispatched", "work_order_signed_for",
                            "work_order_completed", "work_order_followed_up",
                            "work_order_closed"]


@pytest.mark.parametrize("action, call", [
    ("dispatch", lambda o: o.dispatch(STAFF, at(1), {"code": "x", "name": "x"})),
    ("sign_for", lambda o: o.sign_for(DEPT, at(1))),
    ("return", lambda o: o.return_to_dispatcher(DEPT, at(1), "不属本部门")),
    ("request_extension", lambda o: o.request_extension(DEPT, at(1), at(99), "需要采购")),
    ("approve_extension", lambda o: o.approve_extension(STAFF, at(1))),
    ("complete", lambda o: o.complete(DEPT, at(1), [], ["https://a.b/c.jpg"], "修好了")),
    ("follow_up", lambda o: o.record_follow_up(STAFF, at(1), "satisfied", None, at(9))),
    ("escalate", lambda o: o.escalate(STAFF, at(1))),
])
def test_illegal_steps_are_refused_and_change_nothing(action, call):
    order = reported()
    before = (order.state, len(order.history), len(order.events))
    with pytest.raises(IllegalTransition) as refused:
        call(order)
    assert refused.value.code == "ILLEGAL_TRANSITION"
    assert "待受理" in refused.value.message
    assert (order.state, len(order.history), len(order.events)) == before


def test_return_with_grounds_then_dispatch_again():
    order = reported()
    order.accept(STAFF, at(1), at(100))
    order.dispatch(STAFF, at(2), {"code": "power", "name": "供电公司路灯所"})
    order.return_to_dispatcher(DEPT, at(3), "该路灯属小区物业管理")
    assert order.state == domain.RETURNED and order.department is None
    assert order.history[-1]["details"] == {"department_code": "power"}
    order.dispatch(STAFF, at(4), {"code": "municipal", "name": "市政工程管理处"})
    assert order.state == domain.DISPATCHED and order.department["code"] == "municipal"


def test_extension_moves_the_deadline_only_when_approved():
    order = in_progress(due=at(100))
    with pytest.raises(ValidationFailed):
        order.request_extension(DEPT, at(5), at(50), "需采购灯杆")
    order.request_extension(DEPT, at(5), at(300), "需采购灯杆")
    assert order.state == domain.EXTENSION_REQUESTED
    order.reject_extension(STAFF, at(6))
    assert (order.state, order.due_at) == (domain.IN_PROGRESS, at(100))
    order.request_extension(DEPT, at(7), at(300), "需采购灯杆")
    order.approve_extension(STAFF, at(8))
    assert (order.state, order.due_at, order.extension) == (domain.IN_PROGRESS, at(300), None)


def test_overdue_work_is_escalated_once_per_deadline():
    order = in_progress(due=at(10))
    assert not order.needs_escalation(at(9))
    assert order.needs_escalation(at(11))
    order.escalate({"id": "repair", "name": "系统", "role": "system"}, at(11), automatic=True)
    assert order.state == domain.IN_PROGRESS and order.escalations == 1
    assert not order.needs_escalation(at(12))
    order.request_extension(DEPT, at(12), at(40), "雨天无法施工")
    order.approve_extension(STAFF, at(13))
    assert not order.needs_escalation(at(39)) and order.needs_escalation(at(41))


def test_completion_counts_on_time_and_quantities_in_the_completion_month():
    order = in_progress(due=at(100))
    order.stat_changes.clear()
    order.complete(DEPT, at(20), [domain.quantity("street_lamp", 2),
                                  domain.quantity("street_lamp", 1),
                                  domain.quantity("road_surface", 12.5)],
                   ["https://img.example/a.jpg"], "修复完成")
    (month, community, alley, category, department), changes = order.stat_changes[-1]
    assert (month, community, category) == ("2026-03", order.community, order.category)
    assert department == "power"
    assert changes == {"completed": 1, "completed_on_time": 1, "quantity.street_lamp": 3,
                       "quantity.road_surface": 12.5}
    completed = order.events[-1][1]
    assert completed["on_time"] is True and completed["reporter_phone_masked"] == "138****5678"


def test_dissatisfied_follow_up_reopens_with_a_new_deadline():
    order = in_progress(due=at(100))
    order.complete(DEPT, at(200), [], ["https://img.example/a.jpg"], "已处理")
    assert order.events[-1][1]["on_time"] is False
    order.record_follow_up(STAFF, at(210), "dissatisfied", "晚上还是不亮", due_at=at(400))
    assert order.state == domain.IN_PROGRESS and order.reopen_count == 1
    assert order.due_at == at(400) and order.completed_at is None
    assert types(order)[-2:] == ["work_order_followed_up", "work_order_reopened"]


def test_a_redo_keeps_the_old_completion_in_the_record_and_clears_it_from_the_order():
    order = in_progress(due=at(24 * 40))
    order.complete(DEPT, at(24 * 30), [domain.quantity("hardening", 641)],
                   ["https://img.example/first.jpg"], "硬化完成")   # completed in April
    order.record_follow_up(STAFF, at(24 * 31), "dissatisfied", "边角没做", due_at=at(24 * 70))
    assert (order.quantities, order.evidence_urls, order.result_note, order.follow_up,
            order.completed_on_time) == ([], [], None, None, None)
    [previous] = order.previous_completions
    assert previous["quantities"] == [domain.quantity("hardening", 641)]
    assert previous["evidence_urls"] == ["https://img.example/first.jpg"]
    assert previous["follow_up"]["result"] == "dissatisfied"
    assert (previous["completed_at"], previous["on_time"], previous["reopened_at"]) == (
        at(24 * 30), True, at(24 * 31))
    assert order.history[-1]["details"] == {"reopened": True, "result": "dissatisfied",
                                            "superseded_completion": 1}
    order.stat_changes.clear()

    order.complete(DEPT, at(24 * 62), [domain.quantity("hardening", 35)],
                   ["https://img.example/second.jpg"], "补做边角")   # again, in May
    assert order.quantities == [domain.quantity("hardening", 35)]
    assert order.evidence_urls == ["https://img.example/second.jpg"]
    order.record_follow_up(STAFF, at(24 * 63), "satisfied", None, due_at=at(24 * 90))
    assert order.follow_up["result"] == "satisfied" and order.state == domain.CLOSED
    assert order.previous_completions[0]["follow_up"]["result"] == "dissatisfied"


def test_a_redo_takes_the_old_completion_out_of_its_month_and_the_new_one_counts_in_its_own():
    order = in_progress(due=at(24 * 40))
    order.complete(DEPT, at(24 * 30), [domain.quantity("hardening", 641)],
                   ["https://img.example/first.jpg"], "硬化完成")
    order.reopen(STAFF, at(24 * 31), "验收不合格", due_at=at(24 * 70))
    order.complete(DEPT, at(24 * 75), [domain.quantity("hardening", 35)],
                   ["https://img.example/second.jpg"], "补做")      # late this time
    totals: dict = {}
    for (month, *_), changes in order.stat_changes:
        for name, value in changes.items():
            if name.startswith(("completed", "quantity")):
                totals[(month, name)] = totals.get((month, name), 0) + value
    assert {k: v for k, v in totals.items() if v} == {
        ("2026-05", "completed"): 1, ("2026-05", "quantity.hardening"): 35}
    counts = {name: value for _, changes in order.stat_changes
              for name, value in changes.items()}
    assert counts["reopened"] == 1


def test_reopening_an_answered_order_takes_no_completion_out():
    order = reported()
    order.accept(STAFF, at(1), at(100))
    order.answer(STAFF, at(2), "已电话答复")
    order.stat_changes.clear()
    order.reopen(STAFF, at(3), "居民仍有诉求", due_at=at(200))
    assert order.previous_completions == [] and order.result_note is None
    assert all("completed" not in changes for _, changes in order.stat_changes)


def test_duplicate_reject_and_cancel_end_without_work():
    for end, expected in ((lambda o: o.mark_duplicate(STAFF, at(1), "WO1"), domain.DUPLICATE),
                          (lambda o: o.reject(STAFF, at(1), "不属于受理范围"), domain.REJECTED),
                          (lambda o: o.cancel(STAFF, at(1), "居民撤回"), domain.CANCELLED)):
        order = reported()
        end(order)
        assert order.state == expected and order.allowed_actions() == []
    with pytest.raises(ValidationFailed):
        reported().mark_duplicate(STAFF, at(1), "WO202603020001")


def test_state_counts_follow_the_order_in_its_report_month():
    order = reported()
    order.accept(STAFF, at(24 * 40), at(24 * 50))  # accepted in April, reported in March
    (month, community, alley, category, department), changes = order.stat_changes[-1]
    assert (month, community, category, department) == (
        "2026-03", order.community, order.category, "")
    assert changes == {"state.reported": -1, "state.accepted": 1}


def summed(stat_changes) -> dict:
    """{(month, department, counter): amount}, the zeros left out."""
    totals: dict = {}
    for (month, _, _, _, department), changes in stat_changes:
        for name, value in changes.items():
            totals[(month, department, name)] = totals.get((month, department, name), 0) + value
    return {k: v for k, v in totals.items() if v}


def test_an_orders_figures_move_with_it_to_the_department_it_is_dispatched_or_returned_to():
    order = reported()
    order.accept(STAFF, at(24 * 30), at(24 * 60))                   # April
    order.escalate(STAFF, at(24 * 31))                              # April, with no department
    order.dispatch(STAFF, at(24 * 32), {"code": "power", "name": "供电公司路灯所"})
    assert summed(order.stat_changes) == {
        ("2026-03", "power", "reported"): 1, ("2026-03", "power", "state.dispatched"): 1,
        ("2026-04", "power", "escalated"): 1}
    order.return_to_dispatcher(DEPT, at(24 * 33), "不属本部门")
    order.dispatch(STAFF, at(24 * 34), {"code": "municipal", "name": "市政工程管理处"})
    order.sign_for(DEPT, at(24 * 35))
    order.complete(DEPT, at(24 * 36), [domain.quantity("street_lamp", 2)],
                   ["https://img.example/a.jpg"], "已修复")
    assert summed(order.stat_changes) == {
        ("2026-03", "municipal", "reported"): 1, ("2026-03", "municipal", "state.completed"): 1,
        ("2026-04", "municipal", "escalated"): 1, ("2026-04", "municipal", "completed"): 1,
        ("2026-04", "municipal", "completed_on_time"): 1,
        ("2026-04", "municipal", "quantity.street_lamp"): 2}
    assert order.held_figures() == [
        (("2026-03", "浚河社区", "新宇巷", "street_light", "municipal"),
         {"reported": 1, "state.completed": 1}),
        (("2026-04", "浚河社区", "新宇巷", "street_light", "municipal"), {"escalated": 1}),
        (("2026-04", "浚河社区", "新宇巷", "street_light", "municipal"),
         {"completed": 1, "completed_on_time": 1, "quantity.street_lamp": 2})]


def test_a_returned_order_counts_with_no_department():
    order = reported()
    order.accept(STAFF, at(1), at(100))
    order.dispatch(STAFF, at(2), {"code": "power", "name": "供电公司路灯所"})
    order.return_to_dispatcher(DEPT, at(3), "不属本部门")
    assert summed(order.stat_changes) == {("2026-03", "", "reported"): 1,
                                          ("2026-03", "", "state.returned"): 1}


def test_duplicates_are_the_same_category_within_50_metres_or_in_the_same_alley():
    here = {"lat": 32.6900, "long": 118.9900}
    near = {"lat": 32.6903, "long": 118.9900}  # about 33 m north
    far = {"lat": 32.6910, "long": 118.9900}   # about 111 m
    report = {"category": "street_light", "community": "浚河社区", "alley": None,
              "location": here}
    assert domain.duplicate_reasons(report, reported(location=near, alley="别的巷"))
    assert not domain.duplicate_reasons(report, reported(location=far, alley="别的巷"))
    assert not domain.duplicate_reasons(report, reported("parking", location=near))
    same_alley = {**report, "location": None, "alley": " 新宇巷 "}
    assert domain.duplicate_reasons(same_alley, reported(alley="新宇巷"))
    closed = reported(location=near)
    closed.cancel(STAFF, at(1), "撤回")
    assert not domain.duplicate_reasons(report, closed)


def test_figures_derive_the_three_rates_from_summed_buckets():
    def bucket(community, **counts):
        return {"month": "2026-03", "community": community, "alley": "", "category": "x",
                "counts": counts}
    result = figures.roll_up([
        bucket("浚河社区", reported=4, **{"state.closed": 2, "state.completed": 1,
                                         "state.cancelled": 1}, completed=3,
               completed_on_time=2, **{"follow_up.satisfied": 1,
                                       "follow_up.dissatisfied": 1,
                                       "quantity.street_lamp": 3}),
        bucket("天宝社区", reported=1, **{"state.in_progress": 1, "follow_up.unreachable": 1,
                                         "quantity.street_lamp": 2}),
    ], group_by=("community",))
    totals = result["totals"]
    assert totals["reported"] == 5
    assert totals["on_time_rate"] == round(2 / 3, 4)
    assert totals["satisfaction_rate"] == 0.5       # unreachable is not an answer
    assert totals["resolution_rate"] == 0.75        # 3 resolved of 4 not cancelled
    assert totals["quantities"]["street_lamp"] == {"name": "新装或维修路灯", "unit": "盏",
                                                   "amount": 5}
    assert [g["community"] for g in result["groups"]] == ["天宝社区", "浚河社区"]
    assert figures.figures({})["on_time_rate"] is None


def test_working_day_deadlines_skip_weekends_and_holidays():
    calendar = clock.WorkingCalendar(holidays={datetime(2026, 3, 3).date()})
    friday = datetime(2026, 3, 6, 2, 0, tzinfo=timezone.utc)
    due = calendar.add_working_days(friday, 1)
    assert clock.local_date(due) == datetime(2026, 3, 9).date()  # Monday, end of day
    monday = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    assert clock.local_date(calendar.add_working_days(monday, 2)) == datetime(2026, 3, 5).date()
