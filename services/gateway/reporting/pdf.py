"""The office report as a printable A4 PDF, in Chinese, with the CJK font embedded.

reportlab embeds TrueType outlines only, so the font is WenQuanYi Micro Hei (文泉驿微米黑,
Apache-2.0, shipped in fonts/ with its licence): every page renders the same on any printer or
viewer, and its text can be searched and copied. `XIUHUA_REPORT_FONT` may point at another
TrueType (.ttf/.ttc) font. The layout: the figures with the query behind each, the section
tables with bar charts, then every appendix (附表) with its records and totals.
"""
from __future__ import annotations

import functools
import io
import os
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)

from services.gateway.export import cell, local_time
from shared import clock

FONT_NAME = "XiuhuaCJK"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
APPENDIX_SIZE = 6.5   # points, the appendices' tables
CELL_PADDING = 6      # points each side of a table cell (reportlab's default)
SERIES_COLOURS = (colors.HexColor("#2F75B5"), colors.HexColor("#ED7D31"),
                  colors.HexColor("#70AD47"), colors.HexColor("#FFC000"))


def _font() -> str:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        path = os.environ.get("XIUHUA_REPORT_FONT") or str(FONT_FILE)
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
    return FONT_NAME


def _styles(font: str) -> dict:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22,
                                alignment=1, spaceAfter=4 * mm),
        "h1": ParagraphStyle("h1", fontName=font, fontSize=13, leading=18,
                             spaceBefore=4 * mm, spaceAfter=2 * mm),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=10.5, leading=15,
                             spaceBefore=2 * mm, spaceAfter=1 * mm),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=13),
        "small": ParagraphStyle("small", fontName=font, fontSize=7, leading=9.5,
                                wordWrap="CJK"),
    }


def render(report: dict) -> bytes:
    font = _font()
    style = _styles(font)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                 topMargin=15 * mm, bottomMargin=15 * mm,
                                 title=report["title"], author="广陵街道办事处",
                                 subject=report["period_label"])
    story = [Paragraph(report["title"], style["title"]),
             Paragraph(f"报表期:{report['period_label']}({report['from_month']} 至 "
                       f"{report['to_month']})  范围:{report['where']}", style["body"]),
             Paragraph(f"生成时间:{_local(report['generated_at'])}。每项数字后注明其统计查询和列出"
                       "相关记录的附表,可据以逐条核对。", style["body"]),
             Paragraph("一、主要指标", style["h1"])]
    rows = [["板块", "指标", "数值", "单位", "数据来源 / 明细"]]
    for f in report["figures"]:
        shown = f["shown"]
        if isinstance(shown, float):
            shown = f"{shown:,.2f}".rstrip("0").rstrip(".")
        source = f["source"] + (f";附表 {f['detail']}" if f["detail"] else "")
        rows.append([f["section"], f["name"], str(shown), f["unit"],
                     Paragraph(source, style["small"])])
    story.append(_table(rows, font, [28 * mm, 30 * mm, 22 * mm, 12 * mm, 88 * mm]))
    if report.get("discrepancies"):
        story.append(Paragraph(
            "注意:以下指标与其附表的合计不符,请核查:" + ";".join(
                f"{d['name']} {_text(d['value'])}(附表 {d['detail']} 合计 {_text(d['recount'])})"
                for d in report["discrepancies"]), style["body"]))
    else:
        story.append(Paragraph("以上注明附表的指标均与附表逐条合计相符。", style["small"]))

    for number, section in enumerate(report["sections"], start=2):
        story.append(Paragraph(f"{'一二三四五六七八九十'[number - 1]}、{section['title']}",
                               style["h1"]))
        for table in section["tables"]:
            story.append(Paragraph(table["title"], style["h2"]))
            if not table["rows"]:
                story.append(Paragraph("本期无数据。", style["body"]))
                continue
            if table.get("chart") == "bar":
                story.append(_bar_chart(table, font))
            total = [table["total"]] if table.get("total") else []
            story.append(_table([table["columns"], *[[_text(v) for v in r]
                                                      for r in [*table["rows"], *total]]],
                                font, total=bool(total)))

    for appendix in report["appendices"]:
        story.append(PageBreak())
        story.append(Paragraph(appendix["title"], style["h1"]))
        story.append(Paragraph(appendix["note"], style["body"]))
        story.append(Spacer(1, 2 * mm))
        columns = appendix["columns"]
        rows = [[Paragraph(title, style["small"]) for _, title in columns]]
        # The record's number is never cut (it is how a figure is traced); dates get room.
        weights = [1.7 if i == 0 else 1.5 if key.endswith(("_at", "_on", "date")) else 1
                   for i, (key, _) in enumerate(columns)]
        widths = [(A4[0] - 30 * mm) * w / sum(weights) for w in weights]
        room = [w - 2 * CELL_PADDING for w in widths]
        for record in appendix["rows"]:
            # Plain strings, wrapped to the column by their measured width (a paragraph per
            # cell would take seconds for a year's records); nothing is cut. Moments are the
            # office's time to the minute, as in the exports.
            values = [_text(cell(record, key) if "." not in key
                            else local_time(record.get(key, ""))) for key, _ in columns]
            rows.append([_wrap(v, room[i], font, APPENDIX_SIZE) for i, v in enumerate(values)])
        totals = appendix.get("totals") or []
        summary = [f"共 {len(appendix['rows'])} 条"]
        for key, title in columns:
            if key in totals:
                total = sum(float(record.get(key) or 0) if "." in key
                            else float(cell(record, key) or 0) for record in appendix["rows"])
                summary.append(f"{title}合计 {total:,.2f}".rstrip("0").rstrip("."))
        story.append(Paragraph(";".join(summary), style["body"]))
        story.append(Spacer(1, 2 * mm))
        if appendix["rows"]:
            story.append(_table(rows, font, widths, size=APPENDIX_SIZE))

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm,
                               f"{report['title']} · {report['period_label']} · 第 {doc.page} 页")
        canvas.restoreState()

    document.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return out.getvalue()


