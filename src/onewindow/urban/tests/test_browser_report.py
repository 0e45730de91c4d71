"""The grid worker's phone, in a real headless Chromium at phone size (390×844): signed in,
the page and its service worker loaded, the network goes; the worker reports exposed rubbish
(暴露垃圾, found by its pinyin) with a photo from the camera input and the phone's position
inside their grid; the report waits on the phone. The network returns: it is sent once —
exactly one grid case with its one photo — and the page shows the case number."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from onewindow.papers.models import Paper
from onewindow.papers.samples import sample_jpeg
from onewindow.testing.browser import PHONE_VIEWPORT
from onewindow.testing.grid_factories import category_make, grid_make, grid_worker_make
from onewindow.urban.models import CasePhoto, GridCase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pass-1234-word"  # UserFactory's


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


def test_a_report_made_offline_is_sent_once_when_the_network_returns(
    browser: Any, live_server: Any
) -> None:
    grid = grid_make()
    worker = grid_worker_make(grid)
    category_make()  # E0101 暴露垃圾 (市容环境)
    category_make(code="E0102", name="道路不洁")
    context = browser.new_context(
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(20_000)
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"longitude": grid.label_lon, "latitude": grid.label_lat})
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/sign-in/?next=/staff/urban/report/")
    page.locator("#id_username").fill(worker.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/staff/urban/report/$"))
    expect(page.locator("h1")).to_have_text("街面上报")
    expect(page.locator("#category-list button")).to_have_count(2)
    # The service worker is installed and keeps the page (and its list) for offline use.
    assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)") is True
    expect(page.locator("#report-longitude")).to_have_value(f"{grid.label_lon:.6f}")

    context.set_offline(True)
    expect(page.locator("#report-network")).to_have_class(re.compile("is-offline"))
    page.locator("#category-search").fill("baolu")
    expect(page.locator("#category-list button")).to_have_count(1)
    page.locator('#category-list button[data-code="E0101"]').click()
    expect(page.locator("#category-chosen")).to_have_text("市容环境 › 暴露垃圾")
    page.locator("#report-place").fill("沙面大街1号")
    page.locator("#report-photos").set_input_files(
        files=[{"name": "rubbish.jpg", "mimeType": "image/jpeg", "buffer": sample_jpeg()}]
    )
    expect(page.locator("#photos-status")).to_contain_text("1")
    page.locator("#report-description").fill("人行道上有一堆暴露垃圾")
    page.locator("#report-submit").click()
    expect(page.locator('#report-queue li[data-state="queued"]')).to_have_count(1)
    assert GridCase.objects.count() == 0

    context.set_offline(False)
    sent = page.locator('#report-queue li[data-state="sent"] .report-number')
    expect(sent).to_have_text(re.compile(r"^WG\d{14}$"), timeout=40_000)
    case = GridCase.objects.get()
    assert sent.inner_text() == case.number
    assert (case.state, case.category.code, case.grid_id, case.reported_by_id) == (
        "to_file",
        "E0101",
        grid.pk,
        worker.pk,
    )
    assert case.place == "沙面大街1号"
    assert CasePhoto.objects.filter(case=case).count() == 1
    photo = CasePhoto.objects.select_related("paper").get()
    assert photo.paper.content_type == "image/jpeg"
    assert Paper.objects.count() == 1
    # Loaded again, the page sends nothing more: the queue holds one sent report.
    page.reload()
    expect(page.locator('#report-queue li[data-state="sent"]')).to_have_count(1)
    assert GridCase.objects.count() == 1
    context.close()


def test_a_tap_on_the_map_of_the_worker_s_grids_gives_the_report_its_place(
    browser: Any, live_server: Any
) -> None:
    """Without the phone's position, the worker taps the place on the map of their street's
    grids (drawn from the platform's own outlines): the longitude and latitude are filled in."""
    grid = grid_make()
    worker = grid_worker_make(grid)
    category_make()
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    outside: list[str] = []
    context.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else outside.append(request.url)
        ),
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/sign-in/?next=/staff/urban/report/")
    page.locator("#id_username").fill(worker.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/staff/urban/report/$"))
    page.wait_for_selector('#report-map[data-drawn="true"]')
    assert page.locator("#report-map").get_attribute("data-outlines") == (
        f"/staff/grid/outlines.geojson?region={grid.code[:9]}"
    )
    page.locator("#report-map").scroll_into_view_if_needed()
    box = page.locator("#report-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#report-longitude")).not_to_have_value("")
    lon = float(page.locator("#report-longitude").input_value())
    lat = float(page.locator("#report-latitude").input_value())
    assert grid.min_lon <= lon <= grid.max_lon and grid.min_lat <= lat <= grid.max_lat
    assert outside == []
    context.close()
