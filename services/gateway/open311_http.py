"""Open311 GeoReport v2 over HTTP, public: /open311/v2/<resource>.<json|xml>.

The repair service holds the meaning (services, definitions, requests); this module speaks the
standard's wire format: JSON or XML by file extension, form-encoded POSTs with `api_key` and
`attribute[code]` fields, and errors as a list of {code, description} with 400, 403 or 404.
"""
from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

from services.gateway import audit, bodies
from services.gateway.auth import Auth
from services.gateway.wire import Settings, client_address
from services.repair.schemas import Open311Request
from shared.errors import NotFound, Unavailable, ValidationFailed, XiuhuaError

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00+08:00"
RESOURCE = re.compile(r"^(?P<name>[^.]+(?:/[^/.]+)?)\.(?P<format>json|xml)$")
# XML element names for the items of each list, as the standard writes them.
SINGULAR = {"services": "service", "service_requests": "request", "attributes": "attribute",
            "values": "value", "errors": "error", "endpoints": "endpoint",
            "formats": "format"}


CODES = {400: "VALIDATION_FAILED", 403: "API_KEY_INVALID", 404: "NOT_FOUND",
         413: "BODY_TOO_LARGE", 503: "SERVICE_UNAVAILABLE"}
AUDIT_ACTION = "open311.requests.create"


class Open311Error(Exception):
    def __init__(self, status: int, description: str, code: str | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.code = code or CODES.get(status, "ERROR")


def _xml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else escape(str(value))


def to_xml(tag: str, value) -> str:
    if isinstance(value, list):
        child = SINGULAR.get(tag, "item")
        return f"<{tag}>{''.join(to_xml(child, item) for item in value)}</{tag}>"
    if isinstance(value, dict):
        return f"<{tag}>{''.join(to_xml(k, v) for k, v in value.items())}</{tag}>"
    return f"<{tag}>{_xml_value(value)}</{tag}>"


def respond(body, root: str, fmt: str, status: int = 200) -> Response:
    if fmt == "xml":
        document = '<?xml version="1.0" encoding="utf-8"?>' + to_xml(root, body)
        return Response(document, status=status, content_type="text/xml; charset=utf-8")
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    content_type="application/json; charset=utf-8")


def error_response(errors: list[tuple[int, str]], fmt: str) -> Response:
    status = errors[0][0]
    body = [{"code": code, "description": description} for code, description in errors]
    return respond(body, "errors", fmt, status)


def from_typed(error: XiuhuaError) -> list[tuple[int, str]]:
    if isinstance(error, ValidationFailed):
        if not error.fields:
            return [(400, error.message)]
        return [(400, f"{name}: {'; '.join(_flatten(messages))}")
                for name, messages in error.fields.items()]
    if isinstance(error, NotFound):
        return [(404, error.message)]
    if isinstance(error, Unavailable):
        return [(503, error.message)]
    return [(500, "服务内部错误,请稍后重试")]


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [f"{k}: {m}" for k, v in messages.items() for m in _flatten(v)]
    return [str(m) for m in messages]


STANDARD_FIELDS = set(Open311Request().fields) - {"attribute"}


def form_fields(request) -> tuple[dict, dict]:
    """(request fields, attributes) from a form-encoded POST; `attribute[code]=value`. Fields
    the standard does not define are ignored, as clients add their own."""
    fields, attributes = {}, {}
    for name, value in request.form.items():
        match = re.fullmatch(r"attribute\[(.+)\]", name)
        if match:
            attributes[match.group(1)] = value
        elif name in STANDARD_FIELDS:
            fields[name] = value
    return fields, attributes


class Open311:
    def __init__(self, worker):
        self.worker = worker
        self.repair = worker.repair
        self.db = worker.store.db
        self.auth = Auth(self.db, config=worker.config)
        self.settings = Settings.of(worker.config)
        self.actor: dict | None = None       # the API key a submission came with
        self.outcome = audit.OUTCOME_OK

    def handle(self, request, path: str) -> Response:
        """Reads are answered; every submission (POST) is audited first — who (the API key),
        from where, what — and completed with its outcome, refused or not."""
        if request.method != "POST":
            return self.answer(request, path)
        entry = audit.begin(self.db, None, AUDIT_ACTION, "POST", request.path, {},
                            client_address(request, self.settings))
        try:
            response = self.answer(request, path)
        except Exception:
            audit.finish(self.db, entry, 500, "INTERNAL_ERROR", actor=self.actor)
            raise
        audit.finish(self.db, entry, response.status_code, self.outcome, actor=self.actor)
        return response

    def answer(self, request, path: str) -> Response:
        match = RESOURCE.match(path)
        fmt = match.group("format") if match else ("xml" if path.endswith(".xml") else "json")
        try:
            if not match:
                raise Open311Error(404, "没有这个资源;资源路径须以 .json 或 .xml 结尾")
            name = match.group("name")
            if request.method == "POST":
                bodies.check_length(request, self.settings.max_body_bytes)
                if name != "requests":
                    raise Open311Error(404, "只能向 requests 提交")
                return self.create_request(request, fmt)
            return self.read(name, request, fmt)
        except Open311Error as error:
            self.outcome = error.code
            return error_response([(error.status, error.description)], fmt)
        except XiuhuaError as error:
            self.outcome = error.code
            if error.http_status in (411, 413):
                return error_response([(error.http_status, error.message)], fmt)
            return error_response(from_typed(error), fmt)

    def read(self, name: str, request, fmt: str) -> Response:
        if name == "discovery":
            base = request.host_url.rstrip("/") + "/open311/v2"
            return respond({"changeset": CHANGESET, "contact": "街道城市管理办公室",
                            "key_service": "请联系街道管理员在控制台申请接口密钥",
                            "endpoints": [{"specification": SPECIFICATION, "url": base,
                                           "changeset": CHANGESET, "type": "production",
                                           "formats": ["application/json", "text/xml"]}]},
                           "discovery", fmt)
        if name == "services":
            return respond(self.repair.open311_services(), "services", fmt)
        if name.startswith("services/"):
            return respond(self.repair.open311_service_definition(name.split("/", 1)[1]),
                           "service_definition", fmt)
        if name == "requests":
            query = {k: v for k, v in request.args.items()
                     if k in ("service_request_id", "service_code", "start_date", "end_date",
                              "status")}
            return respond(self.repair.open311_requests(**query), "service_requests", fmt)
        if name.startswith("requests/"):
            return respond(self.repair.open311_request(name.split("/", 1)[1]),
                           "service_requests", fmt)
        if name.startswith("tokens/"):
            return respond(self.repair.open311_token(name.split("/", 1)[1]),
                           "service_requests", fmt)
        raise Open311Error(404, f"没有这个资源:{name}")

    def create_request(self, request, fmt: str) -> Response:
        key = self.auth.api_key(request.form.get("api_key"))
        if key is None:
            raise Open311Error(403, "api_key 无效或已吊销")
        self.actor = {"id": f"open311:{key['_id']}", "name": key["name"], "role": "open311",
                      "community": None, "volunteer": None}
        fields, attributes = form_fields(request)
        for number in ("lat", "long"):
            if fields.get(number) in ("", None):
                fields.pop(number, None)
        actor = {"id": f"open311:{key['_id']}", "name": key["name"], "role": "resident"}
        created = self.repair.open311_create_request(actor, attribute=attributes, **fields)
        return respond(created, "service_requests", fmt, status=201)
