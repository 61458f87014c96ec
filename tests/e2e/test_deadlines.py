"""The gateway's calls to the services have a deadline: with a service stopped, its routes
answer 503 with a typed code within RPC_TIMEOUT (5 s here) instead of hanging, the other
services' routes keep working, and the service's routes work again once it is back."""
from __future__ import annotations

import time

import pytest
import requests

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]


def test_a_stopped_service_gives_a_clear_503_from_the_gateway_not_a_hang(system):
    session = requests.Session()
    login = session.post(f"{system.web}/api/session", timeout=30,
                         json={"username": "admin", "password": "e2e-admin-password"})
    assert login.status_code == 200, login.text
    assert session.get(f"{system.web}/api/employers", timeout=30).status_code == 200

    system.stop_service("job")
    try:
        started = time.monotonic()
        answer = session.get(f"{system.web}/api/employers", timeout=30)
        took = time.monotonic() - started
        assert answer.status_code == 503, answer.text
        assert answer.json()["code"] == "SERVICE_TIMEOUT" and took < 5 + 5
        assert session.get(f"{system.web}/api/work-orders", timeout=30).status_code == 200
    finally:
        system.start_service("job")
        system.wait_healthy(["job"])
    assert session.get(f"{system.web}/api/employers", timeout=30).status_code == 200
