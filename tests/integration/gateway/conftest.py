"""The gateway and the services it calls, running in nameko containers on the real broker and
SecantusDB, reached through real HTTP on a free port."""
import pytest
import requests

from services.gateway.service import GatewayService
from services.repair.service import RepairService
from tests.conftest import free_port

ADMIN_PASSWORD = "admin-pass-2026"


class Client(requests.Session):
    def __init__(self, base):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.base + url, *args, timeout=30, **kwargs)

    def login(self, username, password):
        response = self.post("/api/session", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def gateway_config(service_config):
    return {**service_config, "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
            "BOOTSTRAP_ADMIN_USERNAME": "admin", "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "RPC_TIMEOUT": 10}


@pytest.fixture
def gateway(runner_factory, gateway_config):
    runner = runner_factory(gateway_config, GatewayService, RepairService)
    runner.start()
    return f"http://{gateway_config['WEB_SERVER_ADDRESS']}"


@pytest.fixture
def anonymous(gateway):
    with Client(gateway) as client:
        yield client


@pytest.fixture
def admin(gateway):
    with Client(gateway) as client:
        client.login("admin", ADMIN_PASSWORD)
        yield client


@pytest.fixture
def make_user(admin, gateway):
    clients = []

    def make(role, username=None, **limits):
        username = username or f"{role.replace('_', '')}{len(clients)}"
        response = admin.post("/api/accounts", json={
            "username": username, "password": "pass-word-1", "name": f"测试{role}",
            "role": role, **limits})
        assert response.status_code == 201, response.text
        client = Client(gateway)
        client.login(username, "pass-word-1")
        clients.append(client)
        return client
    yield make
    for client in clients:
        client.close()
