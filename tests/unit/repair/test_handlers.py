"""The repair service's handler functions on an in-memory unit of work: the service layer's
rules without a broker or a database."""
from datetime import datetime, timedelta, timezone

import pytest

from services.repair.handlers import flow, georeport, intake, reading
from services.repair.views import ReportedWorkOrderView, WorkOrderView
from shared.errors import Forbidden, IllegalTransition, ValidationFailed
from tests.unit.fakes import run
from tests.unit.repair.fakes import FakeRepairUnitOfWork

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
GRID = {"id": "u-grid", "name": "刘网格", "role": "grid_worker", "community": "天宝社区"}
STAFF = {"id": "u-staff", "name": "王社区", "role": "community_staff", "community": "天宝社区"}
DEPT = {"id": "u-dept", "name": "李师傅", "role": "department"}
REPORT = {"category": "street_light", "community": "天宝社区", "alley": "聚宝路",
          "description": "路灯不亮", "channel": "grid_worker",
          "reporter": {"name": "张清松", "phone": "13800001234"}}


@pytest.fixture
def uow():
    return FakeRepairUnitOfWork(now=NOW)


def test_a_report_is_stored_numbered_and_announced(uow):
    answer = run(intake.report, uow, GRID, REPORT)
    assert ReportedWorkOrderView().validate(answer) == {}
    assert answer["number"] == "WO202603020001" and answer["state"] == "reported"
    assert answer["reporter"]["phone_masked"] == "138****1234"
    assert answer["already_reported"] is False
    assert uow.published_types() == ["work_order_reported"]
    stored = uow.work_orders.get(answer["number"])
    assert stored.reporter["phone"]["sealed"] != "13800001234"


def test_the_same_ticket_twice_answers_the_first_order_and_stores_nothing_new(uow):
    hotline = {**REPORT, "channel": "hotline_12345", "external_ref": "12345-20261206-0088"}
    first = run(intake.report, uow, GRID, hotline)
    again = run(intake.report, uow, GRID, hotline)
    assert again["number"] == first["number"] and again["already_reported"] is True
    assert len(uow.work_orders.all()) == 1
    assert uow.published_types() == ["work_order_reported"]
    other_channel = run(intake.report, uow, GRID, {**hotline, "channel": "resident"})
    assert other_channel["number"] != first["number"]


def test_bad_input_is_a_field_error_and_changes_nothing(uow):
    with pytest.raises(ValidationFailed) as refused:
        run(intake.report, uow, GRID, {**REPORT, "category": "nosuch", "description": ""})
    assert set(refused.value.fields) == {"category", "description"}
    assert uow.work_orders.all() == [] and uow.events == []


def test_the_whole_flow_moves_the_order_and_publishes_each_step(uow):
    number = run(intake.report, uow, GRID, REPORT)["number"]
    run(flow.accept, uow, number, STAFF, {})
    run(flow.dispatch, uow, number, STAFF, {})
    run(flow.sign_for, uow, number, DEPT, {})
    done = run(flow.complete, uow, number, DEPT, {
        "quantities": [{"kind": "street_lamp", "amount": 2}],
        "evidence_urls": ["https://img.example/a.jpg"], "result_note": "已更换灯泡"})
    assert done["state"] == "completed" and done["quantities"][0]["name"] == "新装或维修路灯"
    closed = run(flow.record_follow_up, uow, number, STAFF, {"result": "satisfied"})
    assert WorkOrderView().validate(closed) == {}
    assert closed["state"] == "closed" and closed["follow_up"]["result_name"] == "满意"
    assert [h["action_name"] for h in closed["history"]] == [
        "上报", "受理", "派单", "签收", "办结", "回访"]
    assert uow.published_types() == [
        "work_order_reported", "work_order_accepted", "work_order_dispatched",
        "work_order_signed_for", "work_order_completed", "work_order_followed_up",
        "work_order_closed"]
    assert closed["department"]["code"] == "power"


def test_an_illegal_step_is_refused_and_the_order_is_unchanged(uow):
    number = run(intake.report, uow, GRID, REPORT)["number"]
    before = uow.work_orders.get(number)
    with pytest.raises(IllegalTransition) as refused:
        run(flow.complete, uow, number, DEPT, {
            "quantities": [], "evidence_urls": ["https://img.example/a.jpg"],
            "result_note": "已处理"})
    assert "待受理" in refused.value.message
    assert uow.work_orders.get(number) == before


def test_overdue_orders_are_escalated_once(uow):
    number = run(intake.report, uow, GRID, REPORT)["number"]
    run(flow.accept, uow, number, STAFF, {})
    later = FakeRepairUnitOfWork(now=NOW + timedelta(days=30))
    later.work_orders.stored = uow.work_orders.stored
    assert run(flow.overdue, later) == [number]
    escalated = run(flow.escalate_overdue, later, number)
    assert escalated["escalations"] == 1 and escalated["overdue"] is True
    assert run(flow.overdue, later) == []


def test_staff_import_only_their_own_community(uow):
    record = {**REPORT, "community": "浚河社区", "alley": "新宇巷", "reason": "纸质台账",
              "reported_at": "2026-01-05T02:00:00+00:00"}
    with pytest.raises(Forbidden):
        run(intake.import_order, uow, STAFF, record)
    assert uow.work_orders.all() == []


