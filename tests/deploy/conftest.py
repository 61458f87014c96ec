"""Fixtures for checking the deployment: the compose checker, the broker's management API
and running the deploy/ command-line tools as an operator would."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def load_tool(relative: str):
    """Import a deploy/ script as a module (deploy/ is not a package: its scripts run alone)."""
    name = "deploy_" + relative.replace("/", "_").removesuffix(".py")
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, DEPLOY / relative)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def run_tool(script: str, *args: str, env: dict | None = None, timeout: float = 120
             ) -> subprocess.CompletedProcess:
    """Run a deploy/ script with this interpreter, from the project root, as a container does."""
    return subprocess.run([sys.executable, str(DEPLOY / script), *args], cwd=ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="session")
def docker_compose() -> str:
    """Debian's docker-compose 1.29: `config` validates a compose file without an engine.
    Installed with apt when missing and running as root; otherwise the test fails and says
    what to do (it is not skipped: an unchecked compose file is not checked)."""
    found = shutil.which("docker-compose")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail("docker-compose is needed to check docker-compose.yml and is not installed."
                    " Install it: sudo apt-get install -y docker-compose")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "docker-compose"]
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:  # the package lists may be missing or stale
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
    found = shutil.which("docker-compose")
    if not found:
        pytest.fail("could not install docker-compose with apt-get:\n" + result.stderr[-2000:])
    return found


class RabbitApi:
    """The broker's management API as the test's administrator (guest)."""

    def __init__(self, uri: str):
        rabbit_provision = load_tool("rabbitmq/provision.py")
        parsed = urlparse(uri)
        self.base = f"{parsed.scheme}://{parsed.hostname}:{parsed.port or 15672}"
        self.api = rabbit_provision.ManagementApi(self.base, parsed.username or "guest",
                                                  parsed.password or "guest")

    def queues(self, vhost: str) -> list[str]:
        from urllib.parse import quote
        return [q["name"] for q in self.api.call("GET", f"/queues/{quote(vhost, safe='')}")]

    def delete_user(self, name: str) -> None:
        from urllib.parse import quote
        try:
            self.api.call("DELETE", f"/users/{quote(name, safe='')}")
        except RuntimeError:
            pass


@pytest.fixture(scope="session")
def rabbit_api(request) -> RabbitApi:
    return RabbitApi(request.config.getoption("RABBIT_API_URI"))


@pytest.fixture
def user_prefix(rabbit_api):
    """Broker users are global: every test gets its own names, and they are removed after."""
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    yield prefix
    for user in rabbit_api.api.call("GET", "/users"):
        if user["name"].startswith(prefix):
            rabbit_api.delete_user(user["name"])


def amqp_uri_for(rabbit_config: dict, user: str, password: str) -> str:
    parsed = urlparse(rabbit_config["AMQP_URI"])
    return f"{parsed.scheme}://{user}:{password}@{parsed.hostname}:{parsed.port or 5672}/" \
           f"{rabbit_config['vhost']}"
