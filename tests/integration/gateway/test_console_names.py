"""What people read in the console is Chinese, laid out to be read: names, never the codes
behind them (departments, categories, audit actions), filters that fit, and the steps a
volunteer may take on a shift. One system and one browser for the module; each page is looked
at desktop-wide (1366x900) and phone-wide (390x844) and saved as a screenshot."""
from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from shared import clock
from tests.integration.gateway.conftest import ADMIN_PASSWORD, a_volunteer
from tests.integration.gateway.console_browser import (  # noqa: F401 - fixtures
    browser, go, screenshot, sign_in, wait_for)
from tests.integration.gateway.samples.job import employer_body
from tests.integration.gateway.samples.volunteer import shift_body

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
CODES = ("municipal", "urban_management", "landscaping", "road_surface", "manhole_cover",
         "street_light", "waterlogging")


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("console-names-screenshots")


@pytest.fixture(scope="module")
def signed_in(browser, module_system):
    """The module's browser, signed in as the street admin of the module's system."""
    browser.base = module_system
    browser.set_window_size(*WIDTHS["desktop"])
    browser.get(module_system + "/#/login")
    wait_for(browser, lambda d: d.find_elements(By.NAME, "username"))
    sign_in(browser, "admin", ADMIN_PASSWORD)
    return browser


def become(driver, username, password):
    """Sign out whoever is signed in (an earlier test may have left a volunteer) and in as
    this account."""
    driver.delete_all_cookies()
    go(driver, "/login")
    driver.refresh()
    wait_for(driver, lambda d: d.find_elements(By.NAME, "username"))
    sign_in(driver, username, password)


def at_width(driver, width, fragment, ready):
    driver.set_window_size(*WIDTHS[width])
    go(driver, "/password")        # leave the page, so the next one is drawn anew
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "main form"))
    go(driver, fragment)
    return wait_for(driver, ready, f"{fragment} at {width} width")


