"""居民端 我的报修 in the repair service: a resident's own orders, found by the keyed fingerprint
of their phone — those they reported and those staff took down with their phone — newest
first, a page at a time, showing no one's name or phone."""
from datetime import datetime, timedelta, timezone

import pytest

from services.repair.handlers import flow, intake, reading
from services.repair.views import ReporterWorkOrderView
from shared.errors import ValidationFailed
from tests.unit.fakes import run
from tests.unit.repair.fakes import FakeRepairUnitOfWork

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
STAFF = {"id": "u-staff", "name": "王社区", "role": "community_staff", "community": "天宝社区"}
DEPT = {"id": "u-dept", "name": "李师傅", "role": "department"}
PHONE, OTHER_PHONE = "13800001234", "13900005678"
REPORT = {"category": "street_light", "community": "天宝社区", "alley": "聚宝路",
          "description": "路灯不亮"}


@pytest.fixture
def uow():
    return FakeRepairUnitOfWork(now=NOW)


def resident(uow, phone=PHONE) -> dict:
    return {"id": f"r-{phone}", "name": "居民", "role": "resident",
            "resident": uow.cipher.fingerprint(phone)}


def reported(uow, minutes: int, phone: str | None, channel="resident", actor=None,
             name="张清松", **extra) -> str:
    uow.now = NOW + timedelta(minutes=minutes)
    answer = run(intake.report, uow, actor or STAFF, {
        **REPORT, **extra, "channel": channel,
        "reporter": {"name": name, "phone": phone} if phone else {}})
    return answer["number"]


def listed(uow, phone=PHONE, **query) -> dict:
    return run(reading.by_reporter, uow, {"resident": uow.cipher.fingerprint(phone), **query})


def test_their_orders_newest_first_whoever_took_them_down_and_no_one_elses(uow):
    first = reported(uow, 1, PHONE, actor=resident(uow))
    theirs_by_phone = reported(uow, 2, PHONE, channel="grid_worker", name="张师傅")
    someone_elses = reported(uow, 3, OTHER_PHONE, actor=resident(uow, OTHER_PHONE))
    reported(uow, 4, None, channel="grid_worker")
    last = reported(uow, 5, PHONE, actor=resident(uow), description="井盖松动",
                    category="manhole_cover")
    page = listed(uow)
    assert [o["number"] for o in page["items"]] == [last, theirs_by_phone, first]
    assert page["has_more"] is False and page["next_cursor"] is None
    assert [o["number"] for o in listed(uow, OTHER_PHONE)["items"]] == [someone_elses]
    for item in page["items"]:
        assert ReporterWorkOrderView().validate(item) == {}
        assert not {"reporter", "history", "department", "follow_up"} & set(item)
        for personal in ("张清松", "张师傅", PHONE, "138****1234"):
            assert personal not in str(item)
    assert (page["items"][0]["category_name"], page["items"][0]["description"]) == \
        ("井盖破损", "井盖松动")


def test_no_resident_is_refused_never_read_as_the_orders_without_a_phone(uow):
    reported(uow, 1, None, channel="grid_worker")
    for query in ({}, {"resident": None}, {"resident": ""}, {"resident": "someone"}):
        with pytest.raises(ValidationFailed) as refused:
            run(reading.by_reporter, uow, query)
        assert "resident" in refused.value.fields


def test_pages_give_every_order_once(uow):
    numbers = [reported(uow, minute, PHONE, actor=resident(uow)) for minute in range(7)]
    seen, cursor = [], None
    while True:
        page = listed(uow, page_size=3, cursor=cursor)
        seen.extend(o["number"] for o in page["items"])
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == numbers[::-1]


def test_whether_they_may_rate_and_how_they_rated(uow):
    number = reported(uow, 1, PHONE, actor=resident(uow))
    assert listed(uow)["items"][0]["can_rate"] is False  # not done yet
    for step, actor, body in ((flow.accept, STAFF, {}), (flow.dispatch, STAFF, {}),
                              (flow.sign_for, DEPT, {}), (flow.complete, DEPT, {
                                  "evidence_urls": ["https://img.example/a.jpg"],
                                  "result_note": "已修复"})):
        run(step, uow, number, actor, body)
    done = listed(uow)["items"][0]
    assert (done["state_name"], done["can_rate"], done["rating_name"]) == ("已办结待回访", True,
                                                                           None)
    run(flow.rate, uow, number, resident(uow), {"result": "basically_satisfied"})
    rated = listed(uow)["items"][0]
    assert (rated["can_rate"], rated["rating_name"]) == (False, "基本满意")
    assert rated["completed_at"] is not None and "已修复" not in str(rated)
