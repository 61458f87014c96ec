"""The benchmark's own environment: a SecantusDB server on a free port with a throw-away data
folder, a RabbitMQ vhost of its own, and the processes it starts (each stopped by its own PID).

Nothing here touches another vhost, another database server or a process the bench did not
start, so benchmarks can run while other people's test suites run on the same machine.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlparse

import requests
from pymongo import MongoClient

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BROKER = os.environ.get("BENCH_AMQP_BASE", "pyamqp://guest:guest@127.0.0.1:5672")
MANAGEMENT = os.environ.get("BENCH_RABBIT_MANAGEMENT", "http://guest:guest@127.0.0.1:15672")
PII_KEY = "YmVuY2gtb25seS1rZXktbm90LWZvci1yZWFsLWRhdGE="  # 32 bytes, benchmarks only


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


class Management:
    """The RabbitMQ management API, for a vhost of the bench's own."""

    def __init__(self, base: str = MANAGEMENT):
        parsed = urlparse(base)
        self.base = f"{parsed.scheme}://{parsed.hostname}:{parsed.port}/api"
        self.session = requests.Session()
        self.session.auth = (parsed.username or "guest", parsed.password or "guest")
        self.session.headers["content-type"] = "application/json"

    def _url(self, *parts: str) -> str:
        return "/".join([self.base, *(quote(p, safe="") for p in parts)])

    def overview(self) -> dict:
        return self.session.get(self._url("overview"), timeout=10).json()

    def create_vhost(self, vhost: str, user: str = "guest") -> None:
        self.session.put(self._url("vhosts", vhost), timeout=10).raise_for_status()
        self.session.put(self._url("permissions", vhost, user), timeout=10, data=json.dumps(
            {"configure": ".*", "write": ".*", "read": ".*"})).raise_for_status()

    def delete_vhost(self, vhost: str) -> None:
        self.session.delete(self._url("vhosts", vhost), timeout=30)

    def queue(self, vhost: str, name: str) -> dict:
        return self.session.get(self._url("queues", vhost, name), timeout=10).json()


class Environment:
    """Everything a run needs; `close()` stops what it started and removes what it made."""

    def __init__(self, keep_logs: Path | None = None):
        self.run_id = uuid.uuid4().hex[:8]
        self.folder = Path(tempfile.mkdtemp(prefix="xiuhua-bench-"))
        self.logs = self.folder / "logs"
        self.logs.mkdir()
        self.keep_logs = keep_logs
        self.processes: list[subprocess.Popen] = []
        self.management = Management()
        self.vhost = f"xiuhua-bench-{self.run_id}"
        self.amqp_uri = f"{BROKER}/{quote(self.vhost, safe='')}"
        self.mongo_port = free_port()
        self.mongo_uri = f"mongodb://127.0.0.1:{self.mongo_port}/?retryWrites=false"
        self.mongo = None
        # The configuration `make run` gives the services; an experiment may point elsewhere.
        self.nameko_config = ROOT / "deploy" / "config.yaml"

    # -- lifecycle --------------------------------------------------------------------------

    def open(self) -> "Environment":
        self.management.create_vhost(self.vhost)
        say(f"vhost {self.vhost}")
        data = self.folder / "mongo"
        data.mkdir()
        self.mongo_process = self.spawn(
            "secantus", [str(BIN / "secantusd-py"), "--host", "127.0.0.1", "--port",
                         str(self.mongo_port), "--storage-path", str(data),
                         "--log-level", "WARNING"])
        deadline = time.monotonic() + 60
        while True:
            if self.mongo_process.poll() is not None:
                raise RuntimeError("SecantusDB exited at start; see its log")
            try:
                with MongoClient(self.mongo_uri, serverSelectionTimeoutMS=500) as client:
                    client.admin.command("ping")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.mongo = MongoClient(self.mongo_uri, tz_aware=True)
        say(f"SecantusDB on port {self.mongo_port}")
        return self

    def close(self) -> None:
        for process in reversed(self.processes):
            stop(process)
        if self.mongo is not None:
            self.mongo.close()
        try:
            self.management.delete_vhost(self.vhost)
        except Exception as error:  # the broker may be gone; nothing else to clean
            say(f"could not delete vhost {self.vhost}: {error}")
        if self.keep_logs is not None:
            shutil.copytree(self.logs, self.keep_logs, dirs_exist_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc):
        self.close()

    # -- processes --------------------------------------------------------------------------

    def spawn(self, label: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.logs / f"{label}.log", "ab")
        process = subprocess.Popen(argv, cwd=ROOT, env=env or self.env(), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        process.label = label
        self.processes.append(process)
        return process

    def env(self, **extra) -> dict:
        env = dict(os.environ)
        env.update({"PYTHONPATH": str(ROOT), "AMQP_URI": self.amqp_uri,
                    "MONGO_URI": self.mongo_uri, "PII_KEY": PII_KEY,
                    "PYTHONWARNINGS": "ignore::DeprecationWarning"})
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def nameko(self, label: str, module: str, config: Path | None = None,
               **env) -> subprocess.Popen:
        """`nameko run` of one service module, as `make run` starts it."""
        config = config or self.nameko_config
        return self.spawn(label, [str(BIN / "nameko"), "run", "--config", str(config), module],
                          self.env(**env))

    def python(self, label: str, module: str, *args: str, **env) -> subprocess.Popen:
        return self.spawn(label, [sys.executable, "-m", module, *args], self.env(**env))

    def stop(self, process: subprocess.Popen) -> None:
        stop(process)
        if process in self.processes:
            self.processes.remove(process)

    def log_of(self, process: subprocess.Popen) -> str:
        path = self.logs / f"{process.label}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM to the process we started (nameko finishes its workers), then SIGKILL."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def machine(environment: Environment | None = None) -> dict:
    info = {"cores": os.cpu_count(), "cpu": _cpu_model(), "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}", "load_average": os.getloadavg()}
    try:
        from importlib.metadata import version
        for package in ("nameko", "eventlet", "kombu", "pymongo", "SecantusDB"):
            info[package.lower()] = version(package)
    except Exception:
        pass
    try:
        overview = (environment.management if environment else Management()).overview()
        info["rabbitmq"] = overview.get("rabbitmq_version")
        info["erlang"] = overview.get("erlang_version")
    except Exception:
        info["rabbitmq"] = None
    if environment is not None and environment.mongo is not None:
        try:
            info["mongo_server_reports"] = environment.mongo.server_info().get("version")
        except Exception:
            pass
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
