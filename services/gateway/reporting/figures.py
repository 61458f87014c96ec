"""The office's periodic report (街道工作报表): what it says, gathered from the services.

`gather(services, period, community)` asks each service for its published figures over RPC
(the same statistics methods the console shows) and for the records behind them, and returns
one plain dict that the spreadsheet and PDF renderers lay out. Every figure names the query
that produced it and the appendix that lists its records, so anyone can recount it:

- work quantities, completions and on-time completions: the orders completed in the period
  (附表 工单明细, with each order's quantities and whether it met its deadline);
- activities held and attendance: the finished activities that started in the period
  (附表 活动明细);
- volunteer hours: the hours-ledger entries dated in the period (附表 志愿服务记录);
- visits, postings and placements: the visits, postings and placements of the period
  (附表 走访明细, 岗位明细, 就业明细).

`services` is anything with `.repair`, `.activity`, `.volunteer` and `.job` proxies: the
gateway's own RPC dependencies, or a standalone ClusterRpcProxy (deploy/report.py).
"""
from __future__ import annotations

from datetime import date

from services.gateway.reporting import work_orders
from shared import clock
from shared.schemas import month_range

PAGE = 200
MAX_ROWS = 20000


def period_label(period: str) -> str:
    if len(period) == 4:
        return f"{period}年"
    if "-Q" in period:
        return f"{period[:4]}年第{'一二三四'[int(period[-1]) - 1]}季度"
    return f"{period[:4]}年{int(period[5:])}月"


def month_bounds(first: str, last: str):
    start = clock.start_of_local_day(date(int(first[:4]), int(first[5:]), 1))
    year, month = int(last[:4]), int(last[5:]) + 1
    if month == 13:
        year, month = year + 1, 1
    return start, clock.start_of_local_day(date(year, month, 1))


def _all_pages(method, **query) -> list[dict]:
    """Every record of a list, page after page (by cursor, or by number for a list that is
    paged by number)."""
    rows, page = [], 1
    answer = method(page_size=PAGE, **query)
    while True:
        rows.extend(answer["items"])
        if len(rows) >= MAX_ROWS or not answer["items"]:
            return rows
        if "next_cursor" in answer:
            if not answer["has_more"]:
                return rows
            answer = method(page_size=PAGE, cursor=answer["next_cursor"], **query)
        else:
            if len(rows) >= answer["total"]:
                return rows
            page += 1
            answer = method(page=page, page_size=PAGE, **query)


def _rate(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _source(call: str, **arguments) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in arguments.items() if v not in (None, [], ""))
    return f"{call}({shown})"


