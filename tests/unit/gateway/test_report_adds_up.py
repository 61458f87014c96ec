"""The office report never contradicts its appendix: random histories of work orders (report,
accept, dispatch, complete, 回访 with any answer, 不满意 → 重办, reopen by staff, re-complete,
answer, escalate, cancel, reject), spread over months so steps fall on either side of period
boundaries, are walked through the repair service's handlers; then for every month, quarter
and the year, street-wide and per community, each headline of the report's 背街小巷工单 part
equals what the records of its appendix add up to, counted here from the rows themselves, and
equals the statistics query's figure — the RPC's, and the dashboard's, whose per-community and
per-month groups are the same figures over the same buckets and add up to the totals. Orders
go to any department and may be returned and sent elsewhere: the figures by department add up
to the street's (or the community's), each department's are what its filter gives, and each
is what the orders with that department now add up to, counted here from the records; the
report's section by department (承办部门) adds up to the part's headline figures, in the
workbook's sheet and the PDF's section alike."""
import io
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from services.gateway.reporting import figures as report_figures
from services.gateway.reporting import pdf, work_orders, xlsx
from services.repair import domain
from services.repair.handlers import flow, intake, reading
from services.repair.views import WorkOrderView
from shared import clock
from tests.unit.fakes import run
from tests.unit.repair.fakes import FakeRepairUnitOfWork

ADMIN = {"id": "u-admin", "name": "街道管理员", "role": "street_admin", "community": None}
DEPT = {"id": "u-dept", "name": "李师傅", "role": "department"}
PHONE = "13812345678"  # every order's reporter, who rates on the resident site (居民评价)
COMMUNITIES = ("天宝社区", "浚河社区")
ALLEYS = {"天宝社区": "聚宝路", "浚河社区": "新宇巷"}  # an alley of each (shared.places)
KINDS = ("street_lamp", "road_surface", "hardening")
# Around the turn of a quarter, so histories cross month and quarter boundaries.
EPOCH = datetime(2026, 2, 20, tzinfo=timezone.utc)
PERIODS = ("2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-Q1", "2026-Q2",
           "2026")
# The steps a history takes, weighted so that most orders get through to completion and
# 回访 (where redos happen) while some are answered, escalated, cancelled or rejected.
STEPS = {"accept": 6, "dispatch": 6, "sign_for": 6, "complete": 6, "follow_up": 6,
         "rate": 3, "reopen": 2, "answer": 1, "escalate": 2, "cancel": 1, "reject": 1,
         "return": 2}
DEPARTMENTS = tuple(d["code"] for d in domain.DEFAULT_DEPARTMENTS)
DEPARTMENT_NAMES = {d["code"]: d["name"] for d in domain.DEFAULT_DEPARTMENTS}
NO_DEPARTMENT = "未派单"


class RepairProxy:
    """What the report asks the repair service, answered by its handlers in memory."""

    def __init__(self, uow):
        self.uow = uow

    def work_order_statistics(self, **query):
        return run(reading.statistics, self.uow, query)

    def list_work_orders(self, page_size, community=None, reported_to=None, sort=None,
                         cursor=None):
        end = clock.parse_iso(reported_to)
        orders = sorted((o for o in self.uow.work_orders.all()
                         if community in (None, o.community) and o.reported_at < end),
                        key=lambda o: o.reported_at)
        return {"items": WorkOrderView(many=True, now=self.uow.now).dump(orders),
                "next_cursor": None, "has_more": False}


def apply(uow, number, step, draw):
    """One step of a history; `draw` gives its details."""
    commands = {
        "accept": (flow.accept, ADMIN, {}),
        "dispatch": (flow.dispatch, ADMIN, {"department_code": DEPARTMENTS[draw % 4]}),
        "return": (flow.return_to_dispatcher, DEPT, {"grounds": "不属本部门"}),
        "sign_for": (flow.sign_for, DEPT, {}),
        "complete": (flow.complete, DEPT, {
            "result_note": "已处理", "evidence_urls": [f"https://img.example/{number}.jpg"],
            "quantities": [{"kind": KINDS[draw % 3], "amount": 1 + draw % 700 / 4}]}),
        "follow_up": (flow.record_follow_up, ADMIN, {
            "result": ("satisfied", "basically_satisfied", "dissatisfied",
                       "unreachable")[draw % 4]}),
        "rate": (flow.rate, {"id": "u-resident", "name": "居民", "role": "resident",
                             "resident": uow.cipher.fingerprint(PHONE)}, {
            "result": ("satisfied", "basically_satisfied", "dissatisfied")[draw % 3]}),
        "reopen": (flow.reopen, ADMIN, {"reason": "验收不合格"}),
        "answer": (flow.answer, ADMIN, {"answer": "已电话答复"}),
        "escalate": (flow.escalate, ADMIN, {}),
        "cancel": (flow.cancel, ADMIN, {"reason": "居民撤回"}),
        "reject": (flow.reject, ADMIN, {"reason": "不属于受理范围"}),
    }
    handler, actor, command = commands[step]
    if step == "rate" and uow.work_orders.get(number).rating is not None:
        return  # once per completion
    run(handler, uow, number, actor, command)


