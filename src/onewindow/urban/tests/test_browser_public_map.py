"""The citizen's web report (/grid/report/) in a real headless Chromium at phone size (390×844),
signed in nowhere and with no position from the browser: the page draws the district's grids
from the public outlines (/grid/outlines.geojson) with the vendored ECharts — every request to
the live server, nothing refused by the Content-Security-Policy. A report sent without a place
comes back once-told, with what was typed kept and the photo to be chosen again; a tap on the
map at the grid's label point fills the longitude and latitude, and the report goes through to
the thank-you page as a grid case of that grid."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from onewindow.grid.tests.test_browser_map import _drawn
from onewindow.papers.samples import sample_jpeg
from onewindow.testing.browser import PHONE_VIEWPORT
from onewindow.urban.codes import Source
from onewindow.urban.models import CasePhoto, GridCase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHOTO = {"name": "rubbish.jpg", "mimeType": "image/jpeg", "buffer": sample_jpeg()}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the per-address report limit
    yield
    cache.clear()


def _label_on_screen(page: Any, lon: float, lat: float) -> tuple[float, float]:
    """Where the point (lon, lat) is on the screen, by the chart's own projection."""
    page.locator("#public-map").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([lon, lat]) => {
            const chart = window.echarts.getInstanceByDom(document.getElementById("public-map"));
            return chart.convertToPixel({geoIndex: 0}, [lon, lat]);
        }""",
        [lon, lat],
    )
    box = page.locator("#public-map").bounding_box()
    assert 0 < x < box["width"] and 0 < y < box["height"]
    return box["x"] + x, box["y"] + y


def test_a_citizen_without_gps_taps_the_map_and_the_report_goes_through(
    browser: Any, live_server: Any, scene: Any
) -> None:
    grid = scene.grid
    context = browser.new_context(
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(20_000)
    requests: list[str] = []
    problems: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{live_server.url}/grid/report/")
        expect(page.locator("h1")).to_have_text("街面问题上报")
        drawn = _drawn(page, "#public-map")
        # The district's base map: the boundaries and grids of both communities.
        assert grid.code in drawn["regions"]
        assert drawn["count"] == len(drawn["regions"]) >= 2
        assert drawn["canvasWidth"] > 0
        assert drawn["boxWidth"] <= PHONE_VIEWPORT["width"]
        assert drawn["pageWidth"] <= PHONE_VIEWPORT["width"]
        assert f"{live_server.url}/grid/outlines.geojson" in requests

        # Sent without a place: refused, told once, the typing kept, the photo to choose again.
        page.locator("#public-category").select_option("E0101")
        page.locator("#public-place").fill("沙面大街3号门口")
        page.locator("#public-photos").set_input_files(files=[PHOTO])
        page.locator("#public-description").fill("人行道上有一堆暴露垃圾")
        page.locator("#public-submit").click()
        expect(page.locator("#report-error")).to_be_visible()
        expect(page.locator('#report-error li[data-field="longitude"]')).to_have_count(1)
        expect(page.locator("#report-error li")).to_have_count(1)
        assert page.locator("#report-error").inner_text().count("请提供位置") == 1
        expect(page.locator("#public-photos-again")).to_have_text("请重新选择照片")
        expect(page.locator("#public-category")).to_have_value("E0101")
        expect(page.locator("#public-place")).to_have_value("沙面大街3号门口")
        expect(page.locator("#public-description")).to_have_value("人行道上有一堆暴露垃圾")
        assert page.locator("#public-photos").evaluate("input => input.files.length") == 0
        assert GridCase.objects.count() == 0

        # A tap on the map, at the grid's label point, gives the place.
        _drawn(page, "#public-map")
        x, y = _label_on_screen(page, grid.label_lon, grid.label_lat)
        page.touchscreen.tap(x, y)
        expect(page.locator("#public-longitude")).not_to_have_value("")
        typed_lon = page.locator("#public-longitude").input_value()
        typed_lat = page.locator("#public-latitude").input_value()
        lon, lat = float(typed_lon), float(typed_lat)
        # Within a pixel or two of the label point, well inside the 0.002° grid.
        assert abs(lon - grid.label_lon) < 0.0002 and abs(lat - grid.label_lat) < 0.0002
        picked = page.locator("#public-map").get_attribute("data-picked")
        assert picked == f"{typed_lon},{typed_lat}"  # the pin is where the fields say

        page.locator("#public-photos").set_input_files(files=[PHOTO])
        page.locator("#public-submit").click()
        page.wait_for_url(re.compile(r"/grid/report/thanks/$"))
        case = GridCase.objects.get()
        expect(page.locator("main")).to_contain_text(case.number)
        assert case.grid == grid
        assert case.source == Source.PUBLIC
        assert (case.longitude, case.latitude) == (round(lon, 7), round(lat, 7))
        assert case.place == "沙面大街3号门口"
        assert CasePhoto.objects.filter(case=case).count() == 1
        assert requests and all(url.startswith(live_server.url) for url in requests), requests
        # Nothing refused by the CSP, no script error: only the refused report's own status.
        assert problems == [
            "Failed to load resource: the server responded with a status of 422"
            " (Unprocessable Entity)"
        ]
    finally:
        context.close()
