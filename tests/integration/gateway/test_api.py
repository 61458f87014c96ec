"""The admin API through real HTTP: sessions, errors, a work order from report to close."""
LAMP = {"category": "street_light", "community": "浚河社区", "alley": "新宇巷",
        "address": "新宇巷49号院门口", "description": "路灯晚上不亮", "channel": "grid_worker",
        "reporter": {"name": "张清松", "phone": "13812345678"}}


def test_every_api_route_needs_a_session(anonymous):
    response = anonymous.get("/api/work-orders")
    assert response.status_code == 401
    assert response.json() == {"code": "NOT_SIGNED_IN", "message": "请先登录", "fields": {}}


def test_a_work_order_from_report_to_close(admin):
    created = admin.post("/api/work-orders", json=LAMP)
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    for action, body in (("accept", {}), ("dispatch", {}), ("sign-for", {}),
                         ("complete", {"result_note": "更换灯头", "evidence_urls": [
                             "https://img.example/a.jpg"], "quantities": [
                             {"kind": "street_lamp", "amount": 1}]}),
                         ("follow-up", {"result": "satisfied"})):
        response = admin.post(f"/api/work-orders/{number}/{action}", json=body)
        assert response.status_code == 200, (action, response.text)
    order = admin.get(f"/api/work-orders/{number}").json()
    assert order["state"] == "closed"
    assert order["history"][-1]["actor"]["name"] == "街道管理员"
    listed = admin.get("/api/work-orders", params={"state": ["closed"]}).json()
    assert [o["number"] for o in listed["items"]] == [number]


def test_errors_are_typed_with_chinese_messages_and_field_errors(admin):
    response = admin.post("/api/work-orders", json={**LAMP, "category": "ufo"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "VALIDATION_FAILED" and "category" in body["fields"]
    assert admin.get("/api/work-orders/WO000").status_code == 404
    number = admin.post("/api/work-orders", json=LAMP).json()["number"]
    refused = admin.post(f"/api/work-orders/{number}/complete", json={
        "result_note": "修好了", "evidence_urls": ["https://img.example/a.jpg"]})
    assert refused.status_code == 409 and refused.json()["code"] == "ILLEGAL_TRANSITION"
    assert admin.post("/api/work-orders", data="not json",
                      headers={"Content-Type": "application/json"}).status_code == 422
    assert admin.get("/api/nothing-here").status_code == 404
    assert admin.delete("/api/work-orders").status_code == 405
