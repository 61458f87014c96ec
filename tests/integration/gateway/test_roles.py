"""Community limits as people meet them, through real HTTP: a staff list shows only their
community and reports are filed there; departments see and work only on the orders dispatched
to them; viewers read and change nothing; only admins manage accounts and settings. That every
route refuses another community's records and leaves them unchanged, for every role and scope,
is test_access_matrix.py, generated from the route table; the request builders here (`send`)
also serve test_places.py."""
import pytest

from tests.integration.gateway import samples
from tests.integration.gateway.conftest import a_volunteer

ELSEWHERE, HOME = "浚河社区", "天宝社区"
ORDER = samples.MODULES["repair"].ORDER


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
def made(admin):
    """The repair samples' records (two work orders) in each community."""
    return {c: samples.MODULES["repair"].records(admin, c) for c in (ELSEWHERE, HOME)}


@pytest.fixture
def orders(made):
    return {c: records["number"] for c, records in made.items()}


def test_a_staff_list_shows_only_their_community_and_reports_are_filed_there(
        admin, make_user, made, orders):
    staff = make_user("community_staff", community=HOME)
    listed = staff.get("/api/work-orders").json()
    assert sorted(o["number"] for o in listed["items"]) == sorted(
        [made[HOME]["number"], made[HOME]["other_number"]])
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
    viewer = make_user("viewer", whole_street=True)
    assert viewer.get("/api/work-orders").status_code == 200
    assert viewer.post(f"/api/work-orders/{orders[HOME]}/accept", json={}).status_code == 403
    assert viewer.post("/api/work-orders", json={**ORDER, "community": HOME}).status_code == 403
    volunteer = make_user("volunteer", volunteer=a_volunteer(admin))
    assert volunteer.get("/api/work-orders").status_code == 403
    assert volunteer.get("/api/accounts").status_code == 403


def test_only_admins_manage_accounts_keys_settings_and_read_the_audit_log(make_user):
    staff = make_user("community_staff", community=HOME)
    for method, path in (("GET", "/api/accounts"), ("POST", "/api/open311-keys"),
                         ("GET", "/api/audit"), ("PUT", "/api/repair/calendar"),
                         ("PUT", "/api/repair/departments")):
        assert staff.request(method, path, json={}).status_code == 403, path
    assert staff.get("/api/repair/categories").status_code == 200  # reference data
