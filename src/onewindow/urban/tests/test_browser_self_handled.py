"""自行处置 on the grid worker's phone page, in a real headless Chromium at phone size: the
worker ticks "handled on the spot", takes the photo after and says what was done; the report
is sent once and the case is closed at once, counted apart (source ``self``), with both
photos. Without the photo after, the page says what is missing and keeps nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.urban.codes import PhotoKind, Source
from onewindow.urban.models import GridCase
from onewindow.urban.tests.conftest import report_phone
from onewindow.urban.tests.test_browser_flow import PHOTO
from onewindow.urban.transitions import CaseState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


def test_a_worker_reports_a_problem_handled_on_the_spot(
    browser: Any, live_server: Any, scene: Any
) -> None:
    with report_phone(browser, live_server, scene.worker) as page:
        # The script shows the choice (the page alone does not offer it), folded.
        expect(page.locator("#report-self-field")).to_be_visible()
        expect(page.locator("#report-self-fields")).to_be_hidden()
        page.locator("#category-search").fill("暴露")
        page.locator('#category-list button[data-code="E0101"]').click()
        page.locator("#report-longitude").fill(f"{scene.grid.label_lon:.6f}")
        page.locator("#report-latitude").fill(f"{scene.grid.label_lat:.6f}")
        page.locator("#report-photos").set_input_files(files=[PHOTO])
        expect(page.locator("#photos-status")).to_contain_text("1")
        page.locator("#report-description").fill("路口有一袋散落垃圾")
        page.locator("#report-self").check()
        expect(page.locator("#report-self-fields")).to_be_visible()
        assert page.locator("#report-self").get_attribute("aria-expanded") == "true"

        # Ticked without the photo after: refused on the phone, nothing queued.
        page.locator("#report-note").fill("已当场清理装袋")
        page.locator("#report-submit").click()
        expect(page.locator("#report-error")).to_contain_text("处理后的照片")
        expect(page.locator("#report-queue li[data-key]")).to_have_count(0)

        page.locator("#report-after-photos").set_input_files(files=[PHOTO])
        expect(page.locator("#after-status")).to_contain_text("1")
        # Unticked, the photo after is dropped (it would count against the limit unseen).
        page.locator("#report-self").uncheck()
        expect(page.locator("#report-self-fields")).to_be_hidden()
        expect(page.locator("#after-status")).to_have_text("")
        page.locator("#report-self").check()
        expect(page.locator("#after-thumbs img")).to_have_count(0)
        page.locator("#report-after-photos").set_input_files(files=[PHOTO])
        expect(page.locator("#after-status")).to_contain_text("1")
        page.locator("#report-submit").click()
        sent = page.locator('#report-queue li[data-state="sent"]')
        expect(sent.locator(".report-number")).to_have_text(re.compile(r"^WG\d{14}$"))
        expect(sent.locator("strong")).to_contain_text("当场处置")
        # The form is empty again, its on-the-spot part folded away.
        expect(page.locator("#report-self-fields")).to_be_hidden()
        assert page.locator("#report-self").is_checked() is False
        number = sent.locator(".report-number").inner_text()
    case = GridCase.objects.get()
    assert (case.number, case.state, case.source) == (number, CaseState.CLOSED, Source.SELF_HANDLED)
    assert sorted(case.photos.values_list("kind", flat=True)) == [PhotoKind.AFTER, PhotoKind.REPORT]
    assert list(case.events.values_list("action", "reason")) == [("self_handle", "已当场清理装袋")]
