"""The end-to-end fixture: every service as its own `nameko run` process, as `make run` runs
them, on a vhost of their own on the machine's RabbitMQ and a private SecantusDB started with
`--sync-on-commit`; the topology is declared before any service starts, each service's log is
kept, readiness is each service answering its `health` RPC, and teardown ends the processes by
PID. One system serves the whole e2e package: the flows use data of their own."""
from __future__ import annotations

import pytest

from tests.e2e.harness import Database, SharedBrokerVhost, System


@pytest.fixture(scope="package")
def system(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e")
    vhost = SharedBrokerVhost().start()
    database = Database(folder / "db")
    database.start()
    running = System(folder, vhost.uri, database.uri)
    running.queue_counts, running.queue_lag = vhost.queue_counts, vhost.lag
    try:
        running.start()
        yield running
    finally:
        running.close()
        database.close()
        vhost.close()


@pytest.fixture
def rpc(system):
    with system.rpc() as proxy:
        yield proxy
