"""Entrypoints that keep nameko's promises when messages or handlers go wrong.

nameko 2.14 acks an event whose handler raised (the event is lost) or, with requeue_on_error,
redelivers it at once and forever; a message that cannot be decoded, or an RPC request without
`reply_to`, can take a consumer down and come back for ever. The entrypoints here replace that:

- `handle_event(EVENT_TYPE)` subscribes a method to one catalogue event. The method receives the
  parsed `Envelope`. A malformed event goes straight to the service's dead-letter queue. A
  handler error is retried (the message is published again with an attempt count) and, after
  `EVENT_MAX_ATTEMPTS`, dead-lettered with the reason. An outage of the database or of another
  service is not the event's fault: it is retried without limit, with a growing pause, until the
  dependency is back. Each handler runs at most `EVENT_HANDLER_CONCURRENCY` events at once in a
  process (default 1): nameko would otherwise run up to `max_workers` transactions of one queue
  at once, and when they write the same documents (a day's number counter, a statistics bucket)
  MongoDB aborts all but one with a write conflict and they retry, again and again. Waiting
  messages stay unacknowledged, so nothing changes for delivery.
- `rpc` is nameko's RPC entrypoint, plus: requests that cannot be answered (no `reply_to`,
  undecodable) are dead-lettered instead of crashing the consumer, and errors leave the service
  typed: a `XiuhuaError` as itself, a database outage as `Unavailable`, anything unexpected as
  `InternalError` (its detail is logged here, never sent to the caller).

Dead letters go to `<service>.dead-letters` with the original body and headers saying why.
"""
from __future__ import annotations

import logging
import sys
from functools import partial

import eventlet
import eventlet.semaphore
from kombu import Exchange, Queue
from nameko.amqp.publish import Publisher as AmqpPublisher
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import SharedExtension
from nameko.messaging import QueueConsumer
from nameko.constants import (AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, DEFAULT_SERIALIZER,
                              LOGIN_METHOD_CONFIG_KEY, SERIALIZER_CONFIG_KEY)
from nameko.rpc import Responder, Rpc as NamekoRpc, RpcConsumer, get_rpc_exchange
from pymongo.errors import ConnectionFailure

from shared import clock
from shared.envelope import Envelope, MalformedEvent
from shared.errors import InternalError, Unavailable, XiuhuaError
from shared.events import EventType
from shared.storage import EventAlreadyApplied

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = "xiuhua.dead-letters"
ATTEMPTS_HEADER = "x-xiuhua-attempts"


def dead_letter_queue(service_name: str) -> Queue:
    return Queue(f"{service_name}.dead-letters",
                 exchange=Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True),
                 routing_key=service_name, durable=True)


class DeadLetters(SharedExtension):
    """Where a service puts the messages it cannot process, with the reason."""

    def setup(self):
        self.queue = dead_letter_queue(self.container.service_name)
        config = self.container.config
        self.publisher = AmqpPublisher(config["AMQP_URI"], declare=[self.queue],
                                       ssl=config.get("AMQP_SSL"))

    def send(self, message, reason: str, queue_name: str, exc: BaseException | None = None,
             attempts: int | None = None) -> None:
        headers = dict(message.headers or {})
        headers.update({
            "x-dead-letter-reason": reason,
            "x-original-queue": queue_name,
            "x-original-exchange": message.delivery_info.get("exchange", ""),
            "x-original-routing-key": message.delivery_info.get("routing_key", ""),
            "x-dead-lettered-at": clock.iso(clock.now()),
        })
        if exc is not None:
            headers["x-exception"] = f"{type(exc).__name__}: {exc}"[:1000]
        if attempts is not None:
            headers[ATTEMPTS_HEADER] = attempts
        log.error("dead-lettered a message from %s: %s", queue_name, reason)
        self.publisher.publish(
            message.body, exchange=self.queue.exchange, routing_key=self.queue.routing_key,
            headers=headers, content_type=message.content_type or "application/octet-stream",
            content_encoding=message.content_encoding or "binary")


class SafeQueueConsumer(QueueConsumer):
    """nameko's consumer, except that an undecodable message is dead-lettered and acked
    instead of raising inside the consumer loop and coming back forever."""

    dead_letters = DeadLetters()

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._on_decode_error, provider)
        return consumers

    def _on_decode_error(self, provider, message, exc):
        self.dead_letters.send(message, f"无法解码的消息: {exc}", provider.queue.name, exc)
        self.ack_message(message)


def is_outage(exc: BaseException) -> bool:
    """Failures of what a handler depends on rather than of the event itself."""
    return isinstance(exc, (ConnectionFailure, Unavailable))


