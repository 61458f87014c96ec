"""The report's 背街小巷工单 part: its figures, each with the appendix that lists the records
it counts, and the recount of each figure from those records.

The figures come from `repair.work_order_statistics` (what the dashboard shows too); the
records from `repair.list_work_orders`. Both follow one definition per figure
(docs/reports.md):

- 工程量, 办结工单, 按期办结率 — the orders whose **current** completion falls in the period
  (state 已办结待回访 or 已结案): an order reopened for 重办 drops out of the month it had been
  completed in and counts again, with its new quantities, in the month it is completed anew
  (附表 工单明细);
- 上报工单, 解决率 — the orders reported in the period, by their state now (附表 上报工单);
- 满意率 — the answers given in the period, one per completion: the resident's own rating
  (居民评价) where they gave one, otherwise the 回访's, including a 不满意 that led to a redo
  (附表 回访记录);
- 督办 — the escalations made in the period (附表 督办记录).

Its second section, 背街小巷工单按承办部门, is the same figures by the department (承办部门)
each order is with now, 未派单 last (`repair.work_order_statistics` grouped by department):
the rows add up to the part's figures, and its 合计 row is their sum (the rates there are the
part's own, derived from its sums, never the rows' average).
"""
from __future__ import annotations

from datetime import datetime

from shared import clock
from shared import names

QUANTITY_ORDER = ("street_lamp", "road_surface", "sidewalk_tiles", "hedge_trimming",
                  "replanting", "hardening", "manhole_cover")
QUANTITY_TITLES = {"street_lamp": "路灯(盏)", "road_surface": "路面(m²)",
                   "sidewalk_tiles": "地砖(m²)", "hedge_trimming": "修剪(m²)",
                   "replanting": "补植(m²)", "hardening": "硬化(m²)", "manhole_cover": "井盖(个)"}
CATEGORY_NAMES = names.table("category")
RESOLVED = ("completed", "closed")
ENDED_WITHOUT_WORK = ("duplicate", "rejected", "cancelled")
FOLLOW_UP_NAMES = {"satisfied": "满意", "basically_satisfied": "基本满意",
                   "dissatisfied": "不满意", "unreachable": "联系不上"}
SATISFIED = ("satisfied", "basically_satisfied")
ANSWERS = (*SATISFIED, "dissatisfied")
DEPARTMENT_SECTION = "背街小巷工单按承办部门"


def rate(part: int, whole: int) -> float | None:
    """As the repair service derives its rates: four decimals, None with nothing to divide."""
    return round(part / whole, 4) if whole else None


def _within(moment: str | datetime | None, start: datetime, end: datetime) -> bool:
    if not moment:
        return False
    moment = clock.parse_iso(moment) if isinstance(moment, str) else moment
    return start <= moment < end


# --- the records -----------------------------------------------------------------------------


def completed_rows(orders: list[dict], start: datetime, end: datetime) -> list[dict]:
    """工单明细: orders whose current completion falls in the period."""
    return [completed_row(o) for o in orders
            if o["state"] in RESOLVED and _within(o.get("completed_at"), start, end)]


def completed_row(order: dict) -> dict:
    on_time = order.get("completed_on_time")
    if on_time is None:  # stored before the flag was kept: as it was counted then
        due, completed = order.get("due_at"), order.get("completed_at")
        on_time = bool(due and completed
                       and clock.parse_iso(completed) <= clock.parse_iso(due))
    row = {"number": order["number"], "community": order["community"],
           "alley": order.get("alley") or "", "category_name": order["category_name"],
           "completed_at": local(order["completed_at"]), "on_time": "是" if on_time else "否",
           "follow_up": (order.get("follow_up") or {}).get("result_name", ""),
           "redone": len(order.get("previous_completions") or []) or "",
           "imported": "补录" if order.get("imported") else "系统办理"}
    for q in order["quantities"]:
        row[f"q.{q['kind']}"] = round(row.get(f"q.{q['kind']}", 0) + q["amount"], 2)
    return row


