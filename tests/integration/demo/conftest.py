"""The whole system (every service and the gateway) in one runner on the real broker and
SecantusDB, for the demo, import and report tests."""
import importlib.util
from pathlib import Path

import pytest
import requests

from services.activity.service import ActivityService
from services.gateway.service import GatewayService
from services.job.service import JobService
from services.notify.service import NotifyService
from services.repair.service import RepairService
from services.volunteer.service import VolunteerService

ROOT = Path(__file__).resolve().parents[3]
SERVICES = (RepairService, ActivityService, VolunteerService, JobService, NotifyService)


def load_module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "deploy" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def demo_module():
    return load_module("demo")


@pytest.fixture
def system(runner_factory, service_config):
    runner = runner_factory(service_config, *SERVICES)
    runner.start()
    return service_config


@pytest.fixture
def gateway_system(runner_factory, service_config):
    """Every service and the gateway, reached through real HTTP on a free port."""
    from tests.conftest import free_port
    config = {**service_config, "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
              "BOOTSTRAP_ADMIN_USERNAME": "admin", "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
              "RPC_TIMEOUT": 30}
    runner = runner_factory(config, GatewayService, *SERVICES)
    runner.start()
    return f"http://{config['WEB_SERVER_ADDRESS']}"


ADMIN_PASSWORD = "admin-pass-2026"


class Client(requests.Session):
    def __init__(self, base):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.base + url, *args, timeout=120, **kwargs)

    def login(self, username, password):
        response = self.post("/api/session", json={"username": username, "password": password})
        assert response.status_code == 200, response.text


@pytest.fixture
def admin_client(gateway_system):
    with Client(gateway_system) as client:
        client.login("admin", ADMIN_PASSWORD)
        yield client


@pytest.fixture
def user_client(admin_client, gateway_system):
    clients = []

    def make(role, **limits):
        username = f"{role.replace('_', '')}{len(clients)}"
        response = admin_client.post("/api/accounts", json={
            "username": username, "password": "pass-word-1", "name": f"测试{role}",
            "role": role, **limits})
        assert response.status_code == 201, response.text
        client = Client(gateway_system)
        client.login(username, "pass-word-1")
        clients.append(client)
        return client
    yield make
    for client in clients:
        client.close()
