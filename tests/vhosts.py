"""A RabbitMQ vhost for every test, made and removed through the management API.

nameko's own `vhost_pipeline` makes vhosts ahead in a background green thread that ends silently
at the first failed HTTP call, after which every later test waits forever for a vhost; and its
management client has no HTTP timeout. Here a vhost is made when a test asks for it (retried,
each call bounded), and removed in the background after the test (retried, failures reported at
the end of the session instead of hanging one)."""
from __future__ import annotations

import time
import uuid
from contextlib import contextmanager

import eventlet
from kombu.pools import connections

HTTP_TIMEOUT = 30  # seconds one management API call may take
ATTEMPTS = 4


def bounded(client, timeout: float = HTTP_TIMEOUT):
    """nameko's management client with a timeout on every HTTP call."""
    plain = client._session.request

    def request(method, url, **kwargs):
        kwargs.setdefault("timeout", timeout)
        return plain(method, url, **kwargs)
    client._session.request = request
    return client


def retried(action, *args):
    for attempt in range(ATTEMPTS):
        try:
            return action(*args)
        except Exception:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


class Vhosts:
    """`with vhosts.get() as name:` — the interface of nameko's pipeline, which `rabbit_config`
    uses."""

    def __init__(self, manager, username: str):
        self.manager = manager
        self.username = username
        self.removals = eventlet.GreenPool(4)
        self.failures: list[str] = []

    def _create(self) -> str:
        vhost = f"xiuhua_test_{uuid.uuid4().hex[:12]}"
        retried(self.manager.create_vhost, vhost)
        retried(self.manager.set_vhost_permissions, vhost, self.username, ".*", ".*", ".*")
        return vhost

    def _remove(self, vhost: str) -> None:
        try:
            retried(self.manager.delete_vhost, vhost)
        except Exception as error:  # noqa: BLE001 - reported at the end of the session
            self.failures.append(f"{vhost}: {error!r}")
        for key, pool in list(connections.items()):
            if isinstance(key, tuple) and len(key) > 4 and key[4] == vhost:
                pool.force_close_all()

    @contextmanager
    def get(self):
        vhost = self._create()
        try:
            yield vhost
        finally:
            self.removals.spawn_n(self._remove, vhost)

    def close(self, timeout: float = 120) -> list[str]:
        with eventlet.Timeout(timeout, False):
            self.removals.waitall()
        return self.failures
