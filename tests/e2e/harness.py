"""The whole system as `make run` runs it, for end-to-end and fault tests.

Every service runs as its own `nameko run --config <config> services.<name>.service` process
(the config is deploy/config.yaml plus a few keys tests tune), after the messaging topology has
been declared, against:

- a broker: a throw-away vhost on the machine's RabbitMQ (`SharedBrokerVhost`), or a private
  RabbitMQ node of the test's own (`PrivateRabbit`) when a test stops and starts the broker —
  the machine's broker is shared with other tests and is never restarted;
- a private SecantusDB (`Database`) with `--sync-on-commit`, so that killing it loses no
  committed write, on its own data folder, which a test may kill and start again;
- its own database prefix, so nothing is shared with any other test.

Processes are started in their own session and ended by their PID only.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from functools import partial
from pathlib import Path
from urllib.parse import quote

import kombu
import requests
from nameko.standalone.rpc import ClusterRpcProxy
from pymongo import MongoClient

from shared import topology
from shared.envelope import Envelope
from shared.outbox import ConfirmingPublisher, exchange_name
from tests.quiet import ManagementCounts, rabbitmqctl_counts, wait_quiet

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
from tests.constants import CHEAP_PASSWORD_HASHES, TEST_PII_KEY  # noqa: F401 (re-exported)
ALL_SERVICES = ("repair", "activity", "volunteer", "job", "notify", "gateway")
# Keys deploy/config.yaml does not carry, appended for tests: quicker retries and polling.
TEST_CONFIG = {
    "EVENT_RETRY_DELAY": 0.1,
    "OUTBOX_POLL_SECONDS": 0.3,
    "MONGO_TIMEOUT_MS": 3000,
    "FOLLOW_UP_TIMER_SECONDS": 1,
}


def _dying_with_us(command: list[str]) -> list[str]:
    """The command, made to end when the test process dies, even by a signal or a hard exit
    that runs no teardown (util-linux `setpriv --pdeathsig`; without it, teardown alone)."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *command] if setpriv else command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float = 60, interval: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception as error:  # noqa: BLE001 - the system may be coming back
            value, last = None, error
        else:
            last = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for "
                                 f"{message or predicate}" + (f" (last error: {last!r})"
                                                              if last else ""))
        time.sleep(interval)


def end_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM by PID, then SIGKILL if it does not go."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)


# --- brokers -------------------------------------------------------------------------------

