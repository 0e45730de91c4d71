"""The whole 好差评 story of issue 10 in one real headless Chromium walk, each step through
the pages its user has:

1. a citizen rates a delivered case 非常不满意 from the SMS link, on a phone;
2. the responsible department's lead is given the call-back, reveals the number, verifies,
   puts the fix on the ledger and records it in time; the citizen is told and called back;
3. the published results page and table (1) of the month show the bad rating and its fix;
4. a window clerk appeals another bad rating, the centre manager upholds it, and the clerk's
   score in the staff ranking (table 3) changes as the assessment computes it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from onewindow.assess.tables import Period, Unit, staff_table
from onewindow.cases.notifications import message_for_event
from onewindow.cases.tests.test_browser_walks import Desk
from onewindow.cases.tests.test_progress import delivered_lift_case
from onewindow.core import crypto
from onewindow.notify.backends import MemoryBackend
from onewindow.notify.models import TEXT_CONTEXT, Notification
from onewindow.org.models import Role
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.services import rectify
from onewindow.ratings.tests.conftest import rating_of
from onewindow.ratings.transitions import RectificationState
from onewindow.testing.factories import staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "13800138000"
FIX = "每日9:00–11:00增开2个综合窗口"


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.NOTIFY_LANGUAGE = "zh-hans"
    settings.STAFF_SECOND_FACTOR_ROLES = []
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


def clerk_row(unit: Unit, period: Period, user: Any) -> Any:
    return {row.user_id: row for row in staff_table(unit=unit, period=period).rows}[user.pk]


def test_from_a_bad_rating_on_a_phone_to_the_tables_and_an_upheld_appeal(
    browser: Any, live_server: Any, phone_page: Any, city: Any, instant_case: Any, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = live_server.url
    case = delivered_lift_case(city)
    department = city.lead_department
    # The department's other lead: the city's lead decided the case, so is rated in it and may
    # neither see nor work its rectification.
    lead = staff_with_role(Role.DEPT_LEAD, department=department)
    manager = staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre)
    period = Period.of(timezone.localtime())
    unit = Unit.of_centre(city.street_centre)

    # 1. The SMS of the hand-over carries the rating link; the citizen rates on the phone.
    with translation.override("zh-hans"):
        _code, text = message_for_event(case.events.get(action="deliver"))
    url = re.search(r"评价：(\S+)$", text).group(1)
    phone_page.goto(url)
    phone_page.locator('button.rate-level[data-level="1"]').click()
    phone_page.wait_for_selector("#rate-form")
    phone_page.locator('label.rate-option:has(input[value="slow"])').click()
    phone_page.fill("#rate-comment", "等了一个多小时。")
    phone_page.locator("#rate-send").click()
    phone_page.wait_for_selector("#rate-thanks")
    rating = Rating.objects.get(case=case)
    rectification = Rectification.objects.get(rating=rating)
    assert (rating.level, rating.channel, rectification.department) == (1, "sms", department)

    # 2. The department lead calls back, verifies, puts it on the ledger and fixes it in time.
    desk = Desk(browser, live_server, lead)
    try:
        page = desk.go("/staff/")
        page.locator('a[data-workstation="ratings.rectifications"]').click()
        page.locator(f'tr[data-number="{rectification.number}"]').get_by_role(
            "link", name=rectification.number
        ).click()
        expect(page.locator("[data-phone]")).to_have_text("138****8000")
        page.locator("#reveal-phone").click()
        expect(page.locator("[data-phone]")).to_have_text(PHONE)
        page.locator('#move-verify input[value="reached"]').check()
        page.locator("#verify-finding").fill("高峰时段等候超过1小时，叫号记录属实。")
        page.locator("#submit-verify").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "verified")
        page.locator("#ledger-days").fill("5")
        page.locator("#ledger-plan").fill("高峰时段增开综合窗口")
        page.locator("#submit-ledger").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "ledger")
        page.locator("#submit_fix-summary").fill(FIX)
        page.locator("#submit_fix-evidence").fill("窗口排班表已公示")
        page.locator("#submit-submit_fix").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "fixed")
        page.locator('#move-recheck input[name="level"][value="4"]').check()
        page.locator("#recheck-note").fill("申请人表示已改善")
        page.locator("#submit-recheck").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "closed")
    finally:
        desk.close()
    rectification.refresh_from_db()
    assert rectification.state == RectificationState.CLOSED
    assert rectification.events.get(action="submit_fix").data == {"in_time": True}
    # The rater is told twice (the ledger with its deadline, then the fix): the outbox holds
    # the two messages (their delivery by the outbox is notify's, tested there).
    told = [
        (code, crypto.decrypt(text, context=TEXT_CONTEXT))
        for code, text in Notification.objects.filter(
            subject_type="ratings.rectification", subject_id=str(rectification.pk)
        )
        .order_by("id")
        .values_list("template_code", "text_encrypted")
    ]
    assert [code for code, _text in told] == ["ratings.ledger", "ratings.submit_fix"]
    assert all(rectification.number in text for _code, text in told)

    # 3. The published page of the department and table (1) show the bad rating and its fix.
    public = browser.new_page()
    try:
        public.goto(f"{live_server.url}/ratings/results/departments/{department.pk}/")
        row = public.locator(f"#item-{city.lift.pk}")
        assert row.locator("td").all_inner_texts()[1:] == ["1", "0.0 %", "1", "100.0 %"]
        expect(public.locator("#fixes-heading")).to_be_visible()
        expect(public.get_by_text(FIX)).to_have_count(1)
        assert "陈大文" not in public.locator("body").inner_text()
    finally:
        public.close()

    # 4. Another bad rating of the window clerk, called back; the clerk appeals it.
    appealed = Rectification.objects.get(rating=rating_of(instant_case, 2, key="visit:appeal"))
    rectify.rectification_verify(
        rectification=appealed,
        actor=manager,
        callback_result="not_reached",
        finding="三次致电未接通",
        expected_revision=appealed.revision,
    )
    before = clerk_row(unit, period, city.clerk)
    # The clerk is rated twice: 非常不满意 (the lift case's hand-over) and 不满意 (the visit).
    assert (before.rated, before.rating_average, before.excluded) == (2, Decimal("1.5"), 0)
    desk = Desk(browser, live_server, manager)
    try:
        page = desk.go(f"/staff/assess/?unit={unit.key}&month={period.key}")
        row = page.locator(f'#assess-ratings-table tr[data-department="{department.pk}"]')
        expect(row.locator('a[data-figure="bad"]')).to_have_text("1")
        expect(row.locator('a[data-figure="rectified"]')).to_have_text("1")
        expect(row.locator('a[data-figure="rectify_overdue"]')).to_have_text("0")
        page.goto(f"{live_server.url}/staff/assess/ranking/?unit={unit.key}&month={period.key}")
        score = page.locator(f'#assess-ranking-table tr[data-user="{city.clerk.pk}"] [data-score]')
        expect(score).to_have_text(str(before.score))
    finally:
        desk.close()

    desk = Desk(browser, live_server, city.clerk)
    try:
        page = desk.go("/staff/ratings/mine/")
        mine = page.locator(f"#rating-{appealed.rating_id}")
        mine.locator("textarea[name=reason]").fill("所缺材料属办事指南明确要求，有录像为证。")
        mine.get_by_role("button").click()
        expect(page.locator(f"#rating-{appealed.rating_id} .state")).to_have_class(
            re.compile("state--appealed")
        )
    finally:
        desk.close()

    desk = Desk(browser, live_server, manager)
    try:
        page = desk.go("/staff/ratings/appeals/")
        page.get_by_role("link", name=appealed.number).click()
        page.locator("#uphold_appeal-decision").fill("经调取录像，接待规范，申诉成立。")
        page.locator("#submit-uphold_appeal").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "upheld")
        # Without the appealed 不满意 the clerk's average is the 非常不满意 alone: lower.
        after = clerk_row(unit, period, city.clerk)
        assert (after.rated, after.rating_average, after.excluded) == (1, Decimal("1"), 1)
        assert after.score < before.score
        page.goto(f"{live_server.url}/staff/assess/ranking/?unit={unit.key}&month={period.key}")
        score = page.locator(f'#assess-ranking-table tr[data-user="{city.clerk.pk}"] [data-score]')
        expect(score).to_have_text(str(after.score))
    finally:
        desk.close()
    assert Rating.objects.get(pk=appealed.rating_id).counts_in_scores is False
