"""HTTP → RPC for the admin API: one request, start to finish.

    match the route → who is asking (session cookie or Bearer token) → may they (role, then
    community/department/volunteer limits) → is the input valid (the service's own schema) →
    for an action, is the record theirs → audit entry for a change or a reveal → call the
    service (with a deadline) → is the answer theirs → JSON, or CSV/XLSX for an export.

Errors at any step are answered as {code, message, fields} with the status the error kind
carries; nothing is called after a refusal, so refused or invalid requests change nothing.
"""
from __future__ import annotations

import json
import logging

from marshmallow import fields as mfields
from nameko.exceptions import RemoteError
from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Response

from services.gateway import access, audit, exceptions, export
from services.gateway.auth import Auth
from services.gateway.routes import ROUTES, Route
from shared import clock
from shared.errors import InternalError, ValidationFailed, XiuhuaError

log = logging.getLogger(__name__)

SESSION_COOKIE = "xiuhua_session"
URLS = Map([Rule(r.path, endpoint=r.id, methods=[r.method]) for r in ROUTES],
           strict_slashes=False)
BY_ID = {r.id: r for r in ROUTES}
EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_LIMIT = 20000


def json_response(body, status: int = 200, headers=None) -> Response:
    if status == 204:
        return Response(status=204, headers=headers)
    return Response(json.dumps(body, ensure_ascii=False, default=str), status=status,
                    headers=headers, content_type="application/json; charset=utf-8")


def error_response(error: XiuhuaError) -> Response:
    headers = {}
    if isinstance(error, exceptions.TooManyAttempts):
        headers["Retry-After"] = str(error.retry_after)
    return json_response(error.to_dict(), error.http_status, headers)


def as_typed(error: Exception) -> XiuhuaError:
    if isinstance(error, XiuhuaError):
        return error
    if not isinstance(error, RemoteError):
        log.exception("gateway failed")
    return InternalError()


def request_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def client_address(request) -> str:
    # Behind the cluster's ingress the first X-Forwarded-For hop is the client.
    forwarded = request.headers.get("X-Forwarded-For", "")
    return forwarded.split(",")[0].strip() or request.remote_addr or "unknown"


class Api:
    def __init__(self, worker):
        self.worker = worker
        self.db = worker.store.db
        self.auth = Auth(self.db, float(worker.config.get("SESSION_HOURS", 8)))

    def handle(self, request) -> Response:
        try:
            try:
                endpoint, params = URLS.bind_to_environ(request.environ).match()
            except WerkzeugMethodNotAllowed:
                raise exceptions.method_not_allowed(request.method, request.path) from None
            except NotFound:
                raise exceptions.route_not_found(request.path) from None
            return self.dispatch(BY_ID[endpoint], params, request)
        except Exception as error:
            return error_response(as_typed(error))

    def dispatch(self, route: Route, params: dict, request) -> Response:
        principal = None
        if not route.public:
            found = self.auth.principal(request_token(request))
            if found is None:
                raise exceptions.NotSignedIn()
            principal = found[0]
            access.check_role(route.roles, principal)
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
        if wanted_format in EXPORT_FORMATS:
            return self.export(route, params, data, principal, wanted_format)
        changes = route.method != "GET" or route.reveals
        entry = None
        if changes and principal is not None:
            entry = audit.begin(self.db, principal, route, request, params,
                                client_address(request))
        try:
            result = self.call(route, params, data, principal, request)
            if route.scope.record and principal is not None:
                access.check_record(route.scope, principal, result)
        except Exception as error:
            if entry is not None:
                typed = as_typed(error)
                audit.finish(self.db, entry, typed.http_status, typed.code)
            raise
        if entry is not None:
            audit.finish(self.db, entry, route.status, "OK")
        if isinstance(result, Response):
            return result
        if route.listed and isinstance(result, list):
            result = {"items": result}
        return json_response(result, route.status)

    def read_input(self, route: Route, request) -> dict:
        if route.input is None:
            return {}
        if route.method == "GET":
            # Every query parameter is input (those the route does not take are refused);
            # a list field takes the parameter repeated.
            known = route.input_fields()
            data = {}
            for name in request.args:
                if name == "format" and route.export:
                    continue
                if isinstance(known.get(name), mfields.List):
                    data[name] = request.args.getlist(name)
                else:
                    data[name] = request.args.get(name)
        else:
            try:
                data = json.loads(request.get_data(as_text=True) or "{}")
            except ValueError:
                raise exceptions.bad_json() from None
            if not isinstance(data, dict):
                raise exceptions.bad_json()
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
            raise ValidationFailed(fields=errors)

    def call(self, route: Route, params: dict, data: dict, principal, request):
        if route.rpc is None:
            from services.gateway import own_routes  # the gateway's own handlers
            from services.gateway.routes import HANDLERS  # imports and reports
            handler = HANDLERS.get(route.id) or own_routes.HANDLERS[route.id]
            return handler(self, principal, params, data, request)
        service, method = route.rpc
        kwargs = {**params, **data, **route.fixed}
        if route.actor:
            kwargs["actor"] = principal.actor
        return getattr(getattr(self.worker, service), method)(**kwargs)

    def export(self, route, params, data, principal, wanted_format) -> Response:
        rows = []
        if route.paged:
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
