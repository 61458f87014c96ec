"""Fixtures for the notification service's integration tests: the real broker and database,
a real SMTP server (aiosmtpd) on a free loopback port, an HTTP server on loopback that speaks
Tencent Cloud SMS's API (and checks its TC3-HMAC-SHA256 signature), and a 12345 receiver
that checks the callback's signature and can be told to fail first."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import datetime, timezone
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from services.activity.service import ActivityService
from services.job.service import JobService
from services.notify.service import NotifyService
from services.repair.service import RepairService
from services.volunteer.service import VolunteerService
from tests.conftest import free_port

ADMIN = {"id": "u-admin", "name": "周启春", "role": "street_admin"}
TENCENT_ID, TENCENT_KEY = "AKIDtest0000000000000000", "tencent-test-secret-key"
HOTLINE_SECRET = "hotline-shared-secret-for-tests"


class Mailbox:
    """What the SMTP server received, parsed."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "mail": mail})
        return "250 OK"

    def to(self, address: str) -> list:
        return [m["mail"] for m in self.messages if address in m["to"]]


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


class _Server:
    def __init__(self, handler):
        self.http = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.http.owner = self
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()
        self.port = self.http.server_address[1]

    def close(self):
        self.http.shutdown()
        self.http.server_close()


def tc3_signature(secret_key: str, method: str, headers: dict, body: bytes) -> str:
    """Tencent Cloud API 3.0's TC3-HMAC-SHA256, as its documentation describes it."""
    timestamp = int(headers["X-TC-Timestamp"])
    date = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    canonical = "\n".join([method, "/", "", f"content-type:{headers['Content-Type']}\n"
                           f"host:{headers['Host']}\n", "content-type;host",
                           hashlib.sha256(body).hexdigest()])
    scope = f"{date}/sms/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])

    def mac(key, text):
        return hmac.new(key, text.encode(), hashlib.sha256).digest()
    key = mac(mac(mac(("TC3" + secret_key).encode(), date), "sms"), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class TencentSmsHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        server = self.server.owner
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {k: self.headers[k] for k in ("X-TC-Timestamp", "Content-Type", "Host",
                                                "X-TC-Action", "Authorization")}
        expected = tc3_signature(TENCENT_KEY, "POST", headers, body)
        signed = headers["Authorization"].rsplit("Signature=", 1)[-1]
        request = json.loads(body)
        server.requests.append({"action": headers["X-TC-Action"], "body": request,
                                "signature_ok": signed == expected})
        if signed != expected or TENCENT_ID not in headers["Authorization"]:
            answer = {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                             "Message": "签名验证失败"}, "RequestId": "r-1"}}
        elif server.refuse:
            answer = {"Response": {"SendStatusSet": [{
                "SerialNo": "", "PhoneNumber": request["PhoneNumberSet"][0], "Fee": 0,
                "SessionContext": request.get("SessionContext", ""),
                "Code": server.refuse, "Message": "拒绝", "IsoCode": "CN"}], "RequestId": "r-2"}}
        else:
            serial = f"2433:{len(server.requests):010d}"
            answer = {"Response": {"SendStatusSet": [{
                "SerialNo": serial, "PhoneNumber": request["PhoneNumberSet"][0], "Fee": 1,
                "SessionContext": request.get("SessionContext", ""), "Code": "Ok",
                "Message": "send success", "IsoCode": "CN"}], "RequestId": "r-3"}}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def tencent_server():
    server = _Server(TencentSmsHandler)
    server.requests, server.refuse = [], None
    yield server
    server.close()


class HotlineHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        receiver = self.server.owner
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(HOTLINE_SECRET.encode(), body,
                                        hashlib.sha256).hexdigest()
        verified = hmac.compare_digest(expected, self.headers.get("X-Xiuhua-Signature", ""))
        parsed = json.loads(body)
        receiver.received.append({"body": parsed, "verified": verified,
                                  "timestamp": self.headers.get("X-Xiuhua-Timestamp"),
                                  "delivery": self.headers.get("X-Xiuhua-Delivery")})
        status = 200 if verified else 401
        if receiver.fail_first > 0:
            receiver.fail_first -= 1
            status = 503
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


@pytest.fixture
def hotline_receiver():
    server = _Server(HotlineHandler)
    server.received, server.fail_first = [], 0
    server.url = f"http://127.0.0.1:{server.port}/12345/callback"
    yield server
    server.close()


@pytest.fixture
def notify_config(service_config, smtp_server):
    """Quick timers, no quiet hours (tests run at any hour), e-mail by the real SMTP server,
    SMS into the development mailbox."""
    return {**service_config, "NOTIFY_DELIVERY_SECONDS": 0.2, "NOTIFY_FANOUT_SECONDS": 0.3,
            "NOTIFY_HOTLINE_SECONDS": 0.2, "NOTIFY_QUIET_HOURS": "off",
            "NOTIFY_RETRY_SECONDS": 0.2, "NOTIFY_LEASE_SECONDS": 5,
            "NOTIFY_EMAIL_CHANNEL": "smtp", "NOTIFY_SMTP_HOST": "127.0.0.1",
            "NOTIFY_SMTP_PORT": smtp_server.port, "NOTIFY_SMTP_SECURITY": "none",
            "NOTIFY_EMAIL_FROM": "notice@guangling.example", "NOTIFY_SMS_CHANNEL": "development",
            "NOTIFY_RATE_LIMIT": "100/3600", "RPC_TIMEOUT": 20}


@pytest.fixture
def system(runner_factory, notify_config):
    """notify with every service it asks for addresses, in one runner."""
    def start(**overrides):
        config = {**notify_config, **overrides}
        runner = runner_factory(config, NotifyService, RepairService, ActivityService,
                                VolunteerService, JobService)
        runner.start()
        return config
    return start
