"""Provision RabbitMQ for production: the vhost, one user per service, a topology user, and
the permissions that keep each service to its own queues.

Runs against the management HTTP API with an administrator account, as a one-shot step
before anything else connects (compose: `broker-setup`; Kubernetes: the provision Job). It is
idempotent: run it again to change a password (existing connections keep working until they
reconnect) or after adding a service.

    RABBITMQ_ADMIN_USERNAME=admin RABBITMQ_ADMIN_PASSWORD=... \\
    RABBITMQ_REPAIR_PASSWORD=... RABBITMQ_TOPOLOGY_PASSWORD=... \\
        python deploy/rabbitmq/provision.py --api http://rabbitmq:15672 --vhost xiuhua \\
            --services repair activity volunteer job notify gateway

Users are `<prefix><service>` (default prefix `xiuhua-`) with the password from
`RABBITMQ_<SERVICE>_PASSWORD`, and `<prefix>topology` with `RABBITMQ_TOPOLOGY_PASSWORD`.
Passwords go into AMQP URIs, so they must be URL-safe (`openssl rand -hex 24`).

What a service may touch (nameko 2.14's names, and those of shared/messaging and the outbox):

- its RPC queue `rpc-<service>` and its reply queues `rpc.reply-<service>-…`;
- its event-handler queues `evt-<source>-<event>--<service>.<method>` and its dead-letter queue
  `<service>.dead-letters`;
- the exchanges `nameko-rpc` and `xiuhua.dead-letters`; it may declare and bind to any
  `<source>.events` exchange (to subscribe) but publish only to its own `<service>.events`;
- the default exchange (`amq.default`), because a failed event is retried by republishing it
  to the handler's own queue through it.

So one service cannot read another's queues or publish another's events. The topology user
may declare everything in the vhost; nobody but the administrator has the management tag.

`--queue-type quorum` (a cluster) makes quorum the vhost's default queue type, so every durable
queue nameko and the topology step declare becomes a quorum queue, and adds one policy per
service that lifts the broker's delivery limit (20 by default since RabbitMQ 4.0) to
`--delivery-limit` and dead-letters what still exceeds it into `<service>.dead-letters`
instead of dropping it. It works from RabbitMQ 3.10 on (shown on a 3.10.8 cluster by
tests/faults/test_broker_cluster.py); before 3.13 the policy applies to `queues` of its
pattern, as those brokers know no `quorum_queues`. See docs/deployment.md.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

DEAD_LETTER_EXCHANGE = "xiuhua.dead-letters"  # shared.messaging.DEAD_LETTER_EXCHANGE
RPC_EXCHANGE = "nameko-rpc"
URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")


def service_permissions(service: str) -> dict[str, str]:
    """configure / write / read regular expressions for one service's broker user."""
    s = re.escape(service)
    own_queues = rf"rpc-{s}|rpc\.reply-{s}-.+|evt-.+--{s}\..+|{s}\.dead-letters"
    shared = rf"{re.escape(RPC_EXCHANGE)}|{re.escape(DEAD_LETTER_EXCHANGE)}"
    return {
        "configure": rf"^({own_queues}|{shared}|[^.]+\.events)$",
        "write": rf"^({own_queues}|{shared}|{s}\.events|amq\.default)$",
        "read": rf"^({own_queues}|{shared}|[^.]+\.events)$",
    }


TOPOLOGY_PERMISSIONS = {"configure": ".*", "write": ".*", "read": ".*"}


def quorum_policy(service: str, delivery_limit: int) -> dict:
    """Applies to the service's event-handler quorum queues (not queues named after them such
    as `<handler queue>.delay`): what the broker would drop after its delivery limit goes to
    the service's dead-letter queue instead (where `health` counts it), and stays in its queue
    until the dead-letter queue has it (at-least-once dead-lettering, which needs
    `overflow: reject-publish`; no length limit is set, so that changes nothing else)."""
    s = re.escape(service)
    return {
        "pattern": rf"^evt-.+--{s}\.[^.]+$",
        "apply-to": "quorum_queues",
        "priority": 10,
        "definition": {
            "delivery-limit": delivery_limit,
            "dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "dead-letter-routing-key": service,
            "dead-letter-strategy": "at-least-once",
            "overflow": "reject-publish",
        },
    }


def rpc_policy(service: str, delivery_limit: int) -> dict:
    """Applies to the service's RPC queue: the same delivery limit, and no dead-lettering. A
    request carries its caller's deadline as its expiration; one the broker expires (or that
    exceeds the limit) is one its caller has already been answered SERVICE_TIMEOUT for, and
    whose retry is answered from the command record, so there is nothing for a person to do
    with it, as with a request the service drops past its deadline."""
    return {
        "pattern": rf"^rpc-{re.escape(service)}$",
        "apply-to": "quorum_queues",
        "priority": 10,
        "definition": {"delivery-limit": delivery_limit},
    }


