"""Who may do what, and on which community's data: the one place it is decided.

A signed-in person is a `Principal` with a role and, for most roles, limits: community staff,
grid workers and community-bound viewers are limited to their community, department staff to
their department, a volunteer to their own volunteer record. Every API route says which roles
may use it and, through its `Scope`, where the limited things are found in its input or in
the record it touches. `authorize` applies both for every route, before any service is called:

- a route that cannot show where a limit applies is refused to a limited principal (a route
  added without thinking about communities is closed to community staff, not open);
- a limited value in the query or body is forced to the principal's own (a list is filtered to
  their community; a report is filed in it), and a different value is refused;
- a record an action touches is looked up first and refused if it belongs elsewhere; a record
  that is read is checked before it is returned;
- an action's input that names a limited thing too (a volunteer signing themselves up for a
  shift; a record moved to another community) is refused if it names another.

Limits fail closed: a role that is limited must have its limit (`REQUIRED`). An account whose
limit is missing — a department account without a department, community staff without a
community, a viewer with neither a community nor `whole_street` — is refused everything but
its own session and password (`SCOPE_MISSING`), never served as if it were unlimited.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.errors import Forbidden

ROLES = {
    "street_admin": "街道管理员",
    "community_staff": "社区工作人员",
    "grid_worker": "网格员",
    "department": "承办部门",
    "volunteer": "志愿者",
    "viewer": "只读查看",
    # A resident signed in on the resident site (/m/) with a one-time code to their phone:
    # not an account anyone creates, limited to themselves (their phone's fingerprint).
    "resident": "居民",
}
ADMIN = frozenset({"street_admin"})
STAFF = frozenset({"street_admin", "community_staff"})
FIELD = frozenset({"street_admin", "community_staff", "grid_worker"})
# Every role of the console (the resident site has its own routes, under /m/api/).
EVERYONE = frozenset(ROLES) - {"resident"}
RESIDENT = frozenset({"resident"})
READERS = frozenset({"street_admin", "community_staff", "grid_worker", "viewer"})

# What each role is limited by: the account field that holds the limit.
LIMITS = {
    "community_staff": ("community",),
    "grid_worker": ("community",),
    "department": ("department",),
    "volunteer": ("volunteer",),
    "viewer": ("community",),  # a viewer with `whole_street` sees every community
    "resident": ("resident",),
}
# What each limited role must have: the account field, and its Chinese name for messages. A
# viewer may instead be given the whole street explicitly (`whole_street`).
REQUIRED = {
    "community_staff": "community",
    "grid_worker": "community",
    "department": "department",
    "volunteer": "volunteer",
    "viewer": "community",
    "resident": "resident",
}


@dataclass(frozen=True)
class Principal:
    account_id: str
    username: str
    name: str
    role: str
    community: str | None = None
    department: str | None = None
    volunteer: str | None = None
    resident: str | None = None
    whole_street: bool = False

    @property
    def limits(self) -> dict[str, str]:
        return {kind: getattr(self, kind) for kind in LIMITS.get(self.role, ())
                if getattr(self, kind)}

    @property
    def missing_scope(self) -> str | None:
        """The limit this principal's role needs and the account lacks, if any."""
        kind = REQUIRED.get(self.role)
        if kind is None or getattr(self, kind):
            return None
        if self.role == "viewer" and self.whole_street:
            return None
        return kind

    @property
    def actor(self) -> dict:
        actor = {"id": self.account_id, "name": self.name, "role": self.role,
                 "community": self.community, "volunteer": self.volunteer}
        if self.resident:
            actor["resident"] = self.resident
        return actor


@dataclass(frozen=True)
class Assignment:
    """A list RPC answering a volunteer's open assignments to a record: called with
    `volunteer_id`, the record's id under `key`, and the fixed `filters`."""
    service: str
    method: str
    key: str
    filters: tuple[tuple[str, object], ...] = ()

    def query(self, volunteer_id: str, record_id: str) -> dict:
        return {"volunteer_id": volunteer_id, self.key: record_id, **dict(self.filters)}