def gather(services, period: str, community: str | None = None) -> dict:
    first, last = month_range(period)
    start, end = month_bounds(first, last)
    where = community or "全街道"
    scope = {"period": period, "community": community}
    figures, sections, appendices = [], [], []

    def figure(section, name, value, unit, source, detail=None, shown=None, recount=None):
        """One figure; `recount` is what it comes to counted from its appendix's rows."""
        figures.append({"section": section, "name": name, "value": value, "unit": unit,
                        "shown": shown if shown is not None else value,
                        "source": source, "detail": detail, "recount": recount})

    # -- 背街小巷工单 ---------------------------------------------------------------------
    repair_query = {k: v for k, v in scope.items() if v}
    part = work_orders.gather(services.repair, repair_query, start, end,
                              period_label(period), where,
                              _source("repair.work_order_statistics", **repair_query),
                              _all_pages)
    figures.extend(part["figures"])
    sections.extend(part["sections"])
    appendices.extend(part["appendices"])

    # -- 主题活动 ---------------------------------------------------------------------------
    activity = services.activity.activity_statistics(**repair_query)["totals"]
    by_theme = services.activity.activity_statistics(group_by=["theme"], **repair_query)
    by_festival = services.activity.activity_statistics(group_by=["festival"], **repair_query)
    activity_months = services.activity.activity_statistics(group_by=["month"], **repair_query)
    source = _source("activity.activity_statistics", **repair_query)
    section = "主题活动"
    held = _all_pages(services.activity.list_activities, community=community,
                      state=["finished"], starts_from=clock.iso(start),
                      starts_to=clock.iso(end), sort="starts_at")
    held = [a for a in held if start <= clock.parse_iso(a["starts_at"]) < end]
    figure(section, "开展主题活动", activity["held"], "次", source, "活动明细",
           recount=len(held))
    figure(section, "参与人次", activity["attendance"], "人次", source, "活动明细",
           recount=sum(a["attendance"] or 0 for a in held))
    figure(section, "场均参与", activity["average_attendance"], "人", source, None,
           "—" if activity["average_attendance"] is None
           else f"{activity['average_attendance']:.1f}")
    figure(section, "到场率", activity["show_up_rate"], "", source, None,
           _rate(activity["show_up_rate"]))
    festivals = [g for g in by_festival.get("groups", []) if g.get("festival")]
    figure(section, "传统节日活动", sum(g["held"] for g in festivals), "次", source, "活动明细",
           recount=sum(1 for a in held if a.get("festival")))
    appendices.append({
        "name": "活动明细", "title": f"附表:{period_label(period)}开展的主题活动({where})",
        "note": "开始时间在报表期内、已结束的活动;场次和到场人数合计即报表中的数字。",
        "columns": [("activity_id", "活动编号"), ("starts_at", "时间"), ("community", "社区"),
                    ("title", "活动"), ("theme_name", "主题"), ("festival_name", "节日"),
                    ("place", "地点"), ("attendance", "到场人数"), ("imported", "来源")],
        "rows": [{**a, "starts_at": _local(a["starts_at"]),
                  "imported": "补录" if a.get("imported") else "系统办理"} for a in held],
        "totals": ["attendance"]})
    sections.append({"title": section, "tables": [
        {"title": "按主题", "columns": ["主题", "开展次数", "参与人次"],
         "rows": [[g["theme_name"], g["held"], g["attendance"]]
                  for g in by_theme.get("groups", []) if g["held"]], "chart": "bar"},
        {"title": "按传统节日", "columns": ["节日", "开展次数", "参与人次"],
         "rows": [[g["festival_name"], g["held"], g["attendance"]] for g in festivals
                  if g["held"]], "chart": "bar"},
        {"title": "按月", "columns": ["月份", "开展次数", "参与人次"],
         "rows": [[g["month"], g["held"], g["attendance"]]
                  for g in activity_months.get("groups", [])]},
    ]})

    # -- 志愿服务 ---------------------------------------------------------------------------
    volunteer = services.volunteer.volunteer_statistics(**repair_query)["totals"]
    volunteer_months = services.volunteer.volunteer_statistics(group_by=["month"],
                                                               **repair_query)
    source = _source("volunteer.volunteer_statistics", **repair_query)
    section = "志愿服务"
    registry = volunteer.get("volunteers") or {}
    entries = _all_pages(services.volunteer.list_ledger_entries, community=community,
                         from_date=f"{first}-01", to_date=_last_day(last))
    services_rows = [e for e in entries if not e.get("corrects")]  # a correction is no service
    figure(section, "在册志愿者", registry.get("active"), "人", source)
    figure(section, "新注册志愿者", volunteer["new_registrations"], "人", source)
    figure(section, "参与服务志愿者", volunteer["serving_volunteers"], "人", source,
           "志愿服务记录", recount=len({e["volunteer_id"] for e in services_rows}))
    figure(section, "志愿服务时长", volunteer["hours"], "小时", source, "志愿服务记录",
           recount=round(sum(e["hours"] for e in entries), 2))
    figure(section, "志愿服务人次", volunteer["services"], "人次", source, "志愿服务记录",
           recount=len(services_rows))
    appendices.append({
        "name": "志愿服务记录", "title": f"附表:{period_label(period)}志愿服务记录({where})",
        "note": "服务日期在报表期内的时长记录(谁组织谁记录);时长合计即报表中的志愿服务时长。",
        "columns": [("id", "记录编号"), ("date", "服务日期"), ("volunteer_name", "志愿者"),
                    ("community", "社区"), ("content", "服务内容"), ("hours", "时长(小时)"),
                    ("organiser", "组织方"), ("source_name", "来源")],
        "rows": entries, "totals": ["hours"]})
    sections.append({"title": section, "tables": [
        {"title": "按月志愿服务时长", "columns": ["月份", "时长(小时)", "服务人次"],
         "rows": [[g["month"], g["hours"], g["services"]]
                  for g in volunteer_months.get("groups", [])], "chart": "bar"},
    ]})

    # -- 一走四送与就业 -----------------------------------------------------------------------
    job = services.job.job_statistics(**repair_query)["totals"]
    job_months = services.job.job_statistics(group_by=["month"], **repair_query)
    source = _source("job.job_statistics", **repair_query)
    section = "一走四送与就业服务"
    visits = _all_pages(services.job.list_visits, community=community,
                        visited_from=f"{first}-01", visited_to=_last_day(last))
    postings = [p for p in _all_pages(services.job.list_job_postings, community=community)
                if start <= clock.parse_iso(p["posted_at"]) < end]
    placements = [p for p in _all_pages(services.job.list_placements, community=community)
                  if f"{first}-01" <= p["started_on"] <= _last_day(last)]
    stable = sum(1 for p in placements if p["state"] == "stable")
    figure(section, "走访用工单位", job["visits"], "次", source, "走访明细",
           recount=len(visits))
    for kind in ("policy", "training", "job", "service"):
        delivery = job["deliveries"][kind]
        figure(section, delivery["name"], delivery["count"], "次", source, "走访明细",
               recount=sum(1 for v in visits for d in v["deliveries"] if d["kind"] == kind))
    figure(section, "提供岗位招聘信息", job["postings_provided"], "条", source, "岗位明细",
           recount=len(postings))
    figure(section, "提供岗位数", job["openings_provided"], "个", source, "岗位明细",
           recount=sum(p["openings"] for p in postings))
    figure(section, "实现就业", job["placements"], "人", source, "就业明细",
           recount=len(placements))
    figure(section, "实现稳定就业", job["stable_placements"], "人", source, "就业明细",
           recount=stable)
    figure(section, "稳定就业率", job["stable_rate"], "", source, "就业明细",
           _rate(job["stable_rate"]), recount=work_orders.rate(stable, len(placements)))
    appendices.append({
        "name": "走访明细", "title": f"附表:{period_label(period)}一走四送走访({where})",
        "note": "走访日期在报表期内的走访记录。",
        "columns": [("visit_id", "走访编号"), ("visited_on", "走访日期"),
                    ("employer_name", "用工单位"), ("community", "社区"),
                    ("visitor_name", "走访人"), ("deliveries", "送政策/培训/岗位/服务")],
        "rows": [{**v, "deliveries": "、".join(d["kind_name"] for d in v["deliveries"])}
                 for v in visits]})
    appendices.append({
        "name": "岗位明细", "title": f"附表:{period_label(period)}发布的岗位招聘信息({where})",
        "note": "发布时间在报表期内的岗位信息。",
        "columns": [("posting_id", "岗位编号"), ("posted_at", "发布时间"),
                    ("employer_name", "用工单位"), ("community", "社区"), ("title", "岗位"),
                    ("openings", "招聘人数"), ("salary_text", "薪资"), ("state_name", "状态")],
        "rows": [{**p, "posted_at": _local(p["posted_at"])} for p in postings],
        "totals": ["openings"]})
    appendices.append({
        "name": "就业明细", "title": f"附表:{period_label(period)}实现的就业({where})",
        "note": "上岗日期在报表期内的就业;条数即实现就业,状态为“稳定就业”(6 个月回访仍在岗)"
                "的条数即实现稳定就业,两者之比即稳定就业率。",
        "columns": [("placement_id", "就业编号"), ("started_on", "上岗日期"),
                    ("seeker_name", "姓名"), ("community", "社区"),
                    ("employer_name", "用工单位"), ("title", "岗位"),
                    ("monthly_pay", "月收入(元)"), ("state_name", "状态")],
        "rows": placements})
    sections.append({"title": section, "tables": [
        {"title": "按月岗位信息与就业", "columns": ["月份", "岗位信息", "走访", "实现就业"],
         "rows": [[g["month"], g["postings_provided"], g["visits"], g["placements"]]
                  for g in job_months.get("groups", [])], "chart": "bar"},
    ]})

    return {"title": f"广陵街道社区精细化管理工作报表({where})",
            "period": period, "period_label": period_label(period), "from_month": first,
            "to_month": last, "community": community, "where": where,
            "generated_at": clock.iso(clock.now()),
            "figures": figures, "sections": sections, "appendices": appendices,
            "discrepancies": discrepancies(figures)}


def disagrees(value, recount) -> bool:
    """Whether a figure differs from its appendix's recount (to four decimals, as rates are given)."""
    if value is None or recount is None:
        return value != recount
    return round(float(value), 4) != round(float(recount), 4) if isinstance(
        value, float) or isinstance(recount, float) else value != recount


def discrepancies(figures: list[dict]) -> list[dict]:
    """The figures their appendix does not add up to: none, when every service counts by the
    definitions in docs/reports.md; the report prints any it finds rather than hide them."""
    return [{"section": f["section"], "name": f["name"], "value": f["value"],
             "recount": f["recount"], "detail": f["detail"]}
            for f in figures if f["detail"] and disagrees(f["value"], f["recount"])]


def _local(moment: str | None) -> str:
    if not moment:
        return ""
    return clock.parse_iso(moment).astimezone(clock.OFFICE_TZ).strftime("%Y-%m-%d %H:%M")


def _last_day(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    following = date(year + number // 12, number % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1).isoformat()