class ManagementApi:
    def __init__(self, base: str, username: str, password: str, timeout: float = 10):
        self.base = base.rstrip("/") + "/api"
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        self.timeout = timeout

    def call(self, method: str, path: str, body=None):
        request = urllib.request.Request(
            self.base + path, method=method, headers=self.headers,
            data=None if body is None else json.dumps(body).encode())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            raise RuntimeError(f"{method} {path}: HTTP {error.code} {detail}") from None
        return json.loads(payload) if payload else None

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.call("GET", "/overview")
                return
            except RuntimeError:
                raise  # the API answered: wrong credentials are not worth waiting for
            except OSError as error:
                if time.monotonic() > deadline:
                    raise SystemExit(f"broker-setup: no management API at {self.base}: {error}")
                time.sleep(2)


def q(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def password_for(env: dict, name: str) -> str:
    variable = f"RABBITMQ_{name.upper()}_PASSWORD"
    value = env.get(variable)
    if not value:
        raise SystemExit(f"broker-setup: {variable} is not set")
    if not URL_SAFE.fullmatch(value):
        raise SystemExit(f"broker-setup: {variable} must be URL-safe (letters, digits, . _ ~ -); "
                         "generate one with: openssl rand -hex 24")
    return value


def provision(api: ManagementApi, vhost: str, services: list[str], env: dict,
              user_prefix: str = "xiuhua-", queue_type: str | None = None,
              delivery_limit: int = 1000) -> list[str]:
    passwords = {name: password_for(env, name) for name in [*services, "topology"]}
    vhost_body = {"description": "绣花 Xiuhua", "tags": "xiuhua"}
    if queue_type:
        # RabbitMQ 3.10 and 3.11 read `defaultqueuetype`; later versions `default_queue_type`.
        vhost_body["default_queue_type"] = vhost_body["defaultqueuetype"] = queue_type
    api.call("PUT", f"/vhosts/{q(vhost)}", vhost_body)
    done = []
    for name, password in passwords.items():
        user = f"{user_prefix}{name}"
        api.call("PUT", f"/users/{q(user)}", {"password": password, "tags": ""})
        permissions = TOPOLOGY_PERMISSIONS if name == "topology" else service_permissions(name)
        api.call("PUT", f"/permissions/{q(vhost)}/{q(user)}", permissions)
        done.append(user)
    if queue_type == "quorum":
        for service in services:
            put_policy(api, vhost, f"xiuhua-{service}", quorum_policy(service, delivery_limit))
            put_policy(api, vhost, f"xiuhua-{service}-rpc", rpc_policy(service, delivery_limit))
    return done


def put_policy(api: ManagementApi, vhost: str, name: str, policy: dict) -> dict:
    """RabbitMQ before 3.13 knows only `queues`, `exchanges` and `all` as a policy's target.
    There a policy for quorum queues applies to the queues of its pattern whatever their type;
    classic queues ignore the delivery limit and would take the dead-lettering."""
    try:
        api.call("PUT", f"/policies/{q(vhost)}/{q(name)}", policy)
    except RuntimeError as error:
        if policy.get("apply-to") != "quorum_queues" or "unrecognised" not in str(error):
            raise
        policy = {**policy, "apply-to": "queues"}
        api.call("PUT", f"/policies/{q(vhost)}/{q(name)}", policy)
    return policy


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", default=os.environ.get("RABBITMQ_API", "http://rabbitmq:15672"),
                        help="management API base URL")
    parser.add_argument("--vhost", default=os.environ.get("RABBITMQ_VHOST", "xiuhua"))
    parser.add_argument("--services", nargs="+",
                        default=os.environ.get("XIUHUA_SERVICES", "").split() or None,
                        help="service names (default: XIUHUA_SERVICES)")
    parser.add_argument("--user-prefix", default=os.environ.get("RABBITMQ_USER_PREFIX", "xiuhua-"))
    parser.add_argument("--queue-type", choices=["classic", "quorum"],
                        default=os.environ.get("RABBITMQ_QUEUE_TYPE") or None)
    parser.add_argument("--delivery-limit", type=int, default=1000,
                        help="quorum queues: deliveries before the broker dead-letters a message")
    parser.add_argument("--wait", type=float, default=120,
                        help="seconds to wait for the management API")
    args = parser.parse_args(argv)
    if not args.services:
        parser.error("name the services with --services or XIUHUA_SERVICES")
    admin = os.environ.get("RABBITMQ_ADMIN_USERNAME", "admin")
    admin_password = os.environ.get("RABBITMQ_ADMIN_PASSWORD")
    if not admin_password:
        raise SystemExit("broker-setup: RABBITMQ_ADMIN_PASSWORD is not set")
    api = ManagementApi(args.api, admin, admin_password)
    api.wait(args.wait)
    users = provision(api, args.vhost, args.services, os.environ, args.user_prefix,
                      args.queue_type, args.delivery_limit)
    print(f"broker-setup: vhost {args.vhost}: users {', '.join(users)} "
          f"({args.queue_type or 'broker default'} queues)", flush=True)


if __name__ == "__main__":
    main()
