"""Broker addresses: one RabbitMQ node, or the nodes of a cluster.

`AMQP_URI` may list every node of one cluster, separated by `;` (kombu's failover form):

    amqps://xiuhua-repair:…@rabbit-1:5671/xiuhua;amqps://xiuhua-repair:…@rabbit-2:5671/xiuhua;…

kombu takes the list as it is: a connection goes to the first node that answers and, when it
loses its node, reconnects to the next one in turn. nameko's consumers, publishers and RPC
proxies get the list through `AMQP_URI` unchanged; the connections the project opens itself
(the outbox relay, the health report, the topology step, the probes) open through `connect`,
which tries every node before it gives up. Give each node with the same user, password and
vhost; list them in a different order in different services to spread the connections.
"""
from __future__ import annotations

from urllib.parse import urlparse

import amqp.exceptions
import kombu
import kombu.exceptions

# What a caller sees when no node of the broker can be reached, or the one it used went away.
CONNECTION_ERRORS = (OSError, kombu.exceptions.OperationalError,
                     amqp.exceptions.ConnectionError)


def nodes(amqp_uri: str) -> list[str]:
    """The URIs of the nodes `AMQP_URI` names (one for a single broker)."""
    return [uri.strip() for uri in amqp_uri.split(";") if uri.strip()]


def addresses(amqp_uri: str) -> list[tuple[str, int]]:
    """(host, port) of every node."""
    found = []
    for uri in nodes(amqp_uri):
        parsed = urlparse(uri)
        default = 5671 if parsed.scheme == "amqps" else 5672
        found.append((parsed.hostname or "localhost", parsed.port or default))
    return found


def connect(amqp_uri: str, ssl=None, connect_timeout: float = 5, heartbeat: float = 0,
            timeout: float | None = None) -> kombu.Connection:
    """An open connection to the first node that answers; raises when none does (each node
    is tried, and the first once more after a pause). The caller releases it."""
    connection = kombu.Connection(amqp_uri, ssl=ssl or False, connect_timeout=connect_timeout,
                                  heartbeat=heartbeat)
    try:
        connection.ensure_connection(max_retries=len(nodes(amqp_uri)), timeout=timeout)
    except BaseException:
        connection.release()
        raise
    return connection