def next_step(uow, number, choice: int) -> str | None:
    """One of the steps the order allows now (so that histories go somewhere)."""
    allowed = [a for a in uow.work_orders.get(number).allowed_actions() if a in STEPS
               for _ in range(STEPS[a])]
    return allowed[choice % len(allowed)] if allowed else None


history = st.lists(st.tuples(st.integers(0, 99), st.integers(0, 24 * 40),
                             st.integers(0, 10_000)), max_size=14)
order_plan = st.tuples(st.sampled_from(COMMUNITIES), st.integers(0, 24 * 100), history)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(order_plan, min_size=1, max_size=6))
def test_every_headline_of_the_work_order_part_adds_up_to_its_appendix(plans):
    uow = FakeRepairUnitOfWork(now=EPOCH)
    for community, offset, steps in plans:
        uow.now = EPOCH + timedelta(hours=offset)
        number = run(intake.report, uow, ADMIN, {
            "category": "road_surface", "community": community, "alley": ALLEYS[community],
            "address": f"{ALLEYS[community]}12号", "description": "路面破损",
            "channel": "grid_worker", "reporter": {"name": "张清松", "phone": PHONE}})["number"]
        for choice, gap_hours, draw in steps:
            step = next_step(uow, number, choice)
            if step is None:
                break  # the order has ended
            uow.now += timedelta(hours=gap_hours, minutes=draw % 60)
            apply(uow, number, step, draw)
    uow.now = EPOCH + timedelta(days=400)  # the report is drawn up afterwards
    repair = RepairProxy(uow)

    for period in PERIODS:
        for community in (None, *COMMUNITIES):
            first, last = report_figures.month_range(period)
            start, end = report_figures.month_bounds(first, last)
            scope = {"period": period, **({"community": community} if community else {})}
            part = work_orders.gather(repair, scope, start, end, period, community or "全街道",
                                      "repair.work_order_statistics", report_figures._all_pages)
            totals = repair.work_order_statistics(**scope)["totals"]
            assert_adds_up(part, totals)
            assert_department_section_adds_up(part)
            assert_statistics_agree(repair, scope, part, totals, start, end)
            assert_departments_add_up(repair, uow, scope, totals, first, last)


def assert_adds_up(part, totals):
    shown = {f["name"]: f["value"] for f in part["figures"]}
    rows = {a["name"]: a["rows"] for a in part["appendices"]}
    done, reported = rows["工单明细"], rows["上报工单"]
    # The page shows the statistics query's figures: what the dashboard shows too.
    assert shown["办结工单"] == totals["completed"] and shown["上报工单"] == totals["reported"]

    # 工程量 and 办结工单: the current completions of the period, each order once.
    assert len({r["number"] for r in done}) == len(done)
    for kind in work_orders.QUANTITY_ORDER:
        name = totals["quantities"][kind]["name"]
        assert round(shown[name], 2) == round(sum(r.get(f"q.{kind}", 0) for r in done), 2), name
    assert shown["办结工单"] == len(done)
    on_time = sum(1 for r in done if r["on_time"] == "是")
    assert shown["按期办结率"] == (round(on_time / len(done), 4) if done else None)

    # 上报工单 and 解决率: the orders reported in the period, by their state now.
    assert shown["上报工单"] == len(reported)
    counted = [r for r in reported if r["resolved"] != "不计"]
    resolved = sum(1 for r in counted if r["resolved"] == "是")
    assert shown["解决率"] == (round(resolved / len(counted), 4) if counted else None)

    # 满意率: the answers given in the period, a 不满意 that led to a redo among them, one per
    # completion: a 回访 of a completion its resident rated is listed and not counted.
    answers = [r for r in rows["回访记录"] if r["result"] != "unreachable"
               and r["source"] in ("回访", "居民评价")]
    happy = sum(1 for r in answers if r["result"] in ("satisfied", "basically_satisfied"))
    assert shown["满意率"] == (round(happy / len(answers), 4) if answers else None)

    # 督办: one row per escalation.
    assert shown["督办"] == len(rows["督办记录"])
    # And the report's own check finds nothing to flag.
    assert report_figures.discrepancies(part["figures"]) == []


