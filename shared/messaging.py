"""Entrypoints that keep nameko's promises when messages or handlers go wrong.

nameko 2.14 acks an event whose handler raised (the event is lost) or, with requeue_on_error,
redelivers it at once and forever; a message that cannot be decoded, or an RPC request without
`reply_to`, can take a consumer down and come back for ever. The entrypoints here replace that:

- `handle_event(EVENT_TYPE)` subscribes a method to one catalogue event. The method receives the
  parsed `Envelope`. A malformed event goes straight to the service's dead-letter queue. A
  handler error is retried through the broker: the message waits in the handler's delay queue
  (`<handler queue>.delay`, a per-message TTL that doubles with each attempt from
  `EVENT_RETRY_DELAY`) and is dead-lettered by the broker back into the handler's queue, so a
  failing event never holds a worker while it waits. Attempts are counted from the `x-death`
  record the broker keeps. After `EVENT_MAX_ATTEMPTS` the message goes to the dead-letter queue
  with the reason. An outage of the database or of another service is not the event's fault:
  it waits in the delay queue too (growing to at most 10 s) and is retried without limit. Each
  handler runs at most `EVENT_HANDLER_CONCURRENCY` events at once in a process (default 1):
  nameko would otherwise run up to `max_workers` transactions of one queue at once, and when
  they write the same documents MongoDB aborts all but one with a write conflict and they
  retry, again and again. Waiting messages stay unacknowledged, so nothing changes for delivery.
- `rpc` is nameko's RPC entrypoint, plus: requests that cannot be answered (no `reply_to`,
  undecodable) are dead-lettered instead of crashing the consumer; a request whose caller's
  deadline has passed is dropped unanswered (the caller has given up; the broker also expires
  it while it waits in the queue); every request carries a command id (the caller's, or the
  request's correlation id) that `shared.storage` records with a command's effect, so a
  redelivered request is answered from the record instead of being carried out again; errors
  leave the service typed: a `XiuhuaError` as itself, a database outage as `Unavailable`, anything unexpected as
  `InternalError` (its detail is logged here, never sent to the caller).

Dead letters go to `<service>.dead-letters` with the original body and headers saying why.
"""
from __future__ import annotations

import logging
import sys
import time
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
from nameko.utils import sanitize_url
from pymongo.errors import ConnectionFailure

