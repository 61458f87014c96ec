"""The routes the gateway answers itself: sessions, accounts, Open311 keys, audit, health."""
from __future__ import annotations

from werkzeug.wrappers import Response

from services.gateway import accounts, audit, schemas
from services.gateway.routes import ACTION_NAMES
from services.gateway.auth import present_account, present_api_key, principal_of
from services.gateway.wire import (SESSION_COOKIE, client_address, cookie_secure,
                                   json_response, request_token)
from shared import clock, places
from shared.errors import XiuhuaError
from shared.schemas import load

SERVICES = ("repair", "activity", "volunteer", "job")


def login(api, principal, params, data, request):
    api.audit_username = data["username"]
    token, account = api.auth.login(data["username"], data["password"],
                                    client_address(request, api.settings))
    api.audit_actor = principal_of(account).actor
    expires = clock.now() + api.auth.session_length
    response = json_response({"token": token, "expires_at": clock.iso(expires),
                              "account": present_account(account)})
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Strict",
                        max_age=int(api.auth.session_length.total_seconds()),
                        secure=cookie_secure(request, api.settings))
    return response


def me(api, principal, params, data, request):
    found = api.auth.principal(request_token(request))
    account = api.db["accounts"].find_one({"_id": principal.account_id})
    return {"expires_at": clock.iso(found[1]["expires_at"]), "account": present_account(account)}


def logout(api, principal, params, data, request):
    api.auth.logout(request_token(request))
    response = Response(status=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


def change_own_password(api, principal, params, data, request):
    api.auth.login(principal.username, data["current_password"],
                   client_address(request, api.settings))
    api.auth.update_account(principal.account_id, {"password": data["new_password"]})
    return Response(status=204)


def list_accounts(api, principal, params, data, request):
    return [present_account(a) for a in api.auth.accounts()]


def create_account(api, principal, params, data, request):
    data = load(schemas.CreateAccount(), data)
    accounts.check_scope(api.worker, data)
    return present_account(api.auth.create_account(data))


def update_account(api, principal, params, data, request):
    data = load(schemas.UpdateAccount(), data)
    stored = api.auth.account(params["account_id"])
    accounts.check_scope(api.worker, {**stored, **data}, changed=data)
    return present_account(api.auth.update_account(params["account_id"], data))


def list_api_keys(api, principal, params, data, request):
    return [present_api_key(k) for k in api.auth.api_keys()]


def create_api_key(api, principal, params, data, request):
    key, record = api.auth.create_api_key(data["name"], principal.actor)
    return {**present_api_key(record), "key": key}


def revoke_api_key(api, principal, params, data, request):
    return present_api_key(api.auth.revoke_api_key(params["key_id"]))


def search_audit(api, principal, params, data, request):
    found = audit.search(api.db, load(schemas.AuditQuery(), data))
    for entry in found["items"]:
        entry["action_name"] = ACTION_NAMES.get(entry["action"], entry["action"])
    return found


def health(api, principal, params, data, request):
    reports = {}
    for name in SERVICES:
        try:
            reports[name] = getattr(api.worker, name).health(timeout=3)
        except Exception as error:
            reports[name] = {"service": name, "status": "unavailable",
                             "error": getattr(error, "message", str(error))}
    return {"services": reports,
            "status": "ok" if all(r.get("status") == "ok" for r in reports.values())
            else "degraded"}


def places_register(api, principal, params, data, request):
    """The register of places, and repair's active departments (None while repair is down:
    the communities do not wait for it)."""
    try:
        departments = [{"code": d["code"], "name": d["name"]}
                       for d in api.worker.repair.list_departments() if d.get("active", True)]
    except XiuhuaError:
        departments = None
    return {**places.published(), "departments": departments}


HANDLERS = {
    "session.login": login, "session.me": me, "session.logout": logout,
    "session.password": change_own_password, "accounts.list": list_accounts,
    "accounts.create": create_account, "accounts.update": update_account,
    "api_keys.list": list_api_keys, "api_keys.create": create_api_key,
    "api_keys.revoke": revoke_api_key, "audit.list": search_audit, "system.health": health,
    "places.get": places_register,
}
