"""Limits fail closed, through real HTTP. An account cannot be made or changed into a role
without its limit (422 with field errors); an account that lacks it anyway (made before this
rule, or its data changed underneath) is refused every route but its own session — the
matrix is generated from the route table, so a new route is covered without a new test."""
import pytest

from services.gateway.access import REQUIRED
from services.gateway.auth import Auth
from services.gateway.routes import ROUTES
from tests.integration.gateway.conftest import Client, a_volunteer, gateway_db

HOME = "天宝社区"
ORDER = {"category": "street_light", "community": HOME, "alley": "聚宝路",
         "description": "路灯不亮", "channel": "grid_worker",
         "reporter": {"name": "张清松", "phone": "13812345678"}}


def account(role, **extra):
    return {"username": f"{role.replace('_', '')}x", "password": "pass-word-1",
            "name": "测试", "role": role, **extra}


@pytest.mark.parametrize("role, extra, field, code", [
    ("department", {}, "department", "VALIDATION_FAILED"),
    ("department", {"department": "nosuch"}, "department", "UNKNOWN_DEPARTMENT"),
    ("community_staff", {}, "community", "VALIDATION_FAILED"),
    ("community_staff", {"community": None, "department": "power"}, "community",
     "VALIDATION_FAILED"),
    ("grid_worker", {}, "community", "VALIDATION_FAILED"),
    ("volunteer", {}, "volunteer", "VALIDATION_FAILED"),
    ("volunteer", {"volunteer": "V999"}, "volunteer", "UNKNOWN_VOLUNTEER"),
    ("viewer", {}, "community", "VALIDATION_FAILED"),
    ("viewer", {"community": HOME, "whole_street": True}, "whole_street", "VALIDATION_FAILED"),
])
def test_an_account_without_its_roles_limit_is_not_created(admin, role, extra, field, code):
    refused = admin.post("/api/accounts", json=account(role, **extra))
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == code
    assert list(refused.json()["fields"]) == [field]
    names = [a["username"] for a in admin.get("/api/accounts").json()["items"]]
    assert account(role)["username"] not in names


def test_accounts_with_their_limit_are_created(admin):
    volunteer_id = a_volunteer(admin)
    for role, extra in (("department", {"department": "power"}),
                        ("community_staff", {"community": HOME}),
                        ("volunteer", {"volunteer": volunteer_id}),
                        ("viewer", {"whole_street": True}), ("street_admin", {})):
        created = admin.post("/api/accounts", json=account(role, **extra))
        assert created.status_code == 201, created.text
        assert created.json()["role"] == role


def test_a_change_that_would_drop_the_limit_is_refused_and_changes_nothing(admin, make_user):
    staff = make_user("community_staff", community=HOME)
    me = staff.get("/api/session").json()["account"]
    for change, field in (({"community": None}, "community"),
                          ({"role": "department"}, "department"),
                          ({"role": "viewer", "community": None}, "community"),
                          ({"role": "volunteer"}, "volunteer")):
        refused = admin.patch(f"/api/accounts/{me['id']}", json=change)
        assert refused.status_code == 422, (change, refused.text)
        assert field in refused.json()["fields"]
    after = staff.get("/api/session").json()["account"]
    assert (after["role"], after["community"]) == ("community_staff", HOME)
    assert staff.get("/api/work-orders").status_code == 200  # still limited and served
    renamed = admin.patch(f"/api/accounts/{me['id']}", json={"name": "李伟"})
    assert renamed.status_code == 200 and renamed.json()["community"] == HOME


@pytest.fixture
def scopeless(gateway, gateway_config, mongo_client):
    """A signed-in client for each limited role whose account lacks its limit, as the old
    rules let anyone make (written straight to the gateway's database)."""
    auth = Auth(gateway_db(mongo_client, gateway_config), config=gateway_config)
    clients = {}
    for role in REQUIRED:
        auth.create_account({"username": f"no{role.replace('_', '')}",
                             "password": "pass-word-1", "name": "无范围", "role": role})
        clients[role] = Client(gateway)
        clients[role].login(f"no{role.replace('_', '')}", "pass-word-1")
    yield clients
    for client in clients.values():
        client.close()


def _path(route, number):
    path = route.path
    for name in route.path_parameters:
        value = number if name == "number" else "x1"
        path = path.replace(f"<{name}>", value).replace(f"<path:{name}>", value)
    return path


def test_every_route_refuses_a_role_without_its_limit(admin, scopeless):
    number = admin.post("/api/work-orders", json=ORDER).json()["number"]
    admin.post(f"/api/work-orders/{number}/accept", json={})
    admin.post(f"/api/work-orders/{number}/dispatch", json={})
    before = admin.get(f"/api/work-orders/{number}").json()
    shifts_before = admin.get("/api/shifts", params={"work_order_number": number}).json()
    checked = 0
    for role, client in scopeless.items():
        for route in ROUTES:
            if route.public or route.scope.own:
                continue
            body = None if route.method == "GET" else {}
            # With the session's token, as an API client asks: the resident site's paths read
            # only their own cookie, so a console cookie there would be nobody signed in.
            token = {"Authorization": f"Bearer {client.cookies.get('xiuhua_session')}"}
            answer = client.request(route.method, _path(route, number), json=body,
                                    headers=token)
            expected = "SCOPE_MISSING" if role in route.roles else "FORBIDDEN"
            assert answer.status_code == 403, (role, route.id, answer.text)
            assert answer.json()["code"] == expected, (role, route.id, answer.text)
            checked += 1
        # Their own session still works: they can see who they are and change the password
        # (a resident's session is the resident site's, which has no password).
        if role != "resident":
            assert client.get("/api/session").json()["account"]["role"] == role
    assert checked >= 5 * 100
    # The issue's case: a department account without a department completing an order.
    completed = scopeless["department"].post(f"/api/work-orders/{number}/complete", json={
        "result_note": "已修复", "evidence_urls": ["https://img.example/a.jpg"]})
    assert completed.status_code == 403 and completed.json()["code"] == "SCOPE_MISSING"
    assert "部门" in completed.json()["message"]
    assert admin.get(f"/api/work-orders/{number}").json() == before
    assert admin.get("/api/shifts", params={"work_order_number": number}).json() \
        == shifts_before


def test_a_viewer_without_a_community_must_be_given_the_whole_street(admin, make_user):
    street = make_user("viewer", whole_street=True)
    assert street.get("/api/work-orders").status_code == 200
    home = make_user("viewer", community=HOME)
    me = home.get("/api/session").json()["account"]
    refused = admin.patch(f"/api/accounts/{me['id']}", json={"community": None})
    assert refused.status_code == 422 and "community" in refused.json()["fields"]
    moved = admin.patch(f"/api/accounts/{me['id']}", json={"community": None,
                                                           "whole_street": True})
    assert moved.status_code == 200 and moved.json()["whole_street"] is True
