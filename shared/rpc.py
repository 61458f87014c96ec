"""Calling another service over RPC, with a deadline.

nameko 2.14's RpcProxy waits for a reply forever (nameko issue #360): a slow or dead service
would hang its caller. `ServiceRpc("repair")` is the same proxy with a deadline (`RPC_TIMEOUT`
seconds, default 10): a call that gets no answer in time raises `Unavailable` with code
`SERVICE_TIMEOUT`, and a call to a service that has never started (no queue to route to)
raises `Unavailable` with code `SERVICE_UNAVAILABLE` — clear errors, never a hang.
"""
from __future__ import annotations

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from shared.errors import Unavailable


class ServiceRpc(RpcProxy):
    def setup(self):
        super().setup()
        self.timeout = float(self.container.config.get("RPC_TIMEOUT") or 10)

    def get_dependency(self, worker_ctx):
        return TimedServiceProxy(super().get_dependency(worker_ctx), self.target_service,
                                 self.timeout)


class TimedServiceProxy:
    def __init__(self, proxy, service_name: str, timeout: float):
        self._proxy = proxy
        self._service_name = service_name
        self._timeout = timeout

    def __getattr__(self, method_name):
        method = getattr(self._proxy, method_name)

        def call(*args, timeout: float | None = None, **kwargs):
            return call_with_deadline(method, self._service_name, method_name,
                                      timeout or self._timeout, *args, **kwargs)
        return call


def call_with_deadline(method, service_name, method_name, timeout, *args, **kwargs):
    try:
        reply = method.call_async(*args, **kwargs)
    except UnknownService:
        raise Unavailable(f"{service_name} 服务未启动", code="SERVICE_UNAVAILABLE") from None
    try:
        with eventlet.Timeout(timeout):
            return reply.result()
    except eventlet.Timeout:
        raise Unavailable(f"{service_name} 服务在 {timeout:g} 秒内没有响应({method_name})",
                          code="SERVICE_TIMEOUT") from None
