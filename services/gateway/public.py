"""The public pages, without login: a community's electronic screen (电子屏) and the
verification of a 志愿服务记录证明 by its number, each as JSON (`….json`) and as the page people
look at. The services make both; this module only translates HTTP to their RPC and back.

- `/public/screens/<community>` — the full-screen page of open job postings (job.screen_page);
  `/public/screens/<community>.json` — its feed (job.screen_feed). Query: `limit` (1–50),
  `rotate_seconds` (30–3600).
- `/public/certificates/<number>` — the printable certificate (volunteer.render_certificate),
  with a QR code of this same address (under `PUBLIC_URL`) for whoever holds the paper;
  `/public/certificates/<number>.json` — is it valid, and what it certifies
  (volunteer.verify_certificate). Numbers are accepted in any case.

Errors are the API's JSON `{code, message, fields}` for JSON, and a short Chinese page with the
same status for pages.
"""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from werkzeug.wrappers import Response

from services.gateway.wire import (Settings, as_typed, error_response, json_response,
                                   public_address)
from shared.errors import XiuhuaError

HTML = "text/html; charset=utf-8"
SCREEN_QUERY = ("limit", "rotate_seconds")
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def screen(worker, request, name: str) -> Response:
    community, as_json = _split(name)
    query = {k: request.args[k] for k in SCREEN_QUERY if k in request.args}
    if as_json:
        return _json(lambda: worker.job.screen_feed(community=community, **query))
    return _page(lambda: worker.job.screen_page(community=community, **query),
                 f"{community} · 用工信息")


def certificate(worker, request, name: str) -> Response:
    number, as_json = _split(name)
    number = number.strip().upper()
    if as_json:
        return _json(lambda: worker.volunteer.verify_certificate(number=number))
    check_url = certificate_check_url(request, Settings.of(worker.config), number)
    return _page(lambda: worker.volunteer.render_certificate(
        number=number, check_url=check_url)["html"], "志愿服务记录证明核验")


def certificate_check_url(request, settings: Settings, number: str) -> str:
    """Where anyone checks a certificate: its public page."""
    return public_address(request, settings, f"/public/certificates/{quote(number, safe='')}")


def _split(name: str) -> tuple[str, bool]:
    if name.endswith(".json"):
        return name[:-5], True
    return name, False


def _json(call) -> Response:
    try:
        response = json_response(call())
    except Exception as error:
        response = error_response(as_typed(error))
    response.headers.update(HEADERS)
    return response


def _page(call, title: str) -> Response:
    try:
        return Response(call(), content_type=HTML, headers=HEADERS)
    except Exception as error:
        typed: XiuhuaError = as_typed(error)
        page = ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f'<title>{escape(title)}</title>\n</head>\n<body>\n'
                f'<h1>{escape(title)}</h1>\n<p>{escape(typed.message)}</p>\n'
                '</body>\n</html>\n')
        return Response(page, status=typed.http_status, content_type=HTML, headers=HEADERS)
