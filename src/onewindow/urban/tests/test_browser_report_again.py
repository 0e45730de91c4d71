"""A refused report on the grid worker's phone, in a real headless Chromium at phone size: the
worker reports from a place in another community's grid; the server refuses it (not their
area) and the queue keeps it with the server's message. "Correct and report again" puts it
back into the form (category, description, place, photo) and takes it off the queue; the
worker corrects the position and reports: a new key, sent once, one grid case. And the
category search finds pinyin initials anywhere ("xgg": 非法小广告), and says when nothing
matches. A report handled on the spot comes back with its tick, note and photo after."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.grid.models import Grid
from onewindow.testing.grid_factories import category_make
from onewindow.urban.codes import PhotoKind, Source
from onewindow.urban.models import CasePhoto, GridCase
from onewindow.urban.tests.conftest import report_phone
from onewindow.urban.tests.test_browser_flow import PHOTO
from onewindow.urban.transitions import CaseState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTION = "电线杆上贴满非法小广告"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


def test_a_refused_report_is_corrected_and_reported_again(
    browser: Any, live_server: Any, scene: Any
) -> None:
    category_make(code="E0105", name="非法小广告")  # 市容环境, initials ffxgg
    elsewhere = Grid.objects.exclude(pk=scene.grid.pk).get()  # the other worker's grid
    with report_phone(browser, live_server, scene.worker) as page:
        buttons = page.locator("#category-list button[data-code]")
        expect(buttons).to_have_count(2)

        # Nothing matches: the list says so.
        page.locator("#category-search").fill("qzqzqz")
        expect(buttons).to_have_count(0)
        expect(page.locator("#category-list li[data-none]")).to_have_text(
            "没有匹配的分类，请换个词或用拼音首字母试试。"
        )
        # Initials inside the name's: "xgg" of ffxgg.
        page.locator("#category-search").fill("xgg")
        expect(buttons).to_have_count(1)
        expect(page.locator("#category-list li[data-none]")).to_have_count(0)
        expect(buttons).to_have_attribute("data-code", "E0105")
        expect(buttons).to_contain_text("非法小广告")
        buttons.click()
        expect(page.locator("#category-chosen")).to_have_text("市容环境 › 非法小广告")

        # Reported from the other community's grid: refused, kept with the server's message.
        page.locator("#report-longitude").fill(f"{elsewhere.label_lon:.6f}")
        page.locator("#report-latitude").fill(f"{elsewhere.label_lat:.6f}")
        page.locator("#report-place").fill("多宝路12号")
        page.locator("#report-photos").set_input_files(files=[PHOTO])
        expect(page.locator("#photos-status")).to_contain_text("1")
        page.locator("#report-description").fill(DESCRIPTION)
        page.locator("#report-submit").click()
        refused = page.locator('#report-queue li[data-state="refused"]')
        expect(refused).to_have_count(1)
        expect(refused).to_contain_text(f"网格 {elsewhere.code}，不在您的责任区")
        refused_key = refused.get_attribute("data-key")
        # The form was emptied when the report was queued.
        expect(page.locator("#report-description")).to_have_value("")
        expect(page.locator("#photo-thumbs img")).to_have_count(0)
        assert GridCase.objects.count() == 0

        again = refused.get_by_role("button", name="改正后重新上报")
        again.click()
        # Back in the form, the position (what to correct) focused; the refused entry stays
        # in the queue (marked) until the corrected report is queued.
        expect(page.locator("#report-queue li[data-key][data-correcting]")).to_have_count(1)
        expect(page.locator("#category-chosen")).to_have_text("市容环境 › 非法小广告")
        expect(page.locator("#report-category")).to_have_value("E0105")
        expect(page.locator('#category-list button[data-code="E0105"]')).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(page.locator("#report-description")).to_have_value(DESCRIPTION)
        expect(page.locator("#report-place")).to_have_value("多宝路12号")
        expect(page.locator("#report-longitude")).to_have_value(f"{elsewhere.label_lon:.6f}")
        expect(page.locator("#photo-thumbs img")).to_have_count(1)
        expect(page.locator("#photos-status")).to_contain_text("1")
        expect(page.locator("#report-error")).to_contain_text("不在您的责任区")
        expect(page.locator("#report-longitude")).to_be_focused()

        page.locator("#report-longitude").fill(f"{scene.grid.label_lon:.6f}")
        page.locator("#report-latitude").fill(f"{scene.grid.label_lat:.6f}")
        page.locator("#report-submit").click()
        sent = page.locator('#report-queue li[data-state="sent"]')
        expect(sent.locator(".report-number")).to_have_text(re.compile(r"^WG\d{14}$"))
        expect(page.locator("#report-queue li[data-key]")).to_have_count(1)
        # Sent: "kept on this phone" is no longer said.
        expect(page.locator("#category-chosen")).to_have_text("")
        expect(page.locator("#report-error")).to_have_text("")
        sent_key = sent.get_attribute("data-key")
        number = sent.locator(".report-number").inner_text()
        # Loaded again: nothing more is sent, the refused entry stays gone.
        page.reload()
        expect(page.locator('#report-queue li[data-state="sent"]')).to_have_count(1)
        expect(page.locator("#report-queue li[data-key]")).to_have_count(1)
    assert sent_key and refused_key and sent_key != refused_key
    case = GridCase.objects.get(description=DESCRIPTION)
    assert GridCase.objects.count() == 1
    assert (case.number, case.client_key, case.category.code, case.grid_id) == (
        number,
        sent_key,
        "E0105",
        scene.grid.pk,
    )
    assert case.place == "多宝路12号"
    assert CasePhoto.objects.filter(case=case).count() == 1


def test_a_refused_report_handled_on_the_spot_comes_back_with_its_photo_after(
    browser: Any, live_server: Any, scene: Any
) -> None:
    elsewhere = Grid.objects.exclude(pk=scene.grid.pk).get()
    with report_phone(browser, live_server, scene.worker) as page:
        page.locator("#category-search").fill("暴露")
        page.locator('#category-list button[data-code="E0101"]').click()
        page.locator("#report-longitude").fill(f"{elsewhere.label_lon:.6f}")
        page.locator("#report-latitude").fill(f"{elsewhere.label_lat:.6f}")
        page.locator("#report-photos").set_input_files(files=[PHOTO])
        expect(page.locator("#photos-status")).to_contain_text("1")
        page.locator("#report-description").fill("路口有一袋散落垃圾")
        page.locator("#report-self").check()
        page.locator("#report-after-photos").set_input_files(files=[PHOTO])
        expect(page.locator("#after-status")).to_contain_text("1")
        page.locator("#report-note").fill("已当场清理装袋")
        page.locator("#report-submit").click()
        refused = page.locator('#report-queue li[data-state="refused"]')
        expect(refused).to_contain_text("不在您的责任区")
        expect(page.locator("#report-self-fields")).to_be_hidden()

        refused.get_by_role("button", name="改正后重新上报").click()
        expect(page.locator("#report-queue li[data-key][data-correcting]")).to_have_count(1)
        expect(page.locator("#report-self-fields")).to_be_visible()
        assert page.locator("#report-self").is_checked() is True
        expect(page.locator("#report-note")).to_have_value("已当场清理装袋")
        expect(page.locator("#photo-thumbs img")).to_have_count(1)
        expect(page.locator("#after-thumbs img")).to_have_count(1)
        expect(page.locator("#report-longitude")).to_be_focused()
        page.locator("#report-longitude").fill(f"{scene.grid.label_lon:.6f}")
        page.locator("#report-latitude").fill(f"{scene.grid.label_lat:.6f}")
        page.locator("#report-submit").click()
        sent = page.locator('#report-queue li[data-state="sent"]')
        expect(sent.locator(".report-number")).to_have_text(re.compile(r"^WG\d{14}$"))
        expect(page.locator("#report-queue li[data-key]")).to_have_count(1)
    case = GridCase.objects.get()
    assert (case.state, case.source) == (CaseState.CLOSED, Source.SELF_HANDLED)
    assert sorted(case.photos.values_list("kind", flat=True)) == [PhotoKind.AFTER, PhotoKind.REPORT]
