"""The console's map, location picker, to-do list and printing in headless Chromium, at a
desktop's 1366×900 and a phone's 390×844, on one system shared by the module (no base map is
set: the street's own outline, communities and alleys are drawn from the register).
Screenshots go to test-artefacts/console/ (git-ignored), among them the main pages at both
widths."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from shared import places
from tests.integration.gateway.console_browser import (  # noqa: F401 - fixtures
    DESKTOP, PHONE, browser, field, go, screenshot, sign_in, viewport, wait_for)
from tests.integration.gateway.samples import volunteer as volunteer_samples

JUNHE = "浚河社区"


@pytest.fixture
def console(browser, module_system):
    viewport(browser, DESKTOP)
    browser.get(module_system + "/")
    browser.delete_all_cookies()
    browser.get(module_system + "/#/login")
    wait_for(browser, lambda d: d.find_elements(By.NAME, "username"))
    browser.base = module_system
    return browser


def report(api, community, location, **extra) -> str:
    answer = api.post("/api/work-orders", json={
        "category": "street_light", "community": community, "location": location,
        "description": "路灯晚上不亮", "channel": "grid_worker", **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()["number"]


def markers(driver) -> set[str] | None:
    """The orders on the map once it is drawn (None while it draws)."""
    if driver.find_element(By.ID, "map-summary").get_attribute("data-state") != "done":
        return None
    return {m.get_attribute("data-order")
            for m in driver.find_elements(By.CSS_SELECTOR, "#street-map path[data-order]")}


def filter_map(driver):
    main = driver.find_element(By.TAG_NAME, "main")
    main.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def test_the_map_of_work_orders_over_the_register_of_places(console, module_admin):
    alley = places.alleys(JUNHE)[0]
    here = {"lat": alley["lat"], "long": alley["long"]}
    lamp = report(module_admin, JUNHE, here, alley=alley["name"])
    tianbao = places.alleys("天宝社区")[0]
    other = report(module_admin, "天宝社区", {"lat": tianbao["lat"], "long": tianbao["long"]},
                   category="road_surface")
    sign_in(console)
    console.find_element(By.CSS_SELECTOR, "#nav a[data-path='/map']").click()
    wait_for(console, lambda d: {lamp, other} <= (markers(d) or set()), "both on the map")
    # The register is drawn without any base map: the street, its communities, its alleys.
    names = console.find_element(By.ID, "street-map").text
    assert all(name in names for name in places.communities())
    assert not console.find_elements(By.CSS_SELECTOR, "#street-map img.leaflet-tile")
    assert "未设置底图" in console.find_element(By.CSS_SELECTOR, ".map-note").text
    summary = console.find_element(By.ID, "map-summary").text
    assert "工单" in summary and "用工单位" in summary
    screenshot(console, "map-desktop")
    # Filtered by category, only the road's order stays; overdue, neither (both are new).
    main = console.find_element(By.TAG_NAME, "main")
    Select(field(main, "category")).select_by_value("road_surface")
    filter_map(console)
    wait_for(console, lambda d: markers(d) is not None and lamp not in markers(d)
             and other in markers(d), "by category")
    field(main, "overdue").click()
    filter_map(console)
    wait_for(console, lambda d: markers(d) is not None and not markers(d) & {lamp, other},
             "only overdue orders")
    # A marker opens its order.
    Select(field(main, "category")).select_by_value("")
    field(main, "overdue").click()
    filter_map(console)
    wait_for(console, lambda d: lamp in (markers(d) or set()), "every order again")
    marker = wait_for(console, lambda d: d.find_element(
        By.CSS_SELECTOR, f'#street-map path[data-order="{lamp}"]'))
    console.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", marker)
    link = wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR, ".leaflet-popup a"))
    assert link.get_attribute("textContent") == lamp
    console.execute_script("arguments[0].click()", link)
    wait_for(console, lambda d: d.current_url.endswith(f"/work-orders/{lamp}"), "the order")


def street_middle() -> tuple[float, float]:
    """The middle of the street's bounds: where a map fitted to the street has its centre."""
    ring = [p for polygon in places.register().boundary for p in polygon[0]]
    longs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return (min(lats) + max(lats)) / 2, (min(longs) + max(longs)) / 2


def click_middle(driver, element) -> None:
    driver.execute_script("""
        const box = arguments[0], r = box.getBoundingClientRect();
        for (const type of ['mousedown', 'mouseup', 'click']) {
          box.dispatchEvent(new MouseEvent(type, {bubbles: true, clientX: r.left + r.width / 2,
            clientY: r.top + r.height / 2, button: 0}));
        }""", element)


