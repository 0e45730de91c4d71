"""Issue 12's second story in real headless Chromium at phone size: an illegal building (违法建设,
three stages, a comprehensive-enforcement matter) filed as a grid case is dispatched on the
command centre's page to the enforcement team — which opens the team's enforcement task —; the
team inspects with two officers, issues a rectification notice, re-inspects it not rectified,
and its lead decides a fine on the company; then an officer feeds the grid case back, the grid
worker checks it and the 值班长 closes it."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.cases.tests.test_browser_walks import Desk
from onewindow.enforcement.models import EnforcementTask
from onewindow.enforcement.selectors import company_penalties
from onewindow.enforcement.tests.conftest import COMPANY_USCC, scene_make
from onewindow.enforcement.tests.test_browser_walk import walk_to_a_fine
from onewindow.testing.browser import PHONE_VIEWPORT
from onewindow.testing.grid_factories import category_make
from onewindow.urban.models import GridCase
from onewindow.urban.tests.conftest import case_in
from onewindow.urban.tests.test_browser_flow import PHOTO, feed_back
from onewindow.urban.transitions import CaseState
from onewindow.workflow.clock import TimeUnit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


def test_an_illegal_building_through_the_enforcement_team_to_a_fine_and_closed(
    browser: Any, live_server: Any, scene: Any
) -> None:
    law = scene_make()
    building = category_make(
        kind="event",
        code="E0301",
        name="违法建设",
        major_name="施工管理",
        stages=(
            ("停工", 4, TimeUnit.WORKING_HOUR),
            ("处罚", 7, TimeUnit.WORKING_DAY),
            ("拆除", 20, TimeUnit.WORKING_DAY),
        ),
        units=(law.team,),
        enforcement=True,
    )
    case = case_in(
        scene,
        CaseState.TO_DISPATCH,
        category=building,
        description="天台加建铁皮房",
        place="多宝路88号天台",
    )
    number = case.number
    with urllib.request.urlopen(f"{live_server.url}/staff/sign-in/", timeout=60) as warm:
        assert warm.status == 200

    dispatcher = Desk(browser, live_server, scene.dispatcher, PHONE_VIEWPORT)
    try:
        page = dispatcher.go("/staff/urban/command/")
        row = page.locator(f'li[data-number="{number}"]')
        expect(row.locator("select option:checked")).to_contain_text(law.team.name)
        row.locator(f"#dispatch-{number}").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/command/")
    finally:
        dispatcher.close()
    task = EnforcementTask.objects.get(origin=number)
    assert GridCase.objects.get(pk=case.pk).enforcement_task == task
    assert (task.team, task.state, task.region_code) == (law.team, "open", scene.community.code)

    walk_to_a_fine(browser, live_server, law, task, PHONE_VIEWPORT)

    officer = Desk(browser, live_server, law.officer, PHONE_VIEWPORT)
    worker = Desk(browser, live_server, scene.worker, PHONE_VIEWPORT)
    chief = Desk(browser, live_server, scene.chief, PHONE_VIEWPORT)
    try:
        feed_back(officer, number, "已作出罚款决定，当事人已自行拆除")
        page = worker.go("/staff/urban/tasks/")
        page.locator(f"#task-{number}").click()
        page.locator("#check-photos").set_input_files(PHOTO)
        page.locator("#check-note").fill("铁皮房已拆除")
        page.locator("#submit-check").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/tasks/")
        page = chief.go("/staff/urban/supervision/")
        page.locator(f'#to-close tr[data-number="{number}"] a').click()
        page.locator("#close-condition").check()
        page.locator("#submit-close").click()
        page.wait_for_url(f"{live_server.url}/staff/urban/supervision/")
    finally:
        for desk in (officer, worker, chief):
            desk.close()

    closed = GridCase.objects.get(pk=case.pk)
    assert (closed.state, closed.unit) == (CaseState.CLOSED, law.team)
    (decision,) = company_penalties(uscc=COMPANY_USCC)
    assert (decision.task.origin, str(decision.amount)) == (number, "20000.00")
