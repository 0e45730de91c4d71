"""The hotline centre in one real headless Chromium walk at desktop size: an agent types a
street-light call and accepts it with Alt+1, dispatches it with the proposal pre-filled, and a
second agent answers a consultation directly with a canned answer and Alt+2. The call screen
and the order page pass axe."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.cases.tests.test_browser_walks import DESKTOP, PASSWORD, Desk
from onewindow.config.tests.test_accessibility import axe_violations
from onewindow.hotline.models import WorkOrder
from onewindow.hotline.services import order_take
from onewindow.hotline.tests.conftest import caller, light_input

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_walk(browser: Any, live_server: Any, user: Any, paths: list[str]) -> dict[str, Any]:
    """Each page's blocking axe violations, in a context without the CSP (axe is injected)."""
    context = browser.new_context(
        viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/sign-in/?next=/staff/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/staff/$"))
    found = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        found[path] = axe_violations(page, care=False)
    context.close()
    return found


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


def test_an_agent_takes_and_dispatches_a_call_and_another_answers_one(
    browser: Any, live_server: Any, scene: Any
) -> None:
    first = Desk(browser, live_server, scene.agent)
    page = first.go("/staff/hotline/call/")
    expect(page.locator("h1")).to_have_text("来电受理")
    page.locator("#call-phone").fill("13800138000")
    page.locator("#call-name").fill("陈先生")
    page.locator("#call-type").select_option("help")
    page.locator("#call-category").select_option("0101")
    page.locator("#call-title").fill("沙面大街路灯不亮")
    page.locator("#call-content").fill("沙面大街52号门口的路灯一连三晚不亮。")
    page.locator("#call-place").fill("沙面大街52号")
    page.locator("#call-region").select_option("440103001001")
    # The phone's history came in by htmx (no earlier order: the empty note).
    expect(page.locator("#caller-history .empty")).to_have_text("该号码没有历史工单或办件。")
    page.keyboard.press("Alt+1")
    page.wait_for_url(re.compile(r"/staff/hotline/orders/GD\d{14}/$"))
    order = WorkOrder.objects.get()
    expect(page.locator("[data-state]")).to_have_attribute("data-state", "to_dispatch")
    expect(page.locator(".proposal")).to_have_attribute("data-source", "catalogue")
    expect(page.locator("#dispatch-lead")).to_have_value(str(scene.cgj.pk))
    expect(page.locator("#dispatch-category")).to_have_value("0101")
    page.locator("#dispatch-note").fill("请尽快修复。")
    page.locator("#dispatch button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/staff/hotline/orders/{order.number}/$"))
    expect(page.locator("[data-state]")).to_have_attribute("data-state", "dispatched")
    expect(page.locator(".message").first).to_contain_text("工单已派出。")
    order.refresh_from_db()
    assert (order.state, order.lead_unit_id) == ("dispatched", scene.cgj.pk)
    first.close()

    second = Desk(browser, live_server, scene.agent2)
    page = second.go("/staff/hotline/call/")
    page.locator("#call-phone").fill("13900139000")
    page.locator("#call-type").select_option("consult")
    page.locator("#call-title").fill("咨询办公时间")
    page.locator("#call-content").fill("想问政务服务中心几点开门。")
    page.get_by_role("button", name="办公时间").click()
    expect(page.locator("#call-answer")).to_have_value(re.compile("^您好，政务服务中心的办公时间"))
    page.keyboard.press("Alt+2")
    page.wait_for_url(re.compile(r"/staff/hotline/call/$"))
    expect(page.locator(".message").first).to_contain_text("已记录答复，工单已办结。")
    answered = WorkOrder.objects.exclude(pk=order.pk).get()  # before the next one is taken
    assert (answered.state, answered.closure, answered.taken_by_id) == (
        "closed",
        "direct_answer",
        scene.agent2.pk,
    )
    second.close()

    # An order to dispatch: its page carries the dispatch, duplicates and split forms.
    waiting = order_take(actor=scene.agent, data=light_input(), caller=caller())
    pages = [
        "/staff/hotline/call/",
        f"/staff/hotline/orders/{waiting.number}/",
        f"/staff/hotline/orders/{order.number}/",
        f"/staff/hotline/orders/{answered.number}/",
        "/staff/hotline/supervision/",
        "/staff/hotline/wallboard/",
    ]
    assert axe_walk(browser, live_server, scene.agent, pages) == {path: [] for path in pages}
