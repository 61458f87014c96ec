"""Access, generated from the route table: every route × every role × {its own scope, another
scope, its limit missing}, through real HTTP on one system shared by the module (matrix.py
says who asks and what the declaration requires).

Every refusal is checked to change nothing: every document of every service and of the
gateway (but its audit log, which records the refusal, and its sessions) is the same before
and after a route's refusals — no record touched, nothing created. What the declaration
serves is served: the route's own status, or a refusal for the state of the record (409, or
422 for a rule of the business), never 401, 403 or 404. A new route is in the matrix the
moment it is in the table; it needs only a sample request in samples/.
"""
from __future__ import annotations

import re

import pytest

from services.gateway.access import ROLES
from services.gateway.auth import Auth
from services.gateway.routes import ROUTES
from tests.conftest import wait_until
from shared.personal_data import Cipher, mask_phone
from tests.integration.gateway import samples
from tests.integration.gateway.conftest import Client, gateway_db
from tests.integration.gateway.matrix import (
    ACCESS_CODES, ANOTHER, ELSEWHERE, HOME, OTHER_DEPARTMENT, OWN, OWN_DEPARTMENT, SERVED,
    build, cases, changed, expect, fingerprint, principals, sample_module, send)

PASSWORD = samples.MODULES["gateway"].PASSWORD
HOMES = ("street_admin", "community_staff", "grid_worker", "department", "volunteer", "viewer",
         "resident")
# Served cases run reads first, then changes in the table's order, those that end a record's
# course (return it, cancel it, …) last, so that the others find their records still open.
# The order only spares business refusals; what is asserted does not depend on it.
ENDINGS = ("return", "reject", "cancel", "withdraw", "revoke", "decline", "end", "answer",
           "suspend", "mark_duplicate")


def _ends(route) -> bool:
    return route.id.split(".")[1].startswith(ENDINGS)


SERVED_ORDER = ([r for r in ROUTES if r.method == "GET"]
                + [r for r in ROUTES if r.method != "GET" and not _ends(r)]
                + [r for r in ROUTES if r.method != "GET" and _ends(r)])


def record_set(admin, community: str, department: str, cipher: Cipher, database) -> dict:
    found = {module.SERVICE: module.records(admin, community)
             for module in samples.MODULES.values()}
    for module in samples.MODULES.values():
        if hasattr(module, "stored"):  # what no route makes: straight to the database
            module.stored(database, found[module.SERVICE])
    found["scope"] = {"community": community, "department": department,
                      "volunteer": found["volunteer"]["volunteer_id"],
                      # the resident whose phone reported the set's resident work order
                      "resident": cipher.fingerprint(found["resident"]["phone"])}
    found["job"].setdefault("notification_id", "n0")
    return found


def dispatched(admin, records: dict, department: str) -> None:
    """The set's work order, accepted and sent to `department`."""
    number = records["repair"]["number"]
    for action, body in (("accept", {}), ("dispatch", {"department_code": department})):
        answer = admin.post(f"/api/work-orders/{number}/{action}", json=body)
        assert answer.status_code == 200, answer.text


def on_visit(admin, records: dict) -> None:
    """The set's volunteer on the open 回访 of a finished work order of its community: the
    work order the volunteer's own scope is about."""
    order = admin.post("/api/work-orders", json={
        **samples.MODULES["repair"].ORDER, "community": records["scope"]["community"],
        "reporter": {"name": "张清松", "phone": "13812345678"}})
    number = order.json()["number"]
    for action, body in (("accept", {}), ("dispatch", {}), ("sign-for", {}),
                         ("complete", samples.MODULES["repair"].EVIDENCE)):
        answer = admin.post(f"/api/work-orders/{number}/{action}", json=body)
        assert answer.status_code == 200, (action, answer.text)

    def visit():
        items = admin.get("/api/shifts", params={"work_order_number": number}).json()["items"]
        return items[0]["id"] if items else None
    shift_id = wait_until(visit, timeout=30, message="the 回访 shift")
    signed = admin.post(f"/api/shifts/{shift_id}/sign-up",
                        json={"volunteer_id": records["scope"]["volunteer"]})
    assert signed.status_code == 200, signed.text
    records["repair"]["number"] = number


