"""Accept refused for a 容缺 paper without the applicant's promise: the error summary at the top
names the paper and the missing promise (real Chromium)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases.models import Case
from onewindow.cases.tests.test_browser_walks import (
    Desk,
    choose_window,
    mark_received,
    read_id_and_pick_item,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEFERRED = "房屋安全鉴定报告"
SUMMARY_ZH = (
    f"以下容缺后补材料缺少申请人签署的承诺书：{DEFERRED}。"
    "申请人签署后，请勾选“申请人已签署容缺材料补交承诺书”。"
)
SUMMARY_EN = (
    f"The applicant's signed promise (承诺书) is missing for the papers to be supplied later "
    f"(容缺): {DEFERRED}. Tick “The applicant signed the promise” once it is signed."
)


@pytest.fixture
def desk(browser, live_server) -> Iterator[Any]:
    opened: list[Desk] = []

    def open_desk(user: Any) -> Desk:
        opened.append(Desk(browser, live_server, user))
        return opened[-1]

    yield open_desk
    for each in opened:
        each.close()


def checklist_with_a_deferred_paper(page: Any) -> None:
    choose_window(page, "01")
    read_id_and_pick_item(page, "电梯", "既有住宅增设电梯")
    mark_received(page)
    report = page.locator(".paper", has_text=DEFERRED)
    report.locator("input[value=deferred]").check()
    due = timezone.localdate() + dt.timedelta(days=3)
    report.locator("input[type=date]").fill(due.isoformat())


def test_a_missing_promise_is_named_in_the_summary_with_its_paper(desk, city):
    page = desk(city.clerk).go("/staff/cases/intake/")
    checklist_with_a_deferred_paper(page)
    page.get_by_role("button", name=re.compile(r"^(Accept|受理)")).first.click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(SUMMARY_ZH)
    expect(summary).to_contain_text(SUMMARY_EN)
    expect(summary).not_to_contain_text("有材料缺失或不符合要求")
    expect(page.locator(".promise .field-error")).to_be_visible()
    assert Case.objects.count() == 0


def test_with_another_problem_too_the_summary_lists_the_promise_as_well(desk, city):
    page = desk(city.clerk).go("/staff/cases/intake/")
    checklist_with_a_deferred_paper(page)
    page.locator(".paper", has_text="业主表决意见书").locator("input[value=missing]").check()
    page.get_by_role("button", name=re.compile(r"^(Accept|受理)")).first.click()
    summary = page.locator("#error-summary")
    expect(summary.locator("li").first).to_have_text(f"{SUMMARY_ZH} / {SUMMARY_EN}")
    assert Case.objects.count() == 0