@dataclass(frozen=True)
class Scope:
    """Where a route's limited things are. `fields` maps a limit kind (community, department,
    volunteer) to the name of the input field that carries it (for lists and creations) or to
    a dotted path in the record (for reads and actions). `lookup` names the RPC that fetches
    the record an action touches, called with the route's first path parameter (the record's
    id). `inputs` names, for a route on one record, an input field that carries a limited
    value as well: another value than the principal's is refused. A limit kind found only in
    `inputs` is not looked for in the record (a volunteer signs up for any community's shift,
    as themselves)."""
    fields: dict[str, str] = field(default_factory=dict)
    lookup: tuple[str, str] | None = None   # (service, method) for actions on one record
    record: bool = False                    # check the returned record (reads of one record)
    reference: bool = False                 # not anyone's data: categories, calendars, …
    inputs: dict[str, str] = field(default_factory=dict)
    own: bool = False                       # the principal's own session and password
    # A route on one record that a volunteer may use while assigned to it (a 回访 of a work
    # order): where to find their open assignments to the record.
    assigned: Assignment | None = None

    def covers(self, kind: str) -> bool:
        """Whether the route says where a limit of this kind applies."""
        return (self.reference or kind in self.fields or kind in self.inputs
                or (kind == "volunteer" and self.assigned is not None))


NOT_SCOPED = Scope()                 # closed to every limited principal
REFERENCE = Scope(reference=True)    # not anyone's data: categories, calendars, …
OWN = Scope(reference=True, own=True)  # the principal's own session and password


def forbidden(message: str) -> Forbidden:
    return Forbidden(message, code="FORBIDDEN")


def scope_missing(principal: Principal) -> Forbidden:
    kind = principal.missing_scope
    hint = "或设为“全街道”" if principal.role == "viewer" else ""
    return Forbidden(f"您的“{ROLES.get(principal.role, principal.role)}”账号未设置所属"
                     f"{_KIND_NAMES.get(kind, kind)}{hint},暂不能使用此功能,请联系街道管理员",
                     code="SCOPE_MISSING")


def check_role(roles: frozenset, principal: Principal, scope: Scope | None = None) -> None:
    """The role first, then fail closed: a limited role without its limit gets nothing but
    its own session and password."""
    if principal.role not in roles:
        raise forbidden(f"“{ROLES.get(principal.role, principal.role)}”角色不能进行此操作")
    if principal.missing_scope and not (scope is not None and scope.own):
        raise scope_missing(principal)


def limit_input(scope: Scope, principal: Principal, data: dict) -> None:
    """Force (or refuse) the limited fields of a query or body to the principal's values."""
    if principal.missing_scope and not scope.own:
        raise scope_missing(principal)
    limits = principal.limits
    if not limits or scope.reference:
        return
    for kind, value in limits.items():
        if not scope.covers(kind):
            raise forbidden(f"此操作不限于本{_KIND_NAMES[kind]},您的账号不能使用")
        if kind in scope.inputs:
            if data.get(scope.inputs[kind]) not in (None, "", value):
                raise forbidden(_only_own(kind, value))
        if scope.lookup or scope.record or kind not in scope.fields:
            continue  # checked on the record itself
        name = scope.fields[kind]
        given = data.get(name)
        if given not in (None, "", value):
            raise forbidden(_only_own(kind, value))
        data[name] = value


def check_record(scope: Scope, principal: Principal, record: dict) -> None:
    if principal.missing_scope and not scope.own:
        raise scope_missing(principal)
    for kind, value in principal.limits.items():
        if scope.reference:
            return
        if kind not in scope.fields and kind in scope.inputs:
            continue  # checked on the input
        if kind == "volunteer" and scope.assigned is not None:
            continue  # checked by the assignment (check_assigned)
        path = scope.fields.get(kind)
        found = _dig(record, path) if path else None
        if found != value:
            raise forbidden(_only_own(kind, value))


def check_assigned(scope: Scope, principal: Principal, assignments: dict | list) -> None:
    """A volunteer acting on a record they are assigned to: refused unless the list of their
    open assignments to it (a page or a list) is not empty."""
    items = assignments.get("items", []) if isinstance(assignments, dict) else assignments
    if not items:
        raise Forbidden("只有正在负责此项回访的志愿者可以查看,回访完成或取消后不能再查看",
                        code="NOT_ASSIGNED")


def _dig(record, path: str):
    for part in path.split("."):
        if not isinstance(record, dict):
            return None
        record = record.get(part)
    return record


_KIND_NAMES = {"community": "社区", "department": "部门", "volunteer": "人", "resident": "人"}


def _only_own(kind: str, value: str) -> str:
    """The refusal a person reads: a community by its name; a department's or a volunteer's
    code means nothing to them, so it is left out."""
    if kind == "community":
        return f"只能访问本社区({value})的数据"
    return f"只能访问本{_KIND_NAMES[kind]}的数据"