def reported_rows(orders: list[dict], start: datetime, end: datetime) -> list[dict]:
    """上报工单: orders reported in the period, by their state now."""
    return [{"number": o["number"], "community": o["community"],
             "alley": o.get("alley") or "", "category_name": o["category_name"],
             "reported_at": local(o["reported_at"]), "channel_name": o["channel_name"],
             "state": o["state"], "state_name": o["state_name"],
             "resolved": "是" if o["state"] in RESOLVED else
             ("不计" if o["state"] in ENDED_WITHOUT_WORK else "否")}
            for o in orders if _within(o["reported_at"], start, end)]


def history_rows(orders: list[dict], action: str, start: datetime,
                 end: datetime) -> list[tuple[dict, dict]]:
    return [(o, entry) for o in orders for entry in o.get("history", [])
            if entry["action"] == action and _within(entry["at"], start, end)]


def follow_up_rows(orders: list[dict], start: datetime, end: datetime) -> list[dict]:
    """回访记录: every answer to a 回访 and every resident's own rating (居民评价) given in the
    period, also one that led to a redo. One answer counts per completion: the resident's
    rating where they gave one — the 回访 of that completion is listed, not counted."""
    rows = []
    for order in orders:
        rated: set[int] = set()
        completion, answers = 0, []
        for entry in order.get("history", []):
            if entry["action"] == "complete":
                completion += 1
            elif entry["action"] in ("follow_up", "rate"):
                answers.append((completion, entry))
                if entry["action"] == "rate":
                    rated.add(completion)
        for completion, entry in answers:
            if _within(entry["at"], start, end):
                counted = entry["action"] == "rate" or completion not in rated
                rows.append(_answer_row(order, entry, counted))
    return sorted(rows, key=lambda r: (r["at"], r["number"]))


def _answer_row(order: dict, entry: dict, counted: bool) -> dict:
    result = entry["details"].get("result") or (
        # an entry stored before the result was kept with a redo: only 不满意 reopens
        "dissatisfied" if entry["to_state"] != "closed" else "")
    return {"number": order["number"], "community": order["community"],
            "at": local(entry["at"]), "result": result,
            "result_name": FOLLOW_UP_NAMES.get(result, result),
            "source": "居民评价" if entry["action"] == "rate" else
            ("回访" if counted else "回访(以居民评价为准)"),
            "by": (entry.get("actor") or {}).get("name", ""),
            "note": entry.get("note") or "",
            "answer": 1 if counted and result in ANSWERS else 0,
            "satisfied": 1 if counted and result in SATISFIED else 0}


def escalation_rows(orders: list[dict], start: datetime, end: datetime) -> list[dict]:
    """督办记录: every escalation made in the period, by hand or by the timer."""
    rows = [{"number": order["number"], "community": order["community"],
             "at": local(entry["at"]), "state_name": order["state_name"],
             "automatic": "系统自动" if entry["details"].get("automatic") else "人工督办",
             "by": (entry.get("actor") or {}).get("name", ""), "count": 1}
            for order, entry in history_rows(orders, "escalate", start, end)]
    return sorted(rows, key=lambda r: (r["at"], r["number"]))


# --- the recount: each figure from the rows of its appendix ------------------------------------


def recount(appendices: dict[str, list[dict]]) -> dict[str, float | int | None]:
    """What each figure comes to when counted from its appendix's rows."""
    done = appendices["工单明细"]
    reported = appendices["上报工单"]
    answers = appendices["回访记录"]
    valid = [r for r in reported if r["state"] not in ENDED_WITHOUT_WORK]
    counted = {f"quantity.{kind}": round(sum(r.get(f"q.{kind}", 0) for r in done), 2)
               for kind in QUANTITY_ORDER}
    counted.update({
        "completed": len(done),
        "on_time_rate": rate(sum(r["on_time"] == "是" for r in done), len(done)),
        "reported": len(reported),
        "resolution_rate": rate(sum(r["state"] in RESOLVED for r in valid), len(valid)),
        "satisfaction_rate": rate(sum(r["satisfied"] for r in answers),
                                  sum(r["answer"] for r in answers)),
        "escalated": len(appendices["督办记录"]),
    })
    return counted


