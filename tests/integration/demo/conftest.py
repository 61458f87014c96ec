"""The whole system (every service and the gateway) in one runner on the real broker and
SecantusDB, for the demo, import and report tests."""
import importlib.util
from pathlib import Path

import pytest

from services.activity.service import ActivityService
from services.gateway.service import GatewayService
from services.job.service import JobService
from services.repair.service import RepairService
from services.volunteer.service import VolunteerService

ROOT = Path(__file__).resolve().parents[3]
SERVICES = (RepairService, ActivityService, VolunteerService, JobService)


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
