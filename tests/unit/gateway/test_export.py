"""Exports are read by people: moments in the office's time, to the minute."""
import csv
import io
from datetime import datetime, timezone

from openpyxl import load_workbook

from services.gateway import export

COLUMNS = (("number", "工单号"), ("due_at", "办理期限"), ("reported_at", "上报时间"),
           ("visited_on", "走访日期"), ("note", "备注"))
ROW = {"number": "WO202608050001", "due_at": "2026-08-10T15:59:59.999+00:00",
       "reported_at": datetime(2026, 8, 5, 8, 5, tzinfo=timezone.utc),
       "visited_on": "2026-08-05", "note": "T12:00 不是时间"}


def test_a_csv_export_writes_local_times_not_utc():
    content, _ = export.render(COLUMNS, [ROW], "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1] == ["WO202608050001", "2026-08-10 23:59", "2026-08-05 16:05", "2026-08-05",
                       "T12:00 不是时间"]


def test_an_xlsx_export_writes_local_times_not_utc():
    content, _ = export.render(COLUMNS, [ROW, {**ROW, "due_at": "2026-12-31T16:00:00Z"}], "xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[2]][1:3] == ["2026-08-10 23:59", "2026-08-05 16:05"]
    assert sheet["B3"].value == "2027-01-01 00:00"
