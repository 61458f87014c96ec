"""The 一走四送 problem flow across two real services: a problem found on a visit becomes a
repair work order, and when repair closes it the employer hears about it."""
from services.job.service import JobService
from services.repair.service import RepairService
from tests.conftest import wait_until
from tests.integration.job.conftest import ADMIN, STAFF, TOY_WORKSHOP, days_ago

DEPT = {"id": "u-dept", "name": "供电班组", "role": "department"}


def test_a_dark_lamp_found_on_a_visit_is_fixed_and_the_employer_is_told(start_service, rpc):
    start_service(RepairService)
    start_service(JobService)
    employer_id = rpc.job.register_employer(STAFF, **TOY_WORKSHOP)["employer_id"]
    visit_id = rpc.job.record_visit(
        STAFF, employer_id=employer_id, visited_on=days_ago(0), findings="门前路灯不亮",
        problems=[{"category": "street_light", "description": "门前路灯不亮,晚上收工不安全"}]
    )["visit_id"]

    orders = wait_until(lambda: rpc.repair.list_work_orders(channel="employer_visit")["items"],
                        message="repair opened a work order")
    number = orders[0]["number"]
    assert orders[0]["source_ref"] == {"service": "job", "ref": f"{visit_id}-P1"}
    wait_until(lambda: rpc.job.get_visit(visit_id)["problems"][0]["work_order_number"] == number,
               message="job learned the work order number")

    rpc.repair.accept_work_order(number, ADMIN)
    rpc.repair.dispatch_work_order(number, ADMIN)
    rpc.repair.sign_for_work_order(number, DEPT)
    rpc.repair.complete_work_order(number, DEPT, result_note="更换LED灯头",
                                   quantities=[{"kind": "street_lamp", "amount": 1}],
                                   evidence_urls=["https://img.example/after.jpg"])
    rpc.repair.record_follow_up(number, STAFF, result="satisfied")

    notes = wait_until(lambda: rpc.job.list_employer_notifications(
        employer_id=employer_id)["items"], message="the employer's notification")
    assert notes[0]["title"] == "您反映的“路灯故障”问题已解决"
    assert number in notes[0]["body"]
    assert rpc.job.get_visit(visit_id)["problems"][0]["state_name"] == "已解决"
