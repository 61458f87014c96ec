"""Fixtures for tests that use the real broker and the real database.

- One SecantusDB server per test session (a real MongoDB wire server on WiredTiger), started on
  a free port with its own data folder; `TEST_MONGO_URI` points the tests at another server.
- Every test gets its own database prefix (dropped afterwards) and, through nameko's
  `rabbit_config`, its own RabbitMQ vhost: tests never see each other's data or queues.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path

import kombu
import pymongo
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from shared.envelope import Envelope
from shared.outbox import ConfirmingPublisher, exchange_name
from tests.quiet import not_work, ready_by_passive_declare, wait_quiet
from tests.vhosts import Vhosts, bounded

from tests.constants import CHEAP_PASSWORD_HASHES, TEST_PII_KEY  # noqa: F401 (re-exported)


def running_in_ci() -> bool:
    """CI=true (or any value but false/0/no): the run must prove everything it names."""
    return os.environ.get("CI", "").strip().lower() not in ("", "false", "0", "no")


def require(condition: bool, reason: str) -> None:
    """The one way a test says it cannot run here (no broker binaries for a private node, no
    RabbitMQ installed, ...): skipped on a developer's machine, FAILED under CI, so that a
    green CI always means the broker-restart, TLS, cluster and kill tests really ran."""
    if condition:
        return
    if running_in_ci():
        pytest.fail(f"{reason} (CI: a test that cannot run fails instead of being skipped)",
                    pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def secantus_command() -> str:
    found = Path(sys.executable).with_name("secantusd-py")
    return str(found) if found.exists() else shutil.which("secantusd-py")


def start_secantus(data_dir: Path, port: int, *extra: str) -> subprocess.Popen:
    log = open(data_dir.parent / f"secantus-{port}.log", "ab")
    process = subprocess.Popen(
        [secantus_command(), "--host", "127.0.0.1", "--port", str(port), "--storage-path",
         str(data_dir), "--log-level", "WARNING", *extra], stdout=log, stderr=log)
    wait_for_mongo(f"mongodb://127.0.0.1:{port}/?retryWrites=false", process)
    return process


def wait_for_mongo(uri: str, process=None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"SecantusDB exited with {process.returncode}")
        try:
            with MongoClient(uri, serverSelectionTimeoutMS=500) as client:
                client.admin.command("ping")
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"no MongoDB answered at {uri} within {timeout}s")


@pytest.fixture(scope="session")
def rabbit_manager(request):
    """nameko's management API client, every call bounded (tests/vhosts.py)."""
    from nameko.testing import rabbit
    return bounded(rabbit.Client(request.config.getoption("RABBIT_API_URI")))


@pytest.fixture(scope="session")
def vhost_pipeline(request, rabbit_manager):
    """Replaces nameko's pipeline, which can leave a test waiting forever (tests/vhosts.py)."""
    from urllib.parse import urlparse
    vhosts = Vhosts(rabbit_manager, urlparse(request.config.getoption("RABBIT_AMQP_URI")).username)
    yield vhosts
    failures = vhosts.close()
    if failures:
        print(f"vhosts not removed: {failures}")


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory):
    configured = os.environ.get("TEST_MONGO_URI")
    if configured:
        yield configured
        return
    port = free_port()
    process = start_secantus(tmp_path_factory.mktemp("secantus") / "data", port)
    yield f"mongodb://127.0.0.1:{port}/?retryWrites=false"
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def mongo_client(mongo_uri):
    with MongoClient(mongo_uri, tz_aware=True) as client:
        yield client


DROP_SECONDS = 60


def drop_databases(mongo_client, prefix: str) -> None:
    """A test's databases, dropped when it ends. On a busy machine the embedded database has
    taken minutes to drop one (it drops under its global lock, behind whatever else holds it);
    a test's verdict must not hang on that. A drop still unanswered after DROP_SECONDS is left
    to the server to finish (the prefix is never used again) and said as a warning."""
    try:
        with pymongo.timeout(DROP_SECONDS):
            for name in mongo_client.list_database_names():
                if name.startswith(prefix):
                    mongo_client.drop_database(name)
    except PyMongoError as error:
        warnings.warn(f"the databases {prefix}* were not dropped within {DROP_SECONDS} s: "
                      f"{error}", stacklevel=2)


@pytest.fixture
def db_prefix(mongo_client):
    prefix = f"t{uuid.uuid4().hex[:10]}_"
    yield prefix
    drop_databases(mongo_client, prefix)


@pytest.fixture
def service_config(rabbit_config, mongo_uri, db_prefix):
    return {
        **rabbit_config,
        "MONGO_URI": mongo_uri,
        "MONGO_DB_PREFIX": db_prefix,
        "PII_KEY": TEST_PII_KEY,
        "EVENT_MAX_ATTEMPTS": 3,
        "EVENT_RETRY_DELAY": 0.05,
        "OUTBOX_POLL_SECONDS": 0.2,
        "max_workers": 10,
        **CHEAP_PASSWORD_HASHES,
        "NOTIFY_QUIET_HOURS": "off",  # tests run at any hour; quiet hours are tested by name
    }


