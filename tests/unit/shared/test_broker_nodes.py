"""AMQP_URI naming the nodes of a cluster (`;`-separated): every node is found, logs show no
password of any node, a connection goes to the first node that answers, and a call that can
reach no node is a typed BROKER_UNAVAILABLE, not an internal error. Against closed and
listening local ports; no broker needed."""
from __future__ import annotations

import socket

import pytest

from shared import broker
from shared.errors import Unavailable
from shared.messaging import safe_uri
from shared.rpc import call_with_deadline

CLUSTER = ("amqps://xiuhua-repair:s3cret-1@rabbit-1:5671/xiuhua;"
           " amqps://xiuhua-repair:s3cret-1@rabbit-2/xiuhua;"
           "pyamqp://xiuhua-repair:s3cret-1@10.0.0.3:5673/xiuhua;")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_node_of_the_list_is_found_with_its_default_port():
    assert broker.nodes(CLUSTER) == [
        "amqps://xiuhua-repair:s3cret-1@rabbit-1:5671/xiuhua",
        "amqps://xiuhua-repair:s3cret-1@rabbit-2/xiuhua",
        "pyamqp://xiuhua-repair:s3cret-1@10.0.0.3:5673/xiuhua"]
    assert broker.addresses(CLUSTER) == [("rabbit-1", 5671), ("rabbit-2", 5671),
                                         ("10.0.0.3", 5673)]
    single = "pyamqp://guest:guest@127.0.0.1/"
    assert broker.nodes(single) == [single]
    assert broker.addresses(single) == [("127.0.0.1", 5672)]


def test_logs_show_no_password_of_any_node():
    shown = safe_uri(CLUSTER)
    assert "s3cret-1" not in shown
    assert shown.count("xiuhua-repair:********@") == 3


def test_a_connection_that_no_node_accepts_fails_after_trying_each():
    uri = ";".join(f"pyamqp://guest:guest@127.0.0.1:{closed_port()}//" for _ in range(3))
    with pytest.raises(broker.CONNECTION_ERRORS):
        broker.connect(uri, connect_timeout=1, timeout=10)


def test_a_connection_skips_the_nodes_that_are_down():
    """The first two nodes refuse; the third accepts the TCP connection (it then speaks no
    AMQP, which shows the connection was attempted there)."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        uri = ";".join([f"pyamqp://guest:guest@127.0.0.1:{closed_port()}//",
                        f"pyamqp://guest:guest@127.0.0.1:{closed_port()}//",
                        f"pyamqp://guest:guest@127.0.0.1:{port}//"])
        listening.settimeout(10)
        with pytest.raises(Exception):
            broker.connect(uri, connect_timeout=1, timeout=3)
        accepted, _ = listening.accept()
        accepted.close()


@pytest.mark.parametrize("failure", [ConnectionRefusedError(111, "refused"),
                                     OSError("Server unexpectedly closed connection")])
def test_a_call_that_cannot_reach_the_broker_is_a_typed_503(failure):
    class Method:
        def call_async(self, *args, **kwargs):
            raise failure

    with pytest.raises(Unavailable) as refused:
        call_with_deadline(Method(), "repair", "report_work_order", 5)
    assert refused.value.code == "BROKER_UNAVAILABLE"
    assert refused.value.http_status == 503
