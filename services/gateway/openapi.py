"""The OpenAPI 3 document of the admin API, generated from the route table and the services'
own marshmallow schemas, so it says exactly what the API accepts and returns."""
from __future__ import annotations

import functools
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from services.gateway.routes import ROUTES
from services.gateway.schemas import Error

ERRORS = {401: "未登录或登录已过期", 403: "无权限,或不属于本社区/部门的数据",
          404: "记录或接口不存在", 409: "当前状态不允许此操作,或与已有记录冲突",
          411: "请求体须带 Content-Length(不接受分块传输)", 413: "请求体过大",
          415: "请求体须为 JSON(application/json)",
          422: "输入有误(字段错误见 fields;PUT、PATCH 的请求体不能为空)",
          429: "尝试过于频繁(登录失败或验证码发送),请稍后再试",
          503: "后端服务暂时不可用"}


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _schema_name(schema) -> str | None:
    cls = schema if isinstance(schema, type) else type(schema)
    if getattr(cls, "_inline", False):
        return None
    name = cls.__name__
    name = name[:-6] if name.endswith("Schema") and len(name) > 6 else name
    # Each service's schemas under its own name: volunteer.StatisticsView, job.StatisticsView.
    module = cls.__module__.split(".")
    if len(module) == 3 and module[0] == "services" and module[1] != "gateway":
        return f"{module[1]}.{name}"
    return name


def _given_input(route):
    """The route's input as a caller gives it: without what the path or the route supplies
    (documented inline, so each route says exactly what it takes)."""
    by_key = {f.data_key or n: n for n, f in route.input._declared_fields.items()}
    left_out = tuple(by_key[key] for key in route.not_from_input if key in by_key)
    if not left_out and not route.partial:
        return route.input
    if len(left_out) == len(by_key):
        return None
    meta = type("Meta", (route.input.Meta,), {"exclude": left_out})
    given = type(route.input.__name__, (route.input,),
                 {"Meta": meta, "_inline": True, "__module__": route.input.__module__})
    # Changes: no top-level field is required (a nested value given must still be whole).
    return given(partial=True) if route.partial else given


def build(server_url: str = "/") -> dict:
    spec = APISpec(title="绣花 Xiuhua 管理接口", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": "街道办事处与社区精细化管理系统的管理接口。所有接口须登录"
                                        "(会话 Cookie 或 Bearer 令牌),社区工作人员只能访问本社区数据。"},
                   servers=[{"url": server_url}])
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie",
                                                "name": "xiuhua_session"})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=Error)
    paths: dict[str, dict] = {}
    for route in ROUTES:
        operation = {"operationId": route.id, "summary": route.summary, "tags": [route.tag],
                     "x-action-name": route.action_name, "responses": _responses(route)}
        parameters = [{"name": name, "in": "path", "required": True,
                       "schema": {"type": "string", "minLength": 1}}
                      for name in route.path_parameters]
        given = _given_input(route) if route.input is not None else None
        if given is not None:
            if route.method == "GET":
                parameters.append({"in": "query", "schema": given})
            else:
                operation["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": given}}}
        if route.export:
            parameters.append({"name": "format", "in": "query", "required": False,
                               "description": "导出为 CSV 或 Excel",
                               "schema": {"type": "string", "enum": ["csv", "xlsx"]}})
        if parameters:
            operation["parameters"] = parameters
        operation["security"] = [] if route.public else [{"session": []}, {"bearer": []}]
        paths.setdefault(_path(route.path), {})[route.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _responses(route) -> dict:
    if route.status == 204:
        answer = {"description": "成功"}
    elif route.files:
        answer = {"description": "成功(文件下载)", "content": {
            media: {"schema": {"type": "string", "format": "binary"}} for media in route.files}}
    elif route.output is None:
        answer = {"description": "成功", "content": {"application/json": {
            "schema": {"type": "object"}}}}
    else:
        answer = {"description": "成功", "content": {"application/json": {
            "schema": _wrapped(route)}}}
    if route.export:
        answer.setdefault("content", {})
        answer["content"]["text/csv"] = {"schema": {"type": "string"}}
        answer["content"]["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] \
            = {"schema": {"type": "string", "format": "binary"}}
    responses = {str(route.status): answer}
    error = {"content": {"application/json": {"schema": "Error"}}}
    codes = [403, 409, 422, 503]
    if not route.public:
        codes.append(401)
    if "<" in route.path or (route.rpc is not None and route.method != "GET"):
        codes.append(404)  # the record the path names, or one a command's body names
    if route.id == "session.login":
        codes += [401, 429]
    if route.id == "resident.code":  # a code asked for too often (the notify service's limit)
        codes.append(429)
    if route.method != "GET":
        codes += [411, 413] + ([415] if route.input is not None else [])
    for code in sorted(set(codes)):
        responses[str(code)] = {"description": ERRORS[code], **error}
    if route.method == "GET" and route.input is not None:
        # The HTTP server itself refuses a request line over 8 KB (eventlet's limit), in text.
        responses["414"] = {"description": "请求地址过长"}
    return responses


def _wrapped(route):
    if route.by_cursor:
        return _envelope(route.output, paged="cursor")
    if route.paged:
        return _envelope(route.output, paged=True)
    if route.listed and route.output is not None and "items" not in route.output().fields:
        return _envelope(route.output, paged=False)
    return route.output


@functools.cache
def _envelope(output, paged: bool | str):
    shape = {"items": fields.List(fields.Nested(output), required=True)}
    if paged == "cursor":
        shape.update(next_cursor=fields.String(required=True, allow_none=True),
                     has_more=fields.Boolean(required=True),
                     page_size=fields.Integer(required=True),
                     # Where counters can give it; a search or a date range has none.
                     total=fields.Integer(required=True, allow_none=True))
    elif paged:
        shape.update(total=fields.Integer(required=True), page=fields.Integer(required=True),
                     page_size=fields.Integer(required=True))
    return Schema.from_dict(shape, name=f"{_schema_name(output)}{'Page' if paged else 'List'}")


CONSOLE_KEYS = ("operationId", "summary", "x-action-name", "tags", "parameters", "requestBody",
                "x-roles")


@functools.cache
def for_console() -> dict:
    """The document as the console reads it (catalog.js): every operation with its path,
    query and body, and only the schemas those name — not the answers' schemas, a tenth of
    the size of the whole document, which stays at /openapi.json for the API's users."""
    document = build()
    paths = {path: {method: {key: op[key] for key in CONSOLE_KEYS if key in op}
                    for method, op in operations.items()}
             for path, operations in document["paths"].items()}
    schemas = document.get("components", {}).get("schemas", {})
    kept: dict = {}
    pending = list(_references(paths))
    while pending:
        name = pending.pop()
        if name in kept or name not in schemas:
            continue
        kept[name] = schemas[name]
        pending.extend(_references(schemas[name]))
    return {"openapi": document["openapi"], "paths": paths,
            "components": {"schemas": kept}}


def _references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.rsplit("/", 1)[-1]
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)