# --- the part of the report ----------------------------------------------------------------


def gather(repair, scope: dict, start: datetime, end: datetime, label: str, where: str,
           source: str, all_pages) -> dict:
    """{figures, section, appendices} of the 背街小巷工单 part. `repair` is the repair
    service's proxy; `all_pages(method, **query)` reads a list to its end."""
    totals = repair.work_order_statistics(**scope)["totals"]
    by_month = repair.work_order_statistics(group_by=["month"], **scope)
    by_category = repair.work_order_statistics(group_by=["category"], **scope)
    orders = all_pages(repair.list_work_orders, community=scope.get("community"),
                       reported_to=clock.iso(end), sort="reported_at")
    rows = {"工单明细": completed_rows(orders, start, end),
            "上报工单": reported_rows(orders, start, end),
            "回访记录": follow_up_rows(orders, start, end),
            "督办记录": escalation_rows(orders, start, end)}
    recounted = recount(rows)
    section = "背街小巷工单"
    figures = []

    def figure(key, name, value, unit, detail, shown=None):
        figures.append({"section": section, "name": name, "value": value, "unit": unit,
                        "shown": shown if shown is not None else value, "source": source,
                        "detail": detail, "recount": recounted[key]})

    for kind in QUANTITY_ORDER:
        q = totals["quantities"][kind]
        figure(f"quantity.{kind}", q["name"], q["amount"], q["unit"], "工单明细")
    figure("reported", "上报工单", totals["reported"], "件", "上报工单")
    figure("completed", "办结工单", totals["completed"], "件", "工单明细")
    figure("on_time_rate", "按期办结率", totals["on_time_rate"], "", "工单明细",
           percent(totals["on_time_rate"]))
    figure("satisfaction_rate", "满意率", totals["satisfaction_rate"], "", "回访记录",
           percent(totals["satisfaction_rate"]))
    figure("resolution_rate", "解决率", totals["resolution_rate"], "", "上报工单",
           percent(totals["resolution_rate"]))
    figure("escalated", "督办", totals["escalated"], "次", "督办记录")

    appendices = [
        {"name": "工单明细", "title": f"附表:{label}办结的工单({where})",
         "note": "当前办结时间在报表期内、状态为已办结待回访或已结案的工单;重办的工单只按最后一次"
                 "办结计入(重办前的办结见工单的办理记录)。工程量合计即报表中的工程量,条数即办结工单,"
                 "按期条数 ÷ 条数即按期办结率。",
         "columns": [("number", "工单号"), ("community", "社区"), ("alley", "巷道"),
                     ("category_name", "类别"), ("completed_at", "办结时间"),
                     ("on_time", "按期"), *[(f"q.{k}", QUANTITY_TITLES[k])
                                           for k in QUANTITY_ORDER],
                     ("follow_up", "回访结果"), ("redone", "重办次数"), ("imported", "来源")],
         "rows": rows["工单明细"], "totals": [f"q.{k}" for k in QUANTITY_ORDER]},
        {"name": "上报工单", "title": f"附表:{label}上报的工单({where})",
         "note": "上报时间在报表期内的工单及其现在的状态;条数即上报工单。解决率 = “已解决”为是的"
                 "条数 ÷ 除“不计”(重复件、不予受理、已撤销)以外的条数。",
         "columns": [("number", "工单号"), ("community", "社区"), ("alley", "巷道"),
                     ("category_name", "类别"), ("reported_at", "上报时间"),
                     ("channel_name", "来源渠道"), ("state_name", "现在状态"),
                     ("resolved", "已解决")],
         "rows": rows["上报工单"]},
        {"name": "回访记录", "title": f"附表:{label}的回访与居民评价({where})",
         "note": "报表期内的每一次回访和居民评价,包括回访不满意而重办的。每次办结只计一个评价:"
                 "居民本人评价过的,以居民评价为准(该次回访列出但不计);否则计回访结果。"
                 "满意率 = (满意 + 基本满意) ÷ 计入的评价(联系不上不计)。",
         "columns": [("number", "工单号"), ("community", "社区"), ("at", "时间"),
                     ("source", "来源"), ("result_name", "结果"), ("by", "评价人"),
                     ("note", "说明"),
                     ("answer", "作出评价"), ("satisfied", "满意或基本满意")],
         "rows": rows["回访记录"], "totals": ["answer", "satisfied"]},
        {"name": "督办记录", "title": f"附表:{label}的督办记录({where})",
         "note": "督办时间在报表期内的每一次督办(人工或超期自动);条数即督办次数。",
         "columns": [("number", "工单号"), ("community", "社区"), ("at", "督办时间"),
                     ("automatic", "方式"), ("by", "督办人"), ("state_name", "工单现在状态"),
                     ("count", "次数")],
         "rows": rows["督办记录"], "totals": ["count"]},
    ]
    tables = [
        {"title": "工程量", "columns": ["项目", "数量", "单位"],
         "rows": [[totals["quantities"][k]["name"], totals["quantities"][k]["amount"],
                   totals["quantities"][k]["unit"]] for k in QUANTITY_ORDER],
         "chart": "bar"},
        {"title": "按月办结与按期办结", "columns": ["月份", "办结", "按期办结"],
         "rows": [[g["month"], g["completed"], g["completed_on_time"]]
                  for g in by_month.get("groups", [])], "chart": "bar"},
        {"title": "按类别", "columns": ["类别", "上报", "办结", "按期办结率"],
         "rows": [[CATEGORY_NAMES.get(g["category"], g["category"]), g["reported"],
                   g["completed"], percent(g["on_time_rate"])]
                  for g in by_category.get("groups", [])]},
    ]
    return {"figures": figures,
            "sections": [{"title": section, "tables": tables},
                         department_section(repair, scope, totals)],
            "appendices": appendices}


