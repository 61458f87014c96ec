"""The office report's PDF: an appendix's values are wrapped to their columns, never cut, and
its moments are the office's time (Asia/Shanghai) to the minute, as in the exports; the font
shipped for it draws every name the reports print (no boxes)."""
import io
import re

from pypdf import PdfReader

from reportlab.pdfbase.ttfonts import TTFont

from services.gateway.reporting import pdf
from shared import names, places

TITLE = "先进典型事迹宣讲暨道德模范表彰大会"
COLUMNS = [("number", "工单号"), ("community", "社区"), ("alley", "巷道"),
           ("category_name", "类别"), ("completed_at", "办结时间"), ("on_time", "按期"),
           *[(f"q.{k}", k) for k in ("路灯(盏)", "路面(m²)", "地砖(m²)", "修剪(m²)", "补植(m²)",
                                     "硬化(m²)", "井盖(个)")],
           ("title", "活动"), ("follow_up", "回访结果"), ("redone", "重办次数")]


def report(rows):
    return {"title": "广陵街道精细化管理工作报表", "period_label": "2026年8月",
            "from_month": "2026-08", "to_month": "2026-08", "where": "全街道",
            "generated_at": "2026-09-01T01:00:00.000Z", "figures": [], "discrepancies": [],
            "sections": [], "appendices": [{"title": "附表:办结的工单", "note": "",
                                            "columns": COLUMNS, "rows": rows, "totals": []}]}


def text_of(document: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def test_an_appendix_wraps_long_values_and_shows_office_time():
    row = {"number": "WO202608100001", "community": "天宝社区", "alley": "聚宝路",
           "category_name": "路灯故障", "completed_at": "2026-08-10T15:59:00.000Z",
           "on_time": "是", "title": TITLE, "follow_up": "满意", "redone": 0,
           "q.路灯(盏)": 2.0}
    text = text_of(pdf.render(report([row])))
    flat = re.sub(r"\s+", "", text)
    assert "…" not in text
    assert TITLE in flat                               # every character, over several lines
    assert "2026-08-1023:59" in flat                   # 23:59 in Shanghai, not 15:59 UTC
    assert "15:59" not in flat
    assert "WO202608100001" in flat


def test_wrapping_breaks_at_a_space_else_between_characters():
    font = pdf._font()
    assert pdf._wrap("2026-08-10 23:59", 40, font, 6.5) == "2026-08-10\n23:59"
    lines = pdf._wrap(TITLE, 30, font, 6.5).split("\n")
    assert "".join(lines) == TITLE and len(lines) > 2
    assert all(pdf.pdfmetrics.stringWidth(line, font, 6.5) <= 30 for line in lines)
    assert pdf._wrap("短", 30, font, 6.5) == "短"


def test_the_shipped_font_draws_every_name_and_place_the_reports_print():
    glyphs = TTFont("shipped", str(pdf.FONT_FILE), subfontIndex=0).face.charToGlyph
    printed = {places.street(), *places.communities(), *(a["name"] for a in places.alleys()),
               *(name for table in names.for_console().values() for name in table.values())}
    characters = {ch for text in printed for ch in text if not ch.isascii()}
    assert len(characters) > 100
    assert sorted(ch for ch in characters if ord(ch) not in glyphs) == []
