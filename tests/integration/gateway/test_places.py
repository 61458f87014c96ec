"""Names of places are the register's, through real HTTP: every write of the route table that
takes a community is refused with 火星社区 (422 UNKNOWN_COMMUNITY, nothing stored anywhere),
accounts name existing departments and volunteers, and spreadsheet rows in an unknown
community refuse the whole file. The routes come from the route table; their sample requests
are the role test's (samples/<service>.py), so a new route is covered once it has a sample."""
import base64
import time

import pytest

from services.gateway.auth import Auth
from services.gateway.routes import ROUTES
from shared.personal_data import AUDIT_LOG, Cipher, mask_phone
from tests.integration.gateway import samples
from tests.integration.gateway.conftest import Client, gateway_db
from tests.integration.gateway.samples.volunteer import id_number
from tests.integration.gateway.test_roles import fill, sample_module, send

MARS, HOME = "火星社区", "天宝社区"
UNKNOWN = ["不是本街道的社区:火星社区"]
# The services' routes with a sample (the gateway's own accounts are tested below).
SAMPLED = {rid for service, module in samples.MODULES.items() if service != "gateway"
           for rid in module.SAMPLES}
WRITES = [r for r in ROUTES if r.method != "GET" and "community" in r.input_fields()]
SERVICES = ("repair", "activity", "volunteer", "job")


def test_every_write_naming_a_community_is_sampled_or_tested_here():
    # accounts are the gateway's own and tested below; every other one has a sample.
    assert {r.id for r in WRITES} - SAMPLED == {"accounts.create", "accounts.update"}


def stored(module_db) -> dict:
    """How many documents every collection of every domain service holds, once the events
    of what was just done have settled: the same readings for 1.5 seconds (what a sample's
    records set off — a 回访 shift, matching, the services' own logs — may take a while on a
    busy machine). A service's audit log counts what people revealed: the notification
    service reveals a contact each time its timers send a message about earlier records
    (every NOTIFY_FANOUT_SECONDS), whatever the request under test did."""
    def count(service, name):
        people = {"actor.role": {"$ne": "system"}} if name == AUDIT_LOG else {}
        return module_db(service)[name].count_documents(people)

    def read():  # an empty collection holds nothing (the audit log appears with a first reveal)
        counts = {(service, name): count(service, name)
                  for service in SERVICES for name in module_db(service).list_collection_names()}
        return {key: n for key, n in counts.items() if n}
    previous, since, deadline = read(), time.monotonic(), time.monotonic() + 45
    while time.monotonic() < deadline:
        time.sleep(0.25)
        current = read()
        if current != previous:
            previous, since = current, time.monotonic()
        elif time.monotonic() - since >= 1.5:
            return current
    return previous


@pytest.mark.parametrize("route", [r for r in WRITES if r.id in SAMPLED], ids=lambda r: r.id)
def test_mars_is_refused_by_every_write_and_nothing_is_stored(
        route, module_admin, module_db, module_system, module_config, mongo_client):
    admin = module_admin
    module = sample_module(route)
    placeholders = module.records(admin, HOME)
    params, body = module.SAMPLES[route.id]
    body = {**fill(body, placeholders), "community": MARS}
    before, counts = module.snapshot(admin, placeholders), stored(module_db)
    asker = admin
    if "resident" in route.roles:  # the resident site's writes: the resident of the sample
        asker = resident(placeholders["phone"], module_system, module_config, mongo_client)

    refused = send(asker, route, {**placeholders, "community": MARS}) \
        if route.id == "imports.run" else _send(asker, route, params, body, placeholders)
    assert refused.status_code == 422, refused.text
    answer = refused.json()
    assert answer["code"] == "UNKNOWN_COMMUNITY" and answer["message"] == UNKNOWN[0]
    assert answer["fields"]["community"] == UNKNOWN
    assert module.snapshot(admin, placeholders) == before
    assert stored(module_db) == counts


def resident(phone, base, config, mongo_client) -> Client:
    """A resident of the resident site signed in (the session a one-time code gives)."""
    auth = Auth(gateway_db(mongo_client, config), config=config)
    token, _ = auth.resident_session(Cipher(config["PII_KEY"]).protect(phone, mask_phone))
    client = Client(base)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _send(client, route, params, body, placeholders):
    path = route.path
    for name, value in fill(params, placeholders).items():
        path = path.replace(f"<{name}>", value)
    return client.request(route.method, path, json=body)


STATISTICS = [r for r in ROUTES if r.id.endswith(".statistics")]


@pytest.mark.parametrize("route", STATISTICS, ids=lambda r: r.id)
def test_no_chart_has_a_column_the_register_lacks(route, module_admin):
    """After every refusal above (same system), the figures by community name only
    registered communities (the dashboard's columns)."""
    from shared import places
    from shared import clock
    year = str(clock.local_date(clock.now()).year)
    answer = module_admin.get(route.path, params={"group_by": "community", "period": year})
    assert answer.status_code == 200, answer.text
    groups = answer.json().get("groups") or []
    assert {g["community"] for g in groups} <= set(places.communities())


