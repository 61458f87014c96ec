"""The repair service running in a container against the real broker and SecantusDB, called
over RPC as the gateway and other services call it."""
from datetime import timedelta

import pytest
from nameko.testing.services import entrypoint_hook

from services.repair.service import RepairService
from shared import clock
from shared.errors import IllegalTransition, NotFound, ValidationFailed
from shared.events.job import EMPLOYER_PROBLEM_REPORTED
from shared.events.volunteer import FOLLOW_UP_VISIT_RECORDED
from tests.conftest import wait_until

ADMIN = {"id": "u-admin", "name": "王主任", "role": "street_admin"}
GRID = {"id": "u-grid", "name": "刘网格", "role": "grid_worker", "community": "浚河社区"}
DEPT = {"id": "u-dept", "name": "供电班组", "role": "department"}
LAMP = {"category": "street_light", "community": "浚河社区", "alley": "新宇巷",
        "address": "新宇巷49号院门口", "location": {"lat": 32.6900, "long": 118.9900},
        "description": "路灯晚上不亮,巷子里乌漆墨黑", "channel": "grid_worker",
        "reporter": {"name": "张清松", "phone": "13812345678"}}


@pytest.fixture
def repair(start_service):
    return start_service(RepairService)


def walk_to_completed(rpc, number, quantities=({"kind": "street_lamp", "amount": 2},)):
    rpc.repair.accept_work_order(number, ADMIN)
    rpc.repair.dispatch_work_order(number, ADMIN)
    rpc.repair.sign_for_work_order(number, DEPT)
    return rpc.repair.complete_work_order(
        number, DEPT, result_note="更换LED灯头", quantities=list(quantities),
        evidence_urls=["https://img.example/after.jpg"])


def test_a_report_walks_to_close_and_every_step_is_published(repair, rpc, event_tap):
    tap = event_tap("repair")
    order = rpc.repair.report_work_order(actor=GRID, **LAMP)
    number = order["number"]
    assert order["state"] == "reported" and order["reporter"]["phone_masked"] == "138****5678"
    assert "13812345678" not in str(order)

    accepted = rpc.repair.accept_work_order(number, ADMIN, note="属实")
    assert accepted["due_at"] is not None
    dispatched = rpc.repair.dispatch_work_order(number, ADMIN)
    assert dispatched["department"]["code"] == "power"  # routed by category
    assert [a["action"] for a in dispatched["allowed_actions"]] == ["return", "sign_for",
                                                                   "escalate", "cancel"]
    rpc.repair.sign_for_work_order(number, DEPT)
    completed = rpc.repair.complete_work_order(
        number, DEPT, result_note="更换LED灯头2盏",
        quantities=[{"kind": "street_lamp", "amount": 2, "unit": "盏"}],
        evidence_urls=["https://img.example/after.jpg"])
    assert completed["state"] == "completed" and completed["quantities"][0]["name"] == "新装或维修路灯"
    closed = rpc.repair.record_follow_up(number, GRID, result="satisfied", note="居民很满意")
    assert closed["state"] == "closed" and closed["allowed_actions"] == [
        {"action": "reopen", "name": "重办"}]
    assert [h["action"] for h in closed["history"]] == [
        "report", "accept", "dispatch", "sign_for", "complete", "follow_up"]

    tap.wait_for("work_order_closed", lambda d: d["number"] == number)
    assert tap.types() == [
        "work_order_reported", "work_order_accepted", "work_order_dispatched",
        "work_order_signed_for", "work_order_completed", "work_order_followed_up",
        "work_order_closed"]
    completed_event = next(b for b in tap.seen if b["type"] == "work_order_completed")
    assert completed_event["data"]["reporter_phone_masked"] == "138****5678"
    assert completed_event["data"]["quantities"] == [
        {"kind": "street_lamp", "amount": 2.0, "unit": "盏"}]


def test_bad_input_gets_field_errors_in_chinese_and_changes_nothing(repair, rpc, service_db):
    with pytest.raises(ValidationFailed) as failed:
        rpc.repair.report_work_order(actor=GRID, **{**LAMP, "category": "ufo",
                                                    "reporter": {"phone": "123"},
                                                    "colour": "red"})
    assert failed.value.fields == {"category": ["应为以下之一:路面破损、井盖破损、路灯故障、"
                                                "道路积水、车辆乱停、绿化养护、其他问题。"],
                                   "reporter": {"phone": ["不是有效的电话号码。"]},
                                   "colour": ["未知字段。"]}
    with pytest.raises(ValidationFailed) as failed:
        rpc.repair.report_work_order(actor={"id": "x"}, **LAMP)
    assert set(failed.value.fields) == {"name", "role"}
    assert service_db("repair").work_orders.count_documents({}) == 0

    number = rpc.repair.report_work_order(actor=GRID, **LAMP)["number"]
    with pytest.raises(IllegalTransition) as refused:
        rpc.repair.complete_work_order(number, DEPT, result_note="修好了",
                                       evidence_urls=["https://img.example/a.jpg"])
    assert "待受理" in refused.value.message
    with pytest.raises(ValidationFailed) as failed:
        rpc.repair.return_work_order(number, DEPT)
    assert failed.value.fields == {"grounds": ["必填项。"]}
    with pytest.raises(NotFound) as missing:
        rpc.repair.accept_work_order("WO000", ADMIN)
    assert missing.value.code == "WORK_ORDER_NOT_FOUND"
    stored = service_db("repair").work_orders.find_one({"_id": number})
    assert stored["state"] == "reported" and stored["version"] == 1