def notification(admin, records: dict) -> str:
    """An unread notification to the set's employer (a problem found on a visit, answered)."""
    job = records["job"]
    visit = admin.post(f"/api/employers/{job['employer_id']}/visits", json={
        "visited_on": job["today"], "findings": "门口路灯不亮。",
        "problems": [{"category": "street_light", "description": "单位门口路灯不亮"}]})
    assert visit.status_code == 201, visit.text

    def opened():
        problem = admin.get(f"/api/visits/{visit.json()['visit_id']}").json()["problems"][0]
        return problem.get("work_order_number")
    number = wait_until(opened, timeout=30, message="the problem's work order")
    admin.post(f"/api/work-orders/{number}/accept", json={})
    answered = admin.post(f"/api/work-orders/{number}/answer", json={"answer": "已通知供电所"})
    assert answered.status_code == 200, answered.text

    def told():
        items = admin.get("/api/employer-notifications", params={
            "employer_id": job["employer_id"]}).json()["items"]
        return items[0]["notification_id"] if items else None
    return wait_until(told, timeout=30, message="the employer's notification")


class World:
    """The module's records, askers and their signed-in clients."""

    def __init__(self, admin, base, config, mongo_client):
        self.base, self.mongo, self.prefix = base, mongo_client, config["MONGO_DB_PREFIX"]
        self.cipher = Cipher(config["PII_KEY"])
        database = self.database
        self.elsewhere = record_set(admin, ELSEWHERE, OTHER_DEPARTMENT, self.cipher, database)
        dispatched(admin, self.elsewhere, OTHER_DEPARTMENT)
        self.homes = {name: record_set(admin, HOME, OWN_DEPARTMENT, self.cipher, database)
                      for name in HOMES}
        dispatched(admin, self.homes["department"], OWN_DEPARTMENT)
        on_visit(admin, self.homes["volunteer"])
        self.homes["street_admin"]["job"]["notification_id"] = notification(
            admin, self.homes["street_admin"])
        self.askers = principals(self.homes["volunteer"]["scope"]["volunteer"],
                                 self.homes["resident"]["scope"]["resident"])
        self.passwords, self.usernames, self.clients = {}, {}, {}
        self.auth = auth = Auth(gateway_db(mongo_client, config), config=config)
        for number, asker in enumerate(self.askers):
            self.clients[asker.name] = Client(base)
            if asker.role is None:
                continue
            if asker.role == "resident" and not asker.missing:
                self.sign_in(asker)  # a one-time code proved their phone: no account to make
                continue
            username = f"matrix{number}"
            account = {"username": username, "password": PASSWORD, "name": "矩阵测试",
                       "role": asker.role, **asker.limits}
            if asker.name == "viewer/whole_street":
                account["whole_street"] = True
            if asker.missing:  # as the old rules let anyone make: straight to the database
                auth.create_account(account)
            else:
                created = admin.post("/api/accounts", json=account)
                assert created.status_code == 201, created.text
            self.usernames[asker.name], self.passwords[asker.name] = username, PASSWORD
            self.sign_in(asker)
        self.registered_by("grid_worker")
        self.quiet()

    def database(self, service: str):
        """A service's database, for what no route makes (samples' `stored`)."""
        return self.mongo[f"{self.prefix}{service}"]

    def registered_by(self, name: str) -> None:
        """The asker's own registration: one it made (a grid worker cancels only those)."""
        activity = self.homes[name]["activity"]
        made = self.clients[name].post(
            f"/api/activities/{activity['activity_id']}/registrations",
            json={"name": "李桂兰", "phone": "13955550003"})
        assert made.status_code == 201, made.text
        activity["registration_id"] = made.json()["registration_id"]

    def records(self, asker, whose) -> dict:
        return self.elsewhere if whose == ANOTHER else self.homes[asker.own_records]

    def extra(self, asker, route=None) -> dict:
        current = self.passwords.get(asker.name, PASSWORD)
        found = {"my_password": current, "next_password": current + "x"}
        if route is not None and route.id == "resident.sign_in":
            found["sign_in_code"] = self.sign_in_code(self.records(asker, OWN)["resident"])
        return found

    def sign_in_code(self, records: dict) -> str:
        """The one-time code the resident site sent (resident.code, served before) to the
        set's phone, as notify's development mailbox received it."""
        mailbox = self.mongo[f"{self.prefix}notify"]["dev_messages"]
        fingerprint = self.cipher.fingerprint(records["phone"])

        def sent():
            found = mailbox.find_one({"kind": "sign_in_code", "to_fp": fingerprint},
                                     sort=[("sent_at", -1)])
            # (the mailbox keeps a code's text sealed: only 消息记录 opens it)
            return re.search(r"\d{6}", self.cipher.open(found["text_sealed"])).group(0) \
                if found else None
        return wait_until(sent, timeout=30, message="the sign-in code")

    def sign_in(self, asker) -> None:
        """A new session for the asker, its token sent with every request. The resident is
        the one whose phone reported their set's resident work order (its session is what a
        one-time code to that phone gives)."""
        if asker.role == "resident" and not asker.missing:
            phone = self.homes[asker.own_records]["resident"]["phone"]
            token, _ = self.auth.resident_session(self.cipher.protect(phone, mask_phone))
        else:
            token = self.clients[asker.name].login(self.usernames[asker.name],
                                                   self.passwords[asker.name])["token"]
        self.clients[asker.name].headers["Authorization"] = f"Bearer {token}"

    def signed_in_again(self, asker, route) -> None:
        """After its own sign-out or new password, the asker signs in again."""
        if route.id == "session.password":
            self.passwords[asker.name] += "x"
        self.sign_in(asker)

    def fingerprint(self) -> dict:
        return fingerprint(self.mongo, self.prefix)

    def quiet(self) -> None:
        """Until what the set-up started (events, their consequences) has settled."""
        last = [self.fingerprint()]

        def settled():
            now = self.fingerprint()
            same, last[0] = now == last[0], now
            return same
        wait_until(settled, timeout=60, interval=1.0, message="the records to settle")

    def close(self):
        for client in self.clients.values():
            client.close()


