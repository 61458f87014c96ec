"""Fixtures for the fault tests: the services as `nameko run` processes (see tests/e2e/harness),
on a private SecantusDB that a test may kill, and on a vhost of the machine's RabbitMQ or — for
the tests that restart the broker — a private RabbitMQ node. The machine's broker is shared with
other tests and is never stopped."""
from __future__ import annotations

import pytest

from tests.e2e.harness import Database, SharedBrokerVhost, System


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: a fault test that restarts a broker, a database or a service")


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    db = Database(tmp_path_factory.mktemp("fault-db"))
    db.start()
    yield db
    db.close()


@pytest.fixture(scope="module")
def vhost():
    broker = SharedBrokerVhost().start()
    yield broker
    broker.close()


@pytest.fixture(scope="module")
def volunteer_system(tmp_path_factory, vhost, database):
    """The volunteer service (the consumer of the fault streams) alone."""
    running = System(tmp_path_factory.mktemp("fault-system"), vhost.uri, database.uri,
                     services=("volunteer",))
    try:
        running.start()
        yield running
    finally:
        running.close()
