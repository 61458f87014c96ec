"""Routes for importing spreadsheets (批量导入) of volunteers, employers and job postings.

The gateway reads the file and turns its Chinese columns into rows (services/gateway/
imports.py); the service checks every row with its own rules and stores all or none, in one
transaction. The file travels as base64 in a JSON body, so the API keeps one input format and
the OpenAPI document describes it; the console reads the chosen file and sends it so.
"""
from __future__ import annotations

import base64
import binascii

from marshmallow import fields, validate
from werkzeug.wrappers import Response

from services.gateway import export, imports
from services.gateway.access import REFERENCE, STAFF, Scope
from services.gateway.routes.base import Route
from shared.errors import NotFound, ValidationFailed
from shared.schemas import NAME, Schema, community_field, load

KIND_NAMES = "、".join(f"{kind}({spec['name']})" for kind, spec in imports.KINDS.items())


class TemplateQuery(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))


class Upload(Schema):
    filename = fields.String(required=True, validate=validate.Regexp(
        r"^.{1,200}\.([xX][lL][sS][xX]|[cC][sS][vV])$", error="文件应为 .xlsx 或 .csv。"))
    content = fields.String(required=True, validate=validate.Length(
        min=1, max=imports.MAX_BYTES * 4 // 3 + 4))  # base64 of the file
    dry_run = fields.Boolean(load_default=False)
    # Set by the gateway for community staff: their rows must be of their community.
    community = community_field(load_default=None, allow_none=True)


class ImportResult(Schema):
    kind = fields.String(required=True)
    kind_name = fields.String(required=True)
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True)
    ids = fields.List(fields.String(), required=True)
    dry_run = fields.Boolean(required=True)
    message = fields.String(required=True)


def _kind(params: dict) -> str:
    kind = params.get("kind")
    if kind not in imports.KINDS:
        raise NotFound(f"没有“{kind}”这类导入,可导入:{KIND_NAMES}", code="IMPORT_KIND_NOT_FOUND")
    return kind


def download_template(api, principal, params, data, request):
    kind = _kind(params)
    wanted = load(TemplateQuery(), data)["format"]
    body, content_type = imports.template(kind, wanted)
    name = f"{imports.KINDS[kind]['name']}导入模板.{wanted}"
    return Response(body, content_type=content_type, headers={
        "Content-Disposition": _attachment(name, f"import-template-{kind}.{wanted}")})


def run_import(api, principal, params, data, request):
    kind = _kind(params)
    upload = load(Upload(), data)
    try:
        content = base64.b64decode(upload["content"], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("文件内容应为 base64 编码", fields={"content": ["不是有效的 base64。"]},
                               code="IMPORT_FILE_INVALID") from None
    rows, numbers, read_errors = imports.to_rows(kind, imports.read(upload["filename"],
                                                                     content))
    service, method = imports.KINDS[kind]["rpc"]
    call = getattr(getattr(api.worker, service), method)
    try:
        result = call(actor=principal.actor, rows=rows,
                      dry_run=upload["dry_run"] or bool(read_errors), timeout=120)
    except ValidationFailed as error:
        if error.code != "IMPORT_REJECTED":
            raise
        raise _rejected(kind, numbers, _merged(error.fields.get("rows", {}), read_errors)) \
            from None
    if read_errors:
        raise _rejected(kind, numbers, read_errors)
    name = imports.KINDS[kind]["name"]
    message = (f"校验通过:{result['rows']} 条{name}记录均可导入" if result["dry_run"]
               else f"已导入 {result['created']} 条{name}记录")
    return {**result, "kind": kind, "kind_name": name, "message": message}


def _merged(service_errors: dict, read_errors: dict) -> dict:
    merged = {index: dict(fields) for index, fields in service_errors.items()}
    for index, fields in read_errors.items():
        merged.setdefault(index, {}).update(fields)
    return merged


def _rejected(kind: str, numbers: list[int], errors: dict) -> ValidationFailed:
    """What was refused, by spreadsheet row and column title, in Chinese."""
    lines = imports.report(kind, numbers, errors)
    by_row: dict = {}
    for line in lines:
        by_row.setdefault(str(line["row"]) if line["row"] else "文件", {}).setdefault(
            line["column"], []).append(line["message"])
    bad = len(by_row)
    return ValidationFailed(f"共 {len(numbers)} 行,其中 {bad} 行有误,未导入任何记录。"
                            "请按逐行说明修改后重新导入。",
                            fields={"rows": by_row}, code="IMPORT_REJECTED")


def _attachment(name: str, fallback: str) -> str:
    from urllib.parse import quote
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


ROUTES = [
    Route("imports.template", "GET", "/api/imports/<kind>/template",
          "下载导入模板(volunteers 志愿者、employers 用工单位、postings 岗位信息;xlsx 或 csv)",
          "批量导入", STAFF, REFERENCE, input=TemplateQuery,
          files=tuple(export.CONTENT_TYPES.values())),
    Route("imports.run", "POST", "/api/imports/<kind>",
          "批量导入志愿者、用工单位或岗位信息(文件以 base64 提交;有误则整批不导入并逐行说明)",
          "批量导入", STAFF, Scope({"community": "community"}), input=Upload,
          output=ImportResult, large_body=True),
]

HANDLERS = {"imports.template": download_template, "imports.run": run_import}