@pytest.mark.parametrize("width", WIDTHS)
def test_work_order_settings_and_accounts_name_departments_and_categories(
        signed_in, module_admin, width, shots):
    driver = signed_in
    at_width(driver, width, "/admin/settings",
             lambda d: "市政工程管理处" in d.find_element(By.TAG_NAME, "main").get_attribute(
                 "textContent"))
    main = driver.find_element(By.TAG_NAME, "main")
    categories = main.find_elements(By.CSS_SELECTOR, "section")[0].get_attribute("textContent")
    departments = main.find_elements(By.CSS_SELECTOR, "section")[1]
    driver.save_screenshot(str(shots / f"settings-{width}.png"))
    # 路灯故障 goes by default to the lamps' department, shown by its name.
    assert "市政工程管理处" in categories and "城市管理行政执法局" in categories
    assert not [code for code in CODES if code in categories]
    responsible = [td.get_attribute("textContent") for td in departments.find_elements(
        By.CSS_SELECTOR, 'td[data-label="负责类别"]')]
    assert "路面破损、井盖破损、道路积水" in responsible
    assert not [code for code in CODES if any(code in text for text in responsible)]

    crew = module_admin.post("/api/accounts", json={
        "username": f"crew{width}", "password": "pass-word-1", "name": "路灯班",
        "role": "department", "department": "power"})
    assert crew.status_code == 201, crew.text
    at_width(driver, width, "/admin/accounts",
             lambda d: d.find_elements(By.CSS_SELECTOR, f'tr[data-id="crew{width}"]'))
    row = driver.find_element(By.CSS_SELECTOR, f'tr[data-id="crew{width}"]')
    driver.save_screenshot(str(shots / f"accounts-{width}.png"))
    assert row.find_element(By.CSS_SELECTOR, 'td[data-label="部门"]').get_attribute(
        "textContent").startswith("供电")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_audit_log_names_its_actions_and_is_filtered_by_name(signed_in, module_admin,
                                                                 width, shots):
    driver = signed_in
    refused = module_admin.post("/api/imports/volunteers", json={"content": "not base64"})
    assert refused.status_code == 422
    at_width(driver, width, "/admin/audit",
             lambda d: d.find_elements(By.CSS_SELECTOR, 'td[data-label="操作"]'))
    actions = [td.get_attribute("textContent") for td in driver.find_elements(
        By.CSS_SELECTOR, 'td[data-label="操作"]')]
    driver.save_screenshot(str(shots / f"audit-{width}.png"))
    assert "批量导入志愿者、用工单位或岗位信息" in actions
    assert not [a for a in actions if "base64" in a or "." in a]
    # The filter is a list of names; choosing one filters by the action's id.
    action = Select(driver.find_element(By.CSS_SELECTOR, 'main form [name="action"]'))
    labels = {o.get_attribute("value"): o.get_attribute("textContent") for o in action.options}
    assert labels["work_orders.accept"] == "工单 · 受理"
    assert labels["imports.run"] == "批量导入志愿者、用工单位或岗位信息"
    if not action._el.is_displayed():       # on a phone the filters fold away
        driver.find_element(By.CSS_SELECTOR, "details.filter-box summary").click()
    action.select_by_value("imports.run")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(driver, lambda d: "action=imports.run" in d.current_url)
    wait_for(driver, lambda d: {td.get_attribute("textContent") for td in d.find_elements(
        By.CSS_SELECTOR, 'td[data-label="操作"]')} == {"批量导入志愿者、用工单位或岗位信息"})
    people = Select(driver.find_element(By.CSS_SELECTOR, 'main form [name="actor_id"]'))
    assert any(o.get_attribute("textContent").endswith("(admin)") for o in people.options)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_work_order_states_filter_takes_a_row_of_its_own(signed_in, width, shots):
    driver = signed_in
    at_width(driver, width, "/work-orders",
             lambda d: d.find_elements(By.CSS_SELECTOR, "main form .checks"))
    if not driver.find_element(By.CSS_SELECTOR, "details.filter-box").get_attribute("open"):
        driver.find_element(By.CSS_SELECTOR, "details.filter-box summary").click()
    form = driver.find_element(By.CSS_SELECTOR, "main form.filters")
    checks = form.find_element(By.CSS_SELECTOR, ".checks")
    driver.save_screenshot(str(shots / f"work-orders-{width}.png"))
    assert checks.rect["width"] > form.rect["width"] * 0.8
    # No other filter overlaps any state's box (已撤销 used to lie over the next row).
    boxes = [label.rect for label in checks.find_elements(By.TAG_NAME, "label")]
    others = [f.rect for f in form.find_elements(By.CSS_SELECTOR, ".field")
              if not f.find_elements(By.CSS_SELECTOR, ".checks")]
    for box in boxes:
        for other in others:
            assert (box["y"] + box["height"] <= other["y"] + 1
                    or other["y"] + other["height"] <= box["y"] + 1
                    or box["x"] + box["width"] <= other["x"] + 1
                    or other["x"] + other["width"] <= box["x"] + 1), (box, other)


def test_a_volunteer_sees_only_their_own_steps_and_leaving_is_not_signing_out(
        signed_in, module_admin, module_system, shots):
    driver = signed_in
    volunteer_id = a_volunteer(module_admin, "天宝社区")
    shift = module_admin.post("/api/shifts", json=shift_body("天宝社区"))
    assert shift.status_code == 201, shift.text
    made = module_admin.post("/api/accounts", json={
        "username": "zhiyuan1", "password": "pass-word-1", "name": "陈晓",
        "role": "volunteer", "volunteer": volunteer_id})
    assert made.status_code == 201, made.text
    driver.find_element(By.ID, "logout").click()
    wait_for(driver, lambda d: d.find_elements(By.NAME, "username"))
    sign_in(driver, "zhiyuan1", "pass-word-1")
    for width in WIDTHS:
        at_width(driver, width, "/open-shifts",
                 lambda d: d.find_elements(By.CSS_SELECTOR, "button.action"))
        driver.save_screenshot(str(shots / f"open-shifts-{width}.png"))
        assert {b.get_attribute("data-action") for b in driver.find_elements(
            By.CSS_SELECTOR, "button.action")} == {"sign_up"}
    driver.find_element(By.CSS_SELECTOR, 'button.action[data-action="sign_up"]').click()
    dialog = wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "dialog.sheet[open]"))
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: {b.get_attribute("data-action") for b in d.find_elements(
        By.CSS_SELECTOR, "button.action")} == {"withdraw_sign_up", "check_in"})

    for width in WIDTHS:
        at_width(driver, width, "/me",
                 lambda d: d.find_elements(By.CSS_SELECTOR, 'button.action[data-action="withdraw"]'))
        driver.save_screenshot(str(shots / f"me-{width}.png"))
        leave = driver.find_element(By.CSS_SELECTOR, 'button.action[data-action="withdraw"]')
        assert leave.text == "退出志愿者队伍" != driver.find_element(By.ID, "logout").text
    leave.click()
    dialog = wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "dialog.sheet[open]"))
    assert "只想退出登录" in dialog.text
    assert dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").text == "确认退出志愿者队伍"


