"""The office's periodic report (街道工作报表) as a download: GET /api/reports/office.

Street admins get any community or the whole street; community staff (and community-bound
viewers) only their own community, through the usual Scope. See docs/reports.md.
"""
from __future__ import annotations

from urllib.parse import quote

from marshmallow import fields, validate
from werkzeug.wrappers import Response

from services.gateway import reporting
from services.gateway.access import Scope
from services.gateway.routes.base import Route
from shared.schemas import NAME, PERIOD_ERROR, PERIOD_PATTERN, Schema, load

REPORT_READERS = frozenset({"street_admin", "community_staff", "viewer"})


class OfficeReportQuery(Schema):
    period = fields.String(required=True, validate=validate.Regexp(
        PERIOD_PATTERN, error=PERIOD_ERROR))
    community = fields.String(load_default=None, allow_none=True, validate=NAME)
    format = fields.String(load_default="xlsx", validate=validate.OneOf(reporting.FORMATS))


def office_report(api, principal, params, data, request):
    query = load(OfficeReportQuery(), data)
    report = reporting.figures.gather(api.worker, query["period"], query["community"])
    body, content_type = reporting.render(report, query["format"])
    name = reporting.filename(report, query["format"])
    fallback = f"office-report-{query['period']}.{query['format']}"
    return Response(body, content_type=content_type, headers={
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; "
                               f"filename*=UTF-8''{quote(name)}"})


ROUTES = [
    Route("reports.office", "GET", "/api/reports/office",
          "街道工作报表(月度、季度、年度;全街道或一个社区;Excel 含图表,或可打印 PDF)",
          "统计", REPORT_READERS, Scope({"community": "community"}), input=OfficeReportQuery,
          files=tuple(reporting.CONTENT_TYPES.values())),
]

HANDLERS = {"reports.office": office_report}
