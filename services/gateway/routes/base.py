"""What a route is. Every route of the admin API is declared once, in the module of the
service it belongs to (routes/repair.py, …) or in routes/own.py for the gateway's own.

A route names the RPC it translates to, who may call it (roles), where its community (or
department, or volunteer) limits apply (`Scope`, enforced in access.py), the schema its input
is validated with — the service's own schema, so the gateway never restates a rule — the
shape of its answer, and for lists the columns of its CSV/XLSX export. The dispatcher
(api.py), the OpenAPI document (openapi.py) and the console all read the assembled table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from marshmallow import Schema

from services.gateway.access import Scope


@dataclass(frozen=True)
class Route:
    id: str                         # stable name, also the audit log's action
    method: str
    path: str                       # werkzeug rule, e.g. /api/work-orders/<number>
    summary: str                    # Chinese, for the OpenAPI document
    tag: str
    roles: frozenset
    scope: Scope
    rpc: tuple[str, str] | None = None   # (service, method); None for the gateway's own
    input: type[Schema] | None = None    # query (GET) or JSON body (others)
    output: type[Schema] | None = None
    # The answer is a page: {items, total, page, page_size}, or for a list paged by cursor
    # (its input has `cursor`) {items, next_cursor, has_more, page_size, total}.
    paged: bool = False
    listed: bool = False                 # the RPC returns a list, answered as {items: [...]}
    actor: bool = False                  # pass the signed-in person as `actor`
    reveals: bool = False                # returns personal data in clear: audited first
    export: tuple[tuple[str, str], ...] = ()  # (dotted field, Chinese column title)
    files: tuple[str, ...] = ()          # media types of a file answer, instead of JSON
    public: bool = False
    status: int = 200
    # Keyword arguments the route always passes (a volunteer's list of the shifts open for
    # sign-up), and fields of the input schema it does not take (a creation takes no id).
    # Neither, nor a path parameter, may be given in the query or body.
    fixed: dict = field(default_factory=dict)
    omit: tuple[str, ...] = ()
    # The service loads the input as changes: any top-level field may be left out.
    partial: bool = False
    # The body carries a file: IMPORT_MAX_BODY_BYTES bounds it instead of MAX_BODY_BYTES.
    large_body: bool = False

    @property
    def action_name(self) -> str:
        """A short Chinese name of what the route does, for the audit log and its filter: the
        summary up to its explanation, with its subject where the verb alone is ambiguous
        ("工单 · 受理", "志愿者 · 退出")."""
        short = re.split(r"[((::;;,,]", self.summary, maxsplit=1)[0].strip()
        if len(short) <= 4 and self.tag not in short:
            return f"{self.tag} · {short}"
        return short

    @property
    def by_cursor(self) -> bool:
        return self.paged and self.input is not None and "cursor" in self.input().fields

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", self.path)

    @property
    def not_from_input(self) -> set[str]:
        """Input fields this route takes from elsewhere than the query or body."""
        return {*self.path_parameters, *self.fixed, *self.omit}

    def input_fields(self) -> dict:
        """The input schema's fields a caller gives, by the name they are given under."""
        if self.input is None:
            return {}
        taken = self.not_from_input
        return {f.data_key or name: f for name, f in self.input().fields.items()
                if (f.data_key or name) not in taken}
