"""Calling another service over RPC, with a deadline and a command id.

nameko 2.14's RpcProxy waits for a reply forever (nameko issue #360): a slow or dead service
would hang its caller. `ServiceRpc("repair")` is the same proxy with a deadline (`RPC_TIMEOUT`
seconds, default 10, or `timeout=` per call):

- a call that gets no answer in time raises `Unavailable` with code `SERVICE_TIMEOUT`, and a
  call to a service that has never started (no queue to route to) raises `Unavailable` with
  code `SERVICE_UNAVAILABLE` — clear errors, never a hang; a request that cannot be sent
  because no broker node can be reached (a cluster that has lost its majority pauses and
  refuses connections) raises `Unavailable` with code `BROKER_UNAVAILABLE`: it was not sent,
  so it has no effect and may be repeated;
- the request expires in the broker when the deadline passes, and carries the deadline, so
  a request its caller has given up on is never carried out later (after a restart, say);
- each call carries a command id derived from the caller's own (`set_command_base`, or the
  id of the request the caller is itself handling) and the call's place in the worker's
  sequence of calls, so a repeat of the caller's work repeats the same ids and the callee
  answers it from its record instead of doing it twice (shared.storage).

nameko's RPC client writes every reply, body and all, to its DEBUG log; a reply carries
residents' data (a phone revealed in clear, an ID number). Importing this module leaves the
bodies out of that line at every log level (`REPLY_BODIES_LEFT_OUT`).
"""
from __future__ import annotations

import logging
import time
from functools import partial

import eventlet
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import MethodProxy, ReplyListener, RpcProxy

from shared.broker import CONNECTION_ERRORS
from shared.errors import Unavailable
from shared.messaging import DEADLINE, SafeQueueConsumer
from shared.storage import COMMAND_ID


class _ReplyBodiesLeftOut(logging.Filter):
    """nameko.rpc's "RPC reply event complete <reply> <body>": the body left out."""
    MESSAGE = "RPC reply event complete %s %s"

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == self.MESSAGE and isinstance(record.args, tuple) \
                and len(record.args) == 2:
            record.args = (record.args[0], "(reply body not logged)")
        return True


REPLY_BODIES_LEFT_OUT = _ReplyBodiesLeftOut()
logging.getLogger("nameko.rpc").addFilter(REPLY_BODIES_LEFT_OUT)


def set_command_base(worker_ctx, base: str) -> None:
    """The command id this worker's calls derive theirs from (the gateway: one per HTTP
    request, or the client's Idempotency-Key)."""
    worker_ctx.command_base = base


class ReplyConsumer(SafeQueueConsumer):
    """The reply queue's consumer: a connection of its own, as with nameko's, but with
    SafeQueueConsumer's handling of what cannot be decoded and of lost connections."""


class SafeReplyListener(ReplyListener):
    queue_consumer = ReplyConsumer()


class ServiceRpc(RpcProxy):
    rpc_reply_listener = SafeReplyListener()

    def setup(self):
        super().setup()
        self.timeout = float(self.container.config.get("RPC_TIMEOUT") or 10)

    def get_dependency(self, worker_ctx):
        return TimedServiceProxy(worker_ctx, self.target_service, self.rpc_reply_listener,
                                 self.timeout, self.options)


class TimedServiceProxy:
    def __init__(self, worker_ctx, service_name: str, reply_listener, timeout: float,
                 options: dict):
        self._worker_ctx = worker_ctx
        self._service_name = service_name
        self._reply_listener = reply_listener
        self._timeout = timeout
        self._options = options

    def __getattr__(self, method_name):
        def call(*args, timeout: float | None = None, **kwargs):
            timeout = timeout or self._timeout
            context = self._worker_ctx.data
            context[DEADLINE] = time.time() + timeout
            base = getattr(self._worker_ctx, "command_base", None) or context.get(COMMAND_ID)
            if base:
                calls = getattr(self._worker_ctx, "command_calls", 0) + 1
                self._worker_ctx.command_calls = calls
                self._worker_ctx.command_base = base
                context[COMMAND_ID] = f"{base}:{calls}"
            method = MethodProxy(self._worker_ctx, self._service_name, method_name,
                                 self._reply_listener, expiration=timeout, **self._options)
            return call_with_deadline(method, self._service_name, method_name, timeout,
                                      *args, **kwargs)
        return call


def call_with_deadline(method, service_name, method_name, timeout, *args, **kwargs):
    try:
        reply = method.call_async(*args, **kwargs)
    except UnknownService:
        raise Unavailable(f"{service_name} 服务未启动", code="SERVICE_UNAVAILABLE") from None
    except CONNECTION_ERRORS:
        raise Unavailable("消息服务暂时不可用,请求未发出,请稍后重试",
                          code="BROKER_UNAVAILABLE") from None
    try:
        with eventlet.Timeout(timeout):
            return reply.result()
    except eventlet.Timeout:
        raise Unavailable(f"{service_name} 服务在 {timeout:g} 秒内没有响应({method_name})",
                          code="SERVICE_TIMEOUT") from None


class CommandContext(DependencyProvider):
    """`self.command(base)` names the command a worker's calls carry out (see
    `set_command_base`)."""

    def get_dependency(self, worker_ctx):
        return partial(set_command_base, worker_ctx)
