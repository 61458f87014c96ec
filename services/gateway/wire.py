"""What every HTTP answer of the gateway shares, and what it reads from every request: JSON
answers and typed errors, the session token, the client's address, the gateway's settings.

Kept apart from the dispatcher (api.py) so that the routes it calls, the public pages and the
Open311 endpoint use the same pieces without importing the dispatcher.
"""
from __future__ import annotations

import ipaddress
import json
import logging
from dataclasses import dataclass
from functools import lru_cache

from nameko.exceptions import RemoteError
from werkzeug.wrappers import Response

from services.gateway import exceptions
from shared.errors import InternalError, XiuhuaError

log = logging.getLogger(__name__)

SESSION_COOKIE = "xiuhua_session"
# The resident site's own session (path /m/): a resident and a member of staff may share a
# browser without one session standing in for the other.
RESIDENT_COOKIE = "xiuhua_resident"
RESIDENT_PREFIX = "/m/"
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """The gateway's own settings (deploy/config.yaml, README's settings table)."""
    max_body_bytes: int = MEGABYTE
    import_max_body_bytes: int = 8 * MEGABYTE
    trusted_proxies: tuple = ()          # ip_network objects
    cookie_secure: str = "auto"          # auto (when served over https), true, false
    public_url: str = ""                 # where people reach the gateway (QR codes); "": as asked

    @classmethod
    def of(cls, config) -> "Settings":
        return _settings(str(config.get("MAX_BODY_BYTES") or MEGABYTE),
                         str(config.get("IMPORT_MAX_BODY_BYTES") or 8 * MEGABYTE),
                         _as_text(config.get("TRUSTED_PROXIES")),
                         str(config.get("SESSION_COOKIE_SECURE") or "auto").lower(),
                         str(config.get("PUBLIC_URL") or "").strip())


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


@lru_cache(maxsize=8)
def _settings(max_body: str, import_max_body: str, proxies: str, secure: str,
              public_url: str = "") -> Settings:
    networks = tuple(ipaddress.ip_network(p.strip(), strict=False)
                     for p in proxies.replace(";", ",").split(",") if p.strip())
    if secure not in ("auto", "true", "false"):
        raise ValueError(f"SESSION_COOKIE_SECURE must be auto, true or false, not {secure!r}")
    if public_url and not public_url.startswith(("http://", "https://")):
        raise ValueError(f"PUBLIC_URL must start with http:// or https://, not {public_url!r}")
    return Settings(int(max_body), int(import_max_body), networks, secure,
                    public_url.rstrip("/"))


def json_response(body, status: int = 200, headers=None) -> Response:
    if status == 204:
        return Response(status=204, headers=headers)
    return Response(json.dumps(body, ensure_ascii=False, default=str), status=status,
                    headers=headers, content_type="application/json; charset=utf-8")


def error_response(error: XiuhuaError) -> Response:
    headers = {}
    if isinstance(error, exceptions.TooManyAttempts):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, exceptions.MethodNotAllowed) and error.allowed:
        headers["Allow"] = ", ".join(error.allowed)
    if isinstance(error, exceptions.BodyTooLarge):
        # The rest of the body is not read: the connection cannot carry another request.
        headers["Connection"] = "close"
    return json_response(error.to_dict(), error.http_status, headers)


def as_typed(error: Exception) -> XiuhuaError:
    if isinstance(error, XiuhuaError):
        return error
    if not isinstance(error, RemoteError):
        log.exception("gateway failed")
    return InternalError()


def request_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip()
    if request.path.startswith(RESIDENT_PREFIX):
        return request.cookies.get(RESIDENT_COOKIE)
    return request.cookies.get(SESSION_COOKIE)


def _within(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request, settings: Settings) -> str:
    """The client's address: the direct peer, unless the peer is one of `TRUSTED_PROXIES` —
    then the right-most `X-Forwarded-For` hop that is not a trusted proxy (what the nearest
    untrusted party told our proxy). A client's own `X-Forwarded-For` is never believed."""
    peer = request.remote_addr or "unknown"
    if not settings.trusted_proxies or not _within(peer, settings.trusted_proxies):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")
            if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, settings.trusted_proxies):
            return hop[:64]
    return hops[0][:64] if hops else peer


def served_over_tls(request, settings: Settings) -> bool:
    if request.scheme == "https":
        return True
    return (bool(settings.trusted_proxies)
            and _within(request.remote_addr or "", settings.trusted_proxies)
            and request.headers.get("X-Forwarded-Proto", "").lower() == "https")


def public_address(request, settings: Settings, path: str) -> str:
    """The absolute address of one of the gateway's pages as people reach it (printed on paper
    as a QR code): under `PUBLIC_URL`, else under the address this request came to."""
    if settings.public_url:
        return settings.public_url + path
    scheme = "https" if served_over_tls(request, settings) else "http"
    return f"{scheme}://{request.host}{path}"


def cookie_secure(request, settings: Settings) -> bool:
    if settings.cookie_secure == "auto":
        return served_over_tls(request, settings)
    return settings.cookie_secure == "true"
