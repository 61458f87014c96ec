"""One-time sign-in codes for the resident site (居民端): sent to the phone, never stored,
logged or answered in clear. What is kept is a keyed hash of the code (and the code sealed
in its message until the message has gone); checking compares hashes."""
from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import timedelta

from services.notify import domain, schemas
from services.notify.exceptions import code_rate_limited
from services.notify.views import CodeCheckView, CodeSentView
from shared.personal_data import mask_phone, normalise
from shared.schemas import load
from shared.unit_of_work import command

REASONS = {"CODE_INVALID": "验证码不正确", "CODE_EXPIRED": "验证码已过期或不存在,请重新获取",
           "TOO_MANY_TRIES": "验证码错误次数过多,请重新获取"}


def _limits(config: dict) -> dict:
    def number(key, default):
        return int(config.get(key) or default)
    return {"ttl": number("NOTIFY_CODE_TTL_SECONDS", 300),
            "resend": number("NOTIFY_CODE_RESEND_SECONDS", 60),
            "per_hour": number("NOTIFY_CODE_HOURLY_LIMIT", 5),
            "client_per_hour": number("NOTIFY_CODE_CLIENT_HOURLY_LIMIT", 20),
            "tries": number("NOTIFY_CODE_MAX_TRIES", 5)}


def _digest(uow, code_id: str, code: str) -> str:
    return uow.cipher.fingerprint(f"{code_id}:{code}")


@command
def send_code(uow, request: dict) -> dict:
    """A new code for the phone, unless it was asked for too often (RATE_LIMITED, with the
    seconds to wait; nothing is stored then). The code goes out at once, whatever the hour."""
    request = load(schemas.SendCode(), request)
    limits = _limits(uow.config)
    phone = normalise(request["phone"])
    fingerprint = uow.cipher.fingerprint(phone)
    hour_ago = uow.now - timedelta(hours=1)
    recent = sorted(c["created_at"] for c in uow.codes.since(fingerprint, hour_ago))
    if recent and recent[-1] > uow.now - timedelta(seconds=limits["resend"]):
        wait = recent[-1] + timedelta(seconds=limits["resend"]) - uow.now
        raise code_rate_limited(max(1, int(wait.total_seconds()) + 1))
    if len(recent) >= limits["per_hour"]:
        wait = recent[-limits["per_hour"]] + timedelta(hours=1) - uow.now
        raise code_rate_limited(max(1, int(wait.total_seconds()) + 1))
    if request["client"] and uow.codes.by_client_since(request["client"], hour_ago) \
            >= limits["client_per_hour"]:
        raise code_rate_limited(3600)
    code_id = uuid.uuid4().hex
    code = f"{secrets.randbelow(1_000_000):06d}"
    expires_at = uow.now + timedelta(seconds=limits["ttl"])
    key = domain.message_key("sign_in_code", code_id)
    uow.codes.add({"_id": code_id, "fingerprint": fingerprint, "client": request["client"],
                   "digest": _digest(uow, code_id, code), "created_at": uow.now,
                   "expires_at": expires_at, "tries": 0, "used_at": None, "burned": False,
                   "message_key": key})
    uow.messages.add_new(domain.Message.new(
        key, "sign_in_code", {"kind": "phone", "phone": uow.cipher.protect(phone, mask_phone)},
        {"minutes": max(1, limits["ttl"] // 60)}, uow.now, secret=uow.cipher.seal(code)))
    return CodeSentView(now=uow.now).dump({
        "code_id": code_id, "phone_masked": mask_phone(phone), "expires_at": expires_at,
        "resend_after": uow.now + timedelta(seconds=limits["resend"])})


@command(remember=False)  # a repeat must be checked again, never answered "valid" from a record
def check_code(uow, request: dict) -> dict:
    """{"valid": true} once for the latest live code of the phone; a wrong code counts a try
    (the count is kept: this command commits its refusals) and too many burn the code."""
    request = load(schemas.CheckCode(), request)
    limits = _limits(uow.config)
    phone = normalise(request["phone"])
    found = uow.codes.latest_live(uow.cipher.fingerprint(phone), uow.now)

    def answer(valid: bool, reason: str | None, left: int) -> dict:
        return CodeCheckView(now=uow.now).dump({
            "valid": valid, "reason": reason, "reason_name": REASONS.get(reason),
            "attempts_left": left, "phone_masked": mask_phone(phone)})

    if found is None:
        return answer(False, "CODE_EXPIRED", 0)
    if hmac.compare_digest(found["digest"], _digest(uow, found["_id"], request["code"])):
        uow.codes.update(found["_id"], {"used_at": uow.now})
        return answer(True, None, 0)
    tries = found["tries"] + 1
    burned = tries >= limits["tries"]
    uow.codes.update(found["_id"], {"tries": tries, "burned": burned})
    return answer(False, "TOO_MANY_TRIES" if burned else "CODE_INVALID",
                  max(0, limits["tries"] - tries))
