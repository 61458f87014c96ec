"""Fixtures for the fault tests: the services as `nameko run` processes (see tests/e2e/harness),
on a private SecantusDB that a test may kill, and on a vhost of the machine's RabbitMQ or — for
the tests that restart the broker — a private RabbitMQ node or a private three-node cluster.
The machine's broker is shared with other tests and is never stopped.

Times to recover that a test measures are reported, not asserted: `report_recovery` prints
them in the run's summary and writes them to test-artefacts/broker-cluster.json."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.e2e.harness import ROOT, Database, SharedBrokerVhost, System

RECOVERY = pytest.StashKey[list]()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: a fault test that restarts a broker, a database or a service")
    config.addinivalue_line(
        "markers", "cluster: runs on a three-node RabbitMQ cluster of its own")
    config.stash[RECOVERY] = []


def artefact_path() -> Path:
    return Path(os.environ.get("XIUHUA_TEST_ARTEFACTS") or ROOT / "test-artefacts") \
        / "broker-cluster.json"


@pytest.fixture
def report_recovery(request):
    """report(scenario, reconciled, figures): figures are seconds (or lists), by name."""
    def report(scenario: str, reconciled: dict, figures: dict) -> None:
        events, requests_ = reconciled["events"], reconciled["requests"]
        entry = {"test": request.node.name, "scenario": scenario,
                 "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                 "events": {k: events[k] for k in ("sent", "copies", "arrived")},
                 "requests": {"answered": requests_["answers"],
                              "acknowledged": requests_["acknowledged"],
                              "refused": {f"{s} {c}": n
                                          for (s, c), n in requests_["refused"].items()}},
                 "seconds": {k: round(v, 1) if isinstance(v, float) else v
                             for k, v in figures.items()}}
        request.config.stash[RECOVERY].append(entry)
        print(f"\n{scenario}: {json.dumps(entry, ensure_ascii=False)}")
    return report


def pytest_terminal_summary(terminalreporter, config):
    entries = config.stash.get(RECOVERY, [])
    if not entries:
        return
    path = artefact_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    terminalreporter.section("broker cluster: time to recover (measured, not asserted)")
    for entry in entries:
        terminalreporter.line(f"{entry['scenario']}: {entry['events']['sent']} events, "
                              f"{entry['requests']['acknowledged']} of "
                              f"{entry['requests']['answered']} requests acknowledged, "
                              f"refused {entry['requests']['refused'] or 'none'}")
        for name, value in entry["seconds"].items():
            terminalreporter.line(f"    {name}: {value}" + (" s" if isinstance(value, float)
                                                             else ""))
    terminalreporter.line(f"written to {path}")


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
    running.queue_counts, running.queue_lag = vhost.queue_counts, vhost.lag
    try:
        running.start()
        yield running
    finally:
        running.close()
