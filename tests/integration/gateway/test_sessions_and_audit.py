"""Logins, sessions, throttling, accounts and the audit log, through real HTTP."""
import io

from openpyxl import load_workbook

from tests.integration.gateway.conftest import ADMIN_PASSWORD, Client

LAMP = {"category": "street_light", "community": "浚河社区", "alley": "新宇巷",
        "description": "路灯不亮", "channel": "grid_worker",
        "reporter": {"name": "张清松", "phone": "13812345678"}}


def test_login_sets_a_cookie_and_a_bearer_token_and_logout_ends_the_session(gateway, anonymous):
    session = anonymous.login("admin", ADMIN_PASSWORD)
    assert session["account"]["role"] == "street_admin"
    assert anonymous.cookies.get("xiuhua_session") == session["token"]
    with Client(gateway) as api_client:
        api_client.headers["Authorization"] = f"Bearer {session['token']}"
        assert api_client.get("/api/session").json()["account"]["username"] == "admin"
        assert anonymous.delete("/api/session").status_code == 204
        assert api_client.get("/api/session").status_code == 401


def test_wrong_passwords_are_refused_then_throttled_with_429(anonymous):
    for _ in range(5):
        refused = anonymous.post("/api/session", json={"username": "admin", "password": "x"})
        assert refused.status_code == 401 and refused.json()["code"] == "BAD_CREDENTIALS"
    throttled = anonymous.post("/api/session", json={"username": "admin",
                                                      "password": ADMIN_PASSWORD})
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "TOO_MANY_ATTEMPTS"
    assert int(throttled.headers["Retry-After"]) > 0


def test_disabling_an_account_or_resetting_its_password_ends_its_sessions(admin, make_user):
    staff = make_user("community_staff", username="liwei", community="天宝社区")
    account_id = staff.get("/api/session").json()["account"]["id"]
    assert admin.patch(f"/api/accounts/{account_id}", json={"active": False}).status_code == 200
    assert staff.get("/api/session").status_code == 401
    relogin = staff.post("/api/session", json={"username": "liwei", "password": "pass-word-1"})
    assert relogin.status_code == 401
    weak = admin.post("/api/accounts", json={"username": "weak", "password": "12345678",
                                             "name": "弱密码", "role": "viewer",
                                             "whole_street": True})
    assert weak.status_code == 422 and "password" in weak.json()["fields"]
    taken = admin.post("/api/accounts", json={"username": "liwei", "password": "pass-word-2",
                                              "name": "重名", "role": "viewer",
                                              "whole_street": True})
    assert taken.status_code == 409 and taken.json()["code"] == "USERNAME_TAKEN"


def test_people_change_their_own_password_knowing_the_current_one(make_user, gateway):
    staff = make_user("grid_worker", username="grid1", community="浚河社区")
    wrong = staff.put("/api/session/password", json={"current_password": "nope",
                                                     "new_password": "new-pass-9"})
    assert wrong.status_code == 401
    assert staff.put("/api/session/password", json={
        "current_password": "pass-word-1", "new_password": "new-pass-9"}).status_code == 204
    with Client(gateway) as again:
        again.login("grid1", "new-pass-9")


def test_changes_and_reveals_are_audited_and_searchable(admin):
    number = admin.post("/api/work-orders", json=LAMP).json()["number"]
    admin.post(f"/api/work-orders/{number}/accept", json={})
    admin.post(f"/api/work-orders/{number}/complete", json={  # refused: still audited
        "result_note": "已修复", "evidence_urls": ["https://img.example/a.jpg"]})
    contact = admin.post(f"/api/work-orders/{number}/reveal-contact",
                         json={"purpose": "回访需要联系居民"}).json()
    assert contact["phone"] == "13812345678"
    log = admin.get("/api/audit").json()
    actions = [(e["action"], e["status"], e["outcome"]) for e in log["items"]]
    assert ("work_orders.reveal_contact", 200, "OK") in actions
    assert ("work_orders.complete", 409, "ILLEGAL_TRANSITION") in actions
    assert ("work_orders.accept", 200, "OK") in actions
    assert ("work_orders.report", 201, "OK") in actions
    assert all(e["actor"]["name"] == "街道管理员" for e in log["items"])
    only = admin.get("/api/audit", params={"action": "work_orders.reveal_contact"}).json()
    assert len(only["items"]) == 1 and only["items"][0]["path"].endswith("/reveal-contact")
    assert only["total"] is None and only["has_more"] is False  # the log is never counted
    refused = admin.get("/api/audit", params={"outcome": "ILLEGAL_TRANSITION"}).json()
    assert [(e["action"], e["status"]) for e in refused["items"]] == [
        ("work_orders.complete", 409)]
    assert [e["action"] for e in admin.get("/api/audit", params={
        "refused": "true"}).json()["items"]] == ["work_orders.complete"]


def test_lists_export_to_csv_and_xlsx_with_chinese_titles(admin):
    for _ in range(3):
        admin.post("/api/work-orders", json=LAMP)
    csv = admin.get("/api/work-orders", params={"format": "csv"})
    assert csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("工单号,问题类别,社区") and len(lines) == 4
    assert "138****5678" in lines[1] and "13812345678" not in csv.text
    xlsx = admin.get("/api/work-orders", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "工单号" and sheet.max_row == 4
    assert sheet["C2"].value == "浚河社区"
