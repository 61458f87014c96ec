"""HTTP → RPC for the admin API: one request, start to finish.

    match the route → who is asking (session cookie or Bearer token) → may they (role, then
    community/department/volunteer limits) → is the input valid (the service's own schema) →
    for an action, is the record theirs → audit entry for a change or a reveal → call the
    service (with a deadline) → is the answer theirs → JSON, or CSV/XLSX for an export.

Errors at any step are answered as {code, message, fields} with the status the error kind
carries; nothing is called after a refusal, so refused or invalid requests change nothing.
"""
from __future__ import annotations

import hashlib
import re
import uuid

from marshmallow import fields as mfields
from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from services.gateway import access, audit, bodies, exceptions, export, own_routes
from services.gateway.auth import Auth
from services.gateway.routes import BY_ID, HANDLERS, ROUTES, Route
from services.gateway.wire import (Settings, as_typed, client_address, error_response,
                                   json_response, request_token)
from shared import clock
from shared.errors import ValidationFailed
from shared.schemas import validation_failed

URLS = Map([Rule(r.path, endpoint=r.id, methods=[r.method]) for r in ROUTES],
           strict_slashes=False)
EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_LIMIT = 20000
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, as HTTP headers carry


def command_base(request, principal) -> str:
    """What the services record this request's effects under: the client's Idempotency-Key
    (kept apart per account, so that one person's key never answers another's request), or a
    new id, so that a request redelivered inside the system still happens once."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return uuid.uuid4().hex
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ValidationFailed(fields={"Idempotency-Key": ["应为 1 到 255 个可打印 ASCII 字符。"]})
    owner = principal.account_id if principal is not None else "public"
    return hashlib.sha256(f"{owner}|{key}".encode()).hexdigest()[:40]


class Api:
    def __init__(self, worker):
        self.worker = worker
        self.db = worker.store.db
        self.auth = Auth(self.db, float(worker.config.get("SESSION_HOURS", 8)), worker.config)
        self.settings = Settings.of(worker.config)
        # Set by the handler of a sign-in for the audit entry: the account that signed in,
        # and the username tried.
        self.audit_actor: dict | None = None
        self.audit_username: str | None = None

    def handle(self, request) -> Response:
        try:
            try:
                endpoint, params = URLS.bind_to_environ(request.environ).match()
            except WerkzeugMethodNotAllowed as error:
                raise exceptions.method_not_allowed(request.method, request.path,
                                                    error.valid_methods or ()) from None
            except NotFound:
                raise exceptions.route_not_found(request.path) from None
            return self.dispatch(BY_ID[endpoint], params, request)
        except Exception as error:
            return error_response(as_typed(error))

    def dispatch(self, route: Route, params: dict, request) -> Response:
        """An attempt to change something (any method but GET, or a reveal) is audited
        before anything else is done for it — refusals too — and completed with its
        outcome; reads are not."""
        principal = self.signed_in_principal(route, request)
        if route.method == "GET" and not route.reveals:
            return self.serve(route, params, request, principal)
        entry = audit.begin(self.db, principal.actor if principal else None, route.id,
                            route.method, request.path, params,
                            client_address(request, self.settings))
        try:
            response = self.serve(route, params, request, principal)
        except Exception as error:
            typed = as_typed(error)
            audit.finish(self.db, entry, typed.http_status, typed.code,
                         actor=self.audit_actor, username=self.audit_username)
            raise
        audit.finish(self.db, entry, response.status_code, audit.OUTCOME_OK,
                     actor=self.audit_actor, username=self.audit_username)
        return response

    def signed_in_principal(self, route: Route, request):
        if route.public:
            return None
        found = self.auth.principal(request_token(request))
        return found[0] if found else None

    def serve(self, route: Route, params: dict, request, principal) -> Response:
        if not route.public:
            if principal is None:
                raise exceptions.NotSignedIn()
            access.check_role(route.roles, principal, route.scope)
        wanted_format = request.args.get("format") if route.export else None
        data = self.read_input(route, request)
        if principal is not None:
            # Limits first: a staff member's report is filed in their community even when
            # the body leaves it out, and only then is the input checked as a whole.
            access.limit_input(route.scope, principal, data)
        self.validate(route, params, data)
        if principal is not None:
            if route.scope.lookup:
                service, method = route.scope.lookup
                first = route.path_parameters[0]  # the id of the record the route acts on
                record = getattr(getattr(self.worker, service), method)(
                    **{first: params[first]})
                access.check_record(route.scope, principal, record)
            if route.scope.assigned and "volunteer" in principal.limits:
                self.check_assigned(route, params, principal)
        if wanted_format in EXPORT_FORMATS:
            return self.export(route, params, data, principal, wanted_format)
        if route.method != "GET" or route.reveals:
            self.worker.command(command_base(request, principal))
        result = self.call(route, params, data, principal, request)
        if route.scope.record and principal is not None:
            access.check_record(route.scope, principal, result)
        if isinstance(result, Response):
            return result
        if route.listed and isinstance(result, list):
            result = {"items": result}
        return json_response(result, route.status)

    def check_assigned(self, route: Route, params: dict, principal) -> None:
        """A volunteer on a record they may act on only while assigned to it."""
        assignment = route.scope.assigned
        record_id = params[route.path_parameters[0]]
        found = getattr(getattr(self.worker, assignment.service), assignment.method)(
            **assignment.query(principal.volunteer, record_id))
        access.check_assigned(route.scope, principal, found)

    def read_input(self, route: Route, request) -> dict:
        if route.method != "GET":
            return bodies.read_json(route, request, self.settings)
        if route.input is None:
            return {}
        # Every query parameter is input (those the route does not take are refused); a list
        # field takes the parameter repeated.
        known = route.input_fields()
        data = {}
        for name in request.args:
            if name == "format" and route.export:
                continue
            if isinstance(known.get(name), mfields.List):
                data[name] = request.args.getlist(name)
            else:
                data[name] = request.args.get(name)
        return data

    @staticmethod
    def validate(route: Route, params: dict, data: dict) -> None:
        """The input as the service will load it — with the record ids the path gives and
        the arguments the route fixes — checked with the service's own schema. What the path
        or the route gives may not be given again in the query or body."""
        if route.input is None:
            return
        elsewhere = sorted(set(data) & route.not_from_input)
        if elsewhere:
            raise ValidationFailed(fields={name: ["此处不能填写该字段。"] for name in elsewhere})
        schema = route.input()
        names = {f.data_key or n for n, f in schema.fields.items()}
        given = {**data, **{k: v for k, v in params.items() if k in names}, **route.fixed}
        errors = schema.validate(given, partial=tuple(schema.fields) if route.partial else None)
        if errors:
            raise validation_failed(errors)

    def call(self, route: Route, params: dict, data: dict, principal, request):
        if route.rpc is None:  # the gateway's own, imports and reports
            handler = HANDLERS.get(route.id) or own_routes.HANDLERS[route.id]
            return handler(self, principal, params, data, request)
        service, method = route.rpc
        kwargs = {**params, **data, **route.fixed}
        if route.actor:
            kwargs["actor"] = principal.actor
        return getattr(getattr(self.worker, service), method)(**kwargs)

    def export(self, route, params, data, principal, wanted_format) -> Response:
        rows = []
        if route.by_cursor:
            data = {**data, "cursor": None, "page_size": 200}
            while len(rows) < EXPORT_LIMIT:
                page = self.call(route, params, data, principal, None)
                rows.extend(page["items"])
                if not page["has_more"]:
                    break
                data["cursor"] = page["next_cursor"]
        elif route.paged:
            data = {**data, "page": 1, "page_size": 200}
            while len(rows) < EXPORT_LIMIT:
                page = self.call(route, params, data, principal, None)
                rows.extend(page["items"])
                if len(rows) >= page["total"] or not page["items"]:
                    break
                data["page"] += 1
        else:
            result = self.call(route, params, data, principal, None)
            rows = result if isinstance(result, list) else result.get("items", [])
        stamp = clock.local_date(clock.now()).isoformat()
        body, content_type = export.render(route.export, rows, wanted_format)
        filename = f"{route.id.replace('.', '-')}-{stamp}.{wanted_format}"
        return Response(body, content_type=content_type, headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})
