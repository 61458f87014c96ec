"""The web console's reports and imports, in real headless Chromium against a real gateway and
the services: a street admin's quarterly report as PDF, community staff limited to their own
community's, and a spreadsheet import that names every bad row (console_browser.py)."""
from __future__ import annotations

import base64
import csv
import io
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.integration.gateway.console_browser import (  # noqa: F401 - fixtures
    api, browser, console, empty_downloads, field, fresh_download, go, make_staff, sign_in,
    system, wait_for)
from tests.integration.volunteer.conftest import id_number


def test_a_street_admin_downloads_a_quarterly_report_as_pdf(console, api):
    sign_in(console)
    console.find_element(By.CSS_SELECTOR, "#nav a[data-path='/reports']").click()
    link = wait_for(console, lambda d: d.find_element(By.ID, "report-download"))
    main = console.find_element(By.TAG_NAME, "main")
    # This office year, whole street, Excel unless chosen otherwise.
    assert parse_qs(urlparse(link.get_attribute("href")).query) == {
        "period": [str(datetime.now(timezone(timedelta(hours=8))).year)], "format": ["xlsx"]}
    assert not field(main, "quarter").is_displayed()
    Select(field(main, "kind")).select_by_value("quarter")
    Select(field(main, "quarter")).select_by_value("1")
    year = Select(field(main, "year")).first_selected_option.get_attribute("value")
    communities = [o.get_attribute("value") for o in Select(field(main, "community")).options]
    assert communities[0] == "" and "浚河社区" in communities and "天宝社区" in communities
    Select(field(main, "community")).select_by_value("浚河社区")
    Select(field(main, "format")).select_by_value("pdf")
    assert parse_qs(urlparse(link.get_attribute("href")).query) == {
        "period": [f"{year}-Q1"], "community": ["浚河社区"], "format": ["pdf"]}
    assert f"{year} 年第一季度 · 浚河社区 · 可打印 PDF" in main.text
    empty_downloads(console)
    link.click()
    assert fresh_download(console, ".pdf").read_bytes().startswith(b"%PDF")


def test_community_staff_get_the_report_of_their_own_community_only(console, api):
    make_staff(api, "shequ1")
    sign_in(console, "shequ1", "pass-word-1")
    go(console, "/reports")
    link = wait_for(console, lambda d: d.find_element(By.ID, "report-download"))
    community = field(console.find_element(By.TAG_NAME, "main"), "community")
    assert community.tag_name == "input" and community.get_attribute("readonly") is not None
    assert community.get_attribute("value") == "浚河社区"
    assert parse_qs(urlparse(link.get_attribute("href")).query)["community"] == ["浚河社区"]
    menu = console.find_element(By.ID, "nav").get_attribute("textContent")
    assert "工作报表" in menu and "批量导入" in menu and "工作报表(本年度" not in menu


def write_volunteers_csv(path, titles, people):
    """A volunteers sheet as an office would fill the template: its titles, one row a person."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(titles)
        for person in people:
            writer.writerow([person.get(title.rstrip("*"), "") for title in titles])
    return path


def test_community_staff_import_volunteers_and_see_bad_rows_by_number(console, api, tmp_path):
    make_staff(api, "shequ2")
    template = api.get("/api/imports/volunteers/template", params={"format": "csv"})
    assert template.status_code == 200
    titles = next(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert "手机号码*" in titles
    good = {"姓名": "陈晓", "社区": "浚河社区", "手机号码": "13900000001", "身份证号码": id_number(1),
            "技能": "医疗卫生、应急救护", "可服务时间": "周六上午"}
    bad = {"姓名": "王芳", "社区": "浚河社区", "手机号码": "12345", "身份证号码": id_number(2)}
    sheet_with_error = write_volunteers_csv(tmp_path / "volunteers-1.csv", titles, [good, bad])

    console.set_window_size(390, 844)                 # done on a phone as well as a desk
    sign_in(console, "shequ2", "pass-word-1")
    go(console, "/imports")
    kind = wait_for(console, lambda d: d.find_element(By.ID, "import-kind"))
    assert [o.get_attribute("value") for o in Select(kind).options] == [
        "volunteers", "employers", "postings"]
    template_link = console.find_element(By.CSS_SELECTOR, "a.template-csv")
    assert template_link.get_attribute("href").endswith("/api/imports/volunteers/template?format=csv")
    for control in ("import-check", "import-run"):
        assert console.find_element(By.ID, control).size["height"] >= 44
    console.find_element(By.ID, "import-file").send_keys(str(sheet_with_error))
    console.find_element(By.ID, "import-run").click()

    report = wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR, ".import-report"))
    assert "整批未导入" in report.text and "未导入任何记录" in report.text
    shown = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
             for row in report.find_elements(By.CSS_SELECTOR, "tbody tr")]
    # What the page shows is the API's own row-by-row answer for this file.
    answer = api.post("/api/imports/volunteers", json={
        "filename": "volunteers-1.csv", "community": "浚河社区", "dry_run": True,
        "content": base64.b64encode(sheet_with_error.read_bytes()).decode()})
    assert answer.status_code == 422 and answer.json()["code"] == "IMPORT_REJECTED"
    expected = [[f"第 {row} 行", column, message]
                for row, columns in answer.json()["fields"]["rows"].items()
                for column, messages in columns.items() for message in messages]
    assert shown == expected and shown[0][:2] == ["第 3 行", "手机号码"]
    assert console.find_element(By.CSS_SELECTOR, ".import-progress").get_attribute(
        "data-stage") == "failed"
    assert console.execute_script("return document.documentElement.scrollWidth") <= 390
    assert api.get("/api/volunteers").json()["total"] == 0      # nothing half-imported

    bad["手机号码"] = "13900000002"
    fixed = write_volunteers_csv(tmp_path / "volunteers-2.csv", titles, [good, bad])
    console.find_element(By.ID, "import-file").send_keys(str(fixed))
    console.find_element(By.ID, "import-check").click()
    checked = wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR, ".import-result"))
    assert "校验通过" in checked.text and checked.get_attribute("data-created") == "0"
    assert api.get("/api/volunteers").json()["total"] == 0      # a check stores nothing
    console.find_element(By.ID, "import-run").click()
    done = wait_for(console, lambda d: d.find_element(
        By.CSS_SELECTOR, '.import-result[data-created="2"]'))
    assert "已导入 2 条志愿者记录" in done.text and "新建 2 条志愿者记录" in done.text
    progress = console.find_element(By.ID, "import-progress")
    assert progress.get_attribute("value") == "100"
    assert console.find_element(By.CSS_SELECTOR, ".import-progress").get_attribute(
        "data-stage") == "done"
    listed = api.get("/api/volunteers").json()
    assert {(v["name"], v["community"]) for v in listed["items"]} == {
        ("陈晓", "浚河社区"), ("王芳", "浚河社区")}
