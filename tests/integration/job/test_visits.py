"""Employers and 一走四送 visits, and what repair tells job about the work orders a visit
opened: the job service in a container against the real broker and SecantusDB."""
import pytest

from shared import clock
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.events.repair import (WORK_ORDER_CANCELLED, WORK_ORDER_CLOSED,
                                  WORK_ORDER_MARKED_DUPLICATE, WORK_ORDER_REJECTED,
                                  WORK_ORDER_REPORTED)
from services.job.service import JobService
from tests.conftest import wait_until
from tests.integration.job.conftest import ADMIN, RESIDENT, STAFF, TOY_WORKSHOP, days_ago

DELIVERIES = [
    {"kind": "policy", "policy_name": "小微企业吸纳就业社保补贴"},
    {"kind": "training", "topic": "缝纫技能培训", "expected_participants": 12},
    {"kind": "job", "openings_collected": 3, "note": "缺缝纫工3名"},
    {"kind": "service", "service_name": "代办用工备案"},
]
PROBLEMS = [
    {"category": "street_light", "description": "门前路灯不亮,晚上收工不安全"},
    {"category": "parking", "description": "门前车辆乱停,货车进不来", "alley": "聚宝路"},
    {"category": "road_surface", "description": "门口路面坑洼"},
    {"category": "manhole_cover", "description": "井盖松动有响声"},
    {"category": "other", "description": "垃圾清运不及时"},
]


def test_a_visit_delivers_four_things_and_opens_work_orders_and_training(
        job, rpc, event_tap, service_db):
    tap = event_tap("job")
    employer = rpc.job.register_employer(STAFF, **TOY_WORKSHOP)
    assert employer["contact"] == {"name": "周老板", "phone_masked": "139****0001"}
    stored = service_db("job").employers.find_one({"_id": employer["employer_id"]})
    assert "13900000001" not in str(stored)

    visit = rpc.job.record_visit(
        STAFF, employer_id=employer["employer_id"], visited_on=days_ago(1),
        findings="加工点用工灵活,缺缝纫工;门前路灯不亮,货车停放困难",
        deliveries=DELIVERIES, problems=PROBLEMS[:2],
        follow_up_actions=[{"description": "一周内推荐两名缝纫工", "owner": "李伟"}])
    visit_id = visit["visit_id"]
    assert [d["kind_name"] for d in visit["deliveries"]] == ["送政策", "送培训", "送岗位",
                                                             "送服务"]
    assert visit["deliveries"][1]["request_id"] == f"{visit_id}-T2"
    assert [p["state_name"] for p in visit["problems"]] == ["已转工单办理"] * 2
    assert visit["visitor_name"] == "李伟"

    tap.wait_for("training_requested")
    assert tap.types() == ["employer_visited", "employer_problem_reported",
                           "employer_problem_reported", "training_requested"]
    lamp = next(b for b in tap.seen if b["type"] == "employer_problem_reported")["data"]
    assert (lamp["problem_id"], lamp["employer_name"], lamp["address"], lamp["community"]) == (
        f"{visit_id}-P1", "聚宝路毛绒玩具加工点", "聚宝路12号", "天宝社区")
    training = tap.seen[-1]["data"]
    assert (training["topic"], training["expected_participants"]) == ("缝纫技能培训", 12)
    assert "13900000001" not in str(tap.seen)

    done = rpc.job.complete_visit_action(visit_id, f"{visit_id}-A1", STAFF, note="已推荐胡明英")
    assert done["follow_up_actions"][0]["done"] is True
    assert rpc.job.get_employer(employer["employer_id"])["visits"] == 1
    listed = rpc.job.list_visits(community="天宝社区", delivery_kind="training")
    assert [v["visit_id"] for v in listed["items"]] == [visit_id]


