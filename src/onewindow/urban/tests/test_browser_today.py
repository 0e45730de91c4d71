"""The leaders' phone page in a real headless Chromium at phone size, as a department's lead
(who holds ``urban.view`` for the department, not ``grid.view``): the map draws the grid
outlines and the open case, and the overdue list is laid out in cards that fit the screen."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from onewindow.cases.tests.test_browser_walks import Desk
from onewindow.grid.tests.test_browser_map import _drawn
from onewindow.org.codes import Role
from onewindow.testing.browser import PHONE_VIEWPORT
from onewindow.testing.factories import staff_with_role
from onewindow.urban.services.centre import case_dispatch
from onewindow.urban.tests.conftest import MONDAY, case_in
from onewindow.urban.transitions import CaseState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []
    cache.clear()
    yield
    cache.clear()


def test_a_departments_lead_reads_today_on_a_phone(browser, live_server, scene):
    case = case_in(scene, CaseState.TO_DISPATCH)
    case = case_dispatch(
        actor=scene.dispatcher,
        case=case,
        revision=case.revision,
        department=scene.bureau,
        now=MONDAY,
    )
    lead = staff_with_role(Role.DEPT_LEAD, department=scene.bureau)
    desk = Desk(browser, live_server, lead, PHONE_VIEWPORT)
    try:
        page = desk.go("/staff/urban/today/")
        drawn = _drawn(page, "#urban-today-map")
        assert drawn["count"] == 2  # the two unit grids of the scene, from the outlines
        assert sorted(drawn["regions"]) == sorted([scene.grid.code, "44010300200105"])
        assert drawn["points"] == 1  # the one open case of the lead's department
        assert (
            page.locator("#urban-today-counts [data-figure='overdue'] strong").inner_text() == "1"
        )
        row = page.locator(f"#urban-overdue tr[data-case='{case.number}']")
        assert row.locator("th[scope=row]").inner_text() == case.number
        # A card, not a squeezed row: each cell is a labelled line of its own.
        assert row.locator("td").nth(2).evaluate("td => getComputedStyle(td).display") == "grid"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    finally:
        desk.close()