def department_section(part) -> tuple[dict, dict]:
    """The tables of the part's section by department: 工单办理 and 工程量."""
    section, = [s for s in part["sections"] if s["title"] == work_orders.DEPARTMENT_SECTION]
    handled, quantities = section["tables"]
    assert (handled["title"], quantities["title"]) == ("工单办理", "工程量")
    return handled, quantities


def assert_department_section_adds_up(part):
    """The section by department: each column's rows add up to its 合计, and the 合计 is the
    part's headline figure (the rates there are the headline rates)."""
    shown = {f["name"]: f["value"] for f in part["figures"]}
    handled, quantities = department_section(part)
    columns = handled["columns"]
    total = dict(zip(columns, handled["total"]))
    for column in ("上报工单", "办结工单", "按期办结", "督办"):
        assert sum(r[columns.index(column)] for r in handled["rows"]) == total[column], column
    assert (total["上报工单"], total["办结工单"], total["督办"]) == (
        shown["上报工单"], shown["办结工单"], shown["督办"])
    completed = total["办结工单"]
    assert shown["按期办结率"] == (round(total["按期办结"] / completed, 4) if completed else None)
    for rate in ("按期办结率", "满意率", "解决率"):
        assert total[rate] == work_orders.percent(shown[rate]), rate
    departments = [r[0] for r in handled["rows"]]
    assert len(set(departments)) == len(departments)
    assert reader_order(departments) == departments  # 未派单, if any, last
    for index, kind in enumerate(work_orders.QUANTITY_ORDER, start=1):
        added = round(sum(r[index] for r in quantities["rows"]), 2)
        assert added == quantities["total"][index] == round(shown[domain.QUANTITY_NAMES[kind]],
                                                            2), kind


def reader_order(departments: list[str]) -> list[str]:
    return sorted(departments, key=lambda name: name == NO_DEPARTMENT)


HEADLINES = {"上报工单": "reported", "办结工单": "completed", "按期办结率": "on_time_rate",
             "满意率": "satisfaction_rate", "解决率": "resolution_rate", "督办": "escalated"}
COUNTS = ("reported", "completed", "completed_on_time", "escalated", "reopened")


def headlines(totals) -> dict:
    """The report's page-1 figures as the statistics query gives them."""
    shown = {name: totals[key] for name, key in HEADLINES.items()}
    shown.update({q["name"]: q["amount"] for q in totals["quantities"].values()})
    return shown


def assert_statistics_agree(repair, scope, part, totals, start, end):
    """Every headline equals the statistics query's figure (the RPC, and the dashboard, which
    asks the same query grouped by community and by month), and the dashboard's groups are the
    same figures over the same buckets: each community's bar is that community's report, each
    month's point that month's report, and the counts and quantities add up to the totals."""
    shown = {f["name"]: f["value"] for f in part["figures"]}
    assert shown == headlines(totals)

    for dimension in ("community", "month"):
        grouped = repair.work_order_statistics(group_by=[dimension], **scope)
        assert grouped["totals"] == totals  # the dashboard's KPIs are the report's headlines
        for key in COUNTS:
            assert sum(g[key] for g in grouped["groups"]) == totals[key], (dimension, key)
        for kind, q in totals["quantities"].items():
            assert round(sum(g["quantities"][kind]["amount"] for g in grouped["groups"]),
                         2) == q["amount"], (dimension, kind)
        for group in grouped["groups"]:
            alone = ({**scope, "community": group["community"]} if dimension == "community"
                     else {**scope, "period": group["month"]})
            figures_alone = repair.work_order_statistics(**alone)["totals"]
            assert {k: v for k, v in group.items() if k != dimension} == figures_alone, group

    # The statistics' breakdowns, from the same records as the appendices.
    rows = {a["name"]: a["rows"] for a in part["appendices"]}
    by_state = {state: 0 for state in totals["by_state"]}
    for row in rows["上报工单"]:
        by_state[row["state"]] += 1
    assert by_state == totals["by_state"]
    answers = {result: 0 for result in totals["follow_ups"]}
    ratings = {result: 0 for result in totals["ratings"]}
    for row in rows["回访记录"]:
        (ratings if row["source"] == "居民评价" else answers)[row["result"]] += 1
    assert answers == totals["follow_ups"] and ratings == totals["ratings"]
    orders = report_figures._all_pages(repair.list_work_orders, community=scope.get("community"),
                                       reported_to=clock.iso(end), sort="reported_at")
    reopened = [entry for _, entry in work_orders.history_rows(orders, "reopen", start, end)] + \
        [entry for _, entry in work_orders.history_rows(orders, "follow_up", start, end)
         if entry["details"].get("reopened")]
    assert len(reopened) == totals["reopened"]


