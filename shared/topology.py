"""The messaging topology, derived from the services' own code.

nameko publishes events with `mandatory=False`, so an event sent before its consumer has ever
declared its queue is dropped without a word. `declare` creates every subscriber's queue (and
every exchange) before any service runs, at `make run` and as a deploy step, so that no event
published at start-up can fall into the void.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import kombu
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from shared.broker import connect
from shared.messaging import EventSubscriber, dead_letter_queue
from shared.outbox import exchange_name


def service_classes() -> list[type]:
    """Every nameko service under services/, found as `nameko run` would find it."""
    import services

    found = []
    for package in pkgutil.iter_modules(services.__path__):
        if not package.ispkg:
            continue
        module_name = f"services.{package.name}.service"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name == module_name:
                continue
            raise
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module_name and isinstance(getattr(cls, "name", None), str):
                found.append(cls)
    return sorted(found, key=lambda cls: cls.name)


def subscriptions(service_cls) -> list[kombu.Queue]:
    queues = []
    for method_name, method in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, EventSubscriber):
                event_type = entrypoint.catalogue_type
                # nameko's own naming for a SERVICE_POOL handler (nameko/events.py), so the
                # queue declared here is the one the handler will consume from.
                queues.append(kombu.Queue(
                    f"evt-{event_type.source}-{event_type.name}--{service_cls.name}."
                    f"{method_name}",
                    exchange=kombu.Exchange(exchange_name(event_type.source), type="topic",
                                            durable=True),
                    routing_key=event_type.name, durable=True))
    return queues


def declare(amqp_uri: str, classes=None, ssl=None) -> list[str]:
    """`ssl`: the AMQP_SSL options, as the services use them."""
    classes = service_classes() if classes is None else classes
    declared = []
    with connect(amqp_uri, ssl, connect_timeout=5) as connection:
        channel = connection.channel()
        for cls in classes:
            for queue in [*subscriptions(cls), dead_letter_queue(cls.name)]:
                queue(channel).declare()
                declared.append(queue.name)
    return declared
