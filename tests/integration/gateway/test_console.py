"""The web console, driven end to end in real headless Chromium (Debian's package, through
Selenium and chromedriver) against a real gateway and the services on the real broker and
database: sign in, walk a work order from report to close with the buttons and forms, see the
dashboard's charts, download an export and a report, import a spreadsheet, and use the list on
a phone-sized screen."""
from __future__ import annotations

import base64
import csv
import io
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from services.activity.service import ActivityService
from services.gateway.service import GatewayService
from services.job.service import JobService
from services.repair.service import RepairService
from services.volunteer.service import VolunteerService
from tests.integration.gateway.conftest import ADMIN_PASSWORD, Client
from tests.integration.volunteer.conftest import id_number

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = "apt-get install -y chromium chromium-driver"
WAIT = 30  # seconds a step may take on a busy machine before the test gives up
PHOTO = "https://img.example/xinyu-lane-lamp.jpg"


def ensure_chromium() -> None:
    """Debian's Chromium and ChromeDriver, never a browser download. Missing on a fresh
    machine: installed when we are root, otherwise the test fails saying how to install."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    if os.geteuid() != 0:
        pytest.fail(f"Chromium is not installed; run as root: {INSTALL}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=False, env=env)
    subprocess.run(INSTALL.split(), check=True, env=env)
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), f"{INSTALL} did not install both"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    ensure_chromium()
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 "--window-size=1280,900", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


@pytest.fixture
def system(runner_factory, gateway_config):
    """The gateway and every service it calls, so each dashboard section has its service."""
    runner = runner_factory(gateway_config, GatewayService, RepairService, ActivityService,
                            VolunteerService, JobService)
    runner.start()
    return f"http://{gateway_config['WEB_SERVER_ADDRESS']}"


@pytest.fixture
def api(system):
    with Client(system) as client:
        client.login("admin", ADMIN_PASSWORD)
        yield client


@pytest.fixture
def console(browser, system):
    """The browser at the console, signed out, at a normal desktop size."""
    browser.set_window_size(1280, 900)
    browser.get(system + "/")
    browser.delete_all_cookies()
    browser.get(system + "/#/login")
    wait_for(browser, lambda d: d.find_elements(By.NAME, "username"))
    browser.base = system
    return browser


# --- helpers ----------------------------------------------------------------------------------

def wait_for(driver, condition, message=""):
    def safe(d):
        try:
            return condition(d)
        except StaleElementReferenceException:
            return False     # the page redrew under us; look again
    return WebDriverWait(driver, WAIT).until(safe, message)


def sign_in(driver, username="admin", password=ADMIN_PASSWORD):
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(driver, lambda d: d.find_elements(By.ID, "logout"), "signed in")


def go(driver, fragment):
    driver.get(f"{driver.base}/#{fragment}")


def sheet(driver):
    return wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "dialog.sheet[open]"))


def field(container, name):
    return container.find_element(By.CSS_SELECTOR, f'[name="{name}"]')


def submit_sheet(driver):
    dialog = sheet(driver)
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    return dialog


def buttons(driver):
    return [b.get_attribute("data-action") for b in driver.find_elements(By.CSS_SELECTOR, "button.action")]


def menu_on_screen(driver):
    """The menu's link to the work orders is inside the window (the drawer slides sideways)."""
    rect = driver.find_element(By.CSS_SELECTOR, "#nav a[data-path='/work-orders']").rect
    return rect["x"] >= 0 and rect["x"] + rect["width"] > 0 and rect["width"] > 0


def state_text(driver):
    return driver.find_element(By.CSS_SELECTOR, ".page-head .state").text


def act(driver, api, number, action, fill=None, state=None):
    """Press one transition button, fill its form, submit, and wait for the new state."""
    before = api.get(f"/api/work-orders/{number}").json()
    assert buttons(driver) == [a["action"] for a in before["allowed_actions"]]
    driver.find_element(By.CSS_SELECTOR, f'button.action[data-action="{action}"]').click()
    dialog = sheet(driver)
    if fill:
        fill(dialog)
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "dialog.sheet[open]"),
             f"the {action} form closed")
    if state:
        wait_for(driver, lambda d: state in state_text(d), f"state {state} after {action}")