# The fields each kind of 送 asks for, beside 类别 and 备注 (job.schemas.Delivery.KEEPS).
DELIVERY_FIELDS = {"policy": {"policy_name"},
                   "training": {"topic", "expected_participants", "preferred_date",
                                "request_activity"},
                   "job": {"openings_collected"}, "service": {"service_name"}}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_visits_row_of_deliveries_asks_only_what_its_kind_needs(signed_in, module_admin,
                                                                   width, shots):
    driver = signed_in
    become(driver, "admin", ADMIN_PASSWORD)
    employer = module_admin.post("/api/employers", json=employer_body("天宝社区"))
    assert employer.status_code == 201, employer.text
    employer_id = employer.json()["employer_id"]
    at_width(driver, width, f"/employers/{employer_id}",
             lambda d: d.find_elements(By.CSS_SELECTOR, 'button[data-op="employers.record_visit"]'))
    driver.find_element(By.CSS_SELECTOR, 'button[data-op="employers.record_visit"]').click()
    dialog = wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "dialog.sheet[open]"))
    deliveries = dialog.find_element(By.CSS_SELECTOR, '[data-field="deliveries"]')
    if not deliveries.find_elements(By.CSS_SELECTOR, ".row"):
        deliveries.find_element(By.CSS_SELECTOR, "button.add-row").click()
    row = deliveries.find_element(By.CSS_SELECTOR, ".row")
    every = set().union(*DELIVERY_FIELDS.values())

    def shown(row):
        return {f.get_attribute("data-field") for f in row.find_elements(By.CSS_SELECTOR, ".field")
                if f.is_displayed()}

    # Before a kind is chosen, nothing of any kind is asked.
    assert shown(row) == {"kind", "note"}
    kind = Select(row.find_element(By.CSS_SELECTOR, "select"))
    for code, wanted in DELIVERY_FIELDS.items():
        kind.select_by_value(code)
        assert shown(row) == {"kind", "note", *wanted}, code
        assert not shown(row) & (every - wanted)
        # 类别 is wide enough to read its choice; every label stays on one line.
        assert kind._el.rect["width"] >= 150, kind._el.rect
        for label in row.find_elements(By.CSS_SELECTOR, ".field > label"):
            if label.is_displayed():
                line = float(driver.execute_script(
                    "return parseFloat(getComputedStyle(arguments[0]).lineHeight)", label))
                assert label.rect["height"] < 1.5 * line, label.text
        if code == "training":
            driver.save_screenshot(str(shots / f"visit-deliveries-{width}.png"))
    # Fields typed for one kind and then hidden by choosing another are not sent.
    kind.select_by_value("training")
    row.find_element(By.CSS_SELECTOR, '[name="deliveries.topic"]').send_keys("手工缝纫培训")
    kind.select_by_value("policy")
    row.find_element(By.CSS_SELECTOR, '[name="deliveries.policy_name"]').send_keys("稳岗返还政策")
    dialog.find_element(By.CSS_SELECTOR, '[name="findings"]').send_keys("企业订单增加,需招手工缝制工")
    driver.execute_script("arguments[0].value = '2026-12-06'", dialog.find_element(
        By.CSS_SELECTOR, '[name="visited_on"]'))
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: "/visits/" in d.current_url, "the visit recorded")
    visits = module_admin.get("/api/visits", params={"employer_id": employer_id}).json()["items"]
    assert [d["kind"] for d in visits[0]["deliveries"]] == ["policy"]
    assert visits[0]["deliveries"][0]["policy_name"] == "稳岗返还政策"
    if width == "desktop":
        # The visits' employer filter is a search box of names: a name chosen filters by id.
        at_width(driver, width, "/visits", lambda d: d.find_elements(
            By.CSS_SELECTOR, 'main form [name="employer_id"]'))
        label = f"{employer.json()['name']}(天宝社区)"
        pick_by_name(driver, "employer_id", employer.json()["name"][-6:], label)
        wait_for(driver, lambda d: f"employer_id={employer_id}" in d.current_url)
        wait_for(driver, lambda d: {r.get_attribute("data-id") for r in d.find_elements(
            By.CSS_SELECTOR, "tr[data-id]")} == {visits[0]["visit_id"]})


