"""The department's pages in a real headless Chromium: a colleague acted first (the queue row
and the case page say the case changed, drawn afresh), and where the keyboard focus lands after
a claim in the queue and when a case opens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.cases.models import TaskOutcome
from onewindow.cases.services import case_accept, task_claim, task_complete
from onewindow.cases.tests.test_browser_walks import Desk
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANGED = "此办件已在别处更新（可能是同事，或您在另一个页面）。"


@pytest.fixture
def desk(browser, live_server) -> Iterator[Any]:
    opened: list[Desk] = []

    def open_desk(user: Any) -> Desk:
        opened.append(Desk(browser, live_server, user))
        return opened[-1]

    yield open_desk
    for each in opened:
        each.close()


@pytest.fixture
def review(city):
    case = case_accept(intake=city.intake())
    department = city.lead_department
    colleague = staff_with_role(Role.DEPT_APPROVER, department=department)
    task = case.tasks.get(kind="review", department=department)
    return case, task, city.approvers[department.pk], colleague


def colleague_approves(task: Any, colleague: Any) -> None:
    task_claim(task=task, actor=colleague)
    task.refresh_from_db()
    task_complete(task=task, actor=colleague, outcome=TaskOutcome.APPROVE, opinion="同意")


def test_a_claim_in_the_queue_after_a_colleague_finished_says_the_case_changed(desk, review):
    case, task, approver, colleague = review
    page = desk(approver).go("/staff/cases/queue/")
    row = page.locator(f"#task-{task.pk}")
    expect(row.get_by_role("button", name="认领")).to_be_visible()
    colleague_approves(task, colleague)

    row.get_by_role("button", name="认领").click()
    alert = page.locator(f"#task-{task.pk} [role=alert]")
    expect(alert).to_contain_text(CHANGED)
    expect(alert).to_be_focused()
    expect(page.locator(f"#task-{task.pk} button")).to_have_count(0)
    page.locator(f"#task-{task.pk} a", has_text=case.number).click()
    expect(page.locator("#case-heading")).to_contain_text(case.number)
    expect(page.locator(f"#task-action-{task.pk}")).to_have_count(0)


def test_a_claim_on_the_case_page_after_a_colleague_finished_says_the_case_changed(desk, review):
    case, task, approver, colleague = review
    page = desk(approver).go(f"/staff/cases/{case.number}/")
    claim = page.locator(f"#task-action-{task.pk}").get_by_role("button", name="认领")
    expect(claim).to_be_focused()  # opening a case: the first action has the keyboard
    colleague_approves(task, colleague)
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text(CHANGED)
    expect(summary).to_be_focused()
    expect(page.locator(f"#task-action-{task.pk}")).to_have_count(0)


def test_after_a_claim_in_the_queue_the_focus_is_on_the_claimed_case(desk, review):
    _case, task, approver, _colleague = review
    page = desk(approver).go("/staff/cases/queue/")
    page.locator(f"#task-{task.pk}").get_by_role("button", name="认领").focus()
    page.keyboard.press("Enter")
    work = page.locator(f"#task-{task.pk}").get_by_role("link", name="办理")
    expect(work).to_be_focused()
    page.keyboard.press("Enter")
    # The case opens on the claimed task's opinion, ready to type.
    expect(page.locator(f"#opinion-{task.pk}")).to_be_focused()
    page.keyboard.type("同意")
    expect(page.locator(f"#opinion-{task.pk}")).to_have_value("同意")


def test_a_case_with_nothing_for_the_user_to_do_opens_with_the_focus_on_its_heading(
    desk, review, city
):
    case, _task, _approver, _colleague = review
    page = desk(city.clerk).go(f"/staff/cases/{case.number}/")
    expect(page.locator("#case-heading")).to_be_focused()
