"""Open311 GeoReport v2 as the repair service sees it: services, their attributes and the
request representation. Pure mapping; the gateway turns it into JSON or XML and checks keys.

Every state before closed is `open` in GeoReport; the finer state is in `status_notes`.
"""
from __future__ import annotations

from services.repair import domain
from shared import clock, places
from shared.schemas import UNKNOWN_COMMUNITY_MESSAGE

ENDED = (domain.CLOSED, *domain.ENDED_WITHOUT_WORK)
DEFAULT_AGENCY = "街道城市管理办公室"


def _attribute(code, datatype, description, required=False, order=1, values=()):
    attribute = {"variable": True, "code": code, "datatype": datatype, "required": required,
                 "datatype_description": None, "order": order, "description": description}
    if values:
        attribute["values"] = [{"key": key, "name": name} for key, name in values]
    return attribute


ATTRIBUTES = {
    "street_light": [_attribute("pole_number", "string", "路灯杆编号(杆身上的号码,选填)")],
    "manhole_cover": [_attribute(
        "cover_type", "singlevaluelist", "井盖类型", required=True,
        values=(("rain", "雨水"), ("sewage", "污水"), ("power", "电力"), ("telecom", "通信"),
                ("gas", "燃气"), ("unknown", "不清楚")))],
    "waterlogging": [_attribute(
        "depth", "singlevaluelist", "积水深度",
        values=(("ankle", "没过脚踝"), ("calf", "没过小腿"), ("deeper", "更深")))],
    "parking": [_attribute("plate_number", "string", "车牌号(选填)")],
    "greenery": [_attribute(
        "issue", "singlevaluelist", "问题类型",
        values=(("trimming", "需要修剪"), ("replanting", "缺株需补植"), ("fallen", "树木倒伏")))],
}


def community_attribute(order: int) -> dict:
    """The communities of the register of places (shared/places.py)."""
    return _attribute("community", "singlevaluelist",
                      "所在社区(不填时按位置判断)", order=order,
                      values=[(name, name) for name in places.communities()])


def services() -> list[dict]:
    return [{"service_code": c.code, "service_name": c.name, "description": c.description,
             "metadata": True, "type": "realtime", "keywords": c.name, "group": "背街小巷"}
            for c in domain.CATEGORIES.values()]


def service_definition(code: str) -> dict:
    attributes = list(ATTRIBUTES.get(code, []))
    attributes.append(community_attribute(order=len(attributes) + 1))
    return {"service_code": code, "attributes": attributes}


def check_attributes(code: str, given: dict) -> tuple[dict, dict]:
    """(accepted attributes, field errors) for attribute[...] values of a POST."""
    definition = service_definition(code)["attributes"]
    known = {a["code"]: a for a in definition}
    accepted, errors = {}, {}
    for name in given:
        if name not in known:
            errors[f"attribute[{name}]"] = ["该服务没有此属性。"]
    for attribute in definition:
        value = given.get(attribute["code"])
        if value in (None, ""):
            if attribute["required"]:
                errors[f"attribute[{attribute['code']}]"] = ["必填项。"]
            continue
        if "values" in attribute and value not in {v["key"] for v in attribute["values"]}:
            errors[f"attribute[{attribute['code']}]"] = [
                UNKNOWN_COMMUNITY_MESSAGE.format(str(value)[:50])
                if attribute["code"] == "community" else "不在可选值之内。"]
            continue
        accepted[attribute["code"]] = str(value)[:200]
    return accepted, errors


def status_of(order: domain.WorkOrder) -> str:
    return "closed" if order.state in ENDED else "open"


def status_notes(order: domain.WorkOrder) -> str:
    notes = domain.STATE_NAMES[order.state]
    if order.department:
        notes += f";承办部门:{order.department['name']}"
    if order.state == domain.CLOSED and order.result_note:
        notes += f";办理结果:{order.result_note}"
    if order.state in domain.ENDED_WITHOUT_WORK and order.history:
        notes += f";原因:{order.history[-1]['note']}"
    return notes


def to_request(order: domain.WorkOrder, deadline_days: int | None = None) -> dict:
    location = order.location or {}
    return {
        "service_request_id": order.number,
        "status": status_of(order),
        "status_notes": status_notes(order),
        "service_name": domain.CATEGORIES[order.category].name,
        "service_code": order.category,
        "description": order.description,
        "agency_responsible": (order.department or {}).get("name", DEFAULT_AGENCY),
        "service_notice": f"处理时限 {deadline_days} 个工作日" if deadline_days else None,
        "requested_datetime": clock.iso(order.reported_at),
        "updated_datetime": clock.iso(order.updated_at),
        "expected_datetime": clock.iso(order.due_at),
        "address": order.address,
        "address_id": None,
        "zipcode": None,
        "lat": location.get("lat"),
        "long": location.get("long"),
        "media_url": order.media_urls[0] if order.media_urls else None,
    }
