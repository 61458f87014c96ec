"""The console's 通知 pages in a browser, on one system and one browser for the module: a
street admin sees the message of an accepted report in 通知发送记录 and 消息记录 by its names
(工单已受理, 已发送, 短信), never the codes behind them."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import wait_until
from tests.integration.gateway.conftest import ADMIN_PASSWORD
from tests.integration.gateway.console_browser import (  # noqa: F401 - fixtures
    browser, go, sign_in, wait_for)
from tests.integration.gateway.samples.repair import ORDER

PHONE = "13912345602"


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
