"""The staff shell in a real headless Chromium (Debian's, never downloaded): from the public home
to the workstation, and the Chinese 404, 403 and 500 pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from onewindow.org.models import Role
from onewindow.staff.tests.conftest import PASSWORD
from onewindow.testing.factories import staff_with_role

SCREENSHOTS = Path("/tmp")
DESKTOP = {"width": 1366, "height": 900}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # The site's URLs plus one test-only page that fails, for the 500 page.
    pytest.mark.urls("onewindow.staff.tests.urls"),
]


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"onewindow-shell-{name}.png"), full_page=True)


def test_from_the_public_home_to_the_workstation_and_the_error_pages(
    desk, live_server, centre, department
):
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=centre)
    page = desk

    # The public home: 工作人员登录 leads to the staff sign-in, not the admin login.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="工作人员登录").click()
    page.wait_for_url(f"{live_server.url}/staff/sign-in/")
    expect(page.locator("h1")).to_have_text("工作人员登录")
    expect(page.locator("#id_username")).to_be_focused()

    # A wrong password: told in Chinese and English, nothing typed in the name lost.
    page.locator("#id_username").fill(clerk.username)
    page.locator("#id_password").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    error = page.get_by_role("alert")
    expect(error).to_contain_text("用户名或密码错误。请检查两者（区分大小写）后重试。")
    expect(error).to_contain_text("Wrong user name or password.")
    expect(page.locator("#id_username")).to_have_value(clerk.username)
    shot(page, "sign-in-error")

    # The right password lands on the workstation home with the clerk's workstations.
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/staff/")
    expect(page.locator("h1")).to_have_text("工作台首页")
    cards = page.locator(".staff-tile")
    expect(cards).to_have_count(6)
    expect(cards.nth(0)).to_have_attribute("data-workstation", "cases.intake")
    expect(cards.nth(0).locator(".staff-tile__name")).to_have_text("综合受理")
    expect(cards.nth(1).locator(".staff-tile__name")).to_have_text("预审")
    expect(cards.nth(2).locator(".staff-tile__name")).to_have_text("窗口叫号")
    expect(cards.nth(3).locator(".staff-tile__name")).to_have_text("统一出件")
    expect(cards.nth(4).locator(".staff-tile__name")).to_have_text("我的评价")
    expect(cards.nth(5).locator(".staff-tile__name")).to_have_text("电话代约")
    expect(page.locator(".staff-nav a[aria-current=page]")).to_have_text("工作台首页")
    shot(page, "home")

    # The intake workstation opens at the clerk's only window.
    cards.nth(0).click()
    page.wait_for_url(f"{live_server.url}/staff/cases/intake/")
    expect(page.locator(".staff-nav a[aria-current=page]")).to_have_text("综合受理")
    expect(page.locator(".desk-bar__where strong")).to_have_text("测试街道中心")
    expect(page.locator("#id_number")).to_be_focused()

    # A case that does not exist, and an address that does not exist: the Chinese 404.
    response = page.goto(f"{live_server.url}/staff/cases/4401039999999999999/")
    assert response is not None and response.status == 404
    expect(page.locator("h1 [lang=zh-Hans]")).to_have_text("找不到该内容，或您无权查看。")
    expect(page.locator("h1 [lang=en]")).to_have_text("Not found, or you may not see it.")
    expect(page).to_have_title("页面不存在 · 一窗通 OneWindow")
    expect(page.locator(".staff-nav")).to_be_visible()
    shot(page, "404")
    response = page.goto(f"{live_server.url}/staff/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.locator("h1 [lang=zh-Hans]")).to_have_text("找不到该内容，或您无权查看。")
    page.get_by_role("link", name="返回工作台首页").click()
    page.wait_for_url(f"{live_server.url}/staff/")

    # A workstation the clerk's role does not open: the Chinese 403.
    response = page.goto(f"{live_server.url}/staff/cases/queue/")
    assert response is not None and response.status == 403
    expect(page).to_have_title("无权访问 · 一窗通 OneWindow")
    expect(page.locator("h1 [lang=zh-Hans]")).to_have_text("您无权执行此操作。")
    expect(page.locator("h1 [lang=en]")).to_have_text("You are not allowed to do this.")
    shot(page, "403")

    # The same page in English keeps Chinese first, English beneath.
    page.goto(f"{live_server.url}/en/staff/cases/queue/")
    expect(page).to_have_title("Not allowed · 一窗通 OneWindow")
    expect(page.locator("h1 [lang=zh-Hans]")).to_have_text("您无权执行此操作。")

    # A page that fails: the 500 page, with no context and no database.
    response = page.goto(f"{live_server.url}/test-only/crash/")
    assert response is not None and response.status == 500
    expect(page).to_have_title("系统出错 · 一窗通 OneWindow")
    expect(page.locator("h1 [lang=zh-Hans]")).to_have_text("系统出错了。")
    expect(page.locator("h1 [lang=en]")).to_have_text("Something went wrong on our side.")
    shot(page, "500")

    # Signing out comes back to the sign-in page.
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{live_server.url}/staff/sign-in/")
    expect(page.get_by_role("status")).to_have_text("您已退出登录。")
    assert re.search(r"/staff/sign-in/$", page.url)
