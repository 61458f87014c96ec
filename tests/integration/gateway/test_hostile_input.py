"""Input the API must refuse, through real HTTP, each refusal changing nothing: a change with
no body, a body that is not JSON, a body over the limit (answered before it is read), a
chunked body, an undeclared method (405 with Allow); and the security headers and the
Secure session cookie."""
import base64
import socket
from urllib.parse import urlparse

import pytest

from tests.integration.gateway.conftest import ADMIN_PASSWORD, Client

LIMIT = 16 * 1024
CALENDAR = {"holidays": ["2026-10-01", "2026-10-02"], "extra_workdays": ["2026-09-27"]}
LAMP = {"category": "street_light", "community": "浚河社区", "alley": "新宇巷",
        "description": "路灯不亮", "channel": "grid_worker",
        "reporter": {"name": "张清松", "phone": "13812345678"}}


@pytest.fixture
def gateway_config(gateway_config):
    return {**gateway_config, "MAX_BODY_BYTES": LIMIT, "TRUSTED_PROXIES": "127.0.0.1/32"}


def orders(admin):
    return admin.get("/api/work-orders").json()["total"]


def test_a_replacement_without_a_body_is_refused_and_changes_nothing(admin):
    assert admin.put("/api/repair/calendar", json=CALENDAR).status_code == 200
    for body in (None, b"", b"{}"):
        refused = admin.put("/api/repair/calendar", data=body,
                            headers={"Content-Type": "application/json"})
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "BODY_REQUIRED"
    assert of_2026(admin.get("/api/repair/calendar").json()) == CALENDAR
    # Giving the office's own dates up on purpose is still possible, by saying so: 2026 is
    # China's statutory calendar again (more than the two days set above).
    emptied = admin.put("/api/repair/calendar", json={"holidays": [], "extra_workdays": []})
    assert emptied.status_code == 200
    assert len(of_2026(emptied.json())["holidays"]) > len(CALENDAR["holidays"])


def of_2026(calendar: dict) -> dict:
    """The calendar shows every year it knows: the office's own dates of 2026 set here, and
    the statutory dates of the other years."""
    return {kind: [day for day in days if day.startswith("2026-")]
            for kind, days in calendar.items()}


def test_a_body_that_is_not_json_is_refused_415(admin):
    import json
    text = json.dumps(LAMP, ensure_ascii=False).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": content_type} if content_type else {}
        refused = admin.post("/api/work-orders", data=text, headers=headers)
        assert refused.status_code == 415, (content_type, refused.text)
        assert refused.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert orders(admin) == 0
    served = admin.post("/api/work-orders", data=text,
                        headers={"Content-Type": "application/json; charset=utf-8"})
    assert served.status_code == 201


def test_a_body_over_the_limit_is_refused_413_and_left_unread(admin, gateway):
    padded = {**LAMP, "description": "路" * LIMIT}
    refused = admin.post("/api/work-orders", json=padded)
    assert refused.status_code == 413 and refused.json()["code"] == "BODY_TOO_LARGE"
    assert orders(admin) == 0
    # 20 MB announced, 64 KB sent: the answer comes without the rest being waited for.
    token = admin.cookies.get("xiuhua_session")
    address = urlparse(gateway)
    with socket.create_connection((address.hostname, address.port), timeout=10) as raw:
        raw.sendall(("POST /api/work-orders HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\nContent-Length: 20000000\r\n"
                     f"Authorization: Bearer {token}\r\n\r\n").encode() + b"{" * 65536)
        head = raw.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 413"), head[:200]
    assert orders(admin) == 0
    audited = admin.get("/api/audit", params={"action": "work_orders.report"}).json()
    assert [e["status"] for e in audited["items"]] == [413, 413]


def test_imports_have_their_own_larger_limit(admin):
    content = base64.b64encode(b"x" * (LIMIT * 2)).decode()
    answer = admin.post("/api/imports/volunteers", json={"filename": "名册.csv",
                                                         "content": content})
    assert answer.status_code == 422, answer.text  # read, and refused for what it holds
    assert answer.json()["code"].startswith("IMPORT_")


def test_a_chunked_body_is_refused_411(admin):
    def chunks():
        yield b'{"holidays": []'
        yield b', "extra_workdays": []}'
    refused = admin.put("/api/repair/calendar", data=chunks(),
                        headers={"Content-Type": "application/json"})
    assert refused.status_code == 411 and refused.json()["code"] == "LENGTH_REQUIRED"


def test_undeclared_methods_are_405_with_allow(admin, anonymous):
    for method, path, allowed in (("TRACE", "/api/work-orders", {"GET", "HEAD", "POST"}),
                                  ("DELETE", "/api/work-orders", {"GET", "HEAD", "POST"}),
                                  ("OPTIONS", "/api/repair/calendar", {"GET", "HEAD", "PUT"}),
                                  ("TRACE", "/", {"GET", "HEAD"})):
        answer = admin.request(method, path)
        assert answer.status_code == 405, (method, path, answer.text)
        assert answer.json()["code"] == "METHOD_NOT_ALLOWED"
        assert {m.strip() for m in answer.headers["Allow"].split(",")} == allowed, path
    assert anonymous.request("TRACE", "/open311/v2/services.json").status_code == 405
    assert "Allow" in anonymous.request("TRACE", "/open311/v2/services.json").headers


def test_every_answer_carries_the_security_headers(admin, anonymous):
    for client, path in ((anonymous, "/"), (anonymous, "/console/app.css"),
                         (anonymous, "/api/work-orders"), (admin, "/api/work-orders"),
                         (anonymous, "/open311/v2/services.json"),
                         (anonymous, "/public/certificates/NOPE.json"),
                         (anonymous, "/nothing-here"), (anonymous, "/healthz")):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["Referrer-Policy"] == "no-referrer", path
    assert admin.get("/api/work-orders").headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_secure_when_served_over_tls(gateway):
    with Client(gateway) as plain:
        plain.post("/api/session", json={"username": "admin", "password": ADMIN_PASSWORD})
        cookie = next(c for c in plain.cookies if c.name == "xiuhua_session")
        assert not cookie.secure
    with Client(gateway) as proxied:  # TLS ended at a trusted proxy
        answer = proxied.post("/api/session", json={"username": "admin",
                                                     "password": ADMIN_PASSWORD},
                              headers={"X-Forwarded-Proto": "https"})
        assert "; Secure" in answer.headers["Set-Cookie"]
        assert "HttpOnly" in answer.headers["Set-Cookie"]
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
