from datetime import datetime, timezone

from services.repair import domain, open311
from shared import places

STAFF = {"id": "s1", "name": "李伟", "role": "community_staff"}


def test_every_category_is_a_service_with_a_definition():
    codes = [s["service_code"] for s in open311.services()]
    assert codes == list(domain.CATEGORIES)
    definition = open311.service_definition("manhole_cover")
    cover = definition["attributes"][0]
    assert cover["code"] == "cover_type" and cover["required"] is True
    assert {"key": "sewage", "name": "污水"} in cover["values"]
    community = definition["attributes"][-1]
    assert community["code"] == "community"
    # The community's values are the register of places', in its order.
    assert [v["key"] for v in community["values"]] == places.communities()


def test_attributes_are_checked_against_the_definition():
    accepted, errors = open311.check_attributes(
        "manhole_cover", {"cover_type": "sewage", "community": "天宝社区"})
    assert accepted == {"cover_type": "sewage", "community": "天宝社区"} and not errors
    _, errors = open311.check_attributes("manhole_cover", {"colour": "red"})
    assert set(errors) == {"attribute[colour]", "attribute[cover_type]"}
    _, errors = open311.check_attributes("street_light", {"community": "火星社区"})
    assert errors == {"attribute[community]": ["不是本街道的社区:火星社区"]}


def test_every_state_before_closed_is_open_and_notes_carry_the_finer_state():
    at = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    order = domain.WorkOrder.report("WO1", {
        "category": "street_light", "community": "浚河社区", "address": "新宇巷",
        "description": "灯不亮", "channel": "open311", "reporter": {},
        "location": {"lat": 32.69, "long": 119.0}}, STAFF, at)
    request = open311.to_request(order, 5)
    assert (request["status"], request["status_notes"]) == ("open", "待受理")
    assert request["lat"] == 32.69 and request["service_notice"] == "处理时限 5 个工作日"
    order.cancel(STAFF, at, "居民撤回")
    request = open311.to_request(order)
    assert request["status"] == "closed" and "居民撤回" in request["status_notes"]