def test_return_with_grounds_then_redispatch_and_extension(repair, rpc):
    number = rpc.repair.report_work_order(actor=GRID, **LAMP)["number"]
    rpc.repair.accept_work_order(number, ADMIN)
    rpc.repair.dispatch_work_order(number, ADMIN)
    returned = rpc.repair.return_work_order(number, DEPT, grounds="该路灯属小区物业,非市政路灯")
    assert returned["state"] == "returned" and returned["department"] is None
    redispatched = rpc.repair.dispatch_work_order(number, ADMIN, department_code="municipal")
    assert redispatched["department"]["code"] == "municipal"
    signed = rpc.repair.sign_for_work_order(number, DEPT)
    later = clock.parse_iso(signed["due_at"]) + timedelta(days=7)
    requested = rpc.repair.request_extension(number, DEPT, requested_due_at=clock.iso(later),
                                             reason="需要采购灯杆")
    assert requested["extension"]["reason"] == "需要采购灯杆"
    approved = rpc.repair.approve_extension(number, ADMIN)
    assert clock.parse_iso(approved["due_at"]) == later
    with pytest.raises(NotFound):
        rpc.repair.dispatch_work_order(
            rpc.repair.accept_work_order(
                rpc.repair.report_work_order(actor=GRID, **LAMP)["number"], ADMIN)["number"],
            ADMIN, department_code="nowhere")


def test_overdue_orders_are_escalated_once_by_the_timer(repair, rpc, service_db, event_tap):
    tap = event_tap("repair")
    number = rpc.repair.report_work_order(actor=GRID, **LAMP)["number"]
    rpc.repair.accept_work_order(number, ADMIN)
    rpc.repair.dispatch_work_order(number, ADMIN)
    service_db("repair").work_orders.update_one(  # its deadline passed an hour ago
        {"_id": number}, {"$set": {"due_at": clock.now() - timedelta(hours=1)}})
    with entrypoint_hook(repair, "escalate_overdue_work_orders") as escalate:
        assert escalate() == [number]
        assert escalate() == []
    order = rpc.repair.get_work_order(number)
    assert order["escalations"] == 1 and order["overdue"] and order["state"] == "dispatched"
    escalated = tap.wait_for("work_order_escalated")
    assert escalated["data"]["automatic"] is True
    listed = rpc.repair.list_work_orders(overdue=True)
    assert [o["number"] for o in listed["items"]] == [number]


def test_duplicates_are_suggested_within_50_metres_or_in_the_same_alley(repair, rpc):
    first = rpc.repair.report_work_order(actor=GRID, **LAMP)
    assert first["possible_duplicates"] == []
    nearby = rpc.repair.report_work_order(actor=GRID, **{
        **LAMP, "alley": "河滨巷", "location": {"lat": 32.6903, "long": 118.9900}})
    assert [d["number"] for d in nearby["possible_duplicates"]] == [first["number"]]
    same_alley = rpc.repair.report_work_order(actor=GRID, **{
        **LAMP, "location": None, "address": "新宇巷口"})
    # No coordinates, so only the report in the same alley matches, not the one 33 m away.
    assert [d["number"] for d in same_alley["possible_duplicates"]] == [first["number"]]
    other_kind = rpc.repair.report_work_order(actor=GRID, **{**LAMP, "category": "parking"})
    assert other_kind["possible_duplicates"] == []
    marked = rpc.repair.mark_duplicate(nearby["number"], ADMIN, duplicate_of=first["number"])
    assert marked["state"] == "duplicate"
    assert [d["number"] for d in rpc.repair.suggest_duplicates(first["number"])] == [
        same_alley["number"]]


