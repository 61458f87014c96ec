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
from pathlib import Path

import kombu
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from pymongo import MongoClient

from shared.envelope import Envelope
from shared.outbox import ConfirmingPublisher, exchange_name

TEST_PII_KEY = "dGVzdC1vbmx5LWtleS1ub3QtZm9yLXJlYWwtZGF0YSE="  # 32 bytes, tests only


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


@pytest.fixture
def db_prefix(mongo_client):
    prefix = f"t{uuid.uuid4().hex[:10]}_"
    yield prefix
    for name in mongo_client.list_database_names():
        if name.startswith(prefix):
            mongo_client.drop_database(name)


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
    }


@pytest.fixture
def service_db(mongo_client, db_prefix):
    """The database a service owns in this test: service_db('repair')."""
    return lambda service_name: mongo_client[f"{db_prefix}{service_name}"]


@pytest.fixture
def start_service(container_factory, service_config):
    def start(service_cls, **overrides):
        container = container_factory(service_cls, {**service_config, **overrides})
        container.start()
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

    def __init__(self, amqp_uri: str, source: str):
        self.connection = kombu.Connection(amqp_uri)
        exchange = kombu.Exchange(exchange_name(source), type="topic", durable=True)
        self.queue = kombu.Queue(f"test-tap-{source}-{uuid.uuid4().hex[:8]}", exchange,
                                 routing_key="#", exclusive=True)
        self.simple = self.connection.SimpleQueue(self.queue)
        self.seen: list[dict] = []

    def _drain(self, timeout: float):
        try:
            message = self.simple.get(timeout=timeout)
        except self.simple.Empty:
            return False
        message.ack()
        self.seen.append(message.payload)
        return True

    def wait_for(self, event_type: str, where=lambda data: True, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for body in self.seen:
                if body["type"] == event_type and where(body["data"]):
                    return body
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {event_type} event within {timeout}s; "
                                     f"saw {[b['type'] for b in self.seen]}")
            self._drain(min(remaining, 0.5))

    def types(self, settle: float = 0.5) -> list[str]:
        while self._drain(settle):
            pass
        return [b["type"] for b in self.seen]

    def close(self):
        self.simple.close()
        self.connection.release()


@pytest.fixture
def event_tap(service_config):
    taps = []

    def tap(source: str) -> EventTap:
        taps.append(EventTap(service_config["AMQP_URI"], source))
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