# --- accounts -------------------------------------------------------------------------------

ACCOUNT = {"password": "pass-word-1", "name": "测试账号"}


def accounts(admin) -> list:
    return admin.get("/api/accounts").json()["items"]


@pytest.mark.parametrize("scope, code, field, message", [
    ({"role": "community_staff", "community": MARS}, "UNKNOWN_COMMUNITY", "community",
     UNKNOWN[0]),
    ({"role": "department", "department": "nosuch"}, "UNKNOWN_DEPARTMENT", "department",
     "没有编码为“nosuch”的承办部门,可选:"),
    ({"role": "volunteer", "volunteer": "V999"}, "UNKNOWN_VOLUNTEER", "volunteer",
     "没有编号为“V999”的志愿者。"),
])
def test_an_account_naming_what_does_not_exist_is_refused_and_not_created(
        module_admin, scope, code, field, message):
    before = accounts(module_admin)
    refused = module_admin.post("/api/accounts", json={**ACCOUNT, "username": "nobody1",
                                                       **scope})
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == code and list(refused.json()["fields"]) == [field]
    [said] = refused.json()["fields"][field]
    assert said.startswith(message), said  # a department's message goes on with the choices
    assert accounts(module_admin) == before


def test_an_account_is_changed_only_to_what_exists(module_admin):
    created = module_admin.post("/api/accounts", json={
        **ACCOUNT, "username": "tianbao-staff", "role": "community_staff", "community": HOME})
    assert created.status_code == 201, created.text
    account_id = created.json()["id"]
    for change, code in (({"community": MARS}, "UNKNOWN_COMMUNITY"),
                         ({"role": "department", "department": "nosuch"}, "UNKNOWN_DEPARTMENT"),
                         ({"role": "volunteer", "volunteer": "V999"}, "UNKNOWN_VOLUNTEER")):
        refused = module_admin.patch(f"/api/accounts/{account_id}", json=change)
        assert refused.status_code == 422 and refused.json()["code"] == code, refused.text
    kept = next(a for a in accounts(module_admin) if a["id"] == account_id)
    assert (kept["role"], kept["community"], kept["department"]) == (
        "community_staff", HOME, None)
    department = module_admin.post("/api/accounts", json={
        **ACCOUNT, "username": "power-staff", "role": "department", "department": "power"})
    assert department.status_code == 201, department.text
    volunteer = module_admin.post("/api/volunteers", json={
        "name": "陈晓", "community": HOME, "phone": "13955551234", "id_number": id_number()})
    assert volunteer.status_code == 201, volunteer.text
    moved = module_admin.patch(f"/api/accounts/{account_id}", json={
        "role": "volunteer", "volunteer": volunteer.json()["id"]})
    assert moved.status_code == 200, moved.text


# --- spreadsheet rows -------------------------------------------------------------------------

def test_a_file_with_a_row_in_an_unknown_community_imports_nothing(module_admin, module_db):
    sheet = ("姓名,社区,手机号码,身份证号码\n"
             f"张好,{HOME},13900000101,{id_number()}\n"
             f"李远,{MARS},13900000102,{id_number()}\n")
    counts = stored(module_db)
    refused = module_admin.post("/api/imports/volunteers", json={
        "filename": "名册.csv", "content": base64.b64encode(sheet.encode()).decode()})
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "IMPORT_REJECTED"
    assert refused.json()["fields"]["rows"] == {"3": {"社区": UNKNOWN}}
    assert stored(module_db) == counts


# --- the register as the console reads it ------------------------------------------------------

def test_every_signed_in_role_reads_the_register_and_no_one_else(
        module_system, module_admin, module_make_user):
    from shared import places
    from tests.integration.gateway.conftest import Client, a_volunteer
    limits = {"street_admin": {}, "community_staff": {"community": HOME},
              "grid_worker": {"community": HOME}, "viewer": {"community": HOME},
              "department": {"department": "power"},
              "volunteer": {"volunteer": a_volunteer(module_admin)}}
    departments = [{"code": d["code"], "name": d["name"]}
                   for d in module_admin.get("/api/repair/departments").json()["items"]
                   if d["active"]]
    for role, limit in limits.items():
        client = module_admin if role == "street_admin" else module_make_user(role, **limit)
        answer = client.get("/api/places")
        assert answer.status_code == 200, (role, answer.text)
        register = answer.json()
        assert [c["name"] for c in register["communities"]] == places.communities(), role
        assert register["alleys"] == places.alleys()
        assert register["departments"] == departments and len(departments) >= 4
        assert register["street"] == {"name": "广陵街道", "city": "天长市"}
    with Client(module_system) as anonymous:
        refused = anonymous.get("/api/places")
        assert refused.status_code == 401 and "communities" not in refused.text