def fresh_download(driver, suffix):
    """Wait for a finished download with this suffix (Chromium writes .crdownload first)."""
    return wait_for(driver, lambda d: [p for p in driver.downloads.iterdir()
                                       if p.suffix == suffix and p.stat().st_size] or None,
                    f"the {suffix} download")[0]


def empty_downloads(driver):
    for old in driver.downloads.iterdir():
        old.unlink()


def make_staff(api, username, community="浚河社区"):
    created = api.post("/api/accounts", json={
        "username": username, "password": "pass-word-1", "name": "李社区",
        "role": "community_staff", "community": community})
    assert created.status_code == 201, created.text


def report_through_the_form(driver):
    go(driver, "/work-orders/new")
    form = wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "main form"))
    Select(field(form, "category")).select_by_value("street_light")
    field(form, "community").send_keys("浚河社区")
    field(form, "alley").send_keys("新宇巷")
    field(form, "address").send_keys("新宇巷49号院门口")
    field(form, "description").send_keys("路灯晚上不亮,居民出行不便")
    field(form, "reporter.name").send_keys("张清松")
    field(form, "reporter.phone").send_keys("13812345678")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: "/work-orders/WO" in d.current_url, "the new order opened")
    return driver.current_url.rsplit("/", 1)[-1]


def report_by_api(api, **changes):
    body = {"category": "street_light", "community": "浚河社区", "alley": "新宇巷",
            "address": "新宇巷49号院门口", "description": "路灯晚上不亮", "channel": "grid_worker",
            "reporter": {"name": "张清松", "phone": "13812345678"}, **changes}
    response = api.post("/api/work-orders", json=body)
    assert response.status_code == 201, response.text
    return response.json()["number"]


def close_by_api(api, number, lamps=2):
    steps = (("accept", {}), ("dispatch", {}), ("sign-for", {}),
             ("complete", {"result_note": "更换灯头", "evidence_urls": [PHOTO],
                           "quantities": [{"kind": "street_lamp", "amount": lamps}]}),
             ("follow-up", {"result": "satisfied"}))
    for action, body in steps:
        response = api.post(f"/api/work-orders/{number}/{action}", json=body)
        assert response.status_code == 200, (action, response.text)


# --- the tests ------------------------------------------------------------------------------

def test_a_work_order_from_report_to_close_through_the_console(console, api):
    sign_in(console)
    number = report_through_the_form(console)
    wait_for(console, lambda d: "待受理" in state_text(d))

    act(console, api, number, "accept", state="已受理")
    act(console, api, number, "dispatch",
        fill=lambda f: Select(field(f, "department_code")).select_by_value("power"), state="已派单")
    act(console, api, number, "sign_for", state="办理中")

    # 办结 without a photo: the API's field error appears next to the photo field, and
    # nothing changes.
    console.find_element(By.CSS_SELECTOR, 'button.action[data-action="complete"]').click()
    dialog = sheet(console)
    field(dialog, "result_note").send_keys("更换LED灯头两盏,线路检修")
    Select(field(dialog, "quantities.kind")).select_by_value("street_lamp")
    field(dialog, "quantities.amount").send_keys("2")
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = wait_for(console, lambda d: dialog.find_element(
        By.CSS_SELECTOR, '[data-field="evidence_urls"] .field-error'))
    wait_for(console, lambda d: error.text.strip())
    assert "请至少上传 1 张办结照片" in error.text
    assert api.get(f"/api/work-orders/{number}").json()["state"] == "in_progress"
    # … then with the photo it goes through.
    field(dialog, "evidence_urls").send_keys(PHOTO)
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(console, lambda d: "已办结待回访" in state_text(d))

    act(console, api, number, "follow_up",
        fill=lambda f: Select(field(f, "result")).select_by_value("satisfied"), state="已结案")

    order = api.get(f"/api/work-orders/{number}").json()
    assert order["state"] == "closed" and order["follow_up"]["result"] == "satisfied"
    assert order["department"]["code"] == "power"
    assert order["quantities"] == [{"kind": "street_lamp", "name": "新装或维修路灯",
                                    "amount": 2.0, "unit": "盏"}]
    assert order["evidence_urls"] == [PHOTO]
    assert [h["action"] for h in order["history"]] == [
        "report", "accept", "dispatch", "sign_for", "complete", "follow_up"]
    # The closed order offers exactly what it allows now (重办), and the page shows the work.
    assert buttons(console) == [a["action"] for a in order["allowed_actions"]]
    page = console.find_element(By.TAG_NAME, "main").text
    assert "新装或维修路灯 2 盏" in page and "满意" in page


