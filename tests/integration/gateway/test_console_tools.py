"""The console's everyday tools through real HTTP on one system shared by the module: the
派单单 of a dispatched order, the QR code of a certificate's public check, the Monday to-do
list, figures by department and the map's settings."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from services.volunteer.certificate import qr_svg
from tests.integration.gateway.samples import repair as repair_samples
from tests.integration.gateway.samples import volunteer as volunteer_samples

PUBLIC_URL = "https://xiuhua.example.gov.cn"
TILES = "https://t{s}.tiles.example/vec/{z}/{x}/{y}.png"
JUNHE, TIANBAO = "浚河社区", "天宝社区"


@pytest.fixture(scope="module")
def module_config(module_config):
    return {**module_config, "PUBLIC_URL": PUBLIC_URL, "MAP_TILE_URL": TILES,
            "MAP_TILE_SUBDOMAINS": "0123", "MAP_TILE_ATTRIBUTION": "测试底图"}


def report(admin, community=JUNHE, **extra) -> str:
    answer = admin.post("/api/work-orders", json={**repair_samples.ORDER, "community": community,
                                                  **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()["number"]


def step(admin, number, action, **body) -> dict:
    answer = admin.post(f"/api/work-orders/{number}/{action}", json=body)
    assert answer.status_code == 200, (action, answer.text)
    return answer.json()


def pdf_text(body: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_the_dispatch_slip_of_a_dispatched_order(module_admin, module_make_user):
    number = report(module_admin, description="路灯杆倾斜<需加固>", reporter={
        "name": "张清松", "phone": "13812345678"})
    refused = module_admin.get(f"/api/work-orders/{number}/dispatch-slip")
    assert refused.status_code == 409 and refused.json()["code"] == "NOT_DISPATCHED"
    step(module_admin, number, "accept")
    order = step(module_admin, number, "dispatch", department_code="power", note="请今日到场")
    answer = module_admin.get(f"/api/work-orders/{number}/dispatch-slip")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    for expected in ("背街小巷问题派单单", number, order["department"]["name"], "请今日到场",
                     "路灯杆倾斜<需加固>", "138****5678", "签收人", "办理期限"):
        assert expected in text, expected
    assert "13812345678" not in text
    # The department it went to may print it; another department and community may not.
    power = module_make_user("department", department="power")
    assert power.get(f"/api/work-orders/{number}/dispatch-slip").status_code == 200
    other = module_make_user("department", department="landscaping")
    assert other.get(f"/api/work-orders/{number}/dispatch-slip").status_code == 403
    elsewhere = module_make_user("community_staff", community=TIANBAO)
    assert elsewhere.get(f"/api/work-orders/{number}/dispatch-slip").status_code == 403


def test_a_certificate_carries_the_qr_code_of_its_public_check(module_admin, module_make_user,
                                                               anonymous_module):
    placeholders = volunteer_samples.records(module_admin, JUNHE)
    number = placeholders["number"]
    check_url = f"{PUBLIC_URL}/public/certificates/{number}"
    page = anonymous_module.get(f"/public/certificates/{number}")
    assert page.status_code == 200
    assert qr_svg(check_url) in page.text and check_url in page.text and "扫码核验" in page.text
    qr = module_admin.get(f"/api/certificates/{number}/qr")
    assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml")
    assert qr.text == qr_svg(check_url, scale=4, standalone=True)
    assert 'xmlns="http://www.w3.org/2000/svg"' in qr.text
    assert qr.text != qr_svg(f"{PUBLIC_URL}/public/certificates/X{number}", scale=4,
                             standalone=True)
    own = module_make_user("volunteer", volunteer=placeholders["volunteer_id"])
    assert own.get(f"/api/certificates/{number}/qr").status_code == 200
    elsewhere = module_make_user("community_staff", community=TIANBAO)
    assert elsewhere.get(f"/api/certificates/{number}/qr").status_code == 403
    assert module_admin.get("/api/certificates/VC0000000000/qr").status_code == 404


@pytest.fixture(scope="module")
def anonymous_module(module_system):
    from tests.integration.gateway.conftest import Client
    with Client(module_system) as client:
        yield client


def todo_counts(client) -> dict:
    answer = client.get("/api/todo")
    assert answer.status_code == 200, answer.text
    return {item["key"]: item for item in answer.json()["items"]}


def test_the_to_do_list_counts_what_waits_within_the_accounts_scope(module_admin,
                                                                     module_make_user):
    junhe = module_make_user("community_staff", community=JUNHE)
    tianbao = module_make_user("community_staff", community=TIANBAO)
    power = module_make_user("department", department="power")
    before = {name: todo_counts(c) for name, c in
              (("junhe", junhe), ("tianbao", tianbao), ("power", power))}
    reported = [report(module_admin) for _ in range(2)]
    dispatched = report(module_admin)
    step(module_admin, dispatched, "accept")
    step(module_admin, dispatched, "dispatch", department_code="power")
    completed = report(module_admin)
    for action, body in (("accept", {}), ("dispatch", {"department_code": "power"}),
                         ("sign-for", {}), ("complete", repair_samples.EVIDENCE)):
        step(module_admin, completed, action, **body)
    report(module_admin, community=TIANBAO)

    mine = todo_counts(junhe)
    assert mine["to_accept"]["count"] == before["junhe"]["to_accept"]["count"] + 2
    assert mine["to_follow_up"]["count"] == before["junhe"]["to_follow_up"]["count"] + 1
    assert mine["to_accept"]["path"] == "/work-orders"
    assert mine["to_accept"]["query"] == {"state": ["reported"], "community": JUNHE}
    assert "to_sign_for" not in mine          # a department's entry
    # The link opens the list that holds exactly those orders.
    listed = junhe.get("/api/work-orders", params=mine["to_accept"]["query"]).json()
    assert {*reported} <= {o["number"] for o in listed["items"]}
    assert listed["total"] == mine["to_accept"]["count"]
    # Another community's staff count theirs: one more to accept, none of 浚河's.
    theirs = todo_counts(tianbao)
    assert theirs["to_accept"]["count"] == before["tianbao"]["to_accept"]["count"] + 1
    # The department counts what was sent to it and is not signed for; no registrations.
    department = todo_counts(power)
    assert department["to_sign_for"]["count"] == before["power"]["to_sign_for"]["count"] + 1
    assert department["to_sign_for"]["query"]["department_code"] == "power"
    assert "registrations" not in department and "to_accept" not in department
    # Under way and due after two working days at least: not due soon, not overdue.
    assert department["due_soon"]["count"] == before["power"]["due_soon"]["count"]
    assert department["overdue"]["count"] == before["power"]["overdue"]["count"]
    assert module_make_user("volunteer", volunteer=volunteer_samples.records(
        module_admin, JUNHE)["volunteer_id"]).get("/api/todo").status_code == 403


def test_corrections_and_registrations_wait_for_staff(module_admin, module_make_user):
    junhe = module_make_user("community_staff", community=JUNHE)
    before = todo_counts(junhe)
    volunteer_samples.records(module_admin, JUNHE)   # one correction requested
    pending = module_admin.post("/api/volunteers", json=volunteer_samples.volunteer_body(JUNHE))
    assert pending.status_code == 201
    after = todo_counts(junhe)
    assert after["corrections"]["count"] == before["corrections"]["count"] + 1
    assert after["registrations"]["count"] == before["registrations"]["count"] + 1
    assert after["registrations"]["query"] == {"state": ["pending"], "community": JUNHE}


def test_the_map_has_its_tiles_and_the_register_of_places(module_admin):
    answer = module_admin.get("/api/places/map")
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["tiles"] == {"urls": [TILES], "subdomains": "0123", "attribution": "测试底图"}
    kinds = [(f["properties"]["kind"], f["properties"]["name"])
             for f in found["places"]["features"]]
    assert kinds[0] == ("street", "广陵街道")
    assert ("community", JUNHE) in kinds and ("alley", "新宇巷") in kinds
    alley = next(f for f in found["places"]["features"] if f["properties"]["name"] == "新宇巷")
    assert alley["properties"]["community"] == JUNHE
    assert alley["geometry"]["type"] == "LineString"
