"""The progress page's next-step sentence agrees with the papers it lists: a case accepted with
a 容缺 paper still to bring does not say "nothing to do" (a phone, real Chromium)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from onewindow.cases.models import MaterialStatus
from onewindow.cases.selectors import case_public_progress
from onewindow.cases.services import MaterialReceipt, case_accept, case_supplement_received

pytestmark = pytest.mark.browser

DEFERRED = "房屋安全鉴定报告"


def look_up(live_server, page, case) -> None:
    page.goto(f"{live_server.url}/progress/")
    page.fill("#progress-number", case.number)
    page.fill("#progress-code", case.query_code)
    page.locator("form.progress-form button[type=submit]").click()
    page.wait_for_selector(".timeline")


def test_a_rongque_paper_due_is_the_next_step_not_nothing_to_do(live_server, phone_page, city):
    due = timezone.localdate() + dt.timedelta(days=4)
    receipts = city.receipts(
        **{DEFERRED: MaterialReceipt(name=DEFERRED, status=MaterialStatus.DEFERRED, due_date=due)}
    )
    case = case_accept(intake=city.intake(materials=receipts, promise_signed=True))
    look_up(live_server, phone_page, case)
    box = phone_page.locator(".progress-next")
    assert box.locator("p").first.inner_text() == (
        f"请在 {due.isoformat()} 前将您承诺容缺后补的材料（见下方列表）交到窗口；"
        "材料到齐后方可作出决定。"
    )
    assert phone_page.locator(".progress-papers__name").all_inner_texts() == [DEFERRED]
    assert "现在不需要您做什么" not in box.inner_text()
    with translation.override("en"):
        progress = case_public_progress(number=case.number, query_code=case.query_code)
    assert progress.next_for_applicant == (
        f"Bring the papers you promised (容缺, listed below) to the window by {due.isoformat()}; "
        "the decision waits for them."
    )

    # The paper arrives: nothing is listed, and now there is nothing to do.
    case_supplement_received(case=case, actor=city.clerk, receipts=[MaterialReceipt(name=DEFERRED)])
    look_up(live_server, phone_page, case)
    assert phone_page.locator(".progress-papers__name").count() == 0
    with translation.override("zh-hans"):
        nothing = translation.gettext("Nothing to do now; we will tell you at each step.")
    assert phone_page.locator(".progress-next p").first.inner_text() == nothing
