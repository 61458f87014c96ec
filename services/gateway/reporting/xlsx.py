"""The office report as an Excel workbook: 概览 (every figure with the query behind it and the
sheet that lists its records), one sheet per section with its tables and native bar charts,
and one appendix sheet per record list (附表), each with a total row where figures are sums
(a section's table may have its own 合计 row, `total`)."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from services.gateway.export import cell
from services.gateway.reporting import figures
from shared import clock

HEADER = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)


def render(report: dict) -> bytes:
    book = Workbook()
    overview = book.active
    overview.title = "概览"
    overview.append([cell(report, "title")])
    overview["A1"].font = Font(bold=True, size=14)
    overview.append([f"报表期:{report['period_label']}({report['from_month']} 至 "
                     f"{report['to_month']})  范围:{cell(report, 'where')}  "
                     f"生成时间:{clock.parse_iso(report['generated_at']).astimezone(clock.OFFICE_TZ):%Y-%m-%d %H:%M}"])
    overview.append([])
    overview.append(["板块", "指标", "数值", "单位", "数据来源(统计查询)", "明细", "与明细核对"])
    _header(overview, 4)
    for f in report["figures"]:
        value = f["value"]
        row = [f["section"], f["name"], value, "" if f["unit"] == "" else f["unit"],
               f["source"], f["detail"] or "", checked(f)]
        overview.append(row)
        line = overview.max_row
        if f["unit"] == "" and isinstance(value, float):
            overview.cell(line, 3).number_format = "0.0%"
        if f["detail"]:
            link = overview.cell(line, 6)
            link.hyperlink = f"#'{f['detail']}'!A1"
            link.font = Font(color="0563C1", underline="single")
    _widths(overview, [18, 20, 14, 8, 70, 14, 22])
    overview.freeze_panes = "A5"

    for section in report["sections"]:
        sheet = book.create_sheet(section["title"][:31])
        row = 1
        for table in section["tables"]:
            sheet.cell(row, 1, table["title"]).font = BOLD
            top = row + 1
            for index, title in enumerate(table["columns"], start=1):
                sheet.cell(top, index, title)
            _header(sheet, top)
            for offset, values in enumerate(table["rows"], start=1):
                for index, value in enumerate(values, start=1):
                    sheet.cell(top + offset, index, value)
            bottom = top + len(table["rows"])
            end = bottom  # the last line written: the rows, or their 合计 (not charted)
            if table.get("total"):
                end = bottom + 1
                for index, value in enumerate(table["total"], start=1):
                    sheet.cell(end, index, value).font = BOLD
            if table.get("chart") == "bar" and table["rows"]:
                numeric = [i for i, v in enumerate(table["rows"][0], start=1)
                           if isinstance(v, (int, float)) and i > 1]
                chart = BarChart()
                chart.title = table["title"]
                chart.height, chart.width = 7.5, 16
                for column in numeric:
                    chart.add_data(Reference(sheet, min_col=column, min_row=top,
                                             max_row=bottom), titles_from_data=True)
                chart.set_categories(Reference(sheet, min_col=1, min_row=top + 1,
                                               max_row=bottom))
                sheet.add_chart(chart, f"{get_column_letter(len(table['columns']) + 2)}{row}")
                row = max(end + 2, row + 17)
            else:
                row = end + 2
        _widths(sheet, [22, 12, 12, 12, 12])

    for appendix in report["appendices"]:
        sheet = book.create_sheet(appendix["name"][:31])
        sheet.append([appendix["title"]])
        sheet["A1"].font = BOLD
        sheet.append([appendix["note"]])
        sheet.append([title for _, title in appendix["columns"]])
        _header(sheet, 3)
        for record in appendix["rows"]:
            sheet.append([cell(record, key) if "." not in key else record.get(key, "")
                          for key, _ in appendix["columns"]])
        totals = appendix.get("totals")
        if totals and appendix["rows"]:
            first, last = 4, sheet.max_row
            line = last + 1
            sheet.cell(line, 1, f"合计({len(appendix['rows'])} 条)").font = BOLD
            for index, (key, _) in enumerate(appendix["columns"], start=1):
                if key in totals:
                    letter = get_column_letter(index)
                    sheet.cell(line, index, f"=SUM({letter}{first}:{letter}{last})").font = BOLD
        else:
            sheet.append([f"共 {len(appendix['rows'])} 条"])
        _widths(sheet, [18] * len(appendix["columns"]))
        sheet.freeze_panes = "A4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def checked(figure: dict) -> str:
    """Whether the figure equals what its appendix's records add up to."""
    if not figure["detail"]:
        return ""
    mismatch = figures.disagrees(figure["value"], figure["recount"])
    return f"不符:明细合计 {figure['recount']}" if mismatch else "相符"


def _header(sheet, row: int) -> None:
    for item in sheet[row]:
        if item.value is not None:
            item.fill, item.font = HEADER, BOLD
            item.alignment = Alignment(horizontal="center")


def _widths(sheet, widths) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
