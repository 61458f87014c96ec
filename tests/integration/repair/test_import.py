"""补录: historic work orders land in the months their work was done, through the flow's rules."""
import base64
import io
from datetime import datetime

import pytest
from PIL import Image

from services.repair.service import RepairService
from shared.errors import Forbidden, ValidationFailed

ADMIN = {"id": "u-admin", "name": "王主任", "role": "street_admin"}
HISTORIC = {
    "category": "street_light", "community": "浚河社区", "alley": "新宇巷",
    "address": "新宇巷49号院", "description": "新宇巷路灯不亮", "channel": "grid_worker",
    "reason": "2026年街道工单台账", "reported_at": "2026-03-02T09:00:00+08:00",
    "accepted_at": "2026-03-02T10:00:00+08:00", "dispatched_at": "2026-03-02T11:00:00+08:00",
    "signed_for_at": "2026-03-03T09:00:00+08:00", "completed_at": "2026-03-05T16:00:00+08:00",
    "result_note": "更换LED路灯3盏", "evidence_urls": ["https://img.example/ledger.jpg"],
    "quantities": [{"kind": "street_lamp", "amount": 3}],
    "follow_up": {"result": "satisfied", "at": "2026-03-08T10:00:00+08:00"},
}


@pytest.fixture
def repair(start_service):
    return start_service(RepairService)


def test_an_imported_order_counts_in_its_own_months_and_publishes_only_where_it_ends(
        repair, rpc, event_tap):
    tap = event_tap("repair")
    order = rpc.repair.import_work_order(actor=ADMIN, **HISTORIC)
    assert order["number"].startswith("WO20260302")
    assert order["state"] == "closed" and order["imported"]["reason"] == "2026年街道工单台账"
    assert [h["action"] for h in order["history"]] == [
        "report", "accept", "dispatch", "sign_for", "complete", "follow_up"]
    assert all(h["note"].startswith("补录") for h in order["history"][1:4])
    march = rpc.repair.work_order_statistics(period="2026-03")["totals"]
    assert march["quantities"]["street_lamp"]["amount"] == 3
    assert march["completed"] == march["completed_on_time"] == 1
    assert march["satisfaction_rate"] == 1.0
    assert rpc.repair.work_order_statistics(period="2026-04")["totals"]["completed"] == 0
    tap.wait_for("work_order_closed", lambda d: d["number"] == order["number"])
    assert "work_order_completed" not in tap.types()


def test_a_late_completion_is_judged_against_the_real_deadline(repair, rpc):
    late = {**HISTORIC, "completed_at": "2026-03-20T16:00:00+08:00", "follow_up": None}
    order = rpc.repair.import_work_order(actor=ADMIN, **late)
    assert order["state"] == "completed"
    totals = rpc.repair.work_order_statistics(period="2026-03")["totals"]
    assert totals["completed"] == 1 and totals["completed_on_time"] == 0


def test_times_out_of_order_or_in_the_future_store_nothing(repair, rpc):
    with pytest.raises(ValidationFailed) as error:
        rpc.repair.import_work_order(actor=ADMIN, **{
            **HISTORIC, "signed_for_at": "2026-03-01T09:00:00+08:00",
            "follow_up": {"result": "satisfied", "at": "2099-01-01T00:00:00+08:00"}})
    assert set(error.value.fields) == {"signed_for_at", "follow_up"}
    with pytest.raises(ValidationFailed) as error:
        rpc.repair.import_work_order(actor=ADMIN, **{**HISTORIC, "dispatched_at": None})
    assert "signed_for_at" in error.value.fields
    with pytest.raises(Forbidden):
        rpc.repair.import_work_order(actor={**ADMIN, "role": "community_staff",
                                            "community": "天宝社区"}, **HISTORIC)
    assert rpc.repair.list_work_orders()["total"] == 0


def jpeg(color) -> str:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), color).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


def test_an_imported_order_keeps_its_before_and_after_photos_dated_when_taken(repair, rpc):
    before = rpc.repair.upload_photo(actor=ADMIN, content=jpeg((200, 30, 30)))["id"]
    after = rpc.repair.upload_photo(actor=ADMIN, content=jpeg((30, 30, 200)))["id"]
    order = rpc.repair.import_work_order(actor=ADMIN, **{
        **HISTORIC, "evidence_urls": [], "photos": [before], "completion_photos": [after]})
    assert [(p["id"], p["stage"], datetime.fromisoformat(p["at"])) for p in order["photos"]] == [
        (before, "report", datetime.fromisoformat(HISTORIC["reported_at"])),
        (after, "completion", datetime.fromisoformat(HISTORIC["completed_at"]))]
    assert order["history"][4]["details"]["photos"] == [after]
    shown = rpc.repair.get_photo(order["number"], after, size="full")
    kept = Image.open(io.BytesIO(base64.b64decode(shown["content"]))).convert("RGB")
    assert kept.getpixel((40, 30))[2] > 150                     # the blue one: the after photo
    # A photo on an order already, someone else's, or a completion photo without a completion
    # is refused, and nothing is stored.
    other = rpc.repair.upload_photo(actor={**ADMIN, "id": "u-other"}, content=jpeg((0, 0, 0)))
    for bad, field in (({"photos": [before]}, "photos"),
                       ({"completion_photos": [other["id"]]}, "photos"),
                       ({"completed_at": None, "follow_up": None,
                         "completion_photos": [after]}, "completion_photos")):
        with pytest.raises(ValidationFailed) as error:
            rpc.repair.import_work_order(actor=ADMIN, **{**HISTORIC, **bad})
        assert field in error.value.fields
    assert rpc.repair.list_work_orders()["total"] == 1
