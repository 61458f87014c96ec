"""Importing the spreadsheets offices keep today: volunteers, employers and job postings from
.xlsx or .csv with Chinese column titles.

A file is read into rows (`read`), each row's cells are turned into the fields of the service's
own import RPC (`to_rows`: dates, yes/no, lists, Chinese names of codes), and the service checks
every row with its own rules before storing any, all in one transaction. What it refuses comes
back by row and field; `report` turns that into a list a person reads: spreadsheet row, column
title, message. Each kind has a template (`template`) with its column titles, an example row
and a sheet explaining the columns.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from services.gateway.export import CONTENT_TYPES
from shared import clock
from shared import names
from shared.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000


@dataclass(frozen=True)
class Column:
    title: str              # the Chinese column title in the spreadsheet
    field: str              # dotted field of the RPC's row ("contact.phone")
    kind: str = "text"      # text, int, float, bool, list, date_end, code, availability
    required: bool = False
    codes: tuple = ()       # (code, Chinese name) for kind "code" (or list of codes)
    example: str = ""
    note: str = ""


def _codes(mapping: dict) -> tuple:
    return tuple(mapping.items())


SKILLS = _codes(names.table("skills"))
SECTORS = _codes(names.table("sector"))
SIZES = _codes(names.table("size"))
EMPLOYMENT_TYPES = _codes(names.table("employment_type"))
WEEKDAYS = {"周一": 1, "周二": 2, "周三": 3, "周四": 4, "周五": 5, "周六": 6, "周日": 7,
            "周天": 7}
SLOTS = {"上午": "morning", "下午": "afternoon", "晚上": "evening"}

KINDS = {
    "volunteers": {
        "name": "志愿者", "rpc": ("volunteer", "import_volunteers"),
        "columns": (
            Column("姓名", "name", required=True, example="陈晓"),
            Column("社区", "community", required=True, example="浚河社区"),
            Column("手机号码", "phone", required=True, example="13900000001"),
            Column("身份证号码", "id_number", required=True, example="341181198001010011",
                   note="18 位,校验位须正确"),
            Column("志愿服务队编码", "team", example="", note="已建立的服务队编码,可不填"),
            Column("技能", "skills", "list", codes=SKILLS, example="医疗卫生、应急救护",
                   note="多个用顿号分隔"),
            Column("可服务时间", "availability", "availability", example="周六上午、周日下午"),
            Column("个人简介", "introduction", example="退休医生,愿意参加义诊")),
    },
    "employers": {
        "name": "用工单位", "rpc": ("job", "import_employers"),
        "columns": (
            Column("单位名称", "name", required=True, example="聚宝路毛绒玩具加工点"),
            Column("社区", "community", required=True, example="天宝社区"),
            Column("地址", "address", required=True, example="聚宝路12号"),
            Column("巷道", "alley", example="聚宝路"),
            Column("行业", "sector", "code", required=True, codes=SECTORS, example="来料加工/手工"),
            Column("规模", "size", "code", required=True, codes=SIZES, example="微型"),
            Column("联系人", "contact.name", required=True, example="蒋秀兰"),
            Column("联系电话", "contact.phone", required=True, example="13505500000"),
            Column("统一社会信用代码", "credit_code", example=""),
            Column("员工人数", "employees", "int", example="18"),
            Column("纬度", "location.lat", "float", example="32.6859"),
            Column("经度", "location.long", "float", example="119.0046"),
            Column("备注", "note", example="")),
    },
    "postings": {
        "name": "岗位信息", "rpc": ("job", "import_job_postings"),
        "columns": (
            Column("用工单位", "employer_name", required=True, example="聚宝路毛绒玩具加工点",
                   note="须是已登记的用工单位"),
            Column("社区", "community", example="天宝社区", note="同名单位在多个社区时必填"),
            Column("岗位名称", "title", required=True, example="毛绒玩具手工缝制"),
            Column("岗位描述", "description", required=True, example="可带回家做,计件工资"),
            Column("用工形式", "employment_type", "code", required=True,
                   codes=EMPLOYMENT_TYPES, example="兼职"),
            Column("招聘人数", "openings", "int", required=True, example="3"),
            Column("截止日期", "valid_through", "date_end", required=True,
                   example="2027-03-31", note="当天 24 时截止"),
            Column("时间灵活", "hours_flexible", "bool", example="是", note="是 / 否"),
            Column("工作时间", "work_hours", example="", note="时间不灵活时填写,如 每天8:00-17:00"),
            Column("月薪下限", "salary.min", "float", example="1800"),
            Column("月薪上限", "salary.max", "float", example="2200"),
            Column("计件", "salary.piece_rate", "bool", example="是"),
            Column("技能要求", "skills", "list", example="手工缝纫"),
            Column("任职要求", "requirements", example=""),
            Column("工作地点", "address", example=""),
            Column("对外联系方式", "public_contact", example="蒋秀兰 13505500000")),
    },
}


def columns(kind: str) -> tuple[Column, ...]:
    return KINDS[kind]["columns"]


# --- reading a file ---------------------------------------------------------------------

def read(filename: str, content: bytes) -> list[list]:
    """The file's cells, first line (the titles) included; .xlsx (first sheet) or .csv in
    UTF-8 (with or without a byte-order mark) or GB18030, as Excel saves Chinese CSV."""
    if len(content) > MAX_BYTES:
        raise _file_error(f"文件超过 {MAX_BYTES // 1024 // 1024} MB。")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise _file_error("无法读取该 Excel 文件,请另存为 .xlsx 后重试。") from None
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise _file_error("无法识别 CSV 文件的编码,请保存为 UTF-8。")
        return [row for row in csv.reader(io.StringIO(text))]
    raise _file_error("只支持 .xlsx 或 .csv 文件。")


def to_rows(kind: str, cells: list[list]) -> tuple[list[dict], list[int], dict]:
    """The RPC rows, the spreadsheet row number of each, and the errors found while reading
    (by row index, as the service reports them)."""
    while cells and not any(_blank(v) is not None for v in cells[0]):
        cells = cells[1:]
    if not cells:
        raise _file_error("文件是空的。")
    titles = [str(v).strip().rstrip("*") if v is not None else "" for v in cells[0]]
    wanted = columns(kind)
    missing = [c.title for c in wanted if c.required and c.title not in titles]
    if missing:
        raise _file_error(f"缺少必填列:{'、'.join(missing)}。请使用模板。")
    unknown = [t for t in titles if t and t not in {c.title for c in wanted}]
    if unknown:
        raise _file_error(f"无法识别的列:{'、'.join(unknown)}。请使用模板。")
    position = {t: i for i, t in enumerate(titles) if t}
    rows, numbers, errors = [], [], {}
    for offset, values in enumerate(cells[1:], start=2):
        if all(_blank(v) is None for v in values) or _is_example(wanted, position, values):
            continue
        if len(rows) >= MAX_ROWS:
            raise _file_error(f"一次最多导入 {MAX_ROWS} 行,请分批导入。")
        row, problems = {}, {}
        for column in wanted:
            if column.title not in position:
                continue
            index = position[column.title]
            raw = _blank(values[index] if index < len(values) else None)
            if raw is None:
                continue
            try:
                _put(row, column.field, convert(column, raw))
            except ValueError as error:
                problems[column.field] = [str(error)]
        if problems:
            errors[str(len(rows))] = problems
        rows.append(row)
        numbers.append(offset)
    if not rows:
        raise _file_error("文件中没有数据行。")
    return rows, numbers, errors


def _is_example(wanted, position: dict, values: list) -> bool:
    """The template's example row, left in the file unchanged: it is not someone's record.
    Only in a file with every column of the template; a file of its own is taken as it is."""
    if any(column.title not in position for column in wanted):
        return False

    def text(column):
        index = position.get(column.title)
        value = _blank(values[index]) if index is not None and index < len(values) else None
        return "" if value is None else str(value).strip()
    return all(text(column) == column.example for column in wanted)


def convert(column: Column, raw):
    kind = column.kind
    if kind == "int":
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise ValueError("应为整数。") from None
        if number != int(number):
            raise ValueError("应为整数。")
        return int(number)
    if kind == "float":
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise ValueError("应为数字。") from None
    if kind == "bool":
        text = str(raw).strip()
        if text in ("是", "Y", "y", "yes", "true", "True", "1", "TRUE"):
            return True
        if text in ("否", "N", "n", "no", "false", "False", "0", "FALSE"):
            return False
        raise ValueError("应填“是”或“否”。")
    if kind == "date_end":
        day = raw.date() if isinstance(raw, datetime) else raw if isinstance(raw, date) \
            else _date(str(raw))
        following = clock.start_of_local_day(date.fromordinal(day.toordinal() + 1))
        return clock.iso(following - timedelta(milliseconds=1))
    if kind == "code":
        return _code(column, str(raw).strip())
    if kind == "list":
        items = [p.strip() for p in str(raw).replace(",", "、").replace(",", "、")
                 .replace(";", "、").split("、") if p.strip()]
        return [_code(column, p) for p in items] if column.codes else items
    if kind == "availability":
        slots = []
        for part in str(raw).replace(",", "、").replace(",", "、").split("、"):
            part = part.strip()
            if not part:
                continue
            day, slot = WEEKDAYS.get(part[:2]), SLOTS.get(part[2:])
            if day is None or slot is None:
                raise ValueError(f"“{part}”应写作 周六上午、周日下午、周三晚上 这样的形式。")
            slots.append({"weekday": day, "slot": slot})
        return slots
    if isinstance(raw, float) and raw == int(raw):
        raw = int(raw)  # a phone or ID typed as a number
    if isinstance(raw, (datetime, date)):
        raw = raw.isoformat()
    return str(raw).strip()


def _date(text: str) -> date:
    for separator in ("-", "/", "."):
        parts = text.strip().split(separator)
        if len(parts) == 3:
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                break
    if text.strip().endswith("日") and "年" in text and "月" in text:
        try:
            year, rest = text.strip().split("年")
            month, day = rest.rstrip("日").split("月")
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise ValueError("应为日期,如 2027-03-31。")


def _code(column: Column, text: str) -> str:
    for code, name in column.codes:
        if text in (code, name):
            return code
    raise ValueError(f"“{text}”不是可选值,应为:{'、'.join(n for _, n in column.codes)}。")


def _blank(value):
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _put(row: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        row = row.setdefault(part, {})
    row[last] = value


def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message]}, code="IMPORT_FILE_INVALID")


# --- what was refused, for a person --------------------------------------------------------

def report(kind: str, numbers: list[int], errors: dict) -> list[dict]:
    """[{row (the spreadsheet's row number), column (its title), message}] from the errors by
    row index and field the service (or reading) gave."""
    titles = {c.field: c.title for c in columns(kind)}
    lines = []
    for index, fields in sorted(errors.items(), key=lambda kv: _as_int(kv[0])):
        row = numbers[_as_int(index)] if _as_int(index) < len(numbers) else None
        for field, message in _flatten(fields):
            lines.append({"row": row, "column": _title(titles, field), "message": message})
    return lines


def _as_int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 10 ** 9


def _title(titles: dict, field: str) -> str:
    while field:
        if field in titles:
            return titles[field]
        if field == "_schema":
            return "整行"
        field = field.rpartition(".")[0]
    return "整行"


def _flatten(errors, prefix: str = ""):
    if isinstance(errors, dict):
        for name, value in errors.items():
            name = str(name)
            key = name if not prefix else (prefix if name.isdigit() else f"{prefix}.{name}")
            yield from _flatten(value, key)
    elif isinstance(errors, list):
        for item in errors:
            if isinstance(item, (dict, list)):
                yield from _flatten(item, prefix)
            else:
                yield prefix or "_schema", str(item)
    else:
        yield prefix or "_schema", str(errors)


# --- templates -----------------------------------------------------------------------------

def template(kind: str, wanted_format: str) -> tuple[bytes, str]:
    wanted = columns(kind)
    titles = [f"{c.title}*" if c.required else c.title for c in wanted]
    example = [c.example for c in wanted]
    if wanted_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(titles)
        writer.writerow(example)
        return ("\ufeff" + out.getvalue()).encode("utf-8"), CONTENT_TYPES["csv"]
    book = Workbook()
    sheet = book.active
    sheet.title = KINDS[kind]["name"]
    sheet.append(titles)
    sheet.append(example)
    for item in sheet[1]:
        item.font = Font(bold=True)
        item.fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(wanted, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 18
        sheet.cell(2, index).number_format = "@"  # phones and ID numbers stay text
    guide = book.create_sheet("填写说明")
    guide.append(["列", "必填", "说明", "可选值"])
    for column in wanted:
        guide.append([column.title, "是" if column.required else "否", column.note,
                      "、".join(name for _, name in column.codes)])
    guide.append([])
    guide.append(["第二行是示例,原样保留时导入会跳过它;可删除或改为真实数据。带 * 的列必填。"
                  "文件中任何一行有误时不会导入任何记录,并逐行说明原因。"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), CONTENT_TYPES["xlsx"]
