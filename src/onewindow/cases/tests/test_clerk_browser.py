"""The clerk's keyboard at the intake workstation and the output desk, in a real headless
Chromium (issue 7, point 14): where the focus is after each step, the checklist with nothing
preselected, the clerk's own window, where an item is accepted, the desk's ID card search."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.applicants.models import Person
from onewindow.cases.models import Case
from onewindow.cases.services import case_complete_instant
from onewindow.cases.tests.conftest import resident_id
from onewindow.cases.tests.test_browser_walks import Desk, choose_window, mark_received
from onewindow.cases.transitions import CaseState
from onewindow.org.models import CentreLevel, Role, RoleAssignment, Window, WindowKind
from onewindow.testing.factories import CentreFactory, CommunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAPERS = ["既有住宅增设电梯申请表", "业主表决意见书", "房屋安全鉴定报告"]


@pytest.fixture
def desk(browser, live_server) -> Iterator[Any]:
    opened: list[Desk] = []

    def open_desk(user: Any) -> Desk:
        opened.append(Desk(browser, live_server, user))
        return opened[-1]

    yield open_desk
    for each in opened:
        each.close()


def read_known_id(page: Any) -> None:
    page.locator("#id_number").press_sequentially(resident_id())
    page.locator("#id_number").press("Enter")
    expect(page.locator(".applicant__name")).to_have_text("陈大文")


def test_a_name_typed_after_an_unknown_id_is_read_lands_in_the_name_field(desk, city):
    page = desk(city.clerk).go("/staff/cases/intake/")
    choose_window(page, "01")
    new_id = resident_id(serial=7)
    expect(page.locator("#id_number")).to_be_focused()
    page.keyboard.type(new_id)
    page.keyboard.press("Enter")
    expect(page.locator("#reg-name")).to_be_focused()
    page.keyboard.type("李小梅")
    # A new applicant is registered with the card's chip read (the clerk's attestation).
    page.locator("#reg-card-read").check()
    page.locator("#reg-name").press("Enter")
    expect(page.locator(".applicant__name")).to_have_text("李小梅")
    expect(page.locator("#item-q")).to_be_focused()
    assert Person.objects.order_by("-id").first().name == "李小梅"
    assert Person.objects.count() == 2


def test_every_paper_needs_the_clerks_mark_and_the_result_page_calls_the_next_applicant(desk, city):
    page = desk(city.clerk).go("/staff/cases/intake/")
    choose_window(page, "01")
    read_known_id(page)
    page.keyboard.type("电梯")
    expect(page.locator("#item-results .item-result").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("h1.item-title")).to_have_text("既有住宅增设电梯")

    # Nothing is preselected; the first paper's choices have the focus.
    expect(page.locator(".paper input[type=radio]:checked")).to_have_count(0)
    expect(page.locator("input[name=m0-status][value=received]")).to_be_focused()
    page.get_by_role("button", name=re.compile(r"^(Accept|受理)")).first.click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("尚未标记：" + "、".join(PAPERS))
    expect(summary).to_contain_text("not marked yet: " + "、".join(PAPERS))
    expect(page.locator(".paper--error")).to_have_count(3)
    expect(summary).to_be_focused()  # it names every problem; Tab goes on to the first paper
    page.keyboard.press("Tab")
    expect(page.locator("input[name=m0-status][value=received]")).to_be_focused()
    assert Case.objects.count() == 0

    mark_received(page)
    page.get_by_role("button", name=re.compile(r"^(Accept|受理)")).first.click()
    page.wait_for_url(re.compile(r"/staff/cases/intake/done/"))
    case = Case.objects.get()
    assert case.state == CaseState.ACCEPTED
    # The clerk's next move is the next person; the receipt is one Shift+Tab away.
    expect(page.locator("#next-applicant")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#print-receipt")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#id_number")).to_be_focused()


def test_a_street_clerk_starts_at_the_street_window_and_learns_where_an_item_is_accepted(
    desk, city
):
    point = CentreFactory(
        code="A0001",
        level=CentreLevel.COMMUNITY_POINT,
        region=CommunityFactory(parent=city.street_centre.region),
        name="幸福社区服务站",
    )
    Window.objects.create(centre=point, number="07", kind=WindowKind.INTAKE)
    RoleAssignment.objects.create(user=city.clerk, role=Role.INTAKE_CLERK, centre=point)

    page = desk(city.clerk).go("/staff/cases/intake/")
    own = page.locator(f"input[name=desk][value='{city.street_centre.pk}:{city.intake_window.pk}']")
    expect(own).to_be_checked()
    expect(own).to_be_focused()

    # At the community point the lift item is not accepted: the search says so, its page where.
    choose_window(page, "07")
    read_known_id(page)
    page.keyboard.type("电梯")
    expect(page.locator(".item-elsewhere__link")).to_have_text("既有住宅增设电梯")
    expect(page.locator("#item-results .item-result")).to_have_count(0)
    page.locator(".item-elsewhere__link").click()
    expect(page.locator(".elsewhere")).to_contain_text("幸福社区服务站不能办理该事项")
    expect(page.locator(".elsewhere__centres li")).to_have_count(2)
    expect(page.locator(".elsewhere__centres")).to_contain_text("街道中心")
    switch = page.locator("#own-desk-0")
    expect(switch).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("h1.item-title")).to_have_text("既有住宅增设电梯")
    expect(page.locator(".desk-bar__where")).to_contain_text("街道中心")
    expect(page.locator("input[name=m0-status][value=received]")).to_be_focused()


def test_the_output_desk_finds_a_result_by_the_collectors_id_card(desk, city):
    case = case_complete_instant(intake=city.intake(item=city.instant, window=city.instant_window))
    page = desk(city.output_clerk).go("/staff/cases/output/")
    expect(page.locator("#output-q")).to_be_focused()
    page.keyboard.type(resident_id())
    page.keyboard.press("Enter")
    card = page.locator(f"#out-{case.number}")
    expect(card.locator(".output-case__name")).to_have_text("陈*文")
    expect(page.locator(".output-found")).to_contain_text(city.person.id_number_masked)
    assert resident_id() not in page.content() and "陈大文" not in page.content()
    card.locator("input[name=collector_id_checked]").check()
    card.get_by_role("button").click()
    expect(page.locator(".message--success")).to_contain_text(case.number)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED
