"""In a real headless Chromium, from bad ratings stored as the rating service stores them: the
department lead calls the rater back (the number revealed to call), verifies, puts the fix on
the ledger for 5 working days, records it in time with its evidence; the rater is told and
called back again, and the rectification closes. A window clerk appeals another bad rating
from "my ratings"; the centre manager upholds it, and the rating stops counting in the scores."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases.tests.test_browser_walks import Desk
from onewindow.notify.backends import MemoryBackend
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.services import rectify
from onewindow.ratings.tests.rectify.conftest import fresh, rating_of
from onewindow.ratings.transitions import RectificationState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.NOTIFY_LANGUAGE = "en"
    settings.STAFF_SECOND_FACTOR_ROLES = []
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


def told() -> list[str]:
    return [
        text for to, text, _id in MemoryBackend.outbox if to == PHONE and "Rectification" in text
    ]


def test_the_department_fixes_on_the_ledger_and_the_manager_upholds_an_appeal(
    browser: Any, live_server: Any, instant_case: Any, lead: Any, manager: Any, city: Any
) -> None:
    rectification = Rectification.objects.get(rating=rating_of(instant_case, 1))
    appealed = Rectification.objects.get(rating=rating_of(instant_case, 2, key="visit:appeal"))

    desk = Desk(browser, live_server, lead)
    try:
        page = desk.go("/staff/")
        page.locator('a[data-workstation="ratings.rectifications"]').click()
        page.wait_for_url(re.compile(r"/staff/ratings/rectifications/$"))
        row = page.locator(f'tr[data-number="{rectification.number}"]')
        expect(row.locator(".light")).to_have_attribute("data-deadline", "callback")
        row.get_by_role("link", name=rectification.number).click()
        expect(page.locator("[data-phone]")).to_have_text("138****8000")
        page.locator("#reveal-phone").click()
        expect(page.locator("[data-phone]")).to_have_text(PHONE)

        page.locator('#move-verify input[value="reached"]').check()
        page.locator("#verify-finding").fill(
            "申请人反映高峰时段等候超过1小时，经调取叫号记录属实。"
        )
        page.locator("#submit-verify").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "verified")

        page.locator("#ledger-days").fill("5")
        page.locator("#ledger-plan").fill("高峰时段增开综合窗口")
        page.locator("#submit-ledger").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "ledger")
        expect(page.locator(".light[data-deadline=ledger]")).to_be_visible()
        desk.shot("rectification-ledger")

        page.locator("#submit_fix-summary").fill("每日9:00–11:00增开2个综合窗口")
        page.locator("#submit_fix-evidence").fill("窗口排班表（2026年12月）已公示，存中心办公室")
        page.locator("#submit-submit_fix").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "fixed")

        page.locator('#move-recheck input[name="level"][value="4"]').check()
        page.locator("#recheck-note").fill("申请人表示已明显改善")
        page.locator("#submit-recheck").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "closed")
        expect(page.locator(".timeline__event")).to_have_count(5)
        desk.shot("rectification-closed")
    finally:
        desk.close()
    row = fresh(rectification)
    assert (row.state, row.time_limit, row.recheck_level) == (RectificationState.CLOSED, 5, 4)
    assert row.events.get(action="submit_fix").data == {"in_time": True}
    due = timezone.localtime(row.due_at).date().isoformat()
    item, case = "城乡居民养老保险待遇核定", instant_case.number
    assert told() == [
        f"Thank you for rating {item} (case {case}). The problem you pointed out will be fixed "
        f"by {due}; we will call you when it is done. Rectification {row.number}.",
        f"The problem you pointed out about {item} (case {case}) has been fixed; we will call "
        f"you to check. Rectification {row.number}.",
    ]

    # The other bad rating is called back; the rated window clerk appeals it.
    rectify.rectification_verify(
        rectification=appealed,
        actor=lead,
        callback_result="not_reached",
        finding="三次致电未接通，已核查叫号记录",
        expected_revision=fresh(appealed).revision,
    )
    desk = Desk(browser, live_server, city.clerk)
    try:
        page = desk.go("/staff/")
        page.locator('a[data-workstation="ratings.mine"]').click()
        page.wait_for_url(re.compile(r"/staff/ratings/mine/$"))
        expect(page.get_by_text("陈大文")).to_have_count(0)
        mine = page.locator(f"#rating-{appealed.rating_id}")
        mine.locator("textarea[name=reason]").fill(
            "申请人所缺材料属办事指南明确要求，接待全程有录像为证。"
        )
        mine.get_by_role("button").click()
        page.wait_for_url(re.compile(r"/staff/ratings/mine/$"))
        expect(page.locator(f"#rating-{appealed.rating_id} .state")).to_have_class(
            re.compile("state--appealed")
        )
    finally:
        desk.close()

    desk = Desk(browser, live_server, manager)
    try:
        page = desk.go("/staff/")
        page.locator('a[data-workstation="ratings.appeals"]').click()
        page.wait_for_url(re.compile(r"/staff/ratings/appeals/$"))
        page.get_by_role("link", name=appealed.number).click()
        page.locator("#uphold_appeal-decision").fill("经调取录像，窗口接待规范，申诉成立。")
        page.locator("#submit-uphold_appeal").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "upheld")
        desk.shot("rectification-appeal-upheld")
    finally:
        desk.close()
    rating = Rating.objects.get(pk=appealed.rating_id)
    assert rating.counts_in_scores is False
    assert (
        rating.excluded_reason
        == f"申诉成立（{appealed.number}）：经调取录像，窗口接待规范，申诉成立。"
    )