from shared import clock
from shared.broker import nodes
from shared.envelope import Envelope, MalformedEvent
from shared.errors import InternalError, Unavailable, XiuhuaError
from shared.events import EventType
from shared.storage import COMMAND_ID, EventAlreadyApplied

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = "xiuhua.dead-letters"
ATTEMPTS_HEADER = "x-xiuhua-attempts"
OUTAGES_HEADER = "x-xiuhua-outages"
DEADLINE = "deadline"  # the worker context's key: the caller's deadline, in epoch seconds


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
    instead of raising inside the consumer loop and coming back forever, and that a lost
    connection is logged without a password whatever the number of nodes in AMQP_URI (nameko
    hides only the first node's)."""

    dead_letters = DeadLetters()

    def register_provider(self, provider):
        self.by_queue = getattr(self, "by_queue", {})
        self.by_queue[provider.queue.name] = provider
        super().register_provider(provider)

    def on_connection_error(self, exc, interval):
        log.warning("broker connection to %s failed (%s); retrying in %s s",
                    safe_uri(self.amqp_uri), exc, interval)

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for consumer in consumers:
            for queue in consumer.queues:
                provider = self.by_queue.get(queue.name)
                if provider is not None:
                    consumer.on_decode_error = partial(self._on_decode_error, provider)
        return consumers

    def _on_decode_error(self, provider, message, exc):
        self.dead_letters.send(message, f"无法解码的消息: {exc}", provider.queue.name, exc)
        self.ack_message(message)


def safe_uri(amqp_uri: str) -> str:
    """AMQP_URI without its passwords, for logs."""
    return ";".join(sanitize_url(node) for node in nodes(amqp_uri))


def is_outage(exc: BaseException) -> bool:
    """Failures of what a handler depends on rather than of the event itself."""
    return isinstance(exc, (ConnectionFailure, Unavailable))


class EventSubscriber(EventHandler):
    queue_consumer = SafeQueueConsumer()
    dead_letters = DeadLetters()
    handles_events = True  # its worker's unit of work records the event in the inbox

    def __init__(self, event_type: EventType, **kwargs):
        if not isinstance(event_type, EventType):
            raise TypeError("subscribe with a constant from shared.events, not a string")
        self.catalogue_type = event_type  # nameko keeps the bare name in `event_type`
        super().__init__(event_type.source, event_type.name, **kwargs)

    def setup(self):
        super().setup()
        config = self.container.config
        self.max_attempts = int(config.get("EVENT_MAX_ATTEMPTS", 5))
        self.retry_delay = float(config.get("EVENT_RETRY_DELAY", 0.5))
        self.delay_queue = delay_queue(self.queue.name)
        self.republisher = AmqpPublisher(config["AMQP_URI"], declare=[self.delay_queue],
                                         ssl=config.get("AMQP_SSL"))
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
        """Acknowledges, retries later or dead-letters the event. When the broker cannot be
        told (its node went away while the event was handled), the event goes back to its
        queue rather than nameko killing the service for it; its redelivery is a repeat that
        the inbox makes harmless."""
        try:
            return self._settle(message, worker_ctx, result, exc_info)
        except Exception as error:  # noqa: BLE001 - any failure to settle is survivable
            log.warning("%s: could not settle an event (%s); it goes back to its queue",
                        self.queue.name, error)
            self.queue_consumer.requeue_message(message)
            return result, exc_info
        finally:
            self.running.release()

    def _settle(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is None or isinstance(exc_info[1], EventAlreadyApplied):
            self.queue_consumer.ack_message(message)
            return result, None
        error = exc_info[1]
        headers = dict(message.headers or {})
        outages = int(headers.get(OUTAGES_HEADER, 0))
        if is_outage(error):
            outages += 1
            pause = min(self.retry_delay * 2 ** outages, 10.0)
            log.warning("%s: %s unavailable, retrying in %.1fs", self.queue.name, error, pause)
            self._retry_later(message, headers, pause, outages, attempts_so_far(
                headers, self.delay_queue.name, outages))
            return result, exc_info
        attempts = attempts_so_far(headers, self.delay_queue.name, outages) + 1
        if attempts >= self.max_attempts:
            self.dead_letters.send(message, f"处理失败 {attempts} 次: {error}", self.queue.name,
                                   error, attempts)
            self.queue_consumer.ack_message(message)
        else:
            self._retry_later(message, headers, self.retry_delay * 2 ** (attempts - 1),
                              outages, attempts)
        return result, exc_info

    def _retry_later(self, message, headers, pause: float, outages: int, attempts: int):
        """Into the delay queue, from which the broker dead-letters it back to this handler's
        queue when `pause` has passed; then the original is acknowledged. Other subscribers of
        the event have had their copy already."""
        headers[OUTAGES_HEADER] = outages
        headers[ATTEMPTS_HEADER] = attempts
        self.republisher.publish(
            message.body, exchange=Exchange(""), routing_key=self.delay_queue.name,
            headers=headers, content_type=message.content_type,
            content_encoding=message.content_encoding, delivery_mode=2,
            expiration=max(pause, 0.001))
        self.queue_consumer.ack_message(message)


def delay_queue(queue_name: str) -> Queue:
    """Where a handler's failed events wait for their next attempt: each message expires
    after its own pause and the broker dead-letters it back to the handler's queue."""
    return Queue(f"{queue_name}.delay", durable=True, queue_arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue_name})


def attempts_so_far(headers: dict, delay_queue_name: str, outages: int) -> int:
    """Failed attempts before this delivery: the broker's count of expiries from the delay
    queue (`x-death`), less the waits for an outage. Our own header stands in where a broker
    does not keep `x-death` for a republished message."""
    expired = 0
    for death in headers.get("x-death") or ():
        if death.get("queue") == delay_queue_name and death.get("reason") == "expired":
            expired = int(death.get("count", 0))
    return max(expired - outages, int(headers.get(ATTEMPTS_HEADER, 0)), 0)


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
        """Sends the reply, then acknowledges the request. A reply that cannot be sent (the
        broker node went away) must not kill the service, as nameko would: the request is left
        unacknowledged (requeued, or given back by the broker with the lost channel), and its
        redelivery is answered from the command record, if its caller still waits."""
        try:
            return self._reply(message, result, exc_info)
        except Exception as error:  # noqa: BLE001 - any failure to reply is survivable
            log.warning("%s: the reply could not be sent (%s); the request goes back to its "
                        "queue", self.queue.name, error)
            self.queue_consumer.requeue_message(message)
            return result, exc_info

    def _reply(self, message, result, exc_info):
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

    def unpack_message_headers(self, message):
        """The caller's context, and a command id for every request: the caller's own (a
        client's Idempotency-Key through the gateway) or else the request's correlation id,
        which a redelivery of the same request keeps."""
        context = super().unpack_message_headers(message)
        if not context.get(COMMAND_ID):
            context[COMMAND_ID] = message.properties.get("correlation_id")
        return context

    def handle_message(self, body, message):
        deadline = (message.headers or {}).get(f"nameko.{DEADLINE}")
        if deadline is not None and float(deadline) < time.time():
            log.warning("%s: dropped a request whose caller gave up %.1fs ago", self.method_name,
                        time.time() - float(deadline))
            self.rpc_consumer.queue_consumer.ack_message(message)
            return
        super().handle_message(body, message)

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
