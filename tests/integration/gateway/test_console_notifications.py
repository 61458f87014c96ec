"""The console's 通知 pages in a browser, one browser for the module: a street admin sees the
message of an accepted report in 通知发送记录 and 消息记录 by its names (工单已受理, 已发送, 短信),
never the codes behind them; and, on a system whose SMS go through the provider's API to a
local server that first refuses them, opens the failed message, presses 重发 and sees the new
attempt and its result in the message's sheet."""
from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import wait_until
from tests.integration.gateway.conftest import ADMIN_PASSWORD, SYSTEM, Client
from tests.integration.gateway.console_browser import (  # noqa: F401 - fixtures
    browser, go, screenshot, sign_in, wait_for)
from tests.integration.gateway.samples.repair import ORDER
from tests.integration.notify.conftest import (  # noqa: F401 - the provider's fixture
    TENCENT_ID, TENCENT_KEY, tencent_server)

PHONE = "13912345602"
REFUSED_PHONE = "13912345603"
# What the provider answers while the street's SMS package is used up (a permanent failure:
# the message is not tried again until someone sends it again).
NO_BALANCE = "FailedOperation.InsufficientBalanceInSmsPackage"
SHEET = 'dialog.sheet[open][aria-label="通知:工单已受理"]'   # the message's own sheet


@pytest.fixture(scope="module")
def module_config(module_config):
    return {**module_config, "NOTIFY_QUIET_HOURS": "off", "NOTIFY_DELIVERY_SECONDS": 0.5}


def test_messages_and_the_mailbox_show_names(browser, module_system, module_admin):
    order = module_admin.post("/api/work-orders", json={
        **ORDER, "community": "天宝社区", "reporter": {"name": "王秀梅", "phone": PHONE}})
    number = order.json()["number"]
    assert module_admin.post(f"/api/work-orders/{number}/accept", json={}).status_code == 200
    key = f"work_order_accepted|{number}"
    wait_until(lambda: module_admin.get(f"/api/notifications/messages/{key}").json()
               .get("state") == "sent", timeout=30, message="the message sent")

    browser.base = module_system
    browser.get(module_system + "/#/login")
    wait_for(browser, lambda d: d.find_elements(By.NAME, "username"))
    sign_in(browser, "admin", ADMIN_PASSWORD)
    go(browser, "/notifications/messages")
    row = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "main tbody tr"),
                   "the messages")[0]
    text = row.get_attribute("textContent")
    assert "工单已受理" in text and "已发送" in text and "短信" in text and "139****5602" in text
    assert "work_order_accepted" not in text and "sent" not in text
    menu = browser.find_element(By.ID, "nav").get_attribute("textContent")
    assert "通知发送记录" in menu and "12345 回传" in menu and "消息记录" in menu

    go(browser, "/notifications/mailbox")
    wait_for(browser, lambda d: number in d.find_element(By.TAG_NAME, "main")
             .get_attribute("textContent"), "the mailbox")
    main = browser.find_element(By.TAG_NAME, "main").get_attribute("textContent")
    assert "工单已受理" in main and "短信" in main and PHONE not in main


@pytest.fixture
def refusing_system(runner_factory, gateway_config, tencent_server):  # noqa: F811
    """A system of its own whose SMS go by Tencent Cloud's API to the local server, which
    refuses them until told otherwise."""
    tencent_server.refuse = NO_BALANCE
    config = {**gateway_config, "NOTIFY_QUIET_HOURS": "off", "NOTIFY_DELIVERY_SECONDS": 0.5,
              "NOTIFY_SMS_CHANNEL": "tencent", "TENCENTCLOUD_SECRET_ID": TENCENT_ID,
              "TENCENTCLOUD_SECRET_KEY": TENCENT_KEY, "NOTIFY_SMS_APP_ID": "1400000001",
              "NOTIFY_SMS_SIGN_NAME": "广陵街道", "NOTIFY_SMS_SCHEME": "http",
              "NOTIFY_SMS_TEMPLATES": json.dumps({"work_order_accepted": "1880002"}),
              "NOTIFY_SMS_ENDPOINT": f"127.0.0.1:{tencent_server.port}"}
    runner_factory(config, *SYSTEM).start()
    base = f"http://{config['WEB_SERVER_ADDRESS']}"
    with Client(base) as admin:
        admin.login("admin", ADMIN_PASSWORD)
        yield base, admin