@pytest.fixture(scope="module")
def world(module_admin, module_system, module_config, mongo_client):
    built = World(module_admin, module_system, module_config, mongo_client)
    yield built
    built.close()


def _code(answer):
    try:
        return answer.json().get("code")
    except ValueError:
        return None


def test_the_matrix_covers_every_route_every_role_and_every_scope():
    """Generated, not written: every route of the table, each with a sample request, asked by
    every role on its own scope, another and without its limit."""
    for route in ROUTES:
        sample_module(route)  # raises for a route without a sample
    askers = principals("V1", "R1")
    assert {asker.role for asker in askers} == {*ROLES, None}
    asked = {(route.id, asker.role, whose) for route in ROUTES
             for asker, whose in cases(route, askers)}
    assert {route_id for route_id, _, _ in asked} == {route.id for route in ROUTES}
    # every route is served to someone: its declaration is tried, not only its refusals
    served = {route.id for route in ROUTES for asker, whose in cases(route, askers)
              if expect(route, asker, whose).status == SERVED}
    assert served == {route.id for route in ROUTES}
    for route in ROUTES:
        if route.public:
            continue
        for role in ROLES:
            scopes = {whose for route_id, r, whose in asked if (route_id, r) == (route.id, role)}
            assert scopes == ({"own"} if role == "street_admin"
                              else {"own", "another", "none"}), (route.id, role, scopes)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_refusals_refuse_and_change_nothing(route, world):
    before = world.fingerprint()
    wrong, refused = [], 0
    for asker, whose in cases(route, world.askers):
        expected = expect(route, asker, whose)
        if expected.status == SERVED:
            continue
        path, data = build(route, asker, world.records(asker, whose), world.extra(asker))
        answer = send(world.clients[asker.name], route, path, data)
        refused += 1
        if answer.status_code != expected.status or _code(answer) not in expected.codes:
            wrong.append(f"{asker.name} on {whose}: expected {expected.status} "
                         f"{expected.codes}, got {answer.status_code} {answer.text[:300]}")
    assert not wrong, "\n".join(wrong)
    assert changed(before, world.fingerprint()) == [], "a refusal changed something"
    assert refused > 0 or route.public


@pytest.mark.parametrize("route", SERVED_ORDER, ids=lambda r: r.id)
def test_what_the_declaration_allows_is_served(route, world):
    wrong, served = [], 0
    for asker, whose in cases(route, world.askers):
        if expect(route, asker, whose).status != SERVED:
            continue
        served += 1
        path, data = build(route, asker, world.records(asker, whose),
                           world.extra(asker, route))
        client = Client(world.base) if route.public else world.clients[asker.name]
        answer = send(client, route, path, data)
        if route.public:
            client.close()
        code = _code(answer)
        if answer.status_code == route.status:
            if route.scope.own and route.method in ("DELETE", "PUT"):
                world.signed_in_again(asker, route)
            continue
        if answer.status_code == 409 and code not in ACCESS_CODES:
            continue  # the record's state (accepted twice, a cancelled shift): not access
        wrong.append(f"{asker.name} on {whose}: expected {route.status}, got "
                     f"{answer.status_code} {code} {answer.text[:300]}")
    assert not wrong, "\n".join(wrong)
    assert served > 0, f"no asker is served {route.id}: the matrix has no case for it"
