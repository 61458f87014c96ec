"""`make run`: the whole system on one machine, for development and demonstration.

Makes sure RabbitMQ runs, starts SecantusDB on a local data folder (unless MONGO_URI points at
a MongoDB already), declares the messaging topology, starts every service with `nameko run`,
waits until each answers its health check, loads the demo data once, prints what runs where,
and restarts a service that dies. Ctrl-C stops the services first (each finishes its running
work and its outbox relay), then the database: nothing is lost.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import logging  # noqa: E402

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from shared import topology  # noqa: E402
from shared.personal_data import new_key  # noqa: E402

DATA = Path(os.environ.get("XIUHUA_DATA", ROOT / ".xiuhua"))
CONSOLE_ADDRESS = os.environ.get("WEB_SERVER_ADDRESS", "127.0.0.1:8000")
# The first account on an empty development system; production sets its own (deploy/).
DEMO_ADMIN = ("admin", "xiuhua2026")
MONGO_PORT = int(os.environ.get("XIUHUA_MONGO_PORT", "27117"))
BIN = Path(sys.executable).parent


def say(message: str) -> None:
    print(f"xiuhua: {message}", flush=True)


def ensure_broker() -> None:
    if subprocess.call(["bash", str(ROOT / "deploy" / "ensure-rabbitmq.sh")]) != 0:
        sys.exit("xiuhua: RabbitMQ is not available; see the message above.")


def pii_key() -> str:
    if os.environ.get("PII_KEY"):
        return os.environ["PII_KEY"]
    key_file = DATA / "pii.key"
    if not key_file.exists():
        key_file.write_text(new_key())
        key_file.chmod(0o600)
        say(f"created a development key for personal data in {key_file}")
    return key_file.read_text().strip()


def wait_for_mongo(uri: str, process=None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            sys.exit(f"xiuhua: SecantusDB exited ({process.returncode}); see {DATA}/logs")
        try:
            with MongoClient(uri, serverSelectionTimeoutMS=500) as client:
                client.admin.command("ping")
                return
        except Exception:
            time.sleep(0.3)
    sys.exit(f"xiuhua: no MongoDB answered at {uri}")


class Launcher:
    def __init__(self):
        self.env = dict(os.environ)
        self.env.setdefault("AMQP_URI", "pyamqp://guest:guest@127.0.0.1:5672/")
        self.env["PYTHONPATH"] = str(ROOT)
        self.env.setdefault("WEB_SERVER_ADDRESS", CONSOLE_ADDRESS)
        self.env.setdefault("BOOTSTRAP_ADMIN_USERNAME", DEMO_ADMIN[0])
        self.env.setdefault("BOOTSTRAP_ADMIN_PASSWORD", DEMO_ADMIN[1])
        self.database = None
        self.services: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, list[float]] = {}
        self.stopping = False
        self.stop_requested = False
        self.demo = None

    def start_database(self) -> None:
        if os.environ.get("MONGO_URI"):
            say(f"using the MongoDB at MONGO_URI")
            wait_for_mongo(os.environ["MONGO_URI"])
            return
        uri = f"mongodb://127.0.0.1:{MONGO_PORT}/?retryWrites=false"
        log = open(DATA / "logs" / "secantus.log", "ab")
        # --sync-on-commit: a crash of the database process loses no committed write.
        self.database = subprocess.Popen(
            [str(BIN / "secantusd-py"), "--host", "127.0.0.1", "--port", str(MONGO_PORT),
             "--storage-path", str(DATA / "mongo"), "--sync-on-commit",
             "--log-level", "WARNING"],
            stdout=log, stderr=log, start_new_session=True)
        wait_for_mongo(uri, self.database)
        self.env["MONGO_URI"] = uri
        say(f"SecantusDB (MongoDB wire protocol) on {uri}, data in {DATA / 'mongo'}")

    def start_service(self, name: str) -> None:
        log = open(DATA / "logs" / f"{name}.log", "ab")
        self.services[name] = subprocess.Popen(
            [str(BIN / "nameko"), "run", "--config", str(ROOT / "deploy" / "config.yaml"),
             f"services.{name}.service"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def health(self, names, timeout: float) -> dict:
        config = {"AMQP_URI": self.env["AMQP_URI"]}
        reports = {}
        deadline = time.monotonic() + timeout
        with ClusterRpcProxy(config, timeout=5) as rpc:
            for name in names:
                while name not in reports:
                    try:
                        reports[name] = getattr(rpc, name).health()
                    except Exception as error:
                        if time.monotonic() > deadline:
                            reports[name] = {"status": f"no answer ({type(error).__name__})"}
                        elif self.services[name].poll() is not None or self.stop_requested:
                            reports[name] = {"status": "exited"}
                        else:
                            time.sleep(0.5)
        return reports

    def run(self) -> None:
        (DATA / "logs").mkdir(parents=True, exist_ok=True)
        ensure_broker()
        self.env["PII_KEY"] = pii_key()
        self.start_database()
        classes = topology.service_classes()
        queues = topology.declare(self.env["AMQP_URI"], classes)
        say(f"declared {len(queues)} queues for {len(classes)} services")
        for cls in classes:
            self.start_service(cls.name)
        reports = self.health([cls.name for cls in classes], timeout=60)
        self.print_status(reports)
        if any(r.get("status") != "ok" for r in reports.values()):
            say(f"some services are not healthy; their logs are in {DATA / 'logs'}")
        say(f"console and API: http://{self.env['WEB_SERVER_ADDRESS']}  "
            f"(first sign-in: {self.env['BOOTSTRAP_ADMIN_USERNAME']} / "
            f"{self.env['BOOTSTRAP_ADMIN_PASSWORD']}, unless you have changed it)")
        if not self.stop_requested and all(r.get("status") == "ok" for r in reports.values()):
            self.start_demo()
        if not self.stop_requested:
            say("running; press Ctrl-C to stop")
            self.supervise()

    def start_demo(self) -> None:
        """The 广陵街道 demo, once, into an empty system, in the background (a few minutes the
        first time); it loads through the services' own RPC and prints when it is done."""
        if os.environ.get("XIUHUA_DEMO", "1") == "0" or (DATA / "demo-loaded.json").exists():
            return
        say("loading the 广陵街道 demo in the background (first start only, a few minutes)")
        self.demo = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "demo.py"), "load"],
                                     cwd=ROOT, env=self.env, start_new_session=True)

    def print_status(self, reports: dict) -> None:
        print()
        print(f"  {'service':<12} {'pid':>7}  {'health':<10} {'outbox':>6} {'dead':>5}  log")
        for name, report in reports.items():
            database = report.get("database", {})
            broker = report.get("broker", {})
            print(f"  {name:<12} {self.services[name].pid:>7}  {report.get('status', '?'):<10} "
                  f"{database.get('outbox_backlog', '-')!s:>6} "
                  f"{broker.get('dead_letters', '-')!s:>5}  {DATA / 'logs' / (name + '.log')}")
        print(flush=True)

    def request_stop(self, *_):
        # Signal handlers run in eventlet's hub, where nothing may block: the main loop stops.
        self.stop_requested = True

    def supervise(self) -> None:
        while not self.stop_requested:
            for name, process in list(self.services.items()):
                if process.poll() is not None:
                    recent = [t for t in self.restarts.get(name, []) if time.time() - t < 60]
                    if len(recent) >= 5:
                        say(f"{name} keeps exiting; not restarting it. See its log.")
                        self.services.pop(name)
                        continue
                    say(f"{name} exited ({process.returncode}); restarting it")
                    self.restarts[name] = recent + [time.time()]
                    self.start_service(name)
            time.sleep(1)

    def stop(self):
        if self.stopping:
            return
        self.stopping = True
        if self.demo is not None and self.demo.poll() is None:
            say("stopping the demo load (the next start resumes or reports it)…")
            self.demo.terminate()
            self.demo.wait(10)
        say("stopping services (each finishes its work in hand)…")
        for process in self.services.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.services.items():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop in 30 s; killing it (its outbox keeps what it had)")
                process.kill()
        if self.database is not None and self.database.poll() is None:
            say("stopping SecantusDB…")
            self.database.send_signal(signal.SIGTERM)
            try:
                self.database.wait(30)
            except subprocess.TimeoutExpired:
                self.database.kill()
        say("stopped")


def main() -> None:
    # py-amqp notes late publisher confirms while a health-check channel closes; not news.
    logging.getLogger("amqp").setLevel(logging.ERROR)
    launcher = Launcher()
    signal.signal(signal.SIGINT, launcher.request_stop)
    signal.signal(signal.SIGTERM, launcher.request_stop)
    try:
        launcher.run()
    finally:
        launcher.stop()


if __name__ == "__main__":
    main()
