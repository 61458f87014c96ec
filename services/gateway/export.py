"""Any list as a spreadsheet: CSV (UTF-8 with a byte-order mark, so Excel shows Chinese
correctly) or XLSX, with Chinese column titles. Moments are written in the office's time
(Asia/Shanghai) as "2026-08-10 23:59", as a person reads them, not as the API's UTC."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from shared import clock

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# An instant as the API writes it: a date and a time with its offset.
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


def local_time(value):
    """An instant in the office's time, to the minute; anything else as it is."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(clock.OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and INSTANT.match(value):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(clock.OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
    return value


def cell(row: dict, path: str):
    value = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, bool):
        return "是" if value else "否"
    value = local_time(value)
    if isinstance(value, (list, dict)):
        value = ("、".join(str(local_time(v)) for v in value) if isinstance(value, list)
                 else str(value))
    if isinstance(value, str):
        # Control characters cannot be stored in a spreadsheet cell (and mean nothing there).
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return "" if value is None else value


def render(columns, rows: list[dict], wanted_format: str) -> tuple[bytes, str]:
    titles = [title for _, title in columns]
    table = [[cell(row, path) for path, _ in columns] for row in rows]
    if wanted_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(titles)
        writer.writerows(table)
        return ("\ufeff" + out.getvalue()).encode("utf-8"), CONTENT_TYPES["csv"]
    book = Workbook()
    sheet = book.active
    sheet.append(titles)
    for values in table:
        sheet.append(values)
    for index, title in enumerate(titles, start=1):
        widest = max([len(str(title))] + [len(str(v[index - 1])) for v in table[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, widest * 1.8 + 2)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), CONTENT_TYPES["xlsx"]