def pick_by_name(driver, name, typed, label):
    """Type part of a name into a filter's search box, wait for the name offered, choose it
    and look."""
    if not driver.find_element(By.CSS_SELECTOR, "details.filter-box").get_attribute("open"):
        driver.find_element(By.CSS_SELECTOR, "details.filter-box summary").click()
    box = driver.find_element(By.CSS_SELECTOR, f'main form [name="{name}"]')
    box.send_keys(typed)
    listed = driver.find_element(By.ID, box.get_attribute("list"))
    wait_for(driver, lambda d: label in [o.get_attribute("value") for o in listed.find_elements(
        By.TAG_NAME, "option")], f"{label} offered")
    box.clear()
    box.send_keys(label)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_new_activity_offers_the_rooms_of_the_venue_chosen(signed_in, module_admin, width,
                                                              shots):
    driver = signed_in
    become(driver, "admin", ADMIN_PASSWORD)
    venues = {}
    for name, rooms in ((f"天宝社区文化服务中心{width}", ("书画室", "舞蹈室")),
                        (f"天宝社区市民学校{width}", ("多功能教室",))):
        venue = module_admin.post("/api/venues", json={
            "community": "天宝社区", "name": name, "kind": "cultural_centre",
            "address": "天宝巷1号"})
        assert venue.status_code == 201, venue.text
        for room in rooms:
            added = module_admin.post(f"/api/venues/{venue.json()['id']}/rooms", json={
                "name": room, "kind": "calligraphy", "capacity": 30})
            assert added.status_code == 201, added.text
        venues[name] = {r["id"]: r["name"] for r in added.json()["rooms"]}
        venues[name]["id"] = venue.json()["id"]
    at_width(driver, width, "/activities/new",
             lambda d: d.find_elements(By.CSS_SELECTOR, 'main form [name="room_id"]'))
    form = driver.find_element(By.CSS_SELECTOR, "main form")
    venue, room = (Select(form.find_element(By.CSS_SELECTOR, f'[name="{n}"]'))
                   for n in ("venue_id", "room_id"))
    offered = lambda: {o.get_attribute("value") for o in room.options} - {""}  # noqa: E731
    assert offered() == set()                  # no venue chosen: no room either
    for name, rooms in venues.items():
        venue.select_by_value(rooms["id"])
        assert offered() == set(rooms) - {"id"}, name
    school = venues[f"天宝社区市民学校{width}"]
    room.select_by_value(next(r for r in school if r != "id"))
    driver.save_screenshot(str(shots / f"activity-rooms-{width}.png"))
    form.find_element(By.CSS_SELECTOR, '[name="title"]').send_keys("手工编织公益课")
    Select(form.find_element(By.CSS_SELECTOR, '[name="theme"]')).select_by_index(1)
    form.find_element(By.CSS_SELECTOR, '[name="organiser"]').send_keys("天宝社区")
    Select(form.find_element(By.CSS_SELECTOR, '[name="community"]')).select_by_value("天宝社区")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: "/activities/AC" in d.current_url, "the activity created")
    # Its place names the venue and the room apart.
    place = wait_for(driver, lambda d: [dd for dd in d.find_elements(By.CSS_SELECTOR, "main dd")
                                        if "市民学校" in dd.text])
    assert place[0].text == f"天宝社区市民学校{width} · 多功能教室"

    # 修改活动 has the same picker, opened at the activity's venue and room; another venue
    # offers its own rooms only, and the activity moves there.
    activity_id = driver.current_url.rsplit("/", 1)[-1]
    driver.find_element(By.CSS_SELECTOR, 'button.action[data-action="update"]').click()
    dialog = wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "dialog.sheet[open]"))
    venue, room = (Select(dialog.find_element(By.CSS_SELECTOR, f'[name="{n}"]'))
                   for n in ("venue_id", "room_id"))
    assert venue.first_selected_option.get_attribute("value") == school["id"]
    assert offered() == set(school) - {"id"}
    assert room.first_selected_option.text.startswith("多功能教室")
    centre = venues[f"天宝社区文化服务中心{width}"]
    venue.select_by_value(centre["id"])
    assert offered() == set(centre) - {"id"}
    dance = next(r for r, name in centre.items() if name == "舞蹈室")
    room.select_by_value(dance)
    if width == "desktop":
        screenshot(driver, "activity-update-venue")
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    place = wait_for(driver, lambda d: [dd for dd in d.find_elements(By.CSS_SELECTOR, "main dd")
                                        if "文化服务中心" in dd.text], "the activity moved")
    assert place[0].text == f"天宝社区文化服务中心{width} · 舞蹈室"
    moved = module_admin.get(f"/api/activities/{activity_id}").json()
    assert (moved["venue"]["id"], moved["room"]["id"]) == (centre["id"], dance)