def _wrap(text: str, width: float, font: str, size: float) -> str:
    """The text in lines that fit `width` points: broken at a space where a line has one
    ("2026-08-10" / "23:59"), else between any two characters (Chinese has no spaces)."""
    if pdfmetrics.stringWidth(text, font, size) <= width and "\n" not in text:
        return text
    measure = functools.partial(pdfmetrics.stringWidth, fontName=font, fontSize=size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for char in paragraph:
            wide = measure(char)
            if line and used + wide > width:
                head, space, tail = line.rpartition(" ")
                if space and head:
                    lines.append(head)
                    line, used = tail, measure(tail)
                else:
                    lines.append(line)
                    line, used = "", 0.0
                if char == " " and not line:
                    continue
            line, used = line + char, used + wide
        lines.append(line)
    return "\n".join(lines)


def _local(moment: str) -> str:
    return clock.parse_iso(moment).astimezone(clock.OFFICE_TZ).strftime("%Y-%m-%d %H:%M")


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return "" if value is None else str(value)


def _table(rows, font, widths=None, size=8.5, total=False) -> Table:
    """A table with its header row shaded, and its last row too when it is a 合计."""
    table = Table(rows, colWidths=widths, repeatRows=1)
    shading = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7"))]
    if total:
        shading.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F2F2F2")))
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), size),
        *shading,
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9BB7D4")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEADING", (0, 0), (-1, -1), size * 1.25),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
    return table


def _bar_chart(table: dict, font: str) -> Drawing:
    first = table["rows"][0]
    numeric = [i for i, v in enumerate(first) if i > 0 and isinstance(v, (int, float))]
    drawing = Drawing(170 * mm, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 14 * mm, 150 * mm, 42 * mm
    chart.data = [[float(r[i] or 0) for r in table["rows"]] for i in numeric]
    chart.categoryAxis.categoryNames = [str(r[0]) for r in table["rows"]]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 30 if len(table["rows"]) > 6 else 0
    chart.categoryAxis.labels.dy = -6 if len(table["rows"]) > 6 else -2
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    for index in range(len(numeric)):
        chart.bars[index].fillColor = SERIES_COLOURS[index % len(SERIES_COLOURS)]
    drawing.add(chart)
    for index, column in enumerate(numeric):
        drawing.add(String(14 * mm + index * 40 * mm, 58 * mm, f"■ {table['columns'][column]}",
                           fontName=font, fontSize=7,
                           fillColor=SERIES_COLOURS[index % len(SERIES_COLOURS)]))
    return drawing
