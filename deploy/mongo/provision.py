"""Provision MongoDB for production: the replica set (where asked), one database user per
service with rights on its own database only, and a backup user.

Runs with an administrator account as a one-shot step before the services start (compose:
`database-setup`; Kubernetes: the provision Job). It is idempotent: run it again to change a
password or to add a service.

    MONGO_ADMIN_USERNAME=root MONGO_ADMIN_PASSWORD=... MONGO_REPAIR_PASSWORD=... \\
    MONGO_BACKUP_PASSWORD=... \\
        python deploy/mongo/provision.py --uri 'mongodb://mongo:27017/?directConnection=true' \\
            --initiate mongo:27017 --services repair activity volunteer job notify gateway

- `--initiate HOST:PORT` runs `replSetInitiate` with that one member when the server is not yet
  a replica set (compose's single node). Without it, a server that is not a replica set is an
  error: the services need one for transactions. A replica set run by an operator is left as
  it is.
- Users live in `admin`: `<prefix><service>` (default prefix `xiuhua-`) with `readWrite` on
  `<MONGO_DB_PREFIX><service>` and nothing else; `<prefix>backup` with the built-in `backup`
  and `restore` roles (for deploy/backup.py and restore drills into a new database).
  Passwords come from `MONGO_<SERVICE>_PASSWORD` and `MONGO_BACKUP_PASSWORD` and go into
  connection URIs, so they must be URL-safe (`openssl rand -hex 24`).
"""
from __future__ import annotations

import argparse
import os
import re
import time

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+")
USER_EXISTS = 51003
NOT_YET_INITIALIZED = 94


def password_for(env: dict, name: str) -> str:
    variable = f"MONGO_{name.upper()}_PASSWORD"
    value = env.get(variable)
    if not value:
        raise SystemExit(f"database-setup: {variable} is not set")
    if not URL_SAFE.fullmatch(value):
        raise SystemExit(f"database-setup: {variable} must be URL-safe (letters, digits, . _ ~ -);"
                         " generate one with: openssl rand -hex 24")
    return value


def service_roles(db_prefix: str, service: str) -> list[dict]:
    return [{"role": "readWrite", "db": f"{db_prefix}{service}"}]


BACKUP_ROLES = [{"role": "backup", "db": "admin"}, {"role": "restore", "db": "admin"}]


def wait_for_server(client: MongoClient, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return client.admin.command("hello")
        except PyMongoError as error:
            if time.monotonic() > deadline:
                raise SystemExit(f"database-setup: no MongoDB answered: {error}")
            time.sleep(2)


def ensure_replica_set(client: MongoClient, name: str, initiate: str | None,
                       seconds: float) -> None:
    hello = wait_for_server(client, seconds)
    current = hello.get("setName")
    if current is None:
        if not initiate:
            raise SystemExit("database-setup: the server is not a replica set; the services need "
                             "one (transactions). Start mongod with --replSet and pass "
                             "--initiate HOST:PORT, or point --uri at the replica set.")
        try:
            client.admin.command("replSetInitiate",
                                 {"_id": name, "members": [{"_id": 0, "host": initiate}]})
            print(f"database-setup: initiated replica set {name} with {initiate}", flush=True)
        except OperationFailure as error:
            if "already initialized" not in str(error):
                raise
    elif current != name:
        raise SystemExit(f"database-setup: the server belongs to replica set {current!r}, "
                         f"not {name!r}")
    deadline = time.monotonic() + seconds
    while not client.admin.command("hello").get("isWritablePrimary"):
        if time.monotonic() > deadline:
            raise SystemExit("database-setup: the replica set elected no primary in time")
        time.sleep(1)


def ensure_user(admin_db, user: str, password: str, roles: list[dict]) -> str:
    """Create the user, or bring an existing one to exactly this password and these roles."""
    try:
        admin_db.command("createUser", user, pwd=password, roles=roles)
        return "created"
    except OperationFailure as error:
        if error.code != USER_EXISTS:
            raise
    admin_db.command("updateUser", user, pwd=password, roles=roles)
    return "updated"


def provision(client: MongoClient, services: list[str], env: dict, db_prefix: str,
              user_prefix: str = "xiuhua-") -> dict[str, str]:
    passwords = {name: password_for(env, name) for name in [*services, "backup"]}
    admin_db = client.admin
    outcome = {}
    for name, password in passwords.items():
        roles = BACKUP_ROLES if name == "backup" else service_roles(db_prefix, name)
        outcome[f"{user_prefix}{name}"] = ensure_user(admin_db, f"{user_prefix}{name}",
                                                      password, roles)
    return outcome


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uri", default=os.environ.get(
        "MONGO_ADMIN_URI", "mongodb://mongo:27017/?directConnection=true"))
    parser.add_argument("--replica-set", default=os.environ.get("MONGO_REPLICA_SET", "rs0"))
    parser.add_argument("--initiate", metavar="HOST:PORT",
                        help="initiate a one-member replica set with this member address")
    parser.add_argument("--services", nargs="+",
                        default=os.environ.get("XIUHUA_SERVICES", "").split() or None)
    parser.add_argument("--db-prefix", default=os.environ.get("MONGO_DB_PREFIX", "xiuhua_"))
    parser.add_argument("--user-prefix", default=os.environ.get("MONGO_USER_PREFIX", "xiuhua-"))
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for MongoDB")
    args = parser.parse_args(argv)
    if not args.services:
        parser.error("name the services with --services or XIUHUA_SERVICES")
    credentials = {}
    if os.environ.get("MONGO_ADMIN_USERNAME"):
        credentials = {"username": os.environ["MONGO_ADMIN_USERNAME"],
                       "password": os.environ.get("MONGO_ADMIN_PASSWORD", ""),
                       "authSource": "admin"}
    with MongoClient(args.uri, serverSelectionTimeoutMS=5000, **credentials) as client:
        ensure_replica_set(client, args.replica_set, args.initiate, args.wait)
        outcome = provision(client, args.services, os.environ, args.db_prefix, args.user_prefix)
    print("database-setup: " + ", ".join(f"{user} {what}" for user, what in outcome.items()),
          flush=True)


if __name__ == "__main__":
    main()
