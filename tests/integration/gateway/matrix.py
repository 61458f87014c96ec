"""The access matrix, generated from the route table: who asks, on whose records, and what
the route's declaration (its roles and its `Scope`) says must happen.

Who asks (`PRINCIPALS`): a street admin, and for every limited role an account limited to
天宝社区 (a department account to 供电所, a volunteer account to a 天宝社区 volunteer, a resident
of the resident site to their own phone: the reporter's of its set's work order), a viewer of
the whole street, the same limited roles with their limit missing from the account, and
nobody signed in. Every asker asks with its session's token (`Authorization: Bearer`), as an
API client does, so that a route's roles decide — not which cookie its path reads. On whose records (`OWN`, `ANOTHER`): each asker has its own set of 天宝社区
records; another scope is one shared set of 浚河社区 records, whose work order went to 园林所;
an account missing its limit asks about the records of its role.

What must happen (`expect`), read from the declaration alone:

- nobody signed in: 401 on every route but the public ones;
- a role the route does not list: 403 `FORBIDDEN`, whatever the records;
- a limited role whose account lacks its limit: 403 `SCOPE_MISSING`, but for its own session;
- another scope: 403 (`FORBIDDEN`; `NOT_ASSIGNED` where a volunteer acts by assignment),
  unless the route is reference data, which is everyone's;
- its own scope: served with the route's declared status (or refused for a reason of the
  business — the record's state — never for access).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import bson

from services.gateway.access import LIMITS
from tests.integration.gateway import samples

HOME, ELSEWHERE = "天宝社区", "浚河社区"
OWN_DEPARTMENT, OTHER_DEPARTMENT = "power", "landscaping"
OWN, ANOTHER, NONE = "own", "another", "none"
SERVED = "served"
ACCESS_CODES = {"FORBIDDEN", "SCOPE_MISSING", "NOT_ASSIGNED", "NOT_SIGNED_IN"}


@dataclass(frozen=True)
class Asker:
    name: str                        # the matrix's name for it, e.g. community_staff/missing
    role: str | None                 # None: nobody signed in
    limits: dict = field(default_factory=dict)
    missing: bool = False            # a limited role whose account lacks its limit
    records: str = ""                # whose set of records is its own (default: its role's)

    @property
    def own_records(self) -> str:
        return self.records or self.role or "street_admin"

    @property
    def limited(self) -> bool:
        return bool(LIMITS.get(self.role or "")) and not self.missing and bool(self.limits)


def principals(volunteer_id: str, resident: str = "R1") -> list[Asker]:
    """`resident`: the fingerprint of the phone of the resident set's work order's reporter."""
    return [
        Asker("street_admin", "street_admin"),
        Asker("community_staff", "community_staff", {"community": HOME}),
        Asker("grid_worker", "grid_worker", {"community": HOME}),
        Asker("department", "department", {"department": OWN_DEPARTMENT}),
        Asker("volunteer", "volunteer", {"volunteer": volunteer_id}),
        Asker("viewer", "viewer", {"community": HOME}),
        Asker("viewer/whole_street", "viewer", records="viewer"),
        Asker("resident", "resident", {"resident": resident}),
        *(Asker(f"{role}/missing", role, missing=True) for role in LIMITS),
        Asker("anonymous", None),
    ]


@dataclass(frozen=True)
class Expected:
    status: int | str                # a status, or SERVED
    codes: tuple = ()


def expect(route, asker: Asker, whose: str) -> Expected:
    """What the route's declaration says must happen (see the module's docstring)."""
    if asker.role is None:
        return Expected(SERVED) if route.public else Expected(401, ("NOT_SIGNED_IN",))
    if asker.role not in route.roles:
        return Expected(403, ("FORBIDDEN",))
    if asker.missing:
        return Expected(SERVED) if route.scope.own else Expected(403, ("SCOPE_MISSING",))
    if whose == ANOTHER and asker.limited and not route.scope.reference:
        if asker.role == "volunteer" and route.scope.assigned is not None:
            return Expected(403, ("NOT_ASSIGNED",))
        return Expected(403, ("FORBIDDEN",))
    return Expected(SERVED)


def cases(route, askers: list[Asker]) -> list[tuple[Asker, str]]:
    """Every asker on every scope that applies to it: its own records and another scope's
    (one, for those limited by nothing: the street admin, a whole-street viewer, nobody)."""
    found = []
    for asker in askers:
        if route.public and asker.role is not None:
            continue  # a public route is anyone's: asked once, by nobody signed in
        whose = (OWN, ANOTHER) if asker.limited else (NONE,) if asker.missing else (OWN,)
        found.extend((asker, w) for w in whose)
    return found


def sample_module(route):
    """The sample module that holds a route's sample: the one that names it."""
    for module in samples.MODULES.values():
        if route.id in module.SAMPLES:
            return module
    raise LookupError(f"no sample for route {route.id}: add one to samples/")


def fill(value, placeholders: dict):
    if isinstance(value, dict):
        return {k: fill(v, placeholders) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, placeholders) for v in value]
    if isinstance(value, str):
        for name, replacement in placeholders.items():
            value = value.replace("{" + name + "}", str(replacement))
    return value


def build(route, asker: Asker, records: dict, extra: dict) -> tuple[str, dict]:
    """The request of a route's sample on a set of records: its path and its query or body.
    The limited values the asker's limits concern are named in the input too, with the
    records' own (so a list asked about another scope names that scope)."""
    module = sample_module(route)
    placeholders = {**records[module.SERVICE], **extra}
    params, data = module.SAMPLES[route.id]
    path = route.path
    for name, value in fill(params, placeholders).items():
        path = path.replace(f"<{name}>", str(value))
    data = fill(data, placeholders)
    scope, given = route.scope, route.input_fields()
    for kind in asker.limits:
        value = records["scope"][kind]
        if not (scope.lookup or scope.record) and scope.fields.get(kind) in given:
            data[scope.fields[kind]] = value
        if scope.inputs.get(kind) in given:
            data[scope.inputs[kind]] = value
    return path, data


def send(client, route, path: str, data: dict):
    if route.method == "GET":
        return client.get(path, params=data)
    return client.request(route.method, path, json=data)


# What changes without anyone asking: the audit log (it records refusals by design), sessions
# and sign-in counters, and the outbox relay's lease; and notify's deliveries, which its
# courier makes by the clock (a message held by the rate limit or quiet hours goes out later,
# a fan-out's lease runs out) — a refusal that made a record anywhere shows in that service's
# own collections, and the events it would publish in its outbox.
EPHEMERAL = {"audit_log", "sessions", "login_failures", "outbox_lease"}
DELIVERIES = {"notify.messages", "notify.delivery_attempts", "notify.fanouts",
              "notify.dev_messages"}


def fingerprint(mongo_client, prefix: str) -> dict:
    """Every stored document of the system, as one digest per collection."""
    found = {}
    for name in sorted(mongo_client.list_database_names()):
        if not name.startswith(prefix):
            continue
        db = mongo_client[name]
        for collection in sorted(db.list_collection_names()):
            if collection in EPHEMERAL or f"{name[len(prefix):]}.{collection}" in DELIVERIES:
                continue
            digest, count = hashlib.sha256(), 0
            for document in db[collection].find().sort("_id", 1):
                digest.update(bson.encode(document))
                count += 1
            found[f"{name[len(prefix):]}.{collection}"] = (count, digest.hexdigest())
    return found


def changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in set(before) | set(after)
                  if before.get(name) != after.get(name))