def test_a_grid_worker_on_a_phone_picks_the_place_on_the_map(console, module_admin,
                                                             module_make_user):
    lat, long = street_middle()
    middle = places.community_at(lat, long)
    assert middle is not None
    module_make_user("grid_worker", username="wangge-map", community=middle)
    viewport(console, PHONE)
    go(console, "/work-orders/new")      # signed out: the page to open after signing in
    wait_for(console, lambda d: d.find_elements(By.NAME, "username"))
    sign_in(console, "wangge-map", "pass-word-1")
    # The report form is drawn once its map is: found before, it may be the sign-in form
    # still, or a first drawing the page replaces.
    picker = wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR,
                                                        "#location-picker.leaflet-container"))
    assert picker.rect["width"] <= PHONE[0]

    def choose_category(driver):
        form = driver.find_element(By.CSS_SELECTOR, "main form")
        Select(field(form, "category")).select_by_value("street_light")
        return form
    form = wait_for(console, choose_category)
    picker = console.find_element(By.ID, "location-picker")
    field(form, "description").send_keys("井盖旁路灯不亮")
    console.execute_script("arguments[0].scrollIntoView({block: 'center'})", picker)
    click_middle(console, picker)
    said = wait_for(console, lambda d: d.find_element(By.ID, "picked-place").text
                    if "已选位置" in d.find_element(By.ID, "picked-place").text else None)
    assert middle in said
    picked = (float(field(form, "location.lat").get_attribute("value")),
              float(field(form, "location.long").get_attribute("value")))
    # Where the click landed is the street's middle, to a few metres.
    assert abs(picked[0] - lat) < 0.0005 and abs(picked[1] - long) < 0.0005
    screenshot(console, "picker-phone")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(console, lambda d: "/work-orders/WO" in d.current_url, "the new order")
    number = console.current_url.rsplit("/", 1)[-1]
    order = module_admin.get(f"/api/work-orders/{number}").json()
    assert order["location"] == {"lat": picked[0], "long": picked[1]}
    assert order["community"] == middle


def test_the_to_do_list_on_a_phone_and_the_qr_code_of_a_certificate(console, module_admin,
                                                                    module_make_user):
    module_make_user("community_staff", username="shequ-todo", community=JUNHE)
    alley = places.alleys(JUNHE)[1]
    waiting = report(module_admin, JUNHE, {"lat": alley["lat"], "long": alley["long"]})
    number = volunteer_samples.records(module_admin, JUNHE)["number"]
    viewport(console, PHONE)
    go(console, "/todo")                 # signed out: the page to open after signing in
    wait_for(console, lambda d: d.find_elements(By.NAME, "username"))
    sign_in(console, "shequ-todo", "pass-word-1")
    entry = wait_for(console, lambda d: d.find_element(
        By.CSS_SELECTOR, '.todo-list li[data-key="to_accept"]'))
    expected = module_admin.get("/api/work-orders", params={
        "state": "reported", "community": JUNHE}).json()["total"]
    assert entry.find_element(By.CSS_SELECTOR, ".count").text == str(expected)
    assert {li.get_attribute("data-key") for li in console.find_elements(
        By.CSS_SELECTOR, ".todo-list li")} >= {"to_accept", "overdue", "due_soon",
                                                "to_follow_up", "corrections", "registrations"}
    screenshot(console, "todo-phone")
    entry.find_element(By.TAG_NAME, "a").click()
    wait_for(console, lambda d: d.find_elements(
        By.XPATH, f"//main//*[normalize-space(text())='{waiting}']"), "the order in the list")
    assert "state=reported" in console.current_url
    # The certificate's page shows the QR code of its public check, and its printable page.
    viewport(console, DESKTOP)
    go(console, f"/certificates/{number}")
    qr = wait_for(console, lambda d: d.find_element(By.CSS_SELECTOR, "img.qr"))
    wait_for(console, lambda d: d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth > 0", qr), "the QR code")
    printable = console.find_element(
        By.CSS_SELECTOR, f'.certificate-check a[href="/public/certificates/{number}"]')
    assert printable.text == "打印证明(含二维码)"
    screenshot(console, "certificate-desktop")


def test_the_main_pages_at_a_desktops_and_a_phones_width(console, module_admin):
    """数据看板, 工单 and an order, 工单地图, 我的待办, 志愿者, 主题活动, 走访记录 (一走四送)
    and the resident site, each drawn at 1366×900 and at 390×844 and kept as a screenshot."""
    alley = places.alleys(JUNHE)[2]
    number = report(module_admin, JUNHE, {"lat": alley["lat"], "long": alley["long"]},
                    alley=alley["name"])
    sign_in(console)
    pages = [("dashboard", "/dashboard", "数据看板"), ("work-orders", "/work-orders", "工单"),
             ("work-order", f"/work-orders/{number}", number), ("map", "/map", "工单地图"),
             ("todo", "/todo", "我的待办"), ("volunteers", "/volunteers", "志愿者"),
             ("activities", "/activities", "主题活动"), ("visits", "/visits", "走访记录")]
    for size, width in ((DESKTOP, "desktop"), (PHONE, "phone")):
        viewport(console, size)
        for name, fragment, heading in pages:
            go(console, fragment)
            wait_for(console, lambda d: heading in d.find_element(By.CSS_SELECTOR, "main h1").text
                     and not d.find_elements(By.CSS_SELECTOR, "main .loading"), fragment)
            if name == "map":
                wait_for(console, lambda d: number in (markers(d) or set()), "the order's marker")
            assert console.execute_script(
                "return document.documentElement.scrollWidth") <= size[0], (fragment, width)
            screenshot(console, f"{name}-{width}")
        console.get(console.base + "/m/")
        wait_for(console, lambda d: d.find_element(By.ID, "main").text.strip()
                 and "正在加载" not in d.find_element(By.ID, "main").text, "the resident site")
        screenshot(console, f"resident-{width}")
