"""The web console, driven end to end in real headless Chromium against a real gateway and the
services on the real broker and database: sign in, walk a work order from report to close with
the buttons and forms, see the dashboard's charts, download an export, check people in at the
door, and use the list on a phone-sized screen (the browser and the steps:
console_browser.py)."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from shared import places
from tests.integration.gateway.console_browser import (  # noqa: F401 - fixtures
    PHOTO, act, api, browser, buttons, close_by_api, console, field, go, menu_on_screen,
    report_by_api, report_through_the_form, sheet, sign_in, state_text, submit_sheet, system,
    wait_for)


def test_a_work_order_from_report_to_close_through_the_console(console, api):
    sign_in(console)
    number = report_through_the_form(console)
    wait_for(console, lambda d: "待受理" in state_text(d))

    act(console, api, number, "accept", state="已受理")
    act(console, api, number, "dispatch",
        fill=lambda f: Select(field(f, "department_code")).select_by_value("power"), state="已派单")
    act(console, api, number, "sign_for", state="办理中")

    # 办结 without a photo: the API's field error appears next to the photo field (an upload
    # or an address of one), and nothing changes.
    console.find_element(By.CSS_SELECTOR, 'button.action[data-action="complete"]').click()
    dialog = sheet(console)
    field(dialog, "result_note").send_keys("更换LED灯头两盏,线路检修")
    Select(field(dialog, "quantities.kind")).select_by_value("street_lamp")
    field(dialog, "quantities.amount").send_keys("2")
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = wait_for(console, lambda d: dialog.find_element(
        By.CSS_SELECTOR, '[data-field="photos"] .field-error'))
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


def test_a_new_activity_is_placed_in_a_community_chosen_from_the_register(console, api):
    sign_in(console)
    go(console, "/activities/new")
    form = wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR, "main form"))
    community = Select(field(form, "community"))
    assert [o.text for o in community.options][1:] == places.communities()
    field(form, "title").send_keys("一刻钟宣讲:反对浪费")
    Select(field(form, "theme")).select_by_value("anti_waste")
    field(form, "organiser").send_keys("永福社区居委会")
    community.select_by_value("永福社区")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(console, lambda d: "/activities/A" in d.current_url, "the new activity opened")
    created = api.get(f"/api/activities/{console.current_url.rsplit('/', 1)[-1]}").json()
    assert (created["title"], created["community"]) == ("一刻钟宣讲:反对浪费", "永福社区")


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
    close_by_api(api, report_by_api(api, community="天宝社区", alley="聚宝路",
                                    address="聚宝路12号"), lamps=2)
    sign_in(console)
    go(console, "/dashboard")
    section = wait_for(console, lambda d: d.find_element(
        By.CSS_SELECTOR, '[data-section="work_orders.statistics"] .kpis'))
    assert "5盏" in section.text.replace(" ", "").replace("\n", "")  # 3 + 2 lamps
    charts = wait_for(console, lambda d: [c for c in d.find_elements(
        By.CSS_SELECTOR, '[data-section="work_orders.statistics"] .chart[data-rendered="true"]')
        if c.find_elements(By.TAG_NAME, "canvas")] or None)
    assert len(charts) == 6  # 4 by community and month, 2 by department
    # By department: the lamps' orders went where street lights are routed (供电公司路灯所).
    departments = console.execute_script(
        "const el = document.querySelector('[data-chart=repair-departments] .chart');"
        "const o = echarts.getInstanceByDom(el).getOption();"
        "return [o.xAxis[0].data, o.series[1].data];")
    assert dict(zip(*departments))["供电公司路灯所"] >= 2
    # The by-community chart's axis is the register of places, in its order, the quiet
    # communities at zero (ECharts keeps its option).
    axis = console.execute_script(
        "const el = document.querySelector('[data-chart=repair-lamps] .chart');"
        "return echarts.getInstanceByDom(el).getOption().xAxis[0].data;")
    assert axis == places.communities()
    lamps = console.execute_script(
        "const el = document.querySelector('[data-chart=repair-lamps] .chart');"
        "return echarts.getInstanceByDom(el).getOption().series[0].data;")
    assert dict(zip(axis, lamps)) == {"浚河社区": 3, "天宝社区": 2, "仁和社区": 0, "千秋社区": 0,
                                      "永福社区": 0}
    options = wait_for(console, lambda d: [o.text for o in d.find_elements(
        By.CSS_SELECTOR, "select[name=community] option")][1:] or None)
    assert options == places.communities()


def test_a_department_account_sees_its_own_departments_figures(console, api):
    close_by_api(api, report_by_api(api), lamps=4)   # street lights go to 供电公司路灯所
    other = report_by_api(api, category="road_surface", description="路面坑洼")
    for action, body in (("accept", {}), ("dispatch", {"department_code": "municipal"})):
        assert api.post(f"/api/work-orders/{other}/{action}", json=body).status_code == 200
    created = api.post("/api/accounts", json={
        "username": "power_dashboard", "password": "Dept-pass-2026", "name": "路灯所值班",
        "role": "department", "department": "power"})
    assert created.status_code == 201, created.text
    sign_in(console, "power_dashboard", "Dept-pass-2026")
    go(console, "/dashboard")
    section = wait_for(console, lambda d: d.find_element(
        By.CSS_SELECTOR, '[data-section="work_orders.statistics"] .kpis'))
    assert "本部门承办" in console.find_element(
        By.CSS_SELECTOR, '[data-section="work_orders.statistics"] h2').text
    year = datetime.now(timezone(timedelta(hours=8))).strftime("%Y")
    own = api.get("/api/statistics/work-orders", params={"period": year,
                                                         "department": "power"}).json()
    street = api.get("/api/statistics/work-orders", params={"period": year}).json()
    assert own["totals"]["reported"] < street["totals"]["reported"]  # the municipal one, say
    kpis = {k.find_element(By.CSS_SELECTOR, ".label").text:
            k.find_element(By.CSS_SELECTOR, ".value").text.replace(" ", "").replace("\n", "")
            for k in section.find_elements(By.CSS_SELECTOR, ".kpi")}
    assert kpis["上报工单"] == f"{own['totals']['reported']}件"
    assert kpis["办结工单"] == f"{own['totals']['completed']}件"
    assert kpis["新装或维修路灯"].startswith(
        f"{own['totals']['quantities']['street_lamp']['amount']:g}")
    assert not console.find_element(By.CSS_SELECTOR, "select[name=department]").is_displayed()


def test_an_export_link_downloads_the_filtered_list(console, api):
    wanted = report_by_api(api, address="新宇巷3号")
    report_by_api(api, community="天宝社区", alley="聚宝路", address="聚宝路12号")
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