def assert_departments_add_up(repair, uow, scope, totals, first, last):
    """Grouped by department, the figures add up to the totals; each department's group is
    what the department's own filter gives (its dashboard), and what its orders add up to."""
    grouped = repair.work_order_statistics(group_by=["department"], **scope)
    assert grouped["totals"] == totals
    for key in COUNTS:
        assert sum(g[key] for g in grouped["groups"]) == totals[key], key
    for kind, q in totals["quantities"].items():
        assert round(sum(g["quantities"][kind]["amount"] for g in grouped["groups"]),
                     2) == q["amount"], kind
    groups = {g["department"]: g for g in grouped["groups"]}
    for code, group in groups.items():
        if code:
            alone = repair.work_order_statistics(department=code, **scope)["totals"]
            assert {k: v for k, v in group.items()
                    if k not in ("department", "department_name")} == alone, code
    orders = [o for o in uow.work_orders.all() if scope.get("community") in (None, o.community)]
    for code in {*groups, *((o.department or {}).get("code", "") for o in orders)}:
        assert counted_from_orders(orders, code, first, last) == counted_from_group(
            groups.get(code)), code


def counted_from_orders(orders, code, first, last) -> dict:
    """What the orders with department `code` now ("" for none) add up to in the months."""
    within = (lambda moment: first <= clock.month_key(moment) <= last)
    mine = [o for o in orders if ((o.department or {}).get("code") or "") == code]
    done = [o for o in mine if o.completed_at is not None and within(o.completed_at)]
    found = {"reported": sum(1 for o in mine if within(o.reported_at)),
             "completed": len(done),
             "completed_on_time": sum(1 for o in done if o.completed_on_time),
             "escalated": sum(1 for o in mine for e in o.history
                              if e["action"] == "escalate" and within(e["at"]))}
    for o in mine:
        if within(o.reported_at):
            found[f"state.{o.state}"] = found.get(f"state.{o.state}", 0) + 1
    for kind in KINDS:
        found[kind] = round(sum(q["amount"] for o in done for q in o.quantities
                                if q["kind"] == kind), 2)
    return {k: v for k, v in found.items() if v}


def counted_from_group(group) -> dict:
    if group is None:
        return {}
    found = {key: group[key] for key in ("reported", "completed", "completed_on_time",
                                         "escalated")}
    found.update({f"state.{s}": n for s, n in group["by_state"].items()})
    found.update({kind: round(group["quantities"][kind]["amount"], 2) for kind in KINDS})
    return {k: v for k, v in found.items() if v}


def test_a_redone_order_counts_once_in_the_month_of_its_final_completion():
    """The case the office saw: 641 m² completed, 不满意 → 重办, then 35 m² in a later month."""
    uow = FakeRepairUnitOfWork(now=datetime(2026, 10, 5, 2, tzinfo=timezone.utc))
    number = run(intake.report, uow, ADMIN, {
        "category": "road_surface", "community": "天宝社区", "alley": "聚宝路",
        "address": "聚宝路12号", "description": "路面破损", "channel": "grid_worker",
        "reporter": {"name": "张清松"}})["number"]
    for step, draw in (("accept", 0), ("dispatch", 0), ("sign_for", 0)):
        apply(uow, number, step, draw)
    run(flow.complete, uow, number, DEPT, {"result_note": "硬化完成", "quantities": [
        {"kind": "hardening", "amount": 641}], "evidence_urls": ["https://img.example/1.jpg"]})
    uow.now = datetime(2026, 11, 2, 2, tzinfo=timezone.utc)
    run(flow.record_follow_up, uow, number, ADMIN, {"result": "dissatisfied"})
    repair = RepairProxy(uow)

    def hardening(period):
        first, last = report_figures.month_range(period)
        start, end = report_figures.month_bounds(first, last)
        part = work_orders.gather(repair, {"period": period}, start, end, period, "全街道",
                                  "repair.work_order_statistics", report_figures._all_pages)
        figure = {f["name"]: f for f in part["figures"]}
        rows = {a["name"]: a["rows"] for a in part["appendices"]}["工单明细"]
        assert report_figures.discrepancies(part["figures"]) == []
        return figure["硬化背街小巷"]["value"], figure["办结工单"]["value"], len(rows)

    assert hardening("2026-Q4") == (0, 0, 0)        # under way again: not counted, not listed
    uow.now = datetime(2026, 12, 1, 2, tzinfo=timezone.utc)
    run(flow.complete, uow, number, DEPT, {"result_note": "补做边角", "quantities": [
        {"kind": "hardening", "amount": 35}], "evidence_urls": ["https://img.example/2.jpg"]})
    assert hardening("2026-10") == (0, 0, 0)
    assert hardening("2026-12") == (35, 1, 1)
    assert hardening("2026-Q4") == (35, 1, 1)
    order = uow.work_orders.get(number)
    assert [q["amount"] for q in order.quantities] == [35]
    assert order.previous_completions[0]["quantities"][0]["amount"] == 641


