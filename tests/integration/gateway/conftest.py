"""The gateway and the services it calls, running in nameko containers on the real broker and
SecantusDB, reached through real HTTP on a free port."""
import uuid

import pytest
import requests

from services.activity.service import ActivityService
from services.gateway.service import GatewayService
from services.job.service import JobService
from services.notify.service import NotifyService
from services.repair.service import RepairService
from services.volunteer.service import VolunteerService
from tests.conftest import drop_databases, free_port

ADMIN_PASSWORD = "admin-pass-2026"
SYSTEM = (GatewayService, RepairService, ActivityService, VolunteerService, JobService,
          NotifyService)


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
    runner = runner_factory(gateway_config, *SYSTEM)
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


def user_maker(admin, base, unique=False):
    """make(role, **limits) -> a signed-in client of a new account with that role."""
    clients = []

    def make(role, username=None, **limits):
        suffix = uuid.uuid4().hex[:8] if unique else str(len(clients))
        username = username or f"{role.replace('_', '')}{suffix}"
        response = admin.post("/api/accounts", json={
            "username": username, "password": "pass-word-1", "name": f"测试{role}",
            "role": role, **limits})
        assert response.status_code == 201, response.text
        client = Client(base)
        client.login(username, "pass-word-1")
        clients.append(client)
        return client
    return make, clients


@pytest.fixture
def make_user(admin, gateway):
    make, clients = user_maker(admin, gateway)
    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def module_config(request, rabbit_manager, mongo_client, mongo_uri):
    """The configuration of a system shared by a whole module: its own vhost and database
    prefix, removed afterwards."""
    from urllib.parse import urlparse

    from tests.conftest import CHEAP_PASSWORD_HASHES, TEST_PII_KEY

    amqp = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    vhost = f"xiuhua_module_{uuid.uuid4().hex[:10]}"
    rabbit_manager.create_vhost(vhost)
    rabbit_manager.set_vhost_permissions(vhost, amqp.username, ".*", ".*", ".*")
    prefix = f"m{uuid.uuid4().hex[:10]}_"
    yield {"AMQP_URI": f"{amqp.scheme}://{amqp.netloc}/{vhost}", "MONGO_URI": mongo_uri,
           "MONGO_DB_PREFIX": prefix, "PII_KEY": TEST_PII_KEY,
           "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
           "BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD, "RPC_TIMEOUT": 10,
           "NOTIFY_QUIET_HOURS": "off", **CHEAP_PASSWORD_HASHES}
    rabbit_manager.delete_vhost(vhost)
    drop_databases(mongo_client, prefix)


@pytest.fixture(scope="module")
def module_system(module_config):
    """One running gateway + services for a whole module (the fuzzer calls hundreds of
    operations; a fresh system per operation would cost minutes)."""
    from nameko.runners import ServiceRunner

    runner = ServiceRunner(module_config)
    for cls in SYSTEM:
        runner.add_service(cls)
    runner.start()
    yield f"http://{module_config['WEB_SERVER_ADDRESS']}"
    runner.kill()


@pytest.fixture(scope="module")
def module_db(module_config, mongo_client):
    """A service's database in the module's shared system: module_db("repair")."""
    return lambda service_name: mongo_client[f"{module_config['MONGO_DB_PREFIX']}{service_name}"]


@pytest.fixture(scope="module")
def module_admin(module_system):
    """The street admin of the module's shared system."""
    with Client(module_system) as client:
        client.login("admin", ADMIN_PASSWORD)
        yield client


@pytest.fixture
def module_make_user(module_admin, module_system):
    """make_user on the module's shared system (usernames made unique)."""
    make, clients = user_maker(module_admin, module_system, unique=True)
    yield make
    for client in clients:
        client.close()


def a_volunteer(admin, community="浚河社区") -> str:
    """The id of a new, approved volunteer (an account of role `volunteer` must name one)."""
    from tests.integration.gateway.samples.volunteer import volunteer_body
    registered = admin.post("/api/volunteers", json=volunteer_body(community))
    assert registered.status_code == 201, registered.text
    volunteer_id = registered.json()["id"]
    assert admin.post(f"/api/volunteers/{volunteer_id}/approve", json={}).status_code == 200
    return volunteer_id


def gateway_db(mongo_client, config):
    """The gateway's own database, for setting up what the API no longer lets anyone make."""
    return mongo_client[f"{config['MONGO_DB_PREFIX']}gateway"]
