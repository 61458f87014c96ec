"""deploy/healthcheck.py, the probe of compose and Kubernetes: against real services on the
real broker, and its per-container checks against made-up socket tables."""
from __future__ import annotations

import http.server
import socket
import threading

import pytest
from nameko.rpc import rpc

from services.repair.service import RepairService
from tests.conftest import free_port
from tests.deploy.conftest import load_tool, run_tool

healthcheck = load_tool("healthcheck.py")


class DegradedService:
    """Answers `health` like a service whose database is down."""
    name = "degraded"

    @rpc
    def health(self):
        return {"service": "degraded", "status": "degraded",
                "database": {"ok": False, "error": "no primary"}}


def probe(service_config, *args):
    return run_tool("healthcheck.py", *args, env={"AMQP_URI": service_config["AMQP_URI"]},
                    timeout=60)


def test_a_running_service_is_ready(start_service, service_config, rabbit_api):
    start_service(RepairService)
    result = probe(service_config, "repair")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("repair: ok ")
    # This test process holds the service's broker connections, so --local holds too.
    assert probe(service_config, "repair", "--local").returncode == 0
    # The exclusive reply queue went with the probe's connection: probes leave nothing behind.
    queues = rabbit_api.queues(service_config["vhost"])
    assert not [q for q in queues if q.startswith("rpc.reply-")], queues


def test_a_degraded_service_is_alive_but_not_ready(container_factory, service_config):
    container = container_factory(DegradedService, service_config)
    container.start()
    result = probe(service_config, "degraded")
    assert result.returncode == 1
    assert "degraded" in result.stdout and "no primary" in result.stdout
    assert healthcheck.check("degraded", live=True, local=False, http=None, timeout=10,
                             config={"AMQP_URI": service_config["AMQP_URI"]},
                             tables=())[0] is True


def test_a_service_that_is_not_running_fails_at_once(service_config):
    result = probe(service_config, "repair", "--timeout", "30")
    assert result.returncode == 1
    assert "rpc-repair" in result.stdout  # the broker returned the request: nobody consumes


def test_no_service_name_is_a_failure_not_a_pass(service_config):
    result = run_tool("healthcheck.py", env={"AMQP_URI": service_config["AMQP_URI"],
                                             "XIUHUA_SERVICE": ""})
    assert result.returncode == 1


# --- what only the container can tell --------------------------------------------------------

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"


def socket_table(tmp_path, *rows: tuple[str, str]):
    """A /proc/net/tcp with (remote address, state) rows."""
    lines = [f"   {i}: 0100007F:{9000 + i:04X} {remote} {state} 00000000:00000000 00:00000000 "
             f"00000000     0        0 1 1 0000000000000000 20 4 30 10 -1\n"
             for i, (remote, state) in enumerate(rows)]
    path = tmp_path / "tcp"
    path.write_text(HEADER + "".join(lines))
    return (str(path),)


def test_established_connections_to_the_broker_port_are_counted(tmp_path):
    tables = socket_table(tmp_path, ("0100007F:1628", "01"),   # 127.0.0.1:5672 established
                          ("0100007F:1628", "08"),             # 5672, close-wait: not counted
                          ("0100007F:6989", "01"))             # 27017: another server
    assert healthcheck.established_connections(5672, tables) == 1
    assert healthcheck.established_connections(5671, tables) == 0
    assert healthcheck.established_connections(5672, (str(tmp_path / "absent"),)) is None


def listening_port():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server, server.getsockname()[1]


def test_alive_fails_only_when_the_broker_is_reachable_but_not_connected(tmp_path):
    server, port = listening_port()
    with server:
        config = {"AMQP_URI": f"pyamqp://u:p@127.0.0.1:{port}/xiuhua"}
        connected = socket_table(tmp_path, (f"0100007F:{port:04X}", "01"))
        healthy, message = healthcheck.check("repair", True, False, None, 2, config, connected)
        assert healthy, message
        cut_off = socket_table(tmp_path, ("0100007F:1628", "06"))
        healthy, message = healthcheck.check("repair", True, False, None, 2, config, cut_off)
        assert not healthy and "holds no connection" in message
    # The broker is down: restarting this container would not help, so it stays alive.
    config = {"AMQP_URI": f"pyamqp://u:p@127.0.0.1:{free_port()}/xiuhua"}
    healthy, message = healthcheck.check("repair", True, False, None, 2, config, cut_off)
    assert healthy and "unreachable" in message


def test_with_several_nodes_a_connection_to_any_of_them_counts(tmp_path):
    """AMQP_URI listing a cluster's nodes: held and reachable mean any node."""
    server, port = listening_port()
    with server:
        down = free_port()
        config = {"AMQP_URI": f"pyamqp://u:p@127.0.0.1:{down}/xiuhua;"
                              f"pyamqp://u:p@127.0.0.1:{port}/xiuhua"}
        to_second = socket_table(tmp_path, (f"0100007F:{port:04X}", "01"))
        healthy, message = healthcheck.check("repair", True, False, None, 2, config, to_second)
        assert healthy and "1 broker connection" in message, message
        cut_off = socket_table(tmp_path, (f"0100007F:{down:04X}", "06"))
        healthy, message = healthcheck.check("repair", True, False, None, 2, config, cut_off)
        assert not healthy and "holds no connection" in message, message
        assert f"127.0.0.1:{down}" in message and f"127.0.0.1:{port}" in message


def test_ready_with_local_fails_when_another_replica_answers_for_this_one(
        start_service, service_config, tmp_path):
    start_service(RepairService)
    config = {"AMQP_URI": service_config["AMQP_URI"]}
    nothing = socket_table(tmp_path, ("0100007F:1628", "0A"))  # listening only
    healthy, message = healthcheck.check("repair", False, True, None, 10, config, nothing)
    assert not healthy and "holds no connection" in message
    assert healthcheck.check("repair", False, False, None, 10, config, nothing)[0]


# --- the gateway's HTTP check ----------------------------------------------------------------

@pytest.fixture
def http_server():
    statuses = {"/healthz": 200, "/down": 503}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(statuses.get(self.path, 404))
            self.end_headers()
            self.wfile.write(b'{"status": "..."}')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_mode_wants_200(http_server):
    assert run_tool("healthcheck.py", "--http", f"{http_server}/healthz").returncode == 0
    down = run_tool("healthcheck.py", "--http", f"{http_server}/down")
    assert down.returncode == 1 and "503" in down.stdout
    refused = run_tool("healthcheck.py", "--http", f"http://127.0.0.1:{free_port()}/healthz")
    assert refused.returncode == 1