def sheet_rows(driver, column):
    """The texts of one column of the open message sheet's table of attempts."""
    return [td.text for td in driver.find_elements(
        By.CSS_SELECTOR, f'{SHEET} tbody td[data-label="{column}"]')]


def test_a_failed_message_is_sent_again_from_its_sheet(browser, refusing_system,  # noqa: F811
                                                       tencent_server):  # noqa: F811
    base, admin = refusing_system
    order = admin.post("/api/work-orders", json={
        **ORDER, "community": "天宝社区", "reporter": {"name": "王秀梅", "phone": REFUSED_PHONE}})
    number = order.json()["number"]
    assert admin.post(f"/api/work-orders/{number}/accept", json={}).status_code == 200
    key = f"work_order_accepted|{number}"

    def refused():
        found = admin.get(f"/api/notifications/messages/{key}").json()
        return found if found.get("state") == "failed" else None
    failed = wait_until(refused, timeout=30, message="the message refused by the provider")
    assert failed["last_error"]["code"] == f"TENCENT_{NO_BALANCE}"

    browser.base = base
    browser.get(base + "/#/login")
    browser.delete_all_cookies()   # whoever the module's other system signed in
    browser.refresh()
    wait_for(browser, lambda d: d.find_elements(By.NAME, "username"))
    sign_in(browser, "admin", ADMIN_PASSWORD)
    go(browser, "/notifications/messages")
    row = wait_for(browser, lambda d: d.find_elements(
        By.CSS_SELECTOR, f'main tbody tr[data-id="{key}"]'), "the failed message")[0]
    assert "发送失败" in row.text
    row.find_element(By.CSS_SELECTOR, 'button[data-action="details"]').click()
    wait_for(browser, lambda d: sheet_rows(d, "结果") == ["失败"], "its one failed attempt")

    tencent_server.refuse = None   # the street has topped its SMS package up
    browser.find_element(By.CSS_SELECTOR,
                         f'{SHEET} button[data-action="retry"]').click()
    confirm = wait_for(browser, lambda d: d.find_element(
        By.CSS_SELECTOR, 'dialog.sheet[open][aria-label="重发"]'), "the confirmation")
    assert "工单已受理" in confirm.text
    confirm.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait_for(browser, lambda d: sheet_rows(d, "结果") == ["失败", "已发送"], "the new attempt")
    told = wait_for(browser, lambda d: d.find_elements(
        By.CSS_SELECTOR, f"{SHEET} .alert.ok"), "the result")[0]
    assert told.text.startswith("重发成功")
    sheet = browser.find_element(By.CSS_SELECTOR, SHEET)
    assert "已发送" in sheet.text and not sheet.find_elements(
        By.CSS_SELECTOR, 'button[data-action="retry"]')   # sent: nothing to send again
    screenshot(browser, "notification-retried")

    message = admin.get(f"/api/notifications/messages/{key}").json()
    assert message["state"] == "sent"
    assert [a["outcome"] for a in message["attempts_made"]] == ["failed", "sent"]
    sent = [r["body"] for r in tencent_server.requests]
    assert [(b["SessionContext"], b["PhoneNumberSet"]) for b in sent] == \
        [(key, ["+86" + REFUSED_PHONE])] * 2

    # Closed, the sheet leaves the list read again: the row says 已发送 and offers no 重发.
    sheet.find_element(By.CSS_SELECTOR, "button.close").click()
    wait_for(browser, lambda d: "已发送" in d.find_element(
        By.CSS_SELECTOR, f'main tbody tr[data-id="{key}"]').text, "the list read again")
    assert not browser.find_elements(
        By.CSS_SELECTOR, f'main tbody tr[data-id="{key}"] button[data-action="retry"]')
