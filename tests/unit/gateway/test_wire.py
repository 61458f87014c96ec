"""The client's address and the cookie's Secure flag, decided from the gateway's settings."""
import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway.wire import Settings, client_address, cookie_secure

PROXIES = {"TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.10"}


def request(peer, forwarded=None, proto=None, scheme="http"):
    headers = {}
    if forwarded is not None:
        headers["X-Forwarded-For"] = forwarded
    if proto is not None:
        headers["X-Forwarded-Proto"] = proto
    environ = EnvironBuilder(path="/api/session", headers=headers,
                             base_url=f"{scheme}://gateway").get_environ()
    environ["REMOTE_ADDR"] = peer
    return Request(environ)


@pytest.mark.parametrize("peer, forwarded, expected", [
    ("203.0.113.5", "198.51.100.1", "203.0.113.5"),        # not a proxy: header ignored
    ("10.1.1.1", "198.51.100.1", "198.51.100.1"),          # our proxy: its client
    ("10.1.1.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client's own claim first
    ("10.1.1.1", "203.0.113.7, 10.2.2.2, 192.0.2.10", "203.0.113.7"),  # through two proxies
    ("10.1.1.1", None, "10.1.1.1"),
    ("10.1.1.1", "10.3.3.3", "10.3.3.3"),                  # nothing but proxies: the first
])
def test_the_client_address_believes_only_trusted_proxies(peer, forwarded, expected):
    assert client_address(request(peer, forwarded), Settings.of(PROXIES)) == expected


def test_without_trusted_proxies_the_peer_is_the_client():
    assert client_address(request("10.1.1.1", "198.51.100.1"), Settings.of({})) == "10.1.1.1"


def test_the_session_cookie_is_secure_over_tls_or_when_told():
    auto = Settings.of(PROXIES)
    assert cookie_secure(request("203.0.113.5", scheme="https"), auto)
    assert not cookie_secure(request("203.0.113.5"), auto)
    assert not cookie_secure(request("203.0.113.5", proto="https"), auto)  # not our proxy
    assert cookie_secure(request("10.1.1.1", proto="https"), auto)
    assert cookie_secure(request("203.0.113.5"), Settings.of({"SESSION_COOKIE_SECURE": "true"}))
    never = Settings.of({"SESSION_COOKIE_SECURE": "false"})
    assert not cookie_secure(request("203.0.113.5", scheme="https"), never)
    with pytest.raises(ValueError):
        Settings.of({"SESSION_COOKIE_SECURE": "sometimes"})


def test_body_limits_come_from_the_settings_with_defaults():
    assert Settings.of({}).max_body_bytes == 1024 * 1024
    assert Settings.of({}).import_max_body_bytes == 8 * 1024 * 1024
    assert Settings.of({"MAX_BODY_BYTES": "4096"}).max_body_bytes == 4096
    assert Settings.of({"TRUSTED_PROXIES": ["10.0.0.0/8"]}).trusted_proxies[0].prefixlen == 8
