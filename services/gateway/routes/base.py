"""What a route is. Every route of the admin API is declared once, in the module of the
service it belongs to (routes/repair.py, …) or in routes/own.py for the gateway's own.

A route names the RPC it translates to, who may call it (roles), where its community (or
department, or volunteer) limits apply (`Scope`, enforced in access.py), the schema its input
is validated with — the service's own schema, so the gateway never restates a rule — the
shape of its answer, and for lists the columns of its CSV/XLSX export. The dispatcher
(api.py), the OpenAPI document (openapi.py) and the console all read the assembled table.
"""
from __future__ import annotations

from dataclasses import dataclass

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
    paged: bool = False                  # the answer is {items, total, page, page_size}
    listed: bool = False                 # the RPC returns a list, answered as {items: [...]}
    actor: bool = False                  # pass the signed-in person as `actor`
    reveals: bool = False                # returns personal data in clear: audited first
    export: tuple[tuple[str, str], ...] = ()  # (dotted field, Chinese column title)
    public: bool = False
    status: int = 200
