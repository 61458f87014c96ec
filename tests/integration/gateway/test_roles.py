"""Community limits for every route community staff may call, through real HTTP: another
community's data is refused and left unchanged; their own is served. Sample requests live in
samples/<service>.py; a route without one fails `test_every_staff_route_has_a_sample`, so no
route goes untested."""
import pytest

from services.gateway.routes import ROUTES
from tests.integration.gateway import samples

ELSEWHERE, HOME = "浚河社区", "天宝社区"
ORDER = samples.MODULES["repair"].ORDER
STAFF_ROUTES = [r for r in ROUTES if "community_staff" in r.roles and not r.public
                and not r.scope.reference]


def test_every_staff_route_has_a_sample():
    sampled = [rid for module in samples.MODULES.values() for rid in module.SAMPLES]
    assert sorted(r.id for r in STAFF_ROUTES) == sorted(sampled)


def fill(value, placeholders):
    if isinstance(value, dict):
        return {k: fill(v, placeholders) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, placeholders) for v in value]
    if isinstance(value, str):
        for name, replacement in placeholders.items():
            value = value.replace("{" + name + "}", str(replacement))
    return value


def sample_module(route):
    """A route's samples: those of the service it calls, or of the gateway module that
    answers it itself (reports, imports)."""
    return samples.MODULES[route.rpc[0] if route.rpc else route.id.split(".")[0]]


def send(client, route, placeholders):
    params, data = sample_module(route).SAMPLES[route.id]
    path = route.path
    for name, value in fill(params, placeholders).items():
        path = path.replace(f"<{name}>", value)
    data = fill(data, placeholders)
    if route.method == "GET":
        return client.get(path, params=data)
    return client.request(route.method, path, json=data)


@pytest.fixture
def orders(admin):
    module = samples.MODULES["repair"]
    return {c: module.records(admin, c)["number"] for c in (ELSEWHERE, HOME)}


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=lambda r: r.id)
def test_staff_are_refused_another_communitys_data_and_served_their_own(
        route, module_admin, module_make_user):
    """On one system shared by the module (each case makes its own records), for speed."""
    admin = module_admin
    module = sample_module(route)
    elsewhere, home = module.records(admin, ELSEWHERE), module.records(admin, HOME)
    staff = module_make_user("community_staff", community=HOME)
    before = module.snapshot(admin, elsewhere)
    refused = send(staff, route, elsewhere)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "FORBIDDEN"
    assert module.snapshot(admin, elsewhere) == before  # nothing changed

    served = send(staff, route, home)
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
