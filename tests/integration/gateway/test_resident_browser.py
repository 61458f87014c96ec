"""The resident site (/m/) in a phone-sized headless Chromium (390×844), on one system with the
notification service: a resident signs in with the code the development mailbox received,
reports a problem with a photo, is told of its acceptance, follows it to completion (staff act
through the API) and rates it; the rating shows in the statistics. A resident registers for an
activity and sees the code for the door, and applies for a posting matched to them. Staff, on
the console at the same width, report and complete an order with camera photos and see their
thumbnails. A resident turns 工单办理进度 off in 消息设置, finds it still off after a reload, and
the message of their next report's acceptance is recorded as not sent (收件人已退订)."""
import io
import re

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.conftest import wait_until
from tests.integration.gateway.conftest import ADMIN_PASSWORD
from tests.integration.gateway.console_browser import (  # noqa: F401
    browser, field, screenshot, sheet, sign_in, wait_for)

PHONE, NEIGHBOUR, QUIET = "13912345670", "13912345671", "13912345672"
TOPICS = ("work_orders", "activities", "volunteering", "jobs")


def dev_texts(rpc, kind, phone=PHONE):
    return [m["text"] for m in rpc.notify.list_dev_messages(phone=phone, page_size=50)["items"]
            if m["kind"] == kind]


def signed_in_on_the_site(driver, base, rpc, phone, then):
    driver.set_window_size(390, 844)
    driver.get(base + "/m/")
    driver.delete_all_cookies()  # whoever used this browser before is signed out
    driver.get(base + "/m/#" + then)  # the page asks for sign-in first, then opens
    driver.refresh()
    wait_for(driver, lambda d: d.find_elements(By.NAME, "phone"), "the sign-in form")
    driver.find_element(By.NAME, "phone").send_keys(phone)
    driver.find_element(By.ID, "send-code").click()
    text = wait_until(lambda: dev_texts(rpc, "sign_in_code", phone), timeout=30,
                      message="the code")[0]
    driver.find_element(By.NAME, "code").send_keys(re.search(r"\d{6}", text).group(0))
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def photo_file(tmp_path, name, color=(40, 40, 40)):
    path = tmp_path / name
    Image.new("RGB", (1200, 900), color).save(path, "JPEG")
    return path


@pytest.fixture(scope="module")
def rpc(module_config, module_system):
    with ClusterRpcProxy(module_config, timeout=30) as proxy:
        yield proxy


def test_a_resident_reports_with_a_photo_follows_to_completion_and_rates(
        browser, module_system, module_admin, rpc, tmp_path):  # noqa: F811
    photo = tmp_path / "lamp.jpg"
    Image.new("RGB", (1200, 900), (40, 40, 40)).save(photo, "JPEG")
    driver = browser
    driver.set_window_size(390, 844)
    driver.get(module_system + "/m/#/sign-in")
    wait_for(driver, lambda d: d.find_elements(By.NAME, "phone"), "the sign-in form")
    driver.find_element(By.NAME, "phone").send_keys(PHONE)
    driver.find_element(By.ID, "send-code").click()
    text = wait_until(lambda: dev_texts(rpc, "sign_in_code"), timeout=30, message="the code")[0]
    driver.find_element(By.NAME, "code").send_keys(re.search(r"\d{6}", text).group(0))
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    wait_for(driver, lambda d: d.find_elements(By.NAME, "description"), "the report form")
    Select(driver.find_element(By.NAME, "category")).select_by_value("street_light")
    Select(driver.find_element(By.NAME, "community")).select_by_value("浚河社区")
    Select(driver.find_element(By.NAME, "alley")).select_by_value("新宇巷")
    driver.find_element(By.NAME, "description").send_keys("新宇巷口路灯不亮")
    driver.find_element(By.NAME, "photo").send_keys(str(photo))
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    number = wait_for(driver, lambda d: d.find_elements(By.ID, "order-number"),
                      "the order page")[0].text
    assert re.fullmatch(r"WO\d{12}", number)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".photos img"), "the photo")
    wait_for(driver, lambda d: d.execute_script(  # the thumbnail, once loaded: 320 wide
        "const i = document.querySelector('.photos img'); return i.complete && i.naturalWidth")
        == 320, "the thumbnail loaded")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390

    assert module_admin.post(f"/api/work-orders/{number}/accept", json={}).status_code == 200
    told = wait_until(lambda: [t for t in dev_texts(rpc, "work_order_accepted") if number in t],
                      timeout=30, message="the acceptance message")
    assert "受理" in told[0]
    for action, body in (("dispatch", {}), ("sign-for", {}), ("complete", {
            "result_note": "已更换灯头", "evidence_urls": ["https://img.example/done.jpg"]})):
        assert module_admin.post(f"/api/work-orders/{number}/{action}", json=body).status_code \
            == 200
    driver.refresh()
    wait_for(driver, lambda d: d.find_element(By.ID, "order-state").text == "已办结待回访",
             "completed")
    Select(driver.find_element(By.NAME, "result")).select_by_value("satisfied")
    driver.find_element(By.NAME, "note").send_keys("很及时")
    driver.find_element(By.CSS_SELECTOR, "#rate button[type=submit]").click()
    wait_for(driver, lambda d: "满意" in (d.find_elements(By.ID, "rating") or [None])[0].text
             if d.find_elements(By.ID, "rating") else False, "the rating shown")

    order = module_admin.get(f"/api/work-orders/{number}").json()
    assert order["rating"]["result"] == "satisfied" and order["rating"]["note"] == "很及时"
    totals = module_admin.get("/api/statistics/work-orders", params={
        "period": order["reported_at"][:7]}).json()["totals"]
    assert totals["ratings"]["satisfied"] == 1 and totals["satisfaction"]["satisfied"] == 1
    assert totals["satisfaction_rate"] == 1.0