def test_bad_input_gets_chinese_field_errors_and_changes_nothing(job, rpc, service_db):
    with pytest.raises(ValidationFailed) as failed:
        rpc.job.register_employer(STAFF, **{**TOY_WORKSHOP, "size": "tiny", "colour": "red",
                                            "contact": {"name": "周老板", "phone": "123"}})
    assert failed.value.fields == {"size": ["应为以下之一:微型、小型、中型、大型。"],
                                   "colour": ["未知字段。"],
                                   "contact": {"phone": ["不是有效的电话号码。"]}}
    employer_id = rpc.job.register_employer(STAFF, **TOY_WORKSHOP)["employer_id"]
    with pytest.raises(Conflict) as duplicate:
        rpc.job.register_employer(STAFF, **{**TOY_WORKSHOP, "name": "聚宝路 毛绒玩具加工点"})
    assert duplicate.value.code == "EMPLOYER_EXISTS" and employer_id in duplicate.value.message
    other_id = rpc.job.register_employer(STAFF, **{**TOY_WORKSHOP, "name": "天宝便利店"})[
        "employer_id"]
    with pytest.raises(Conflict) as renamed:
        rpc.job.update_employer(other_id, STAFF, name="聚宝路毛绒玩具加工点")
    assert employer_id in renamed.value.message

    with pytest.raises(ValidationFailed) as failed:
        rpc.job.record_visit(STAFF, employer_id=employer_id, visited_on="2999-01-01",
                             findings="走访", deliveries=[{"kind": "policy"}])
    assert failed.value.fields == {"visited_on": ["走访日期不能晚于今天。"],
                                   "deliveries": {"0": {"policy_name": ["必填项。"]}}}
    with pytest.raises(NotFound) as missing:
        rpc.job.record_visit(STAFF, employer_id="EM0", visited_on=days_ago(0), findings="走访")
    assert missing.value.code == "EMPLOYER_NOT_FOUND"
    db = service_db("job")
    assert db.visits.count_documents({}) == 0 and db.outbox.count_documents({}) == 0
    assert db.employers.count_documents({}) == 2 and db.job_stats.count_documents({}) == 0
    assert rpc.job.get_employer(other_id)["name"] == "天宝便利店"


def test_the_employer_contact_is_revealed_only_to_staff_and_audited(job, rpc, service_db):
    employer_id = rpc.job.register_employer(STAFF, **TOY_WORKSHOP)["employer_id"]
    changed = rpc.job.update_employer(employer_id, STAFF, contact={"phone": "13900000002"},
                                      employees=10)
    assert changed["contact"] == {"name": "周老板", "phone_masked": "139****0002"}
    for who in (RESIDENT, {**STAFF, "community": "浚河社区"}):
        with pytest.raises(Forbidden):
            rpc.job.reveal_employer_contact(employer_id, who, purpose="联系企业推荐人员")
    assert service_db("job").audit_log.count_documents({}) == 0
    assert rpc.job.reveal_employer_contact(employer_id, ADMIN, purpose="联系企业推荐人员") == {
        "name": "周老板", "phone": "13900000002"}
    audit = service_db("job").audit_log.find_one()
    assert (audit["record_id"], audit["actor"]["id"]) == (employer_id, "u-admin")


def work_order(number, ref, service="job", **extra):
    return {"number": number, "state": "closed", "category": "street_light",
            "community": "天宝社区", "alley": None, "actor_name": "王主任",
            "source_ref": {"service": service, "ref": ref} if ref else None, **extra}


def closed(number, ref, service="job"):
    return work_order(number, ref, service, resolution="satisfied",
                      closed_at=clock.iso(clock.now()))


def ended(number, ref, reason, duplicate_of=None):
    return work_order(number, ref, reason=reason, duplicate_of=duplicate_of)


def inbox_has(db, event):
    return db.inbox.count_documents({"_id": {"$regex": f"\\|{event.event_id}$"}}) == 1


