"""What a request body must be before anything reads it: small enough (413, decided from
`Content-Length` alone, the body left unread), of a declared length (411: a chunked body is
not taken), JSON where JSON is declared (415), and present where the change needs it (422).

`MAX_BODY_BYTES` bounds every body; routes that take files (imports) have their own larger
`IMPORT_MAX_BODY_BYTES`.
"""
from __future__ import annotations

import json

from services.gateway import exceptions

JSON_TYPES = ("application/json",)
# A replacement (PUT) or a change (PATCH) without content would replace or change with
# nothing: an empty calendar, a team without a name. They must say what they set.
NEED_CONTENT = ("PUT", "PATCH")


def limit_of(route, settings) -> int:
    return settings.import_max_body_bytes if route.large_body else settings.max_body_bytes


def check_length(request, limit: int) -> int:
    """The declared length of the body, refused when over `limit` or not declared."""
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        raise exceptions.LengthRequired()
    length = request.content_length or 0
    if length > limit:
        raise exceptions.body_too_large(limit)
    request.max_content_length = limit  # and werkzeug never reads past it
    return length


def is_json(request) -> bool:
    mimetype = request.mimetype or ""
    return mimetype in JSON_TYPES or (mimetype.startswith("application/")
                                      and mimetype.endswith("+json"))


def read_json(route, request, settings) -> dict:
    """The body of a change as a JSON object (`{}` when the route takes no input)."""
    length = check_length(request, limit_of(route, settings))
    if route.input is None:
        return {}
    if length == 0:
        data = {}
    else:
        if not is_json(request):
            raise exceptions.UnsupportedMediaType(
                f"请求体须为 JSON(Content-Type: application/json),"
                f"收到的是 {request.mimetype or '未注明类型'}")
        try:
            data = json.loads(request.get_data(cache=False).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise exceptions.bad_json() from None
        if not isinstance(data, dict):
            raise exceptions.bad_json()
    if not data and route.method in NEED_CONTENT:
        raise exceptions.body_required()
    return data