def test_the_report_has_a_section_by_department_that_adds_up_in_workbook_and_pdf():
    """Two orders done by two departments, one returned and so with none (未派单), one never
    dispatched: the section lists each department's own, and its 合计 is the street's."""
    uow = FakeRepairUnitOfWork(now=datetime(2026, 3, 2, 2, tzinfo=timezone.utc))
    numbers = [run(intake.report, uow, ADMIN, {
        "category": "road_surface", "community": community, "alley": ALLEYS[community],
        "address": f"{ALLEYS[community]}{n}号", "description": "路面破损",
        "channel": "grid_worker", "reporter": {"name": "张清松"}})["number"]
        for n, community in enumerate(("天宝社区", "浚河社区", "天宝社区", "浚河社区"))]
    steps = {numbers[0]: [("dispatch", 0), ("sign_for", 0), ("complete", 4)],  # 路面 2 m²
             numbers[1]: [("dispatch", 1), ("sign_for", 0), ("escalate", 0),
                          ("complete", 5)],                                  # 硬化 2.25 m²
             numbers[2]: [("dispatch", 1), ("return", 0)],
             numbers[3]: []}
    for number, plan in steps.items():
        for step, draw in [("accept", 0), *plan]:
            uow.now += timedelta(hours=3)
            apply(uow, number, step, draw)
    repair = RepairProxy(uow)
    start, end = report_figures.month_bounds("2026-03", "2026-03")
    part = work_orders.gather(repair, {"period": "2026-03"}, start, end, "2026年3月", "全街道",
                              "repair.work_order_statistics", report_figures._all_pages)
    assert_department_section_adds_up(part)
    handled, quantities = department_section(part)
    municipal, enforcement = DEPARTMENT_NAMES[DEPARTMENTS[0]], DEPARTMENT_NAMES[DEPARTMENTS[1]]
    assert handled["rows"] == [
        [municipal, 1, 1, 1, 0, "100.0%", "—", "100.0%"],
        [enforcement, 1, 1, 1, 1, "100.0%", "—", "100.0%"],
        [NO_DEPARTMENT, 2, 0, 0, 0, "—", "—", "0.0%"]]
    assert handled["total"] == ["合计", 4, 2, 2, 1, "100.0%", "—", "50.0%"]
    road, hardening = (1 + work_orders.QUANTITY_ORDER.index(k)
                       for k in ("road_surface", "hardening"))
    assert [(r[0], r[road], r[hardening]) for r in quantities["rows"]] == [
        (municipal, 2.0, 0), (enforcement, 0, 2.25)]  # 未派单 did no work

    report = {"title": "广陵街道社区精细化管理工作报表(全街道)", "period_label": "2026年3月",
              "from_month": "2026-03", "to_month": "2026-03", "where": "全街道",
              "generated_at": "2026-04-01T01:00:00.000Z", "figures": part["figures"],
              "discrepancies": [], "sections": part["sections"],
              "appendices": part["appendices"]}
    sheet = load_workbook(io.BytesIO(xlsx.render(report)))[work_orders.DEPARTMENT_SECTION]
    lines = [[v for v in line if v is not None]
             for line in sheet.iter_rows(values_only=True)]
    assert [municipal, 1, 1, 1, 0, "100.0%", "—", "100.0%"] in lines
    assert handled["total"] in lines and quantities["total"] in lines
    assert sheet._charts  # 上报, 办结, 按期办结 and 督办 by department
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.render(report))).pages)
    flat = "".join(text.split())
    assert f"{work_orders.DEPARTMENT_SECTION}工单办理" in flat
    assert f"{enforcement}11111" in flat and "合计42" in flat
