"""The 派单单 of a dispatched work order: one printable A4 page in Chinese (the PDF machinery
and embedded font of the office report, pdf.py) that goes with the order to the department —
what the problem is and where, when it is due, who sent it, and blank lines for the
department's signature and its result.
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.lib import colors

from services.gateway.reporting.pdf import _font, _styles
from shared import clock
from shared.errors import IllegalTransition

OFFICE = "广陵街道办事处"


def not_dispatched(number: str) -> IllegalTransition:
    return IllegalTransition(f"工单 {number} 尚未派单,没有派单单", code="NOT_DISPATCHED")


def dispatch_entry(order: dict) -> dict | None:
    """The latest dispatch in the order's history (who sent it, when, with what note)."""
    found = [entry for entry in order.get("history", []) if entry["action"] == "dispatch"]
    return found[-1] if found else None


def _local(moment: str | None) -> str:
    if not moment:
        return "—"
    return clock.parse_iso(moment).astimezone(clock.OFFICE_TZ).strftime("%Y-%m-%d %H:%M")


def render(order: dict) -> bytes:
    """The slip of an order that is with a department (a dict as WorkOrderView dumps it)."""
    entry = dispatch_entry(order)
    if not order.get("department") or entry is None:
        raise not_dispatched(order["number"])
    font = _font()
    style = _styles(font)
    text = style["body"].clone("cell", fontSize=10, leading=15, wordWrap="CJK")
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm,
                                 title=f"派单单 {order['number']}", author=OFFICE,
                                 subject="背街小巷问题派单单")
    place = "".join(p for p in (order["community"], order.get("alley") or "") if p)
    location = order.get("location")
    reporter = order.get("reporter") or {}
    rows = [
        ("工单号", order["number"], "来源", order.get("channel_name") or order["channel"]),
        ("问题类别", order.get("category_name") or order["category"], "状态",
         order.get("state_name") or order["state"]),
        ("社区 / 巷道", place, "坐标",
         f"{location['lat']:.6f}, {location['long']:.6f}" if location else "—"),
        ("地址", order.get("address") or "—", "", ""),
        ("问题描述", order["description"], "", ""),
        ("上报时间", _local(order["reported_at"]), "受理时间", _local(order.get("accepted_at"))),
        ("派单时间", _local(entry["at"]), "派单人", entry["actor"].get("name") or ""),
        ("承办部门", order["department"].get("name") or order["department"].get("code"),
         "办理期限", _local(order.get("due_at"))),
        ("派单意见", entry.get("note") or "—", "", ""),
        ("上报人", reporter.get("name") or "—", "联系电话", reporter.get("phone_masked") or "—"),
        ("现场照片", f"{len(order.get('media_urls') or [])} 张(见系统工单详情)", "督办次数",
         str(order.get("escalations") or 0)),
        ("签收人", "", "签收时间", ""),
        ("办理结果", "", "", ""),
        ("承办部门(盖章)", "", "办结时间", ""),
    ]
    data = [[Paragraph(escape(str(cell)), text) for cell in row] for row in rows]
    widths = [28 * mm, 62 * mm, 24 * mm, 60 * mm]
    table = Table(data, colWidths=widths, rowHeights=[None] * 12 + [40 * mm, 14 * mm])
    spans = [("SPAN", (1, i), (3, i)) for i, row in enumerate(rows) if row[2] == ""]
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
        ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#F2F2F2")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *spans]))
    story = [Paragraph(f"{OFFICE}背街小巷问题派单单", style["title"]),
             Paragraph(f"编号:{order['number']}    打印时间:{_local(clock.iso(clock.now()))}",
                       style["body"]),
             Spacer(0, 4 * mm), table, Spacer(0, 6 * mm),
             Paragraph("请承办部门在办理期限内处理完毕,并在系统中签收、办结(上传办结照片和工程量)。"
                       "不属于本部门职责的,请在系统中退单并说明理由。", style["body"])]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawString(18 * mm, 10 * mm, f"派单单 {order['number']} · {OFFICE}")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