def test_a_refused_step_is_shown_as_the_api_says(console, api):
    number = report_by_api(api)
    sign_in(console)
    go(console, f"/work-orders/{number}")
    wait_for(console, lambda d: "accept" in buttons(d))
    # Someone else accepts it meanwhile: pressing 受理 now is a 409, shown in plain words.
    assert api.post(f"/api/work-orders/{number}/accept", json={}).status_code == 200
    console.find_element(By.CSS_SELECTOR, 'button.action[data-action="accept"]').click()
    dialog = submit_sheet(console)
    message = wait_for(console, lambda d: dialog.find_element(By.CSS_SELECTOR, ".form-error:not([hidden])"))
    assert "无法完成" in message.text and "已受理" in message.text


def test_a_grid_worker_sees_only_what_their_role_may_do(console, api):
    number = report_by_api(api)
    api.post(f"/api/work-orders/{number}/accept", json={})
    created = api.post("/api/accounts", json={
        "username": "wangge1", "password": "pass-word-1", "name": "王网格", "role": "grid_worker",
        "community": "浚河社区"})
    assert created.status_code == 201, created.text
    sign_in(console, "wangge1", "pass-word-1")
    go(console, f"/work-orders/{number}")
    wait_for(console, lambda d: "已受理" in state_text(d))
    # accept/dispatch/escalate/cancel are legal now but not for a grid worker.
    assert buttons(console) == []
    menu = console.find_element(By.ID, "nav").get_attribute("textContent")
    assert "上报问题" in menu and "账号管理" not in menu and "审计日志" not in menu


def test_the_dashboard_draws_the_figures_in_charts(console, api):
    close_by_api(api, report_by_api(api), lamps=3)
    close_by_api(api, report_by_api(api, community="天宝社区", address="聚宝路12号"), lamps=2)
    sign_in(console)
    go(console, "/dashboard")
    section = wait_for(console, lambda d: d.find_element(
        By.CSS_SELECTOR, '[data-section="work_orders.statistics"] .kpis'))
    assert "5盏" in section.text.replace(" ", "").replace("\n", "")  # 3 + 2 lamps
    charts = wait_for(console, lambda d: [c for c in d.find_elements(
        By.CSS_SELECTOR, '[data-section="work_orders.statistics"] .chart[data-rendered="true"]')
        if c.find_elements(By.TAG_NAME, "canvas")] or None)
    assert len(charts) == 4
    # The by-community chart has both communities on its axis (ECharts keeps its option).
    axis = console.execute_script(
        "const el = document.querySelector('[data-chart=repair-lamps] .chart');"
        "return echarts.getInstanceByDom(el).getOption().xAxis[0].data;")
    assert sorted(axis) == ["天宝社区", "浚河社区"]
    lamps = console.execute_script(
        "const el = document.querySelector('[data-chart=repair-lamps] .chart');"
        "return echarts.getInstanceByDom(el).getOption().series[0].data;")
    assert dict(zip(axis, lamps)) == {"浚河社区": 3, "天宝社区": 2}


def test_an_export_link_downloads_the_filtered_list(console, api):
    wanted = report_by_api(api, address="新宇巷3号")
    report_by_api(api, community="天宝社区", address="聚宝路12号")
    sign_in(console)
    go(console, "/work-orders?community=浚河社区")
    link = wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR, "a.export-xlsx"))
    wait_for(console, lambda d: d.find_elements(By.CSS_SELECTOR, "table.data tbody tr"))
    for old in console.downloads.iterdir():
        old.unlink()
    link.click()
    done = wait_for(console, lambda d: [p for p in console.downloads.iterdir()
                                        if p.suffix == ".xlsx"] or None, "the download")[0]
    sheet_rows = list(load_workbook(io.BytesIO(done.read_bytes())).active.values)
    assert sheet_rows[0][:3] == ("工单号", "问题类别", "社区")
    assert [row[0] for row in sheet_rows[1:]] == [wanted]      # the list's filter applies


