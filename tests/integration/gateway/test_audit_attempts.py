"""The audit log records every attempt to change something, not only the ones served:
refusals (401, 403, 404, 409, 422, 429), failed sign-ins (the username, never the password)
and Open311 submissions — each written before anything is done, completed with its outcome,
and searchable by outcome."""
import json

from tests.integration.gateway.conftest import ADMIN_PASSWORD, Client, gateway_db

HOME, ELSEWHERE = "天宝社区", "浚河社区"
LAMP = {"category": "street_light", "community": ELSEWHERE, "alley": "新宇巷",
        "description": "路灯不亮", "channel": "grid_worker",
        "reporter": {"name": "张清松", "phone": "13812345678"}}
WRONG_PASSWORD = "Wrong-Secret-8a7f3c"


def entries(admin, **query):
    found = admin.get("/api/audit", params={"page_size": 200, **query})
    assert found.status_code == 200, found.text
    return found.json()["items"]


def test_refused_changes_are_audited_with_who_status_and_outcome(admin, make_user, anonymous):
    number = admin.post("/api/work-orders", json=LAMP).json()["number"]
    path = f"/api/work-orders/{number}/cancel"
    assert anonymous.post(path, json={"reason": "重复上报"}).status_code == 401
    staff = make_user("community_staff", community=HOME)
    staff_id = staff.get("/api/session").json()["account"]["id"]
    assert staff.post(path, json={"reason": "重复上报"}).status_code == 403
    viewer = make_user("viewer", community=ELSEWHERE)
    assert viewer.post(path, json={"reason": "重复上报"}).status_code == 403
    assert admin.post("/api/work-orders/WO19990101001/cancel",
                      json={"reason": "重复上报"}).status_code == 404
    assert admin.post(path, json={}).status_code == 422  # the reason is required
    assert admin.post(path, json={"reason": "重复上报"}).status_code == 200
    assert admin.post(path, json={"reason": "重复上报"}).status_code == 409  # cancelled
    cancels = entries(admin, action="work_orders.cancel")
    seen = sorted((e["status"], e["outcome"], (e["actor"] or {}).get("id")) for e in cancels)
    admin_id = admin.get("/api/session").json()["account"]["id"]
    viewer_id = viewer.get("/api/session").json()["account"]["id"]
    assert seen == sorted([
        (401, "NOT_SIGNED_IN", None), (403, "FORBIDDEN", staff_id),
        (403, "FORBIDDEN", viewer_id), (404, "WORK_ORDER_NOT_FOUND", admin_id),
        (422, "VALIDATION_FAILED", admin_id), (200, "OK", admin_id),
        (409, "ILLEGAL_TRANSITION", admin_id)]), seen
    assert all(e["address"] == "127.0.0.1" and e["method"] == "POST" for e in cancels)
    refused = entries(admin, action="work_orders.cancel", refused="true")
    assert len(refused) == 6 and all(e["status"] >= 400 for e in refused)
    forbidden = entries(admin, outcome="FORBIDDEN")
    assert {e["actor"]["id"] for e in forbidden} == {staff_id, viewer_id}
    assert entries(admin, action="work_orders.cancel", status=409)[0]["outcome"] \
        == "ILLEGAL_TRANSITION"


def test_the_entry_is_written_before_the_service_acts(admin):
    order = admin.post("/api/work-orders", json=LAMP).json()
    entry = entries(admin, action="work_orders.report")[0]
    assert entry["status"] == 201 and entry["outcome"] == "OK"
    assert entry["at"] <= order["reported_at"]


def test_sign_ins_are_audited_with_the_username_and_never_the_password(
        admin, gateway, gateway_config, mongo_client):
    with Client(gateway) as stranger:
        for _ in range(5):
            wrong = stranger.post("/api/session", json={"username": "admin",
                                                        "password": WRONG_PASSWORD})
            assert wrong.status_code == 401
        throttled = stranger.post("/api/session", json={"username": "admin",
                                                        "password": ADMIN_PASSWORD})
        assert throttled.status_code == 429
        unknown = stranger.post("/api/session", json={"username": "nobody",
                                                      "password": WRONG_PASSWORD})
        assert unknown.status_code == 401
    logins = entries(admin, action="session.login")
    outcomes = sorted((e["status"], e["outcome"], e["username"]) for e in logins)
    assert outcomes == sorted([(200, "OK", "admin")]  # the fixture's own sign-in
                              + [(401, "BAD_CREDENTIALS", "admin")] * 5
                              + [(429, "TOO_MANY_ATTEMPTS", "admin"),
                                 (401, "BAD_CREDENTIALS", "nobody")])
    served = next(e for e in logins if e["status"] == 200)
    assert served["actor"]["name"] == "街道管理员"
    assert all(e["actor"] is None for e in logins if e["status"] != 200)
    stored = json.dumps(list(gateway_db(mongo_client, gateway_config)["audit_log"].find()),
                        default=str, ensure_ascii=False)
    assert WRONG_PASSWORD not in stored and ADMIN_PASSWORD not in stored


def test_open311_submissions_are_audited_served_or_refused(admin, anonymous):
    admin.put("/api/repair/communities", json={"name": ELSEWHERE,
                                                "centre": {"lat": 32.690, "long": 118.990}})
    key = admin.post("/api/open311-keys", json={"name": "随手拍小程序"}).json()
    form = {"service_code": "street_light", "lat": "32.6901", "long": "118.9902",
            "description": "新宇巷路灯不亮", "phone": "13812345678"}
    created = anonymous.post("/open311/v2/requests.json", data={**form, "api_key": key["key"]})
    assert created.status_code == 201, created.text
    refused = anonymous.post("/open311/v2/requests.json", data={**form, "api_key": "x311_no"})
    assert refused.status_code == 403
    invalid = anonymous.post("/open311/v2/requests.json",
                             data={**form, "service_code": "ufo", "api_key": key["key"]})
    assert invalid.status_code == 400
    found = entries(admin, action="open311.requests.create")
    outcomes = sorted((e["status"], e["outcome"], (e["actor"] or {}).get("name"))
                      for e in found)
    assert outcomes[0] == (201, "OK", "随手拍小程序")
    assert outcomes[1][0] == 400 and outcomes[1][2] == "随手拍小程序"
    assert outcomes[2] == (403, "API_KEY_INVALID", None)
    assert all(e["path"] == "/open311/v2/requests.json" for e in found)
