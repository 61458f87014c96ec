"""Timers work through many records; one record that cannot be processed must not stop the
others (it is logged and tried again at the next tick)."""
from __future__ import annotations

from datetime import timedelta

from nameko.testing.services import entrypoint_hook

from services.repair.service import RepairService
from shared import clock

ADMIN = {"id": "u-admin", "name": "王主任", "role": "street_admin"}
GRID = {"id": "u-grid", "name": "刘网格", "role": "grid_worker", "community": "浚河社区"}


def test_one_broken_work_order_does_not_stop_the_escalation_of_the_others(
        start_service, rpc, service_db):
    repair = start_service(RepairService)
    orders = service_db("repair").work_orders
    numbers = []
    for n in range(3):
        number = rpc.repair.report_work_order(actor=GRID, **{
            "category": "street_light", "community": "浚河社区", "alley": "新宇巷",
            "address": f"新宇巷{n + 1}号", "description": "路灯不亮", "channel": "grid_worker"}
        )["number"]
        rpc.repair.accept_work_order(number, ADMIN)
        rpc.repair.dispatch_work_order(number, ADMIN)
        # Overdue by 3, 2 and 1 hours: the first is escalated first.
        orders.update_one({"_id": number},
                          {"$set": {"due_at": clock.now() - timedelta(hours=3 - n)}})
        numbers.append(number)
    broken, *healthy = numbers
    orders.update_one({"_id": broken}, {"$set": {"history": None}})  # damaged by hand

    with entrypoint_hook(repair, "escalate_overdue_work_orders") as escalate:
        assert escalate() == healthy
        assert escalate() == []  # the broken one is tried again and fails again, alone
    for number in healthy:
        assert rpc.repair.get_work_order(number)["escalations"] == 1
    assert orders.find_one({"_id": broken})["escalations"] == 0
