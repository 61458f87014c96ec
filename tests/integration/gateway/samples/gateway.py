"""Samples for the gateway's own routes: sessions, accounts, Open311 keys, the audit log,
health and the register of places. `{my_password}` and `{next_password}` are the signed-in
person's own, filled in by the caller."""
import uuid

SERVICE = "gateway"
PASSWORD = "pass-word-1"


def records(admin, community):
    suffix = uuid.uuid4().hex[:8]
    account = admin.post("/api/accounts", json={
        "username": f"target{suffix}", "password": PASSWORD, "name": "被修改的账号",
        "role": "viewer", "community": community})
    assert account.status_code == 201, account.text
    key = admin.post("/api/open311-keys", json={"name": f"市民热线{suffix}"})
    assert key.status_code == 201, key.text
    return {"community": community, "account_id": account.json()["id"],
            "username": f"target{suffix}", "key_id": key.json()["id"],
            "new_username": f"new{suffix}", "new_key_name": f"便民平台{suffix}"}


def snapshot(admin, placeholders):
    accounts = admin.get("/api/accounts").json()["items"]
    keys = admin.get("/api/open311-keys").json()["items"]
    return ([a for a in accounts if a["id"] == placeholders["account_id"]], len(accounts),
            [k for k in keys if k["id"] == placeholders["key_id"]], len(keys))


SAMPLES = {
    "session.login": ({}, {"username": "{username}", "password": PASSWORD}),
    "session.me": ({}, {}),
    "session.logout": ({}, {}),
    "session.password": ({}, {"current_password": "{my_password}",
                              "new_password": "{next_password}"}),
    "accounts.list": ({}, {}),
    "accounts.create": ({}, {"username": "{new_username}", "password": PASSWORD,
                             "name": "新建的账号", "role": "viewer", "whole_street": True}),
    "accounts.update": ({"account_id": "{account_id}"}, {"name": "改过名的账号"}),
    "api_keys.list": ({}, {}),
    "api_keys.create": ({}, {"name": "{new_key_name}"}),
    "api_keys.revoke": ({"key_id": "{key_id}"}, {}),
    "audit.list": ({}, {"refused": "true"}),
    "system.health": ({}, {}),
    "places.get": ({}, {}),
    "places.map": ({}, {}),
    "todo.get": ({}, {}),
}
