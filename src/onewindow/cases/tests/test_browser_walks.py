"""The staff walk a real case through the pages, in a real headless Chromium.

(a) the lift item: intake with a 容缺 paper, papers completed at the window, nine joint reviews
(two departments through the pages, one of them sending back for papers first), the lead's
decision, completion, hand-over, and the public progress page;
(b) an instant item finished at the window holding the department's seal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases.models import Case, TaskOutcome
from onewindow.cases.services import task_claim, task_complete
from onewindow.cases.tests.conftest import resident_id
from onewindow.cases.transitions import CaseState, TaskState

SCREENSHOTS = Path("/tmp")
PASSWORD = "pass-1234-word"  # UserFactory's
DEFERRED = "房屋安全鉴定报告"
DESKTOP = {"width": 1366, "height": 900}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Desk:
    """One staff member's browser: their own context (cookies), logged in through the page."""

    def __init__(self, chromium: Any, live_server: Any, user: Any, viewport: dict | None = None):
        self.base = live_server.url
        self.context = chromium.new_context(
            viewport=viewport or DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.page.goto(f"{self.base}/staff/sign-in/?next=/staff/")
        self.page.locator("#id_username").fill(user.username)
        self.page.locator("#id_password").fill(PASSWORD)
        self.page.locator("#id_password").press("Enter")
        self.page.wait_for_url(re.compile(r"/staff/$"))

    def go(self, path: str) -> Any:
        self.page.goto(f"{self.base}{path}")
        return self.page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SCREENSHOTS / f"onewindow-staff-{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def desks(browser, live_server) -> Iterator[Any]:
    opened: list[Desk] = []

    def open_desk(user: Any, viewport: dict | None = None) -> Desk:
        desk = Desk(browser, live_server, user, viewport)
        opened.append(desk)
        return desk

    yield open_desk
    for desk in opened:
        desk.close()


def work(task: Any, user: Any, opinion: str = "同意") -> None:
    task_claim(task=task, actor=user)
    task.refresh_from_db()
    task_complete(task=task, actor=user, outcome=TaskOutcome.APPROVE, opinion=opinion)


def choose_window(page: Any, number: str) -> None:
    page.locator("label.choice", has_text=f"{number}").locator("input").check()
    page.locator("main button[type=submit]").click()


def read_id_and_pick_item(page: Any, item_query: str, item_name: str) -> None:
    """The clerk's keyboard: the card reader types the number and Enter; the item search is
    typed, ↓ moves into the results, Enter opens the checklist."""
    id_field = page.locator("#id_number")
    expect(id_field).to_be_focused()
    id_field.press_sequentially(resident_id())
    id_field.press("Enter")
    expect(page.locator(".applicant__name")).to_have_text("陈大文")
    search = page.locator("#item-q")
    expect(search).to_be_focused()
    search.press_sequentially(item_query)
    expect(page.locator("#item-results .item-result__name").first).to_have_text(item_name)
    search.press("ArrowDown")
    expect(page.locator("#item-results .item-result").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("h1.item-title")).to_have_text(item_name)


def mark_received(page: Any) -> None:
    """Mark every paper of the checklist received (the arrow keys or a click, per paper)."""
    for radio in page.locator(".paper input[value=received]").all():
        radio.check()


def test_lift_item_walks_from_the_window_through_nine_departments_to_hand_over(
    desks, live_server, city
):
    lead = city.lead_department
    asking, approving = city.joint_departments[0], city.joint_departments[1]

    # --- the window: 容缺 on the safety report, with the signed promise -----------------------
    clerk = desks(city.clerk)
    page = clerk.go("/staff/cases/intake/")
    clerk.shot("desk")
    choose_window(page, "01")
    read_id_and_pick_item(page, "电梯", "既有住宅增设电梯")
    mark_received(page)  # nothing is preselected: the clerk marks each paper
    report = page.locator(".paper", has_text=DEFERRED)
    report.locator("input[value=deferred]").check()
    due = timezone.localdate() + dt.timedelta(days=3)
    report.locator("input[type=date]").fill(due.isoformat())
    # Forgetting the promise is caught beside its checkbox; what was typed stays.
    page.get_by_role("button", name=re.compile(r"^(Accept|受理)")).first.click()
    expect(page.locator(".promise .field-error")).to_be_visible()
    expect(report.locator("input[type=date]")).to_have_value(due.isoformat())
    assert Case.objects.count() == 0
    clerk.shot("intake-error")
    page.locator("input[name=promise_signed]").check()
    clerk.shot("intake-checklist")
    page.get_by_role("button", name=re.compile(r"^(Accept|受理)")).first.click()
    page.wait_for_url(re.compile(r"/staff/cases/intake/done/"))
    case = Case.objects.get()
    expect(page.locator(".case-number")).to_have_text(case.number)
    expect(page.locator(".query-code")).to_have_text(case.query_code)
    expect(page.locator(".promised")).to_have_text(
        timezone.localtime(case.due_at).strftime("%Y-%m-%d")
    )
    clerk.shot("intake-done")

    # The safety report arrives at the window.
    page = clerk.go(f"/staff/cases/{case.number}/")
    arrived = page.locator("#papers-arrived")
    # Nothing is pre-ticked: the clerk ticks the paper that is on the counter.
    expect(arrived.locator("input[value='房屋安全鉴定报告']")).not_to_be_checked()
    arrived.locator("input[value='房屋安全鉴定报告']").check()
    arrived.get_by_role("button").click()
    expect(page.locator(".paper-list__item--deferred")).to_have_count(0)

    # --- two departments through the pages ---------------------------------------------------
    asker = desks(city.approvers[asking.pk])
    page = asker.go("/staff/cases/queue/")
    row = page.locator(f"tr:has(a:text('{case.number}'))")
    expect(row.locator(".light--green")).to_be_visible()
    asker.shot("queue")
    row.get_by_role("button").click()  # claim, in place (htmx)
    expect(page.locator(f"tr:has(a:text('{case.number}')) .queue-row__who")).to_contain_text(
        "您 · 去办理"  # claimed by the viewer, with the link to work it
    )
    page.locator(f"tr:has(a:text('{case.number}')) a.mono").click()
    page.wait_for_url(re.compile(rf"/staff/cases/{case.number}/"))
    page.locator("#my-tasks textarea").fill("请补充结构图纸")
    page.locator("#my-tasks button[value=supplement]").click()
    expect(page.locator(".light--paused")).to_be_visible()
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED and case.paused_since is not None
    asker.shot("case-paused")

    # The window marks the drawings arrived: the clock runs again.
    page = clerk.go(f"/staff/cases/{case.number}/")
    expect(page.locator(".timeline")).to_contain_text("请补充结构图纸")
    page.locator("#papers-arrived input[value='业主表决意见书']").check()
    page.locator("#papers-arrived button").click()
    expect(page.locator(".light--green")).to_be_visible()
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.paused_since is None

    page = asker.go(f"/staff/cases/{case.number}/")
    page.locator("#my-tasks textarea").fill("图纸已补齐，同意")
    page.locator("#my-tasks button[value=approve]").click()
    expect(page.locator(".message--success")).to_be_visible()

    second = desks(city.approvers[approving.pk])
    page = second.go(f"/staff/cases/{case.number}/")
    page.locator("#my-tasks button", has_text=re.compile(".")).first.click()  # claim
    page.locator("#my-tasks textarea").fill("同意")
    page.locator("#my-tasks button[value=approve]").click()
    # Each department sees the others' opinions.
    expect(page.locator(".tasks")).to_contain_text("图纸已补齐，同意")

    # --- the other six joint departments and the lead's review, through the services ---------
    for department in city.joint_departments[2:]:
        work(case.tasks.get(kind="review", department=department), city.approvers[department.pk])
    work(case.tasks.get(kind="review", department=lead), city.approvers[lead.pk])
    decide = case.tasks.get(kind="decide")
    assert decide.state == TaskState.OPEN

    # --- the lead decides on the page -------------------------------------------------------
    boss = desks(city.leads[lead.pk])
    page = boss.go(f"/staff/cases/{case.number}/")
    expect(page.locator(".task-row--done")).to_have_count(9)
    page.locator("#my-tasks button", has_text=re.compile(".")).first.click()
    page.locator("#my-tasks textarea").fill("准予增设电梯")
    boss.shot("case-decide")
    page.locator("#my-tasks button[value=approve]").click()
    expect(page.locator(".message--success")).to_be_visible()
    work(case.tasks.get(kind="complete"), city.approvers[lead.pk], opinion="办结")
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED

    # --- hand-over at the output window -----------------------------------------------------
    output = desks(city.output_clerk)
    page = output.go("/staff/cases/output/")
    card = page.locator(f"#out-{case.number}")
    expect(card.locator(".output-case__papers")).to_contain_text("既有住宅增设电梯申请表")
    card.get_by_role("button").click()  # without the ID check: refused, nothing changes
    expect(page.locator(f"#out-{case.number} .staff-error")).to_be_visible()
    card = page.locator(f"#out-{case.number}")
    card.locator("input[name=collector_id_checked]").check()
    output.shot("output")
    card.get_by_role("button").click()
    expect(page.locator(".message--success")).to_contain_text(case.number)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED

    # --- the applicant's progress page shows every step -------------------------------------
    public = desks(city.clerk)
    page = public.go(f"/en/progress/?number={case.number}&code={case.query_code}")
    body = page.locator("main")
    for label in (
        "Application accepted",
        "Paused for a special procedure",
        "Handling resumed",
        "A department finished its step",
        "Decision made",
        "Result handed over",
    ):
        expect(body).to_contain_text(label)
    expect(body).not_to_contain_text("陈大文")
    public.shot("progress")

    # The staff timeline holds the whole story too.
    page = clerk.go(f"/staff/cases/{case.number}/")
    timeline = page.locator(".timeline__event")
    actions = [
        cls.split("timeline__event--")[1].split()[0]
        for cls in timeline.evaluate_all("els => els.map(e => e.className)")
    ]
    assert [a for a in actions if a in {"accept", "suspend", "resume", "decide", "deliver"}] == [
        "accept",
        "suspend",
        "resume",
        "decide",
        "deliver",
    ]
    assert actions.count("task_approve") == 11
    clerk.shot("case-timeline")


def test_instant_item_is_finished_at_the_window_holding_the_seal(desks, live_server, city):
    clerk = desks(city.clerk)
    page = clerk.go("/staff/cases/intake/")
    choose_window(page, "02")
    read_id_and_pick_item(page, "养老", "城乡居民养老保险待遇核定")
    mark_received(page)
    expect(page.get_by_role("button", name=re.compile(r"^(Accept|受理)"))).to_have_count(0)
    page.get_by_role("button", name=re.compile("即办|Complete now")).click()
    page.wait_for_url(re.compile(r"/staff/cases/intake/done/"))
    case = Case.objects.get()
    assert (case.state, case.window) == (CaseState.DECIDED, city.instant_window)
    expect(page.locator(".case-number")).to_have_text(case.number)
    clerk.shot("instant-done")

    # The same clerk hands the result over (intake windows may deliver at their centre).
    page = clerk.go("/staff/cases/output/")
    card = page.locator(f"#out-{case.number}")
    card.locator("input[name=collector_id_checked]").check()
    card.get_by_role("button").click()
    expect(page.locator(".message--success")).to_contain_text(case.number)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED

    # Tablet width still works: no sideways scrolling on the workstation.
    tablet = desks(city.clerk, viewport={"width": 820, "height": 1180})
    page = tablet.go("/staff/cases/intake/")
    choose_window(page, "01")
    widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]
    tablet.shot("intake-tablet")