def test_a_resident_registers_for_an_activity_near_them_and_applies_for_a_matched_job(
        browser, module_system, module_admin, rpc):  # noqa: F811
    from tests.integration.gateway.samples.job import employer_body, posting_body
    from tests.integration.gateway.samples.resident import published_activity

    activity_id = published_activity(module_admin, "浚河社区", 2, capacity=10,
                                     title="社区书法体验课")
    employer = module_admin.post("/api/employers", json=employer_body("浚河社区")).json()
    posting = module_admin.post(f"/api/employers/{employer['employer_id']}/job-postings",
                                json=posting_body(title="社区食堂帮厨")).json()["posting_id"]

    driver = browser
    signed_in_on_the_site(driver, module_system, rpc, NEIGHBOUR, "/activities")
    item = wait_for(driver, lambda d: d.find_elements(
        By.CSS_SELECTOR, f'#activity-list li[data-id="{activity_id}"]'), "the activity")[0]
    item.find_element(By.CSS_SELECTOR, "button.register").click()
    code = wait_for(driver, lambda d: d.find_elements(
        By.CSS_SELECTOR, "#my-registrations .code"), "the check-in code")[0].text
    staff = module_admin.get(f"/api/activities/{activity_id}/registrations").json()["items"]
    assert [(r["code"], r["phone_masked"]) for r in staff] == [(code, "139****5671")]
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390

    driver.get(module_system + "/m/#/jobs")
    form = wait_for(driver, lambda d: d.find_elements(By.ID, "seeker-form"), "the profile")[0]
    form.find_element(By.NAME, "name").send_keys("周阿姨")
    Select(form.find_element(By.NAME, "community")).select_by_value("浚河社区")
    form.find_element(By.NAME, "consent").click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    match = wait_for(driver, lambda d: d.find_elements(
        By.CSS_SELECTOR, f'#job-matches li[data-id="{posting}"]'), "the matched posting")[0]
    assert "弹性工时" in match.text and match.find_elements(By.CSS_SELECTOR, ".reasons li")
    match.find_element(By.CSS_SELECTOR, "button.apply").click()
    wait_for(driver, lambda d: "社区食堂帮厨" in d.find_element(By.ID, "my-applications").text,
             "the application listed")
    applications = module_admin.get("/api/applications", params={"posting_id": posting}).json()
    assert [a["channel"] for a in applications["items"]] == ["self"]


