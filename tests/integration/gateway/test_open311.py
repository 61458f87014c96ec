"""Open311 GeoReport v2 through real HTTP, read with an existing client library (georeport)
unchanged, in JSON and XML, and written with form-encoded POSTs as the standard has it."""
import xml.etree.ElementTree as ET

import pytest
from georeport import GeoReport


@pytest.fixture
def api_key(admin):
    created = admin.post("/api/open311-keys", json={"name": "随手拍小程序"})
    assert created.status_code == 201
    return created.json()


def post_request(anonymous, key, fmt="json", **fields):
    form = {"api_key": key, "service_code": "street_light", "lat": "32.6901",
            "long": "118.9902", "description": "新宇巷路灯不亮", "first_name": "清松",
            "last_name": "张", "phone": "13812345678", "attribute[pole_number]": "XY-12",
            "device_id": "phone-1", **fields}
    return anonymous.post(f"/open311/v2/requests.{fmt}", data=form)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_client_library_reads_services_definitions_and_requests(
        gateway, anonymous, api_key, fmt):
    created = post_request(anonymous, api_key["key"], fmt)
    assert created.status_code == 201, created.text
    client = GeoReport(f"{gateway}/open311/v2", output_format=fmt)
    services = client.get_service_list()
    assert [s["service_code"] for s in services][:3] == ["road_surface", "manhole_cover",
                                                         "street_light"]
    definition = client.get_service_definition("manhole_cover")
    attributes = definition["attributes"]
    attributes = attributes["attribute"] if fmt == "xml" else attributes
    assert attributes[0]["code"] == "cover_type"
    requests_ = client.get_service_requests(status="open")
    request = requests_ if isinstance(requests_, dict) else requests_[0]
    assert request["service_code"] == "street_light" and request["status"] == "open"
    one = client.get_service_request(request["service_request_id"])
    assert one["description"] == "新宇巷路灯不亮" and one["status_notes"] == "待受理"


def test_a_post_answers_the_id_and_token_and_the_token_resolves(anonymous, admin, api_key):
    created = post_request(anonymous, api_key["key"], "xml")
    root = ET.fromstring(created.content)
    assert root.tag == "service_requests"
    request_id = root.find("request/service_request_id").text
    token = root.find("request/token").text
    resolved = anonymous.get(f"/open311/v2/tokens/{token}.json").json()
    assert resolved == [{"token": token, "service_request_id": request_id}]
    order = admin.get(f"/api/work-orders/{request_id}").json()
    assert order["channel"] == "open311" and order["community"] == "浚河社区"
    reporter = dict(order["reporter"])
    # the phone's keyed fingerprint: the resident site's limit (their own orders), not the phone
    assert len(reporter.pop("resident")) == 64
    assert reporter == {"name": "张清松", "phone_masked": "138****5678", "email_masked": None}
    assert order["attributes"] == {"pole_number": "XY-12"}


def test_errors_follow_the_standard(anonymous, api_key, admin):
    missing_key = post_request(anonymous, "not-a-key")
    assert missing_key.status_code == 403
    assert missing_key.json()[0]["code"] == 403
    invalid = post_request(anonymous, api_key["key"], "xml", service_code="manhole_cover")
    assert invalid.status_code == 400
    errors = ET.fromstring(invalid.content).findall("error")
    assert {e.find("code").text for e in errors} == {"400"}
    descriptions = [e.find("description").text for e in errors]
    assert any(d.startswith("attribute[cover_type]") for d in descriptions)
    unknown = anonymous.get("/open311/v2/requests/WO000.json")
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404
    too_long = anonymous.get("/open311/v2/requests.json", params={
        "start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"})
    assert too_long.status_code == 400
    admin.delete(f"/api/open311-keys/{api_key['id']}")
    assert post_request(anonymous, api_key["key"]).status_code == 403


def test_discovery_names_the_endpoint(anonymous, gateway):
    discovery = anonymous.get("/open311/v2/discovery.json").json()
    assert discovery["endpoints"][0]["url"] == f"{gateway}/open311/v2"


# --- where: the register of places decides ----------------------------------------------------

def orders_total(admin):
    return admin.get("/api/work-orders").json()["total"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_coordinates_outside_the_street_are_refused_in_the_standards_format(
        anonymous, admin, api_key, fmt):
    before = orders_total(admin)
    beijing = post_request(anonymous, api_key["key"], fmt, lat="39.9", long="116.4")
    assert beijing.status_code == 400, beijing.text
    if fmt == "json":
        errors = [(e["code"], e["description"]) for e in beijing.json()]
    else:
        errors = [(int(e.find("code").text), e.find("description").text)
                  for e in ET.fromstring(beijing.content).findall("error")]
    assert errors == [(400, "lat: 位置不在广陵街道范围内。")]
    assert orders_total(admin) == before


def test_a_point_in_yongfu_is_filed_in_yongfu(anonymous, admin, api_key):
    created = post_request(anonymous, api_key["key"], lat="32.6984", long="118.9922",
                           description="永福巷路灯不亮")
    assert created.status_code == 201, created.text
    order = admin.get(f"/api/work-orders/{created.json()[0]['service_request_id']}").json()
    assert order["community"] == "永福社区"
    assert order["location"] == {"lat": 32.6984, "long": 118.9922}


def test_a_community_the_coordinates_contradict_is_refused(anonymous, admin, api_key):
    before = orders_total(admin)
    contradicted = post_request(anonymous, api_key["key"], lat="32.6984", long="118.9922",
                                **{"attribute[community]": "天宝社区"})
    assert contradicted.status_code == 400, contradicted.text
    assert contradicted.json() == [
        {"code": 400, "description": "attribute[community]: 位置在永福社区,不在天宝社区。"}]
    unknown = post_request(anonymous, api_key["key"], **{"attribute[community]": "火星社区"})
    assert unknown.json() == [
        {"code": 400, "description": "attribute[community]: 不是本街道的社区:火星社区"}]
    assert orders_total(admin) == before
    agreeing = post_request(anonymous, api_key["key"], lat="32.6984", long="118.9922",
                            **{"attribute[community]": "永福社区"})
    assert agreeing.status_code == 201, agreeing.text


def test_the_community_attribute_offers_the_register(anonymous):
    from shared import places
    definition = anonymous.get("/open311/v2/services/street_light.json").json()
    community = next(a for a in definition["attributes"] if a["code"] == "community")
    assert [v["key"] for v in community["values"]] == places.communities()
