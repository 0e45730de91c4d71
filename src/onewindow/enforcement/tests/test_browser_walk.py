"""An illegal building through comprehensive enforcement, in a real headless Chromium, at
phone size and at a desk: the dispatcher opens the task (``task_open``, as a grid case's
dispatch does); an officer opens it from the team's queue, records the inspection with two
officers and a company as the party (with a photo), issues the rectification notice; the
deadline passes; the officer re-inspects and finds it not rectified; the team's lead decides a
fine on the company; the task concludes and the decision prints."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases.tests.test_browser_walks import DESKTOP, Desk
from onewindow.enforcement.models import EnforcementTask, RectificationNotice
from onewindow.enforcement.selectors import company_penalties
from onewindow.enforcement.tests.conftest import COMPANY_USCC, PHOTO_PNG
from onewindow.testing.browser import PHONE_VIEWPORT
from onewindow.workflow.clock import end_of_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []
    cache.clear()
    yield
    cache.clear()


def fits(page: Any) -> None:
    """Nothing wider than the screen (no sideways scrolling on a phone)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def walk_to_a_fine(browser: Any, live_server: Any, scene: Any, task: Any, viewport: dict) -> None:
    """On the pages: inspection with two officers and a company, notice, deadline passed,
    re-inspection not rectified, the lead's fine, the decision printed (``scene``: an
    enforcement scene with officer, officer2, officer3 and lead)."""
    officer = Desk(browser, live_server, scene.officer, viewport)
    lead = None
    try:
        page = officer.go("/staff/enforcement/")
        page.locator(f'tr[data-number="{task.number}"] a').click()
        page.wait_for_selector("#move-inspect")
        fits(page)

        # 现场检查: two officers (the officer is ticked already), a violation, the company.
        page.check(f"#inspect-officer-{scene.officer2.pk}")
        page.check("#inspect-violation-yes")
        page.fill("#inspect-findings", "天台东侧新建铁皮房约30平方米，现场未能出示规划许可。")
        page.check("#party-company")
        page.fill("#party-name", "广州市荔湾区多宝餐饮有限公司")
        page.fill("#party-uscc", COMPANY_USCC)
        page.fill("#party-representative", "李大明")
        page.set_input_files(
            "#inspect-photos",
            files=[{"name": "roof.png", "mimeType": "image/png", "buffer": PHOTO_PNG}],
        )
        page.locator("#submit-inspect").click()
        page.wait_for_selector("#move-notify")
        expect(page.locator('h1 [data-state="inspected"]')).to_be_visible()
        expect(page.locator("#record-inspection [data-uscc]")).to_have_text(COMPANY_USCC)
        expect(page.locator("#record-inspection .photo-list a")).to_have_count(1)

        # 责令整改通知: ten days to pull it down.
        deadline = timezone.localdate() + dt.timedelta(days=10)
        page.fill("#notify-deadline", deadline.isoformat())
        page.fill("#notify-requirements", "限期自行拆除天台铁皮房，恢复原状。")
        page.fill("#notify-law", "广州市违法建设查处条例")
        page.fill("#notify-article", "第二十条")
        page.locator("#submit-notify").click()
        page.wait_for_selector("#move-reinspect")
        expect(page.locator("#record-notice [data-notice-number]")).to_contain_text("荔综执改字")
        fits(page)

        # The deadline passes (the notice was served twelve days ago, due yesterday).
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        RectificationNotice.objects.filter(task=task).update(
            issued_at=timezone.now() - dt.timedelta(days=12), deadline=yesterday
        )
        EnforcementTask.objects.filter(pk=task.pk).update(rectify_due_at=end_of_day(yesterday))

        # 复查: still there.
        page.reload()
        page.check(f"#reinspect-officer-{scene.officer3.pk}")
        page.check("#reinspect-rectified-no")
        page.fill("#reinspect-findings", "铁皮房仍在，当事人未按期拆除。")
        page.locator("#submit-reinspect").click()
        page.wait_for_selector("#record-reinspection")
        expect(page.locator('h1 [data-state="to_penalise"]')).to_be_visible()
        expect(page.locator("#move-penalise")).to_have_count(0)

        # The team's lead decides a fine on the company.
        lead = Desk(browser, live_server, scene.lead, viewport)
        page = lead.go("/staff/enforcement/")
        page.locator(f'tr[data-number="{task.number}"] a').click()
        page.wait_for_selector("#move-penalise")
        page.fill("#penalise-law", "广州市违法建设查处条例")
        page.fill("#penalise-article", "第二十二条")
        page.fill(
            "#penalise-facts", "当事人未经规划许可在天台搭建铁皮房，经责令限期拆除逾期未拆除。"
        )
        page.select_option("#penalise-kind", "fine")
        page.fill("#penalise-amount", "20000")
        page.locator("#submit-penalise").click()
        page.wait_for_selector("#record-penalty")
        expect(page.locator('h1 [data-state="concluded"]')).to_be_visible()
        expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "penalised")
        fits(page)
        page.locator("#decision-print").click()
        page.wait_for_selector("#decision")
        expect(page.locator("[data-penalty]")).to_contain_text("人民币20000.00元")
        expect(page.locator("#decision")).to_contain_text(COMPANY_USCC)
        fits(page)
    finally:
        officer.close()
        if lead is not None:
            lead.close()


@pytest.mark.parametrize("viewport", [PHONE_VIEWPORT, DESKTOP], ids=["phone", "desktop"])
def test_an_illegal_building_is_inspected_notified_reinspected_and_fined(
    browser: Any, live_server: Any, scene: Any, viewport: dict
) -> None:
    task = scene.task()
    walk_to_a_fine(browser, live_server, scene, task, viewport)
    task.refresh_from_db()
    assert (task.state, task.outcome) == ("concluded", "penalised")
    assert [e.action for e in task.events.order_by("at", "id")] == [
        "open",
        "inspect",
        "notify",
        "reinspect_unrectified",
        "penalise",
    ]
    (decision,) = company_penalties(uscc=COMPANY_USCC)
    assert (decision.task, str(decision.amount), decision.disclosable) == (task, "20000.00", True)
    assert set(task.inspection.officers.all()) == {scene.officer, scene.officer2}
    assert set(task.reinspection.officers.all()) == {scene.officer, scene.officer3}
