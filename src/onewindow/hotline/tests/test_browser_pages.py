"""The hotline's pages in a real headless Chromium:

1. on a phone, a citizen files a street light report on the web form, reads the number and the
   query code once; the hotline accepts and dispatches it, the unit signs and replies (services);
   the citizen follows the order and reads the reply;
2. at a desk, the unit signs for an order and returns it (wrongly dispatched) with a reason,
   and replies to a second one with the handling form.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from onewindow.cases.tests.test_browser_walks import Desk
from onewindow.hotline.codes import Channel, Truth
from onewindow.hotline.models import HandlingReply, WorkOrder
from onewindow.hotline.services import (
    ReplyInput,
    order_dispatch,
    order_reply,
    order_sign,
    order_take,
    submitted_take,
)
from onewindow.hotline.tests.conftest import caller, light_input

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REPLY = "您反映的沙面大街52号路灯已更换灯泡，恢复照明。"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []
    cache.clear()
    yield
    cache.clear()


def test_a_citizen_reports_a_street_light_on_a_phone_and_reads_the_reply(
    live_server: Any, phone_page: Any, scene: Any
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/12345/")
    page.select_option("#hotline-type", "help")
    page.fill("#hotline-title", "沙面大街路灯不亮")
    page.fill("#hotline-content", "沙面大街52号门口的路灯一连三晚不亮，晚上路很黑。")
    page.fill("#hotline-place", "沙面大街52号")
    page.select_option("#hotline-street", "440103001000")
    page.fill("#hotline-phone", "13800138000")
    page.fill("#hotline-name", "陈先生")
    page.locator("#hotline-submit").click()
    page.wait_for_selector("#hotline-thanks")
    number = page.locator("#thanks-number").inner_text().strip()
    code = page.locator("#thanks-code").inner_text().strip()
    order = WorkOrder.objects.get(number=number)
    assert (order.channel, order.state, order.query_code) == (Channel.WEB, "submitted", code)
    # Shown once: a reload has the number and the code no more.
    page.reload()
    expect(page.locator("#thanks-gone")).to_be_visible()
    assert code not in page.content()

    # The hotline accepts and dispatches it; the unit signs and replies.
    order = submitted_take(
        actor=scene.agent, order=order, expected_revision=order.revision, category_code="0101"
    )
    order = order_dispatch(
        actor=scene.agent, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
    )
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    order_reply(
        actor=scene.cgj_staff,
        order=order,
        expected_revision=order.revision,
        reply=ReplyInput(truth=Truth.TRUE, solved=True, handling="更换灯泡。", public_reply=REPLY),
    )

    page.goto(f"{live_server.url}/12345/track/")
    page.fill("#track-number", number)
    page.fill("#track-code", code)
    page.locator("#track-submit").click()
    page.wait_for_selector(f'[data-number="{number}"]')
    expect(page.locator(f"#reply-{number}")).to_contain_text(REPLY)
    expect(page.locator('[data-state="replied"]')).to_be_visible()
    assert "更换灯泡。" not in page.content()


def test_a_unit_signs_returns_one_order_and_replies_to_another_at_a_desk(
    browser: Any, live_server: Any, scene: Any
) -> None:
    def dispatched(title: str) -> WorkOrder:
        order = order_take(actor=scene.agent, data=light_input(title=title), caller=caller())
        return order_dispatch(
            actor=scene.agent, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
        )

    wrong = dispatched("小区内楼道灯不亮")
    light = dispatched("沙面大街路灯不亮")
    desk = Desk(browser, live_server, scene.cgj_staff)
    try:
        page = desk.go("/staff/hotline/unit/")
        expect(page.locator(f'tr[data-number="{wrong.number}"]')).to_be_visible()
        expect(page.locator(f'tr[data-number="{light.number}"]')).to_be_visible()

        # The first: signed for, then returned — the hallway light is the property company's.
        page.locator(f'tr[data-number="{wrong.number}"] a').click()
        page.locator("#submit-sign").click()
        page.wait_for_selector("#move-reply")
        expect(page.locator('h1 [data-state="handling"]')).to_be_visible()
        page.fill("#return-reason", "楼道灯属小区物业管理，应转住建局督促物业。")
        page.locator("#submit-return").click()
        page.wait_for_url(f"{live_server.url}/staff/hotline/unit/")
        expect(page.locator(f'tr[data-number="{wrong.number}"]')).to_have_count(0)
        wrong.refresh_from_db()
        assert (wrong.state, wrong.returns_count) == ("to_dispatch", 1)

        # The second: signed for and replied with the handling form (not solved needs a reason).
        page.locator(f'tr[data-number="{light.number}"] a').click()
        page.locator("#submit-sign").click()
        page.wait_for_selector("#move-reply")
        page.select_option("#reply-truth", "true")
        page.locator("#reply-solved-no").check()
        page.fill("#reply-handling", "已派维修班组检查线路。")
        page.fill("#reply-public", REPLY)
        page.locator("#submit-reply").click()
        expect(page.locator('[data-field="unsolved_reason"]')).to_be_visible()
        page.locator("#reply-solved-yes").check()
        page.locator("#submit-reply").click()
        page.wait_for_selector('[data-round="1"]')
        expect(page.locator('h1 [data-state="replied"]')).to_be_visible()
        reply = HandlingReply.objects.get(order=light)
        assert (reply.solved, reply.public_reply) == (True, REPLY)
    finally:
        desk.close()