def test_staff_report_and_complete_with_camera_photos_and_see_thumbnails(
        browser, module_system, module_admin, tmp_path):  # noqa: F811
    driver = browser
    driver.set_window_size(390, 844)
    driver.get(module_system + "/#/login")
    wait_for(driver, lambda d: d.find_elements(By.NAME, "username"), "the console")
    sign_in(driver, "admin", ADMIN_PASSWORD)
    driver.get(module_system + "/#/work-orders/new")
    form = wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "main form"))
    Select(field(form, "category")).select_by_value("street_light")
    Select(field(form, "community")).select_by_value("浚河社区")
    field(form, "address").send_keys("新宇巷12号")
    field(form, "description").send_keys("路灯杆倾斜")
    picker = field(form, "photos")
    assert picker.get_attribute("capture") == "environment"
    picker.send_keys(str(photo_file(tmp_path, "before.jpg")))
    wait_for(driver, lambda d: "已上传 1 张" in form.text, "the photo uploaded")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: "/work-orders/WO" in d.current_url, "the new order")
    number = driver.current_url.rsplit("/", 1)[-1]
    for action in ("accept", "dispatch", "sign-for"):
        assert module_admin.post(f"/api/work-orders/{number}/{action}", json={}).status_code \
            == 200
    driver.refresh()
    wait_for(driver, lambda d: d.find_elements(
        By.CSS_SELECTOR, 'button.action[data-action="complete"]'), "完成 offered")[0].click()
    dialog = sheet(driver)
    field(dialog, "result_note").send_keys("已扶正加固")
    field(dialog, "photos").send_keys(str(photo_file(tmp_path, "after.jpg", (10, 120, 10))))
    wait_for(driver, lambda d: "已上传 1 张" in dialog.text, "the completion photo uploaded")
    dialog.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    thumbs = wait_for(driver, lambda d: len(d.find_elements(
        By.CSS_SELECTOR, "main .photo-thumbs img")) == 2 and d.find_elements(
        By.CSS_SELECTOR, "main .photo-thumbs img"), "both thumbnails")
    wait_for(driver, lambda d: all(d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", t) for t in thumbs),
        "the thumbnails loaded")
    assert [driver.execute_script("return arguments[0].naturalWidth", t) for t in thumbs] == \
        [320, 320]
    order = module_admin.get(f"/api/work-orders/{number}").json()
    assert [p["stage"] for p in order["photos"]] == ["report", "completion"]
    assert [t.get_attribute("data-photo") for t in thumbs] == [p["id"] for p in order["photos"]]


def topics_on(driver):
    """消息设置's boxes: {topic code: ticked}, once the form is drawn."""
    wait_for(driver, lambda d: d.find_elements(By.ID, "notification-settings"), "消息设置")
    return {box.get_attribute("value"): box.is_selected() for box in driver.find_elements(
        By.CSS_SELECTOR, '#notification-settings input[name="topic"]')}


def test_a_resident_turns_work_order_notices_off_and_is_not_sent_the_next(
        browser, module_system, module_admin, rpc):  # noqa: F811
    driver = browser
    signed_in_on_the_site(driver, module_system, rpc, QUIET, "/notifications")
    assert topics_on(driver) == dict.fromkeys(TOPICS, True)
    form = driver.find_element(By.ID, "notification-settings")
    assert "139****5672" in form.text
    box = form.find_element(By.CSS_SELECTOR, 'input[name="topic"][value="work_orders"]')
    assert box.find_element(By.XPATH, "..").text.strip() == "工单办理进度"
    box.click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: d.find_element(By.ID, "toast").text == "消息设置已保存", "saved")

    driver.refresh()   # what shows now is what the server keeps
    assert topics_on(driver) == {**dict.fromkeys(TOPICS, True), "work_orders": False}
    assert not driver.find_element(By.ID, "opted-out").is_selected()
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
    screenshot(driver, "resident-notifications-phone")

    driver.get(module_system + "/m/#/report")
    wait_for(driver, lambda d: d.find_elements(By.NAME, "description"), "the report form")
    Select(driver.find_element(By.NAME, "category")).select_by_value("street_light")
    Select(driver.find_element(By.NAME, "community")).select_by_value("浚河社区")
    Select(driver.find_element(By.NAME, "alley")).select_by_value("新宇巷")
    driver.find_element(By.NAME, "description").send_keys("新宇巷3号楼路灯闪烁")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    number = wait_for(driver, lambda d: d.find_elements(By.ID, "order-number"),
                      "the order page")[0].text
    assert module_admin.post(f"/api/work-orders/{number}/accept", json={}).status_code == 200

    key = f"work_order_accepted|{number}"

    def recorded():
        found = module_admin.get(f"/api/notifications/messages/{key}")
        return found.json() if found.status_code == 200 and \
            found.json()["state"] in ("skipped", "sent") else None
    message = wait_until(recorded, timeout=30, message="the acceptance message recorded")
    assert (message["state"], message["skip_reason_name"]) == ("skipped", "收件人已退订")
    assert message["address_masked"] == "139****5672" and message["attempts"] == 0
    assert not [t for t in dev_texts(rpc, "work_order_accepted", QUIET) if number in t]