def test_a_reveal_is_audited_before_the_number_is_returned(uow):
    number = run(intake.report, uow, GRID, REPORT)["number"]
    contact = run(reading.reveal_contact, uow, number, STAFF, {"purpose": "回访核实情况"})
    assert contact["phone"] == "13800001234"
    assert uow.work_orders.reveals == [("u-staff", number, ("phone", "email"), "回访核实情况")]
    assert not getattr(reading.reveal_contact, "remember")  # its answer is never stored


def test_open311_requests_with_the_same_reference_make_one_order(uow):
    request = {"service_code": "street_light", "lat": 32.69, "long": 119.01,
               "description": "路灯不亮", "external_ref": "client-77"}
    system = {"id": "open311:k1", "name": "Open311 客户端", "role": "system"}
    first = run(georeport.create_request, uow, system, request)
    again = run(georeport.create_request, uow, system, request)
    assert first[0]["service_request_id"] == again[0]["service_request_id"]
    assert first[0]["token"] == again[0]["token"]
    assert len(uow.work_orders.all()) == 1


# --- places: the register of places decides which communities, alleys and points exist -----

YONGFU_ALLEY = {"lat": 32.6984, "long": 118.9922}   # 永福巷
BEIJING = {"lat": 39.9, "long": 116.4}
OPEN311 = {"service_code": "street_light", "description": "路灯不亮"}
CLIENT = {"id": "open311:k1", "name": "Open311 客户端", "role": "resident"}


@pytest.mark.parametrize("change, code, field", [
    ({"community": "火星社区"}, "UNKNOWN_COMMUNITY", "community"),
    ({"alley": "新宇巷"}, "UNKNOWN_ALLEY", "alley"),  # 浚河社区's, not 天宝社区's
    ({"location": BEIJING}, "OUTSIDE_STREET", "location"),
])
def test_a_report_naming_a_place_the_register_lacks_is_refused_and_stores_nothing(
        uow, change, code, field):
    with pytest.raises(ValidationFailed) as refused:
        run(intake.report, uow, GRID, {**REPORT, **change})
    assert refused.value.code == code and set(refused.value.fields) == {field}
    assert uow.work_orders.all() == [] and uow.published_types() == []


def test_the_refusal_names_the_unknown_community_in_chinese(uow):
    with pytest.raises(ValidationFailed) as refused:
        run(intake.report, uow, GRID, {**REPORT, "community": "火星社区"})
    assert refused.value.message == "不是本街道的社区:火星社区"
    assert refused.value.fields == {"community": ["不是本街道的社区:火星社区"]}


def test_an_import_row_in_an_unknown_community_is_refused(uow):
    record = {**REPORT, "community": "火星社区", "alley": None, "address": "火星路1号",
              "reason": "纸质台账", "reported_at": "2026-01-05T02:00:00+00:00"}
    with pytest.raises(ValidationFailed) as refused:
        run(intake.import_order, uow, {**STAFF, "role": "street_admin"}, record)
    assert refused.value.code == "UNKNOWN_COMMUNITY" and uow.work_orders.all() == []


def test_open311_coordinates_outside_the_street_are_refused(uow):
    with pytest.raises(ValidationFailed) as refused:
        run(georeport.create_request, uow, CLIENT, {**OPEN311, **BEIJING})
    assert refused.value.code == "OUTSIDE_STREET"
    assert refused.value.fields == {"lat": ["位置不在广陵街道范围内。"]}
    assert uow.work_orders.all() == [] and uow.published_types() == []


def test_open311_places_a_report_by_its_coordinates(uow):
    answer = run(georeport.create_request, uow, CLIENT, {**OPEN311, **YONGFU_ALLEY})
    order = uow.work_orders.get(answer[0]["service_request_id"])
    assert order.community == "永福社区"


def test_open311_refuses_a_community_the_coordinates_contradict(uow):
    with pytest.raises(ValidationFailed) as refused:
        run(georeport.create_request, uow, CLIENT, {
            **OPEN311, **YONGFU_ALLEY, "attribute": {"community": "天宝社区"}})
    assert refused.value.code == "COMMUNITY_MISMATCH"
    assert refused.value.fields == {"attribute[community]": ["位置在永福社区,不在天宝社区。"]}
    assert uow.work_orders.all() == []
    agreeing = run(georeport.create_request, uow, CLIENT, {
        **OPEN311, **YONGFU_ALLEY, "attribute": {"community": "永福社区"}})
    assert uow.work_orders.get(agreeing[0]["service_request_id"]).community == "永福社区"


def test_open311_without_coordinates_needs_a_registered_community(uow):
    request = {**OPEN311, "address_string": "永福巷3号"}
    with pytest.raises(ValidationFailed) as refused:
        run(georeport.create_request, uow, CLIENT, request)
    assert set(refused.value.fields) == {"attribute[community]"}
    with pytest.raises(ValidationFailed) as refused:
        run(georeport.create_request, uow, CLIENT, {**request,
                                                    "attribute": {"community": "火星社区"}})
    assert refused.value.code == "UNKNOWN_COMMUNITY" and uow.work_orders.all() == []
