"""The office report through the gateway, on a reduced demo loaded through the services:
the workbook has the figures, their sources and native charts; the PDF embeds its Chinese
font and its text can be extracted; community staff get only their own community."""
import io
from types import SimpleNamespace

from openpyxl import load_workbook
from pypdf import PdfReader

from services.gateway.reporting import figures as report_figures
from tests.conftest import wait_until
from tests.integration.gateway.conftest import a_volunteer


def test_the_office_report_as_workbook_and_pdf(demo_module, gateway_system, admin_client,
                                               user_client, tmp_path, monkeypatch, rpc,
                                               service_config):
    monkeypatch.setattr(demo_module, "DATA", tmp_path)
    monkeypatch.setenv("AMQP_URI", service_config["AMQP_URI"])
    assert demo_module.command_load(SimpleNamespace(scale=0.03, workers=4)) == 0
    demo = demo_module.plan(demo_module.clock.local_date(demo_module.clock.now()), scale=0.03)
    year = demo["to"][:4]
    lamps = sum(q["amount"] for o in demo["work_orders"] for q in o["quantities"]
                if q["kind"] == "street_lamp" and o["completed_at"][:4] == year)
    wait_until(lambda: rpc.volunteer.volunteer_statistics(period=year)["totals"]["hours"],
               message="volunteer hours credited")

    response = admin_client.get("/api/reports/office", params={"period": year})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(io.BytesIO(response.content))
    assert {"概览", "背街小巷工单", "背街小巷工单按承办部门", "主题活动", "工单明细", "活动明细",
            "岗位明细"} <= set(book.sheetnames)
    figures = {row[1]: row for row in book["概览"].iter_rows(min_row=5, values_only=True)}
    assert figures["新装或维修路灯"][2] == lamps and figures["新装或维修路灯"][3] == "盏"
    assert figures["新装或维修路灯"][4].startswith("repair.work_order_statistics(period=")
    assert figures["新装或维修路灯"][5] == "工单明细"
    assert book["背街小巷工单"]._charts and book["主题活动"]._charts
    # The departments' 合计 of 工程量 is the street's: as many lamps as the appendix lists.
    lines = list(book["背街小巷工单按承办部门"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(lines) if r[0] == "承办部门" and "路灯(盏)" in r)
    total = next(r for r in lines[head:] if r[0] == "合计")
    assert total[lines[head].index("路灯(盏)")] == lamps
    orders = list(book["工单明细"].iter_rows(min_row=4, values_only=True))
    assert orders[-1][0].startswith("合计") and orders[-1][6].startswith("=SUM(")
    lamp_column = [c.value for c in book["工单明细"][3]].index("路灯(盏)")
    assert sum(r[lamp_column] or 0 for r in orders[:-1]) == lamps

    pdf = admin_client.get("/api/reports/office", params={"period": year, "format": "pdf",
                                                          "community": "天宝社区"})
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    fonts = [font.get_object() for page in reader.pages[:1]
             for font in page["/Resources"]["/Font"].values()]
    chinese = [f for f in fonts if "WenQuanYi" in str(f["/BaseFont"])]
    assert chinese   # the text is set in the shipped CJK font, its TrueType outlines embedded
    assert all("/FontFile2" in f["/FontDescriptor"].get_object() for f in chinese)
    text = reader.pages[0].extract_text()
    assert "广陵街道社区精细化管理工作报表(天宝社区)" in text and "背街小巷工单" in text

    staff = user_client("community_staff", community="天宝社区")
    assert staff.get("/api/reports/office", params={"period": year,
                                                    "community": "浚河社区"}).status_code == 403
    own = staff.get("/api/reports/office", params={"period": year})
    assert own.status_code == 200
    overview = load_workbook(io.BytesIO(own.content))["概览"]
    assert overview["A1"].value == "广陵街道社区精细化管理工作报表(天宝社区)"
    assert user_client("volunteer", volunteer=a_volunteer(admin_client)).get(
        "/api/reports/office", params={"period": year}).status_code == 403
    bad = admin_client.get("/api/reports/office", params={"period": "2026-13"})
    assert bad.status_code == 422


def test_every_headline_of_every_period_of_the_demo_year_equals_its_appendix(
        demo_module, system, tmp_path, monkeypatch, rpc, service_config):
    monkeypatch.setattr(demo_module, "DATA", tmp_path)
    monkeypatch.setenv("AMQP_URI", service_config["AMQP_URI"])
    assert demo_module.command_load(SimpleNamespace(scale=0.03, workers=4)) == 0
    year = demo_module.plan(demo_module.clock.local_date(demo_module.clock.now()),
                            scale=0.03)["to"][:4]
    # Hours reach the ledger by events: wait until the year's report has nothing to flag.
    wait_until(lambda: not report_figures.gather(rpc, year)["discrepancies"], timeout=60,
               message="the year's figures equal their appendices")
    periods = [year, *(f"{year}-Q{q}" for q in range(1, 5)),
               *(f"{year}-{m:02d}" for m in range(1, 13))]
    for community in (None, "天宝社区"):
        for period in periods:
            report = report_figures.gather(rpc, period, community)
            assert report["discrepancies"] == [], (period, community)
            checked = [f for f in report["figures"] if f["detail"]]
            assert len(checked) >= 20 and all(f["recount"] is not None or f["value"] is None
                                              for f in checked)