def test_quantities_and_rates_roll_up_by_community_alley_and_category(repair, rpc):
    lamp = rpc.repair.report_work_order(actor=GRID, **LAMP)["number"]
    walk_to_completed(rpc, lamp, [{"kind": "street_lamp", "amount": 3}])
    rpc.repair.record_follow_up(lamp, GRID, result="satisfied")
    road = rpc.repair.report_work_order(actor=GRID, **{
        **LAMP, "category": "road_surface", "community": "天宝社区", "alley": "聚宝路",
        "location": None})["number"]
    walk_to_completed(rpc, road, [{"kind": "road_surface", "amount": 120.5},
                                  {"kind": "sidewalk_tiles", "amount": 80}])
    rpc.repair.record_follow_up(road, GRID, result="dissatisfied", note="还有坑")
    cancelled = rpc.repair.report_work_order(actor=GRID, **LAMP)["number"]
    rpc.repair.cancel_work_order(cancelled, ADMIN, reason="居民撤回")

    month = clock.month_key(clock.now())
    stats = rpc.repair.work_order_statistics(period=month, group_by=["community"])
    totals = stats["totals"]
    # The road was reopened (重办): its completion no longer counts until it is redone; the
    # resident's answer does (满意率 counts the answers given in the period).
    assert totals["reported"] == 3 and totals["completed"] == 1
    assert totals["quantities"]["street_lamp"]["amount"] == 3
    assert totals["quantities"]["road_surface"]["amount"] == 0
    assert totals["on_time_rate"] == 1.0 and totals["satisfaction_rate"] == 0.5
    assert totals["resolution_rate"] == 0.5  # the lamp closed, the road reopened
    assert totals["by_state"]["in_progress"] == 1 and totals["by_state"]["cancelled"] == 1
    groups = {g["community"]: g for g in stats["groups"]}
    assert groups["天宝社区"]["quantities"]["sidewalk_tiles"]["amount"] == 0
    walk_again = rpc.repair.complete_work_order(
        road, DEPT, result_note="重新修补", quantities=[{"kind": "road_surface", "amount": 15}],
        evidence_urls=["https://img.example/again.jpg"])
    assert walk_again["quantities"] == [{"kind": "road_surface", "name": "修复路面",
                                         "amount": 15.0, "unit": "m²"}]
    assert walk_again["previous_completions"][0]["quantities"][0]["amount"] == 120.5
    again = rpc.repair.work_order_statistics(period=month, group_by=["community"])
    assert again["totals"]["completed"] == 2
    assert again["totals"]["quantities"]["road_surface"]["amount"] == 15
    assert {g["community"]: g for g in again["groups"]}["天宝社区"]["quantities"][
        "sidewalk_tiles"]["amount"] == 0
    by_alley = rpc.repair.work_order_statistics(period=month[:4], alley="新宇巷")
    assert by_alley["totals"]["reported"] == 2
    assert by_alley["period"] == {"from_month": f"{month[:4]}-01", "to_month": f"{month[:4]}-12"}


def test_the_reporters_number_is_revealed_only_with_an_audit_entry(repair, rpc, service_db):
    number = rpc.repair.report_work_order(actor=GRID, **LAMP)["number"]
    stored = service_db("repair").work_orders.find_one({"_id": number})
    assert "13812345678" not in str(stored)
    with pytest.raises(ValidationFailed):
        rpc.repair.reveal_reporter_contact(number, ADMIN)
    assert service_db("repair").audit_log.count_documents({}) == 0
    contact = rpc.repair.reveal_reporter_contact(number, ADMIN, purpose="回访需要联系居民")
    assert contact["phone"] == "13812345678"
    audit = service_db("repair").audit_log.find_one()
    assert (audit["actor"]["id"], audit["record_id"], audit["purpose"]) == (
        "u-admin", number, "回访需要联系居民")


def test_a_volunteers_follow_up_visit_closes_or_reopens_the_order(
        repair, rpc, publish_event, event_tap):
    tap = event_tap("repair")
    satisfied = rpc.repair.report_work_order(actor=GRID, **LAMP)["number"]
    unhappy = rpc.repair.report_work_order(actor=GRID, **{**LAMP, "alley": "文昌巷"})["number"]
    for number in (satisfied, unhappy):
        walk_to_completed(rpc, number)
    visit = {"note": "", "visited_at": clock.iso(clock.now()), "visitor_id": "v1",
             "visitor_name": "志愿者小陈"}
    event = publish_event(FOLLOW_UP_VISIT_RECORDED, {
        **visit, "work_order_number": satisfied, "result": "satisfied"})
    publish_event(FOLLOW_UP_VISIT_RECORDED, None, envelope=event)  # delivered twice
    publish_event(FOLLOW_UP_VISIT_RECORDED, {
        **visit, "work_order_number": unhappy, "result": "dissatisfied", "note": "还是不亮"})
    wait_until(lambda: rpc.repair.get_work_order(satisfied)["state"] == "closed")
    wait_until(lambda: rpc.repair.get_work_order(unhappy)["state"] == "in_progress")
    assert rpc.repair.get_work_order(unhappy)["reopen_count"] == 1
    closed = tap.wait_for("work_order_closed", lambda d: d["number"] == satisfied)
    assert closed["causation_id"] == event.event_id
    assert len([b for b in tap.seen if b["type"] == "work_order_followed_up"
                and b["data"]["number"] == satisfied]) == 1
    assert rpc.repair.get_work_order(satisfied)["follow_up"]["by"]["name"] == "志愿者小陈"