@pytest.fixture
def service_db(mongo_client, db_prefix):
    """The database a service owns in this test: service_db('repair')."""
    return lambda service_name: mongo_client[f"{db_prefix}{service_name}"]


@pytest.fixture
def start_service(container_factory, service_config, started_containers):
    def start(service_cls, **overrides):
        container = container_factory(service_cls, {**service_config, **overrides})
        container.start()
        started_containers.append(container)
        return container
    return start


@pytest.fixture
def rpc(service_config):
    """RPC through the broker, as another service or the gateway calls: rpc.repair.method()."""
    with ClusterRpcProxy(service_config, timeout=30) as proxy:
        yield proxy


def wait_until(predicate, timeout: float = 10, interval: float = 0.05, message: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or predicate}")
        time.sleep(interval)


class EventTap:
    """A queue bound to one service's event exchange: what that service really published."""

    def __init__(self, amqp_uri: str, source: str, quiet=None):
        self.connection = kombu.Connection(amqp_uri)
        exchange = kombu.Exchange(exchange_name(source), type="topic", durable=True)
        self.queue = kombu.Queue(f"test-tap-{source}-{uuid.uuid4().hex[:8]}", exchange,
                                 routing_key="#", exclusive=True)
        self.bound = self.queue(self.connection.channel())
        self.bound.declare()
        self.quiet = quiet
        self.seen: list[dict] = []

    def drain(self) -> list[dict]:
        """Everything in the tap's queue now (basic.get until the broker says it is empty)."""
        while (message := self.bound.get(no_ack=True)) is not None:
            self.seen.append(message.payload)
        return self.seen

    def wait_for(self, event_type: str, where=lambda data: True, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for body in self.seen:
                if body["type"] == event_type and where(body["data"]):
                    return body
            if time.monotonic() > deadline:
                raise AssertionError(f"no {event_type} event within {timeout}s; "
                                     f"saw {[b['type'] for b in self.seen]}")
            if len(self.seen) == len(self.drain()):
                time.sleep(0.05)

    def types(self, wait_quiet: bool = True) -> list[str]:
        """Every event type published so far, in order — once the system is quiet (no event
        waiting in an outbox, no message queued or being handled), so that "these and no
        more" is a finding; `wait_quiet=False` only where nothing can be on its way."""
        if wait_quiet and self.quiet is not None:
            self.quiet()
        return [b["type"] for b in self.drain()]

    def close(self):
        self.connection.release()


@pytest.fixture
def started_containers():
    """The services this test started in its own process (their running workers are work
    still under way)."""
    return []


@pytest.fixture
def quiet(service_config, rabbit_manager, mongo_client, db_prefix, started_containers):
    """quiet(timeout=30): until this test's services are quiet (tests/quiet.py): their outboxes
    empty, their queues (delay queues too) empty, none of their workers running."""
    vhost = service_config["vhost"]

    def queues():
        names = [q["name"] for q in rabbit_manager.get_queues(vhost) if not not_work(q["name"])]
        return ready_by_passive_declare(service_config["AMQP_URI"], names)

    def wait(timeout: float = 30) -> dict:
        return wait_quiet(
            outboxes=lambda: [mongo_client[name] for name in mongo_client.list_database_names()
                              if name.startswith(db_prefix)],
            queues=queues,
            workers=lambda: sum(len(c._worker_threads) for c in started_containers),
            timeout=timeout)
    return wait


@pytest.fixture
def event_tap(service_config, quiet):
    taps = []

    def tap(source: str) -> EventTap:
        taps.append(EventTap(service_config["AMQP_URI"], source, quiet))
        return taps[-1]
    yield tap
    for t in taps:
        t.close()


@pytest.fixture
def publish_event(service_config):
    """Publish a catalogue event as its producing service's relay would."""
    publisher = ConfirmingPublisher(service_config["AMQP_URI"])

    def publish(event_type, data, envelope: Envelope | None = None) -> Envelope:
        envelope = envelope or Envelope.new(event_type, data)
        publisher.publish_batch([(exchange_name(envelope.source), envelope.type,
                                  envelope.to_message(), envelope.event_id, {})])
        return envelope
    yield publish
    publisher.close()


@pytest.fixture
def queue_messages(service_config):
    """Take what is waiting in a queue, e.g. a dead-letter queue, without decoding it (a dead
    letter may be exactly the body that could not be decoded)."""
    def read(queue: kombu.Queue, expected: int = 1, timeout: float = 10) -> list:
        messages = []
        deadline = time.monotonic() + timeout
        with kombu.Connection(service_config["AMQP_URI"]) as connection:
            bound = queue(connection.channel())
            bound.declare()
            while len(messages) < expected and time.monotonic() < deadline:
                message = bound.get(no_ack=True)
                if message is None:
                    time.sleep(0.1)
                    continue
                messages.append(message)
        return messages
    return read
