"""A three-node RabbitMQ cluster of a test's own, from the installed package, on loopback.

Each node is a `PrivateRabbit` (tests/e2e/harness.py) with its own node name, AMQP port,
distribution port, management port, data and log folders under the test's temporary folder,
and the same Erlang cookie; the second and third join the first. The cluster runs with
`cluster_partition_handling = pause_minority`, as the RabbitMQ Cluster Operator configures
production clusters: a node that sees less than a majority stops serving.

The services reach it with one AMQP URI listing every node (kombu's failover form,
`amqp://…@127.0.0.1:P1/vhost;amqp://…@127.0.0.1:P2/vhost;…`), as production does.

Only what this harness started is ever stopped: nodes by `rabbitmqctl stop` on their own node
name, or — for a crash — SIGKILL to the PID the node wrote into its own pid file.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import requests

from tests.e2e.harness import ROOT, PrivateRabbit, free_port, wait_until

ADMIN = ("guest", "guest")  # the nodes' own default account, loopback only


class ClusterNode(PrivateRabbit):
    """A PrivateRabbit with the management plugin, a shared cookie and pause_minority."""

    def __init__(self, folder: Path, cookie: str, name: str, index: int):
        super().__init__(folder)
        self.index = index
        self.node = f"{name}-{index}@localhost"
        self.env["RABBITMQ_NODENAME"] = self.node
        self.management_port = free_port()
        (folder / "enabled_plugins").write_text("[rabbitmq_management].\n")
        (folder / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n"
            f"management.tcp.ip = 127.0.0.1\n"
            f"management.tcp.port = {self.management_port}\n"
            "cluster_partition_handling = pause_minority\n"
            # Quicker to notice a node that vanished without saying goodbye (SIGKILL): the
            # Erlang distribution's tick, 60 s by default.
            "net_ticktime = 10\n"
            "log.file.level = info\n")
        cookie_file = folder / ".erlang.cookie"
        if not cookie_file.exists():
            cookie_file.write_text(cookie)
            cookie_file.chmod(0o400)

    def start(self, timeout: float = 180) -> float:
        """A node coming back to a paused minority (pause_minority) waits for its peers' tables
        before it listens: seen to take over 90 s on a busy 2-core machine."""
        return super().start(timeout)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.management_port}"

    def ctl(self, *args, timeout: float = 60) -> subprocess.CompletedProcess:
        return self._ctl(*args, timeout=timeout)

    def pid(self) -> int | None:
        try:
            return int((self.folder / "node.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        """SIGKILL, by the PID this node wrote: a crash or a power cut."""
        pid = self.pid()
        if pid is None:
            raise RuntimeError(f"{self.node} wrote no pid file")
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not _alive(pid), timeout=30, message=f"{self.node} gone")
        self.running = False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (the node is not our child, but be safe) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


class RabbitCluster:
    def __init__(self, folder: Path, size: int = 3):
        self.folder = folder
        cookie = secrets.token_hex(20).upper()
        name = f"xiuhua-cluster-{uuid.uuid4().hex[:8]}"
        self.nodes = [ClusterNode(folder / f"node{i + 1}", cookie, name, i + 1)
                      for i in range(size)]

    @staticmethod
    def available() -> bool:
        return PrivateRabbit.available()

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, timeout: float = 180) -> "RabbitCluster":
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda node: node.start(timeout), self.nodes))
        first = self.nodes[0]
        for node in self.nodes[1:]:
            for step in (("stop_app",), ("join_cluster", first.node), ("start_app",)):
                done = node.ctl(*step, timeout=120)
                if done.returncode != 0:
                    raise RuntimeError(f"{node.node} {' '.join(step)}: {done.stderr}")
        self.wait_formed(timeout)
        return self

    def running_nodes(self, via: ClusterNode | None = None) -> set[str]:
        via = via or next(n for n in self.nodes if n.running)
        nodes = requests.get(f"{via.api}/api/nodes", auth=ADMIN, timeout=10).json()
        return {n["name"] for n in nodes if n.get("running")}

    def wait_formed(self, timeout: float = 180) -> None:
        """Every running node sees every running node."""
        expected = {n.node for n in self.nodes if n.running}
        for node in self.nodes:
            if node.running:
                wait_until(lambda node=node: self.running_nodes(node) == expected,
                           timeout=timeout, interval=0.5,
                           message=f"{node.node} to see {sorted(expected)}")

    def wait_quorum_safe(self, node: ClusterNode, timeout: float = 180) -> float:
        """Until stopping `node` would leave every quorum queue a majority of its members
        online — what an operator checks before taking the next node of a rolling restart
        down (`rabbitmq-queues check_if_node_is_quorum_critical`, here through the node's
        management API, which answers at once). Returns the seconds waited."""
        started = time.monotonic()

        def safe():
            answer = requests.get(f"{node.api}/api/health/checks/node-is-quorum-critical",
                                  auth=ADMIN, timeout=10)
            return answer.status_code == 200
        wait_until(safe, timeout=timeout, interval=0.5,
                   message=f"{node.node} not critical to any quorum queue")
        return time.monotonic() - started

    def close(self) -> None:
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(_close_quietly, self.nodes))

    # -- addresses ------------------------------------------------------------------------

    def uri(self, vhost: str = "/", user: str = "guest", password: str = "guest",
            nodes=None) -> str:
        """One AMQP URI naming every node (kombu's failover list, `;`-separated)."""
        path = quote(vhost, safe="")
        return ";".join(f"pyamqp://{user}:{password}@127.0.0.1:{node.port}/{path}"
                        for node in (nodes or self.nodes))

    def management(self) -> ClusterNode:
        return next(n for n in self.nodes if n.running)

    # -- provisioning with the project's own step -----------------------------------------

    def provision(self, vhost: str, services, passwords: dict, queue_type: str = "quorum",
                  delivery_limit: int = 1000) -> subprocess.CompletedProcess:
        env = {**os.environ, "RABBITMQ_ADMIN_USERNAME": ADMIN[0],
               "RABBITMQ_ADMIN_PASSWORD": ADMIN[1],
               **{f"RABBITMQ_{name.upper()}_PASSWORD": pw for name, pw in passwords.items()}}
        done = subprocess.run(
            [sys.executable, str(ROOT / "deploy" / "rabbitmq" / "provision.py"),
             "--api", self.management().api, "--vhost", vhost, "--services", *services,
             "--queue-type", queue_type, "--delivery-limit", str(delivery_limit),
             "--wait", "60"], env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"provision.py failed: {done.stdout}{done.stderr}")
        return done

    # -- what the cluster says ------------------------------------------------------------

    def queues(self, vhost: str) -> list[dict]:
        """Every queue of the vhost as the broker has it now (the management API's figures
        lag by seconds): name, type, policy, durable, exclusive, members, online."""
        done = self.management().ctl(
            "list_queues", "-p", vhost, "name", "type", "policy", "durable", "exclusive",
            "members", "online", "--formatter", "json", timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"list_queues: {done.stderr}")
        return json.loads(done.stdout)

    def policy(self, vhost: str, name: str) -> dict:
        api = self.management().api
        return requests.get(f"{api}/api/policies/{quote(vhost, safe='')}/{quote(name)}",
                            auth=ADMIN, timeout=20).json()


def _close_quietly(node: ClusterNode) -> None:
    try:
        node.close()
    except Exception:  # noqa: BLE001 - teardown: a node that will not stop is killed
        pid = node.pid()
        if pid is not None and _alive(pid):
            os.kill(pid, signal.SIGKILL)