def test_volunteers_and_staff_list_the_certificates_theirs_to_see(signed_in, module_admin,
                                                                  shots):
    driver = signed_in
    today = clock.local_date(clock.now())
    numbers = {}
    for community, name in (("天宝社区", "周晓梅"), ("浚河社区", "吴建华")):
        volunteer_id = a_volunteer_named(module_admin, community, name)
        served = module_admin.post(f"/api/volunteers/{volunteer_id}/ledger-entries", json={
            "date": today.isoformat(), "content": "文明交通劝导", "hours": 2,
            "organiser": community})
        assert served.status_code == 201, served.text
        issued = module_admin.post(f"/api/volunteers/{volunteer_id}/certificates", json={
            "issuer": community, "from_date": (today - timedelta(days=1)).isoformat(),
            "to_date": today.isoformat()})
        assert issued.status_code == 201, issued.text
        numbers[community] = issued.json()["number"]
        if community == "天宝社区":
            mine = volunteer_id
    for account in ({"username": "zhiyuanzheng", "role": "volunteer", "volunteer": mine},
                    {"username": "tianbaostaff", "role": "community_staff",
                     "community": "天宝社区"}):
        made = module_admin.post("/api/accounts", json={
            **account, "password": "pass-word-1", "name": "周晓梅"})
        assert made.status_code == 201, made.text

    def listed(d):
        return {r.get_attribute("data-id") for r in d.find_elements(By.CSS_SELECTOR, "tr[data-id]")}

    # A volunteer: their own, from the menu.
    become(driver, "zhiyuanzheng", "pass-word-1")
    for width in WIDTHS:
        at_width(driver, width, "/certificates", listed)
        driver.save_screenshot(str(shots / f"certificates-volunteer-{width}.png"))
        assert listed(driver) == {numbers["天宝社区"]}
        assert driver.find_elements(By.CSS_SELECTOR, "#nav a[data-path='/certificates']")
    # Community staff: their community's volunteers', and a volunteer found by name.
    become(driver, "tianbaostaff", "pass-word-1")
    for width in WIDTHS:
        at_width(driver, width, "/certificates", listed)
        driver.save_screenshot(str(shots / f"certificates-staff-{width}.png"))
        assert numbers["天宝社区"] in listed(driver)
        assert numbers["浚河社区"] not in listed(driver)
    pick_by_name(driver, "volunteer_id", "周晓", "周晓梅(天宝社区)")
    wait_for(driver, lambda d: f"volunteer_id={mine}" in d.current_url)
    wait_for(driver, lambda d: listed(d) == {numbers["天宝社区"]})
    become(driver, "admin", ADMIN_PASSWORD)


def a_volunteer_named(admin, community, name):
    from tests.integration.gateway.samples.volunteer import volunteer_body
    registered = admin.post("/api/volunteers", json=volunteer_body(community, name=name))
    assert registered.status_code == 201, registered.text
    volunteer_id = registered.json()["id"]
    assert admin.post(f"/api/volunteers/{volunteer_id}/approve", json={}).status_code == 200
    return volunteer_id