class SharedBrokerVhost:
    """A vhost of its own on the machine's RabbitMQ (through its management API)."""

    def __init__(self, host="127.0.0.1", port=5672, management=15672):
        self.vhost = f"xiuhua-e2e-{uuid.uuid4().hex[:10]}"
        self.api = f"http://{host}:{management}/api"
        self.uri = f"pyamqp://guest:guest@{host}:{port}/{quote(self.vhost, safe='')}"
        self.counts = None

    def start(self):
        auth = ("guest", "guest")
        requests.put(f"{self.api}/vhosts/{self.vhost}", auth=auth, timeout=10) \
            .raise_for_status()
        requests.put(f"{self.api}/permissions/{self.vhost}/guest", auth=auth, timeout=10,
                     json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
        return self

    def queue_counts(self) -> dict[str, int]:
        """Messages ready or being handled, per queue: exact through `rabbitmqctl` where this
        test may use it, else the management API's lagging figures (tests/quiet.py)."""
        if self.counts is None:
            exact = rabbitmqctl_counts(["rabbitmqctl"], self.vhost) is not None
            self.counts = (partial(rabbitmqctl_counts, ["rabbitmqctl"], self.vhost) if exact
                           else ManagementCounts(self.api, self.vhost, self.uri))
        return self.counts()

    @property
    def lag(self) -> float:  # how stale `queue_counts` may be, in seconds
        self.queue_counts()  # decides how they are counted
        return getattr(self.counts, "lag", 0.0)

    def close(self):
        requests.delete(f"{self.api}/vhosts/{self.vhost}", auth=("guest", "guest"), timeout=30)


class PrivateRabbit:
    """A RabbitMQ node of this test's own: its own node name, ports, data, logs and Erlang
    cookie (HOME is its folder), loopback only, no plugins. It registers with the machine's
    epmd like any node. Stopped with `rabbitmqctl stop`; its queues and persistent messages
    survive a restart because the data folder stays."""

    # Debian's package puts the real scripts here; the ones on PATH switch to the rabbitmq
    # user, whose HOME (and so Erlang cookie) is the machine broker's, not this node's.
    SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
    CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"

    def __init__(self, folder: Path, tls: dict | None = None):
        """`tls`: {"cacertfile", "certfile", "keyfile"} to listen with TLS only."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port, self.dist_port = free_port(), free_port()
        self.node = f"xiuhua-fault-{uuid.uuid4().hex[:8]}@localhost"
        self.uri = f"pyamqp://guest:guest@127.0.0.1:{self.port}/"
        self.ssl = None
        (folder / "enabled_plugins").write_text("[].\n")
        if tls:
            (folder / "rabbitmq.conf").write_text(
                "listeners.tcp = none\n"
                f"listeners.ssl.default = 127.0.0.1:{self.port}\n"
                + "".join(f"ssl_options.{key} = {value}\n" for key, value in tls.items())
                + "ssl_options.verify = verify_none\n"
                "ssl_options.fail_if_no_peer_cert = false\n")
            # What a client needs: the CA that signed the broker's certificate, checked.
            self.ssl = {"ca_certs": tls["cacertfile"], "cert_reqs": 2,
                        "server_hostname": "localhost"}
        else:
            (folder / "rabbitmq.conf").write_text(
                f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (folder / "rabbitmq-env.conf").write_text("")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")},
            "HOME": str(folder),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(folder / "log"),
            "RABBITMQ_PID_FILE": str(folder / "node.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(folder / "rabbitmq-env.conf"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }
        self.running = False

    @staticmethod
    def available() -> bool:
        return Path(PrivateRabbit.SERVER).exists() and Path(PrivateRabbit.CTL).exists()

    def _ctl(self, *args, timeout=60):
        return subprocess.run([self.CTL, "-n", self.node, *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def queue_counts(self, vhost: str = "/") -> dict[str, int]:
        """Messages ready or being handled, per queue, asked of the queues themselves."""
        counts = rabbitmqctl_counts([self.CTL, "-n", self.node], vhost, env=self.env)
        if counts is None:
            raise RuntimeError(f"rabbitmqctl list_queues failed on {self.node}")
        return counts

    def start(self, timeout: float = 90) -> float:
        """Starts the node; returns the moment (monotonic) it accepts AMQP connections."""
        subprocess.run([self.SERVER, "-detached"], env=self.env, cwd=self.folder,
                       capture_output=True, timeout=60, check=True)
        self.running = True
        self._watch()
        # The moment a client can connect again is what the recovery bound counts from.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self._accepts()
                return time.monotonic()
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        raise RuntimeError(f"private RabbitMQ {self.node} did not start; logs in "
                           f"{self.folder / 'log'}")

    def _watch(self):
        """The node runs detached: a small watchdog stops it if the test process dies
        without its teardown (killed by a timeout, say)."""
        if getattr(self, "watchdog", None) is not None and self.watchdog.poll() is None:
            return
        script = (f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 2; done; "
                  f"{self.CTL} -n {self.node} stop >/dev/null 2>&1")
        self.watchdog = subprocess.Popen(["sh", "-c", script], env=self.env,
                                         start_new_session=True, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)

    def _accepts(self) -> bool:
        with kombu.Connection(self.uri, connect_timeout=1, ssl=self.ssl or False) as connection:
            connection.ensure_connection(max_retries=1)
            connection.channel()
        return True

    def stop(self):
        if self.running:
            self._ctl("stop", timeout=120)
            self.running = False

    def close(self):
        self.stop()
        if getattr(self, "watchdog", None) is not None and self.watchdog.poll() is None:
            os.kill(self.watchdog.pid, signal.SIGTERM)
            self.watchdog.wait(10)


# --- the database --------------------------------------------------------------------------

class Database:
    """A private SecantusDB with --sync-on-commit on a fixed port and data folder, so that it
    can be killed and started again where the services expect it."""

    def __init__(self, folder: Path):
        self.folder = folder
        (folder / "data").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.uri = f"mongodb://127.0.0.1:{self.port}/?retryWrites=false"
        self.process = None

    def start(self) -> float:
        found = BIN / "secantusd-py"
        log = open(self.folder / "secantus.log", "ab")
        self.process = subprocess.Popen(
            _dying_with_us([str(found), "--host", "127.0.0.1", "--port", str(self.port),
                            "--storage-path", str(self.folder / "data"), "--sync-on-commit",
                            "--log-level", "WARNING"]),
            stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"SecantusDB exited with {self.process.returncode}")
            try:
                with MongoClient(self.uri, serverSelectionTimeoutMS=500) as client:
                    client.admin.command("ping")
                return time.monotonic()
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.2)
        raise RuntimeError("SecantusDB did not answer within 60 s")

    def kill(self):
        """kill -9: what a crash or a power cut does."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(30)

    def close(self):
        if self.process is not None:
            end_process(self.process, timeout=30)


# --- the system ----------------------------------------------------------------------------

class System:
    def __init__(self, folder: Path, amqp_uri: str, mongo_uri: str,
                 services=ALL_SERVICES, env: dict | None = None,
                 service_env: dict[str, dict] | None = None):
        """`amqp_uri` is what the test and the topology step use; `service_env` adds
        settings for one service's process only (its own broker user, say)."""
        self.folder = folder
        self.service_env = service_env or {}
        self.amqp_uri = amqp_uri
        self.mongo_uri = mongo_uri
        self.names = tuple(services)
        # The broker's {queue: messages ready or unacknowledged}, and how stale it may be.
        self.queue_counts, self.queue_lag = None, 0.0
        self.prefix = f"e{uuid.uuid4().hex[:8]}_"
        self.web_port = free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = folder / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.config_file = folder / "config.yaml"
        base = (ROOT / "deploy" / "config.yaml").read_text(encoding="utf-8")
        extra = "".join(f"{key}: {value}\n" for key, value in TEST_CONFIG.items())
        self.config_file.write_text(base + "\n# added by the end-to-end harness\n" + extra,
                                    encoding="utf-8")
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "AMQP_URI": amqp_uri,
            "MONGO_URI": mongo_uri,
            "MONGO_DB_PREFIX": self.prefix,
            "PII_KEY": TEST_PII_KEY,
            "EVENT_MAX_ATTEMPTS": "3",
            "RPC_TIMEOUT": "5",
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{self.web_port}",
            "BOOTSTRAP_ADMIN_USERNAME": "admin",
            "BOOTSTRAP_ADMIN_PASSWORD": "e2e-admin-password",
            "LOG_LEVEL": "INFO",
            **{key: str(value) for key, value in CHEAP_PASSWORD_HASHES.items()},
            **(env or {}),
        }
        # A bounded wait on every call: a stuck database fails the test instead of hanging it.
        self.mongo = MongoClient(mongo_uri, tz_aware=True, serverSelectionTimeoutMS=5000,
                                 socketTimeoutMS=30000)

    @property
    def rpc_config(self) -> dict:
        return {"AMQP_URI": self.amqp_uri, "serializer": "json"}

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def db(self, service: str):
        return self.mongo[f"{self.prefix}{service}"]

    def declare_topology(self) -> list[str]:
        classes = [cls for cls in topology.service_classes() if cls.name in self.names]
        return topology.declare(self.amqp_uri, classes)

    def start(self, timeout: float = 240):
        self.declare_topology()
        for name in self.names:
            self.start_service(name)
        self.wait_healthy(self.names, timeout)
        return self

    def start_service(self, name: str, module: str | None = None) -> subprocess.Popen:
        """`nameko run` of the service (or of `module`, a test's variant of it)."""
        log = open(self.logs / f"{name}.log", "ab")
        log.write(f"\n--- started at {time.strftime('%H:%M:%S')} ---\n".encode())
        log.flush()
        self.processes[name] = subprocess.Popen(
            _dying_with_us([str(BIN / "nameko"), "run", "--config", str(self.config_file),
                            module or f"services.{name}.service"]),
            cwd=ROOT, env={**self.env, **self.service_env.get(name, {})}, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        return self.processes[name]

    def kill_service(self, name: str) -> None:
        """kill -9, by PID."""
        process = self.processes[name]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)

    def wait_quiet(self, timeout: float = 120) -> dict:
        """Until every outbox is empty and no working queue holds a message (tests/quiet.py),
        counted by `self.queue_counts`, the broker's (its fixture sets it)."""
        assert self.queue_counts is not None, "the fixture must say how to count its queues"
        return wait_quiet(outboxes=lambda: [self.db(name) for name in self.names],
                          queues=self.queue_counts, lag=self.queue_lag, timeout=timeout,
                          interval=0.3)

    def stop_service(self, name: str) -> None:
        end_process(self.processes[name])

    def health(self, name: str, timeout: float = 10) -> dict:
        with ClusterRpcProxy(self.rpc_config, timeout=timeout) as rpc:
            return getattr(rpc, name).health()

    def wait_healthy(self, names, timeout: float = 120) -> dict:
        reports = {}
        deadline = time.monotonic() + timeout
        with ClusterRpcProxy(self.rpc_config, timeout=5) as rpc:
            for name in names:
                while name not in reports:
                    process = self.processes.get(name)
                    if process is not None and process.poll() is not None:
                        raise RuntimeError(f"{name} exited ({process.returncode}):\n"
                                           + self.log_tail(name))
                    try:
                        report = getattr(rpc, name).health()
                    except Exception:  # noqa: BLE001 - not up yet
                        report = None
                    if report and report.get("status") == "ok":
                        reports[name] = report
                    elif time.monotonic() > deadline:
                        raise RuntimeError(f"{name} not healthy within {timeout}s ({report}):\n"
                                           + self.log_tail(name))
                    else:
                        time.sleep(0.3)
        return reports

    def log_tail(self, name: str, chars: int = 4000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def rpc(self, timeout: float = 30) -> ClusterRpcProxy:
        return ClusterRpcProxy(self.rpc_config, timeout=timeout)

    def close(self):
        for process in self.processes.values():
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(10)
        try:
            for name in self.mongo.list_database_names():
                if name.startswith(self.prefix):
                    self.mongo.drop_database(name)
        except Exception:  # noqa: BLE001 - the database may be gone already
            pass
        self.mongo.close()


# --- talking to the system from outside ---------------------------------------------------

class Publisher:
    """Publishes catalogue events as the producing service's relay would (confirmed)."""

    def __init__(self, amqp_uri: str):
        self.publisher = ConfirmingPublisher(amqp_uri)

    def publish(self, envelopes) -> None:
        self.publisher.publish_batch([
            (exchange_name(e.source), e.type, e.to_message(), e.event_id, {})
            for e in envelopes])

    def close(self):
        self.publisher.close()


class Tap:
    """A queue bound to a service's event exchange: what it really published."""

    def __init__(self, amqp_uri: str, source: str, routing_key: str = "#"):
        self.connection = kombu.Connection(amqp_uri)
        exchange = kombu.Exchange(exchange_name(source), type="topic", durable=True)
        # Durable and not exclusive, so that it outlives a broker restart in a fault test.
        self.queue = kombu.Queue(f"test-tap-{source}-{uuid.uuid4().hex[:8]}", exchange,
                                 routing_key=routing_key, durable=True)
        self.amqp_uri = amqp_uri
        with kombu.Connection(amqp_uri) as connection:
            self.queue(connection.channel()).declare()
        self.seen: list[dict] = []

    def drain(self) -> list[dict]:
        """Everything in the tap's queue now (basic.get until the broker says it is empty);
        whether more is still to come is `System.wait_quiet`'s question, not a pause's."""
        with kombu.Connection(self.amqp_uri, connect_timeout=3) as connection:
            bound = self.queue(connection.channel())
            while (message := bound.get(no_ack=True)) is not None:
                self.seen.append(message.payload)
        return self.seen

    def wait_for(self, event_type: str, where=lambda data: True, timeout: float = 30) -> dict:
        def found():
            for body in self.seen:
                if body["type"] == event_type and where(body["data"]):
                    return body
            self.drain()
            return None
        return wait_until(found, timeout=timeout, message=f"a {event_type} event")

    def close(self):
        try:
            with kombu.Connection(self.amqp_uri, connect_timeout=3) as connection:
                self.queue(connection.channel()).delete()
        except Exception:  # noqa: BLE001 - the broker may be gone
            pass
        self.connection.release()


def new_event(event_type, data) -> Envelope:
    return Envelope.new(event_type, data)
