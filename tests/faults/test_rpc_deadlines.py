"""RPC between services has a deadline (`shared.rpc.ServiceRpc`, `RPC_TIMEOUT`): a service
that does not answer, one that died with requests waiting for it, and one that was never
started each give the caller a clear typed error quickly, never a hang."""
from __future__ import annotations

import inspect
import time
from pathlib import Path

import eventlet
import pytest
from nameko.rpc import RpcProxy

from shared import topology
from shared.errors import Unavailable
from shared.messaging import rpc
from shared.rpc import ServiceRpc

ROOT = Path(__file__).resolve().parents[2]


class Sleepy:
    name = "sleepytest"

    @rpc
    def nap(self, seconds):
        eventlet.sleep(seconds)
        return "rested"


class Caller:
    name = "callertest"
    sleepy = ServiceRpc("sleepytest")
    absent = ServiceRpc("absenttest")

    @rpc
    def call_sleepy(self, seconds):
        return self.sleepy.nap(seconds)

    @rpc
    def call_absent(self):
        return self.absent.anything()


def timed(call):
    started = time.monotonic()
    with pytest.raises(Unavailable) as failed:
        call()
    return failed.value, time.monotonic() - started


def test_a_slow_a_dead_and_a_missing_service_give_typed_errors_within_the_deadline(
        start_service, rpc):
    sleepy = start_service(Sleepy)
    start_service(Caller, RPC_TIMEOUT=1)
    assert rpc.callertest.call_sleepy(0.05) == "rested"

    slow, took = timed(lambda: rpc.callertest.call_sleepy(20))
    assert slow.code == "SERVICE_TIMEOUT" and "sleepytest" in slow.message and took < 5

    missing, took = timed(lambda: rpc.callertest.call_absent())
    assert missing.code == "SERVICE_UNAVAILABLE" and took < 5

    sleepy.kill()  # its queue stays, and nothing consumes it
    dead, took = timed(lambda: rpc.callertest.call_sleepy(0))
    assert dead.code == "SERVICE_TIMEOUT" and took < 5
    again, took = timed(lambda: rpc.callertest.call_absent())  # the caller is still up
    assert again.code == "SERVICE_UNAVAILABLE" and took < 5


def test_every_rpc_proxy_between_services_has_a_deadline():
    """No service holds nameko's plain RpcProxy (which waits forever) or builds a standalone
    proxy of its own."""
    for cls in topology.service_classes() + [_gateway()]:
        for name, value in inspect.getmembers(cls):
            if isinstance(value, RpcProxy):
                assert isinstance(value, ServiceRpc), f"{cls.name}.{name} has no deadline"
    for source in (ROOT / "services").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "nameko.standalone" not in text, f"{source.name} builds a proxy of its own"


def _gateway():
    from services.gateway.service import GatewayService
    return GatewayService