def test_the_work_order_list_is_usable_on_a_phone(console, api):
    number = report_by_api(api)
    console.set_window_size(390, 844)
    sign_in(console)
    go(console, "/work-orders")
    row = wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR, f'tr[data-id="{number}"]'))
    width = console.execute_script("return document.documentElement.clientWidth")
    # Cards, not a wide table: no header row, each row a block within the screen, nothing
    # to scroll sideways, the menu folded away behind its button.
    assert console.find_element(By.CSS_SELECTOR, "table.data thead").is_displayed() is False
    assert row.value_of_css_property("display") == "block"
    assert row.rect["x"] >= 0 and row.rect["x"] + row.rect["width"] <= width
    assert console.execute_script("return document.documentElement.scrollWidth") <= width
    assert not menu_on_screen(console)
    link = row.find_element(By.CSS_SELECTOR, "td.primary-cell a")
    assert link.size["height"] >= 44                       # big enough for a thumb
    console.find_element(By.ID, "menu-toggle").click()
    wait_for(console, menu_on_screen, "the menu slid in")
    console.find_element(By.ID, "menu-toggle").click()
    wait_for(console, lambda d: not menu_on_screen(d), "the menu slid away")
    link.click()
    wait_for(console, lambda d: f"工单 {number}" in d.find_element(By.TAG_NAME, "h1").text)
    assert "accept" in buttons(console)


def test_a_grid_worker_registers_a_resident_and_checks_people_in_at_the_door(console, api):
    venue = api.post("/api/venues", json={"community": "浚河社区", "name": "浚河社区综合文化服务中心",
                                          "kind": "cultural_centre", "address": "新宇巷1号"})
    assert venue.status_code == 201, venue.text
    starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=30)
    activity = api.post("/api/activities", json={
        "title": "一刻钟宣讲:反对浪费·提倡光盘", "theme": "anti_waste", "organiser": "浚河社区",
        "community": "浚河社区", "venue_id": venue.json()["id"], "capacity": 20,
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()})
    assert activity.status_code == 201, activity.text
    activity_id = activity.json()["activity_id"]
    assert api.post(f"/api/activities/{activity_id}/publish", json={}).status_code == 200
    assert api.post("/api/accounts", json={
        "username": "wangge2", "password": "pass-word-1", "name": "王网格", "role": "grid_worker",
        "community": "浚河社区"}).status_code == 201

    console.set_window_size(390, 844)                 # at the door, on a phone
    sign_in(console, "wangge2", "pass-word-1")
    go(console, f"/activities/{activity_id}/registrations")
    wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR, '[data-op="activities.register"]')).click()
    dialog = sheet(console)
    field(dialog, "name").send_keys("胡明英")
    field(dialog, "phone").send_keys("13900001111")
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    row = wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR, "table.data tbody tr"))
    code = row.find_element(By.CSS_SELECTOR, 'td[data-label="签到码"]').text.strip()
    assert len(code) == 6 and code.isdigit()
    assert "139****1111" in row.text                  # only the masked phone is shown

    console.find_element(By.LINK_TEXT, "现场签到").click()
    form = wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR, "form.checkin-code"))
    field(form, "code").send_keys(code)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(console, lambda d: "胡明英 签到成功" in d.find_element(By.CSS_SELECTOR, ".checkin-result").text)
    # The same code again is refused, in the words the service uses.
    field(form, "code").send_keys(code)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    refusal = wait_for(console, lambda d: form.find_element(By.CSS_SELECTOR, ".form-error:not([hidden])"))
    assert "已于" in refusal.text and "签到" in refusal.text
    assert console.find_element(By.CSS_SELECTOR, ".checkin-result").text == ""
    # Someone without a code comes in as a walk-in.
    walk_in = console.find_elements(By.CSS_SELECTOR, "main form")[1]
    field(walk_in, "name").send_keys("张清松")
    walk_in.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(console, lambda d: "张清松 签到成功" in d.find_element(By.CSS_SELECTOR, ".checkin-result").text)

    checked = api.get(f"/api/activities/{activity_id}").json()["check_in"]
    assert checked["checked_in"] == 2 and checked["walk_ins"] == 1


def test_a_street_admin_downloads_a_quarterly_report_as_pdf(console, api):
    for name in ("浚河社区", "天宝社区"):                 # the office's communities (工单设置)
        assert api.put("/api/repair/communities", json={"name": name}).status_code == 200
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
