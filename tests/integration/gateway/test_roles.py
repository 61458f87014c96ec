"""Community limits for every route community staff may call, through real HTTP: another
community's data is refused and left unchanged; their own is served. A route added without a
sample here fails `test_every_staff_route_has_a_sample`, so no route goes untested."""
import pytest

from services.gateway.access import LIMITS
from services.gateway.routes import ROUTES

ELSEWHERE, HOME = "浚河社区", "天宝社区"
ORDER = {"category": "street_light", "alley": "新宇巷", "address": "新宇巷49号",
         "description": "路灯不亮", "channel": "grid_worker"}
EVIDENCE = {"result_note": "已修复", "evidence_urls": ["https://img.example/a.jpg"]}

# route id -> (path parameters, query or body). `{number}` is an order in the target community.
SAMPLES = {
    "work_orders.list": ({}, {"community": "{community}"}),
    "work_orders.report": ({}, {**ORDER, "community": "{community}"}),
    "work_orders.get": ({"number": "{number}"}, {}),
    "work_orders.duplicates": ({"number": "{number}"}, {}),
    "work_orders.reveal_contact": ({"number": "{number}"}, {"purpose": "回访需要联系"}),
    "work_orders.accept": ({"number": "{number}"}, {}),
    "work_orders.answer": ({"number": "{number}"}, {"answer": "已电话答复"}),
    "work_orders.dispatch": ({"number": "{number}"}, {}),
    "work_orders.return": ({"number": "{number}"}, {"grounds": "不属本部门"}),
    "work_orders.sign_for": ({"number": "{number}"}, {}),
    "work_orders.request_extension": ({"number": "{number}"}, {
        "requested_due_at": "2099-01-01T00:00:00+08:00", "reason": "需要采购"}),
    "work_orders.approve_extension": ({"number": "{number}"}, {}),
    "work_orders.reject_extension": ({"number": "{number}"}, {}),
    "work_orders.escalate": ({"number": "{number}"}, {}),
    "work_orders.complete": ({"number": "{number}"}, EVIDENCE),
    "work_orders.follow_up": ({"number": "{number}"}, {"result": "satisfied"}),
    "work_orders.reopen": ({"number": "{number}"}, {"reason": "问题复发"}),
    "work_orders.mark_duplicate": ({"number": "{number}"}, {"duplicate_of": "{number}"}),
    "work_orders.reject": ({"number": "{number}"}, {"reason": "不属受理范围"}),
    "work_orders.cancel": ({"number": "{number}"}, {"reason": "居民撤回"}),
    "work_orders.statistics": ({}, {"community": "{community}"}),
}
STAFF_ROUTES = [r for r in ROUTES if "community_staff" in r.roles and not r.public
                and not r.scope.reference and r.tag != "账号"]


def test_every_staff_route_has_a_sample():
    assert sorted(r.id for r in STAFF_ROUTES) == sorted(SAMPLES)


def fill(value, number, community):
    if isinstance(value, dict):
        return {k: fill(v, number, community) for k, v in value.items()}
    if isinstance(value, str):
        return value.replace("{number}", number).replace("{community}", community)
    return value


def send(client, route, number, community):
    params, data = SAMPLES[route.id]
    path = route.path
    for name, value in fill(params, number, community).items():
        path = path.replace(f"<{name}>", value)
    data = fill(data, number, community)
    if route.method == "GET":
        return client.get(path, params=data)
    return client.request(route.method, path, json=data)


@pytest.fixture
def orders(admin):
    def order_in(community):
        response = admin.post("/api/work-orders", json={**ORDER, "community": community})
        assert response.status_code == 201, response.text
        return response.json()["number"]
    return {ELSEWHERE: order_in(ELSEWHERE), HOME: order_in(HOME)}


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda r: r.id)
def test_staff_are_refused_another_communitys_data_and_served_their_own(
        route, admin, make_user, orders):
    staff = make_user("community_staff", community=HOME)
    before = admin.get(f"/api/work-orders/{orders[ELSEWHERE]}").json()
    refused = send(staff, route, orders[ELSEWHERE], ELSEWHERE)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "FORBIDDEN"
    after = admin.get(f"/api/work-orders/{orders[ELSEWHERE]}").json()
    assert after["version"] == before["version"]  # nothing changed

    served = send(staff, route, orders[HOME], HOME)
    assert served.status_code != 403, served.text
    assert served.status_code < 500, served.text


def test_a_staff_list_shows_only_their_community_and_reports_are_filed_there(
        admin, make_user, orders):
    staff = make_user("community_staff", community=HOME)
    listed = staff.get("/api/work-orders").json()
    assert [o["number"] for o in listed["items"]] == [orders[HOME]]
    created = staff.post("/api/work-orders", json=ORDER)
    assert created.status_code == 201 and created.json()["community"] == HOME
    export = staff.get("/api/work-orders", params={"format": "csv"})
    assert orders[ELSEWHERE] not in export.text and orders[HOME] in export.text


def test_departments_see_and_work_only_on_orders_dispatched_to_them(admin, make_user, orders):
    admin.post(f"/api/work-orders/{orders[HOME]}/accept", json={})
    admin.post(f"/api/work-orders/{orders[HOME]}/dispatch", json={})  # street lights: power
    power = make_user("department", department="power")
    parks = make_user("department", department="landscaping")
    assert [o["number"] for o in power.get("/api/work-orders").json()["items"]] == [
        orders[HOME]]
    assert parks.get("/api/work-orders").json()["items"] == []
    assert parks.post(f"/api/work-orders/{orders[HOME]}/sign-for", json={}).status_code == 403
    assert power.post(f"/api/work-orders/{orders[HOME]}/sign-for", json={}).status_code == 200
    assert power.post(f"/api/work-orders/{orders[HOME]}/accept", json={}).status_code == 403


def test_viewers_read_but_change_nothing_and_volunteers_see_no_work_orders(
        admin, make_user, orders):
    viewer = make_user("viewer")
    assert viewer.get("/api/work-orders").status_code == 200
    assert viewer.post(f"/api/work-orders/{orders[HOME]}/accept", json={}).status_code == 403
    assert viewer.post("/api/work-orders", json={**ORDER, "community": HOME}).status_code == 403
    volunteer = make_user("volunteer", volunteer="v-1")
    assert volunteer.get("/api/work-orders").status_code == 403
    assert volunteer.get("/api/accounts").status_code == 403


def test_only_admins_manage_accounts_keys_settings_and_read_the_audit_log(make_user):
    staff = make_user("community_staff", community=HOME)
    for method, path in (("GET", "/api/accounts"), ("POST", "/api/open311-keys"),
                         ("GET", "/api/audit"), ("PUT", "/api/repair/calendar"),
                         ("PUT", "/api/repair/departments")):
        assert staff.request(method, path, json={}).status_code == 403, path
    assert staff.get("/api/repair/categories").status_code == 200  # reference data
