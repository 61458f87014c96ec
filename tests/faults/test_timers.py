"""Timers work through many records; one record that cannot be processed must not stop the
others (it is logged and tried again at the next tick)."""
from __future__ import annotations

from datetime import timedelta

from nameko.testing.services import entrypoint_hook

from services.repair.service import RepairService
from services.volunteer.service import VolunteerService
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


def test_one_broken_shift_does_not_stop_the_completion_of_the_others(
        start_service, rpc, service_db):
    volunteer = start_service(VolunteerService, VOLUNTEER_AUTO_COMPLETE_HOURS=1)
    shifts = service_db("volunteer").shifts
    ids = []
    for n in range(3):
        starts = clock.now() + timedelta(days=1)
        shift_id = rpc.volunteer.open_shift(
            ADMIN, title=f"环境整治{n + 1}", community="浚河社区", place="新宇巷",
            starts_at=clock.iso(starts), ends_at=clock.iso(starts + timedelta(hours=2)),
            needed=2)["id"]
        # What the clock would do: it ended 3, 4 and 5 hours ago, and nobody completed it.
        ended = clock.now() - timedelta(hours=5 - n)
        shifts.update_one({"_id": shift_id}, {"$set": {
            "starts_at": ended - timedelta(hours=2), "ends_at": ended}})
        ids.append(shift_id)
    broken, *healthy = ids
    shifts.update_one({"_id": broken}, {"$set": {"history": None}})  # damaged by hand

    with entrypoint_hook(volunteer, "complete_finished_shifts") as complete:
        assert complete() == healthy
    for shift_id in healthy:
        assert rpc.volunteer.get_shift(shift_id)["state"] == "completed"
    assert shifts.find_one({"_id": broken})["state"] == "open"