def test_a_problem_found_on_an_employer_visit_opens_a_work_order(repair, rpc, publish_event):
    publish_event(EMPLOYER_PROBLEM_REPORTED, {
        "problem_id": "p-1", "visit_id": "visit-1", "employer_id": "e-1",
        "employer_name": "聚宝路毛绒玩具加工点", "community": "天宝社区", "category": "parking",
        "alley": "聚宝路", "address": "聚宝路12号门前", "location": None,
        "description": "门前车辆乱停,货车进不来", "visitor_name": "李伟"})
    listed = wait_until(lambda: rpc.repair.list_work_orders(channel="employer_visit")["items"])
    order = listed[0]
    assert order["source_ref"] == {"service": "job", "ref": "p-1"}
    assert order["description"].startswith("聚宝路毛绒玩具加工点反映")


def test_open311_requests_are_created_listed_and_found_by_token(repair, rpc):
    actor = {"id": "open311:app", "name": "随手拍", "role": "resident"}
    with pytest.raises(ValidationFailed) as failed:
        rpc.repair.open311_create_request(actor, service_code="manhole_cover",
                                          description="井盖坏了", lat=32.69, long=118.99)
    assert failed.value.fields == {"attribute[cover_type]": ["必填项。"]}
    created = rpc.repair.open311_create_request(
        actor, service_code="manhole_cover", description="井盖松动", lat=32.6859,
        long=119.0046, attribute={"cover_type": "sewage"}, phone="13900001111",
        first_name="明英", last_name="胡")
    request_id, token = created[0]["service_request_id"], created[0]["token"]
    assert rpc.repair.open311_token(token) == [{"token": token,
                                                "service_request_id": request_id}]
    request = rpc.repair.open311_request(request_id)[0]
    assert (request["status"], request["service_code"]) == ("open", "manhole_cover")
    assert rpc.repair.get_work_order(request_id)["community"] == "天宝社区"
    assert [r["service_request_id"] for r in rpc.repair.open311_requests(status="open")] == [
        request_id]
    assert rpc.repair.open311_requests(status="closed") == []
    with pytest.raises(ValidationFailed):
        rpc.repair.open311_requests(start_date="2026-01-01T00:00:00+08:00",
                                    end_date="2026-06-01T00:00:00+08:00")


def test_departments_deadlines_and_calendar_are_data(repair, rpc):
    assert {d["code"] for d in rpc.repair.list_departments()} == {
        "municipal", "urban_management", "power", "landscaping"}
    rpc.repair.save_department(ADMIN, code="drainage", name="排水管理所",
                               categories=["waterlogging"])
    rpc.repair.set_category_deadline(ADMIN, category="waterlogging", working_days=1)
    number = rpc.repair.report_work_order(actor=GRID, **{**LAMP, "category": "waterlogging"})[
        "number"]
    accepted = rpc.repair.accept_work_order(number, ADMIN)
    dispatched = rpc.repair.dispatch_work_order(number, ADMIN)
    assert dispatched["department"]["code"] == "drainage"
    today = clock.local_date(clock.parse_iso(accepted["accepted_at"]))
    due = clock.local_date(clock.parse_iso(accepted["due_at"]))
    assert (due - today).days >= 1
    statutory = rpc.repair.get_calendar()
    # By default China's statutory holidays and 调休 of every year the package knows.
    assert {"2026-10-01", "2026-10-07", "2025-01-28"} <= set(statutory["holidays"])
    assert {"2026-10-10", "2025-01-26"} <= set(statutory["extra_workdays"])
    rpc.repair.set_calendar(ADMIN, holidays=[due.isoformat()])
    holidays = rpc.repair.get_calendar()["holidays"]
    # The year the office set is wholly its own; the others keep the statutory dates.
    assert [d for d in holidays if d.startswith(str(due.year))] == [due.isoformat()]
    assert "2025-10-01" in holidays or due.year == 2025
    waterlogging = next(c for c in rpc.repair.list_categories() if c["code"] == "waterlogging")
    assert waterlogging["deadline_days"] == 1


def test_health_reports_database_outbox_and_dead_letters(repair, rpc):
    health = rpc.repair.health()
    assert health["status"] == "ok"
    assert health["database"]["ok"] and health["database"]["outbox_backlog"] >= 0
    assert health["broker"] == {"ok": True, "dead_letters": 0}
