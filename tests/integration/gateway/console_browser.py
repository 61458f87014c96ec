"""What the console's browser tests share: headless Chromium (Debian's package, through
Selenium and chromedriver), a system of the services and the gateway, and steps a person takes
in the console (sign in, open a page, fill a sheet, act on a work order)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
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
from shared import places
from tests.integration.gateway.conftest import ADMIN_PASSWORD, Client

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = "apt-get install -y chromium chromium-driver"
# Debian's Noto CJK: without a Chinese font headless Chromium draws every label as boxes.
FONTS = "fonts-noto-cjk"
INSTALL_FONTS = f"apt-get install -y {FONTS}"
WAIT = 30  # seconds a step may take on a busy machine before the test gives up
DESKTOP, PHONE = (1366, 900), (390, 844)
ROOT = Path(__file__).resolve().parents[3]
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


def has_chinese_font() -> bool:
    """Fontconfig knows a font covering Chinese (what Chromium draws labels with)."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True,
                               text=True, check=False).stdout
    except FileNotFoundError:  # no fontconfig at all: no font either
        return False
    return bool(found.strip())


def ensure_chinese_font() -> None:
    """Debian's Noto CJK fonts, so screenshots show Chinese rather than boxes. Missing:
    installed when we are root, otherwise the test fails saying how to install."""
    if has_chinese_font():
        return
    if os.geteuid() != 0:
        pytest.fail(f"No Chinese font is installed; run as root: {INSTALL_FONTS}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(INSTALL_FONTS.split(), check=False, env=env).returncode != 0:
        subprocess.run(["apt-get", "update"], check=False, env=env)
        subprocess.run(INSTALL_FONTS.split(), check=True, env=env)
    assert has_chinese_font(), f"{INSTALL_FONTS} did not give fontconfig a Chinese font"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    ensure_chromium()
    ensure_chinese_font()
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

def screenshot(driver, name: str) -> None:
    """Keep what the page looks like: test-artefacts/console/<name>.png (git-ignored), or
    under XIUHUA_TEST_ARTEFACTS when that is set (a CI job keeps the folder)."""
    folder = Path(os.environ.get("XIUHUA_TEST_ARTEFACTS") or ROOT / "test-artefacts") / "console"
    folder.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(folder / f"{name}.png"))


def viewport(driver, size) -> None:
    """The page exactly this wide and high (a phone's is a mobile viewport)."""
    width, height = size
    driver.set_window_size(width, height)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


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
    # Community and alley are lists from the register of places; the alleys follow the
    # community chosen.
    community, alley = Select(field(form, "community")), Select(field(form, "alley"))
    assert [o.text for o in community.options][1:] == places.communities()
    assert len(alley.options) - 1 == len(places.alleys())
    community.select_by_value("浚河社区")
    assert [o.get_attribute("value") for o in alley.options][1:] == [
        a["name"] for a in places.alleys("浚河社区")]
    alley.select_by_value("新宇巷")
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
