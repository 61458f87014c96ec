"""The resident site's own handlers (居民端, /m/api/): sign-in with a one-time code sent to the
phone (the notification service sends and checks it; no passwords), a report in the
resident's own name, an order followed by number, its photos and the resident's rating.

A resident sees nobody else: an order's progress shows the steps and the departments, never a
person's name or number; their own order shows their own masked phone and name only.
"""
from __future__ import annotations

import base64

from marshmallow import fields, validate
from werkzeug.wrappers import Response

from services.gateway.wire import (RESIDENT_COOKIE, RESIDENT_PREFIX, client_address,
                                   cookie_secure, json_response, request_token)
from services.repair import domain as repair_domain, schemas as repair_schemas
from shared import clock, places
from shared.errors import ValidationFailed
from shared.paging import CursorPageSchema
from shared.personal_data import Cipher, mask_phone
from shared.schemas import Schema, fields_of, load

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


class CodeRequest(Schema):
    phone = fields.String(required=True, validate=validate.Regexp(
        r"^1[3-9]\d{9}$", error="请填写 11 位手机号码。"))


class SignIn(CodeRequest):
    code = fields.String(required=True, validate=validate.Regexp(
        r"^\d{6}$", error="验证码为 6 位数字。"))


class ResidentReport(fields_of(repair_schemas.ReportWorkOrder, "category", "community",
                                "alley", "address", "location", "description")):
    """上报问题 on the resident site: the reporter is the signed-in resident."""
    photos = repair_schemas.PHOTO_IDS
    name = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=30))
    # Filled by the gateway with the signed-in resident; another is refused.
    resident = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=64))


class MyOrders(CursorPageSchema):
    """我的报修: the resident's own orders, newest first, a page at a time."""
    # Filled by the gateway with the signed-in resident; another is refused.
    resident = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=64))


class PhotoQuery(fields_of(repair_schemas.PhotoQuery, "size")):
    """A photo of an order, whole or as a thumbnail."""


def send_code(api, principal, params, data, request):
    phone = load(CodeRequest(), data)["phone"]
    return api.worker.notify.send_sign_in_code(
        phone=phone, purpose="sign_in", client=client_address(request, api.settings)[:64])


def sign_in(api, principal, params, data, request):
    data = load(SignIn(), data)
    checked = api.worker.notify.check_sign_in_code(phone=data["phone"], code=data["code"])
    if not checked["valid"]:
        raise ValidationFailed(checked["reason_name"], fields={"code": [checked["reason_name"]]})
    cipher = _cipher(api)
    protected = cipher.protect(data["phone"], mask_phone)
    token, account = api.auth.resident_session(protected)
    api.audit_actor = {"id": account["_id"], "name": account["name"], "role": "resident"}
    expires = clock.now() + api.auth.session_length
    response = json_response({"token": token, "expires_at": clock.iso(expires),
                              "resident": _me(account)})
    response.set_cookie(RESIDENT_COOKIE, token, httponly=True, samesite="Strict",
                        path=RESIDENT_PREFIX, secure=cookie_secure(request, api.settings),
                        max_age=int(api.auth.session_length.total_seconds()))
    return response


def me(api, principal, params, data, request):
    return {"resident": _me(api.auth.account(principal.account_id))}


def sign_out(api, principal, params, data, request):
    api.auth.logout(request_token(request))
    response = Response(status=204)
    response.delete_cookie(RESIDENT_COOKIE, path=RESIDENT_PREFIX)
    return response


def _me(account: dict) -> dict:
    return {"name": account["name"],
            "phone_masked": (account.get("phone") or {}).get("masked")}


def _cipher(api) -> Cipher:
    return Cipher(api.worker.config["PII_KEY"])


def resident_phone(api, account: dict) -> str:
    """The phone a resident's one-time code proved (kept sealed in their account)."""
    return _cipher(api).open(account["phone"]["sealed"])


def places_register(api, principal, params, data, request):
    return places.published()


def report(api, principal, params, data, request):
    data = load(ResidentReport(), data)
    account = api.auth.account(principal.account_id)
    phone = resident_phone(api, account)
    body = {k: v for k, v in data.items() if k not in ("name", "resident")}
    answer = api.worker.repair.report_work_order(
        actor=principal.actor, channel="resident",
        reporter={"name": data["name"] or account["name"], "phone": phone}, **body)
    return own_order(answer)


def progress(api, principal, params, data, request):
    """Anyone may follow an order by its number: its steps, never who took them."""
    return public_order(api.worker.repair.get_work_order(number=params["number"]))


def my_orders(api, principal, params, data, request):
    """Their orders from the server, wherever they signed in: those whose reporter's phone is
    the one their code proved (the session's fingerprint, never one from the request)."""
    query = load(MyOrders(), data)
    return api.worker.repair.list_work_orders_by_reporter(
        resident=principal.resident, cursor=query["cursor"], page_size=query["page_size"])


def my_order(api, principal, params, data, request):
    return own_order(api.worker.repair.get_work_order(number=params["number"]))


def rate(api, principal, params, data, request):
    return own_order(api.worker.repair.rate_work_order(
        number=params["number"], actor=principal.actor, **data))


def photo(api, principal, params, data, request):
    """A photo of an order as an image (its thumbnail with size=thumbnail)."""
    size = load(PhotoQuery(), data)["size"]
    found = api.worker.repair.get_photo(number=params["number"], photo_id=params["photo_id"],
                                        size=size)
    return Response(base64.b64decode(found["content"]), content_type=found["content_type"],
                    headers={"Cache-Control": "private, max-age=3600"})


def public_order(order: dict) -> dict:
    return {
        "number": order["number"], "category_name": order["category_name"],
        "community": order["community"], "alley": order["alley"],
        "state": order["state"], "state_name": order["state_name"],
        "reported_at": order["reported_at"], "due_at": order["due_at"],
        "completed_at": order["completed_at"], "closed_at": order["closed_at"],
        "department_name": (order.get("department") or {}).get("name"),
        "steps": [{"action_name": h["action_name"], "at": h["at"]}
                  for h in order["history"]],
    }


def own_order(order: dict) -> dict:
    rating = order.get("rating")
    return {
        **public_order(order), "description": order["description"],
        "address": order["address"], "result_note": order["result_note"],
        "reporter": {"name": order["reporter"]["name"],
                     "phone_masked": order["reporter"]["phone_masked"]},
        "photos": [{"id": p["id"], "stage_name": p["stage_name"],
                    "url": f"/m/api/my/work-orders/{order['number']}/photos/{p['id']}",
                    "thumbnail_url": f"/m/api/my/work-orders/{order['number']}/photos/"
                                     f"{p['id']}?size=thumbnail"} for p in order["photos"]],
        "rating": {"result": rating["result"], "result_name": rating["result_name"],
                   "note": rating["note"], "at": rating["at"]} if rating else None,
        # the states the reporter's 居民评价 may start from (repair's ACTIONS["rate"]); staff
        # are not offered it, so it is not among the order's allowed_actions
        "can_rate": rating is None and order["state"] in repair_domain.ACTIONS["rate"][0],
    }


HANDLERS = {"resident.code": send_code, "resident.sign_in": sign_in, "resident.me": me,
            "resident.sign_out": sign_out, "resident.places": places_register,
            "resident.report": report, "resident.progress": progress,
            "resident.orders": my_orders, "resident.order": my_order, "resident.rate": rate, "resident.photo": photo,
            "work_orders.photo": photo}