class EventSubscriber(EventHandler):
    queue_consumer = SafeQueueConsumer()
    dead_letters = DeadLetters()

    def __init__(self, event_type: EventType, **kwargs):
        if not isinstance(event_type, EventType):
            raise TypeError("subscribe with a constant from shared.events, not a string")
        self.catalogue_type = event_type  # nameko keeps the bare name in `event_type`
        self._outage_pauses = {}
        super().__init__(event_type.source, event_type.name, **kwargs)

    def setup(self):
        super().setup()
        config = self.container.config
        self.max_attempts = int(config.get("EVENT_MAX_ATTEMPTS", 5))
        self.retry_delay = float(config.get("EVENT_RETRY_DELAY", 0.5))
        self.republisher = AmqpPublisher(config["AMQP_URI"], ssl=config.get("AMQP_SSL"))
        # Held from a worker's start to its result; nameko calls handle_message in a
        # greenthread of its own per message, so waiting here never blocks the consumer loop.
        self.running = eventlet.semaphore.Semaphore(
            max(1, int(config.get("EVENT_HANDLER_CONCURRENCY") or 1)))

    def handle_message(self, body, message):
        try:
            envelope = Envelope.parse(body, self.catalogue_type)
        except MalformedEvent as error:
            self.dead_letters.send(message, str(error), self.queue.name, error)
            self.queue_consumer.ack_message(message)
            return
        self.running.acquire()
        try:
            self.container.spawn_worker(
                self, (envelope,), {}, context_data=self.unpack_message_headers(message),
                handle_result=partial(self.handle_result, message))
        except ContainerBeingKilled:
            self.running.release()
            self.queue_consumer.requeue_message(message)
        except BaseException:
            self.running.release()
            raise

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        try:
            return self._settle(message, worker_ctx, result, exc_info)
        finally:
            self.running.release()

    def _settle(self, message, worker_ctx, result=None, exc_info=None):
        event_id = worker_ctx.args[0].event_id
        if exc_info is None or isinstance(exc_info[1], EventAlreadyApplied):
            self._outage_pauses.pop(event_id, None)
            self.queue_consumer.ack_message(message)
            return result, None
        error = exc_info[1]
        if is_outage(error):
            pause = min(self._outage_pauses.get(event_id, 0.5) * 2, 10.0)
            self._outage_pauses[event_id] = pause
            log.warning("%s: %s unavailable, retrying in %.1fs", self.queue.name, error, pause)
            eventlet.sleep(pause)
            self.queue_consumer.requeue_message(message)
            return result, exc_info
        attempts = int((message.headers or {}).get(ATTEMPTS_HEADER, 0)) + 1
        if attempts >= self.max_attempts:
            self.dead_letters.send(message, f"处理失败 {attempts} 次: {error}", self.queue.name,
                                   error, attempts)
        else:
            eventlet.sleep(self.retry_delay * 2 ** (attempts - 1))
            headers = dict(message.headers or {})
            headers[ATTEMPTS_HEADER] = attempts
            # Back through the default exchange to this queue only: other subscribers of
            # the event have already had their copy.
            self.republisher.publish(
                message.body, exchange=Exchange(""), routing_key=self.queue.name,
                headers=headers, content_type=message.content_type,
                content_encoding=message.content_encoding, delivery_mode=2)
        self.queue_consumer.ack_message(message)
        return result, exc_info


handle_event = EventSubscriber.decorator


class ReplyPublisher(AmqpPublisher):
    """An RPC reply is for a caller waiting now on its own reply queue: nothing to persist,
    and a confirm would only add a round trip to the broker to every call (a reply that is
    lost ends in the caller's deadline either way)."""
    use_confirms = False
    delivery_mode = 1


class ReplyResponder(Responder):
    publisher_cls = ReplyPublisher


class GuardedRpcConsumer(RpcConsumer):
    queue_consumer = SafeQueueConsumer()
    dead_letters = DeadLetters()

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        if config.get("RPC_REPLY_CONFIRMS"):  # nameko's own way: persistent and confirmed
            return super().handle_result(message, result, exc_info)
        responder = ReplyResponder(
            config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def handle_message(self, body, message):
        if not message.properties.get("reply_to"):
            self.dead_letters.send(message, "RPC 请求缺少 reply_to,无法回复", self.queue.name)
            self.queue_consumer.ack_message(message)
            return
        try:
            super().handle_message(body, message)
        except Exception as error:  # a reply that cannot be sent must not kill the service
            self.dead_letters.send(message, f"无法处理的 RPC 请求: {error}", self.queue.name, error)
            self.queue_consumer.ack_message(message)


class Rpc(NamekoRpc):
    rpc_consumer = GuardedRpcConsumer()

    def __init__(self, expected_exceptions=XiuhuaError, **kwargs):
        # Typed errors are answers, not failures: nameko logs them quietly, the rest loudly.
        super().__init__(expected_exceptions=expected_exceptions, **kwargs)

    def handle_result(self, message, worker_ctx, result, exc_info):
        if exc_info is not None:
            exc_info = typed_error(exc_info, worker_ctx)
        return super().handle_result(message, worker_ctx, result, exc_info)


def typed_error(exc_info, worker_ctx):
    """nameko has already logged the original with its traceback; the caller gets a kind."""
    error = exc_info[1]
    if isinstance(error, XiuhuaError):
        return exc_info
    if isinstance(error, ConnectionFailure):
        typed = Unavailable("数据库暂时不可用,请稍后重试", code="DATABASE_UNAVAILABLE")
    else:
        typed = InternalError()
    try:
        raise typed from error
    except XiuhuaError:
        return sys.exc_info()


rpc = Rpc.decorator