def test_work_order_outcomes_reach_the_visit_and_the_employer_hears_once(
        start_service, rpc, publish_event, service_db):
    start_service(JobService, max_workers=1)  # one message at a time, in order, per queue
    db = service_db("job")
    employer_id = rpc.job.register_employer(STAFF, **TOY_WORKSHOP)["employer_id"]
    visit_id = rpc.job.record_visit(STAFF, employer_id=employer_id, visited_on=days_ago(0),
                                    findings="走访发现五个问题", problems=PROBLEMS)["visit_id"]
    p1, p2, p3, p4, p5 = (f"{visit_id}-P{n}" for n in range(1, 6))

    def twice(event_type, data):
        """Every event is delivered twice, then a marker (a problem job does not know) shows
        that the queue has been worked through up to here."""
        event = publish_event(event_type, data)
        publish_event(event_type, None, envelope=event)
        unknown = {**data, "number": "WO-marker",
                   "source_ref": {"service": "job", "ref": f"{visit_id}-P9"}}
        markers.append(publish_event(event_type, unknown))

    markers = []
    # Orders that job did not open, even naming one of its problem ids, are not its business.
    publish_event(WORK_ORDER_CLOSED, closed("WO9", p5, service="hotline"))
    publish_event(WORK_ORDER_CLOSED, closed("WO8", None))
    twice(WORK_ORDER_REPORTED, {
        **work_order("WO1", p1), "state": "reported", "address": "聚宝路12号",
        "channel": "employer_visit", "reported_at": clock.iso(clock.now())})
    twice(WORK_ORDER_CLOSED, closed("WO1", p1))
    twice(WORK_ORDER_CLOSED, closed("WO1", p1))   # reopened and closed again: nothing new
    twice(WORK_ORDER_REJECTED, ended("WO2", p2, "属小区内部道路,由物业处理"))
    twice(WORK_ORDER_CANCELLED, ended("WO3", p3, "企业已自行修复"))
    twice(WORK_ORDER_MARKED_DUPLICATE, ended("WO4", p4, "与 WO0 重复", "WO0"))
    wait_until(lambda: all(inbox_has(db, m) for m in markers), message="events applied")

    problems = rpc.job.get_visit(visit_id)["problems"]
    assert [(p["state"], p["work_order_number"]) for p in problems] == [
        ("resolved", "WO1"), ("ended", "WO2"), ("ended", "WO3"), ("ended", "WO4"),
        ("reported", None)]
    assert problems[0]["resolution"] == "已办结,回访满意"
    assert problems[1]["end_reason"] == "属小区内部道路,由物业处理"
    assert problems[3]["end_reason"] == "与 WO0 重复(已并入工单 WO0 办理)"

    notes = rpc.job.list_employer_notifications(employer_id=employer_id)
    # One per problem, however often its event came (by employer there is no counter).
    assert len(notes["items"]) == 4 and notes["total"] is None and not notes["has_more"]
    assert rpc.job.list_employer_notifications(community="天宝社区")["total"] == 4
    by_order = {n["work_order_number"]: n for n in notes["items"]}
    assert by_order["WO1"]["title"] == "您反映的“路灯故障”问题已解决"
    assert by_order["WO2"]["kind"] == "problem_ended" and "由物业处理" in by_order["WO2"]["body"]
    read = rpc.job.mark_notification_read(by_order["WO1"]["notification_id"], STAFF)
    assert read["read_by"] == {"id": "u-li", "name": "李伟"}
    assert rpc.job.list_employer_notifications(community="天宝社区", unread=True)["total"] == 3
    assert rpc.job.mark_notification_read(by_order["WO1"]["notification_id"], STAFF)[
        "read_at"] == read["read_at"]  # read once: the counters move once
    unread = rpc.job.list_employer_notifications(community="天宝社区", unread=True)
    assert unread["total"] == 3 and len(unread["items"]) == 3
    already = rpc.job.list_employer_notifications(community="天宝社区", unread=False)
    assert already["total"] == 1 and [n["work_order_number"] for n in already["items"]] == ["WO1"]
    month = clock.month_key(clock.now())
    totals = rpc.job.job_statistics(period=month)["totals"]
    assert (totals["problems_reported"], totals["problems_resolved"],
            totals["problems_ended"]) == (5, 1, 3)