def department_section(repair, scope: dict, totals: dict) -> dict:
    """背街小巷工单按承办部门: each department's figures (those with anything to count), 未派单
    last, and a 合计 row that adds the rows up; its rates are the part's own."""
    grouped = repair.work_order_statistics(group_by=["department"], **scope)
    groups = sorted((g for g in grouped.get("groups", []) if _counts_anything(g)),
                    key=lambda g: not g.get("department"))
    counts = ("reported", "completed", "completed_on_time", "escalated")
    rates = ("on_time_rate", "satisfaction_rate", "resolution_rate")

    def amounts(group) -> list:
        return [group["quantities"][k]["amount"] for k in QUANTITY_ORDER]
    return {"title": DEPARTMENT_SECTION, "tables": [
        {"title": "工单办理", "columns": ["承办部门", "上报工单", "办结工单", "按期办结", "督办",
                                       "按期办结率", "满意率", "解决率"],
         "rows": [[g["department_name"], *(g[c] for c in counts),
                   *(percent(g[r]) for r in rates)] for g in groups],
         "total": ["合计", *(sum(g[c] for g in groups) for c in counts),
                   *(percent(totals[r]) for r in rates)],
         "chart": "bar"},
        {"title": "工程量", "columns": ["承办部门", *(QUANTITY_TITLES[k] for k in QUANTITY_ORDER)],
         "rows": [[g["department_name"], *amounts(g)] for g in groups if any(amounts(g))],
         "total": ["合计", *(round(sum(g["quantities"][k]["amount"] for g in groups), 2)
                             for k in QUANTITY_ORDER)]},
    ]}


def _counts_anything(group: dict) -> bool:
    return bool(group["reported"] or group["completed"] or group["escalated"]
                or group["reopened"] or any(group["follow_ups"].values())
                or any(group["ratings"].values())
                or any(q["amount"] for q in group["quantities"].values()))


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def local(moment: str | None) -> str:
    if not moment:
        return ""
    return clock.parse_iso(moment).astimezone(clock.OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
