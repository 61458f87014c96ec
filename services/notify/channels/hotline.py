"""The 12345 hotline's callback: the outcome as JSON, POSTed to `NOTIFY_HOTLINE_URL` and
signed with HMAC-SHA256 over the exact body bytes, with the shared secret
`NOTIFY_HOTLINE_SECRET`. Headers:

    X-Xiuhua-Timestamp: 1764316800                      (Unix seconds; also `sent_at` in the body)
    X-Xiuhua-Signature: sha256=<hex of HMAC-SHA256(secret, body)>
    X-Xiuhua-Delivery:  <ticket>|<stage>[|<moment>]     (the same on every attempt: dedupe by it)

The body holds the timestamp too, so the signature covers it: a receiver checks the
signature, then refuses a timestamp far from its clock (a replay). Any 2xx is success;
anything else, or no answer within `NOTIFY_HOTLINE_TIMEOUT`, is retried."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(body: dict, at: int) -> bytes:
    return json.dumps({**body, "sent_at": at}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def post(url: str, secret: str, body: dict, timeout: float = 10.0) -> dict:
    """{"ok", "status", "error", "ms"}; never raises for the receiver's failures."""
    at = int(time.time())
    data = encode(body, at)
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "X-Xiuhua-Timestamp": str(at),
        "X-Xiuhua-Signature": sign(secret, data), "X-Xiuhua-Delivery": body["delivery_id"],
        "User-Agent": "xiuhua-notify"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
            response.read(65536)
    except urllib.error.HTTPError as error:
        return {"ok": False, "status": error.code, "error": f"HTTP {error.code}",
                "ms": _ms(started)}
    except (urllib.error.URLError, OSError, ValueError) as error:
        return {"ok": False, "status": None, "error": f"{type(error).__name__}: {error}"[:300],
                "ms": _ms(started)}
    return {"ok": 200 <= status < 300, "status": status,
            "error": None if 200 <= status < 300 else f"HTTP {status}", "ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
