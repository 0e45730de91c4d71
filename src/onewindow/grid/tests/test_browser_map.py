"""The grid map in a real headless Chromium, at a desk and at phone size: the outlines come
from the platform's own GeoJSON and are drawn by the vendored ECharts — every request the
page makes is to the live server (no tiles, no CDN, no fonts from outside) — and a tap on the
map gives its longitude and latitude (``onPick``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from onewindow.cases.tests.test_browser_walks import DESKTOP, Desk
from onewindow.grid.services import grids_import
from onewindow.grid.tests.conftest import FIRST, STREET, collection, layout
from onewindow.testing.browser import PHONE_VIEWPORT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []
    cache.clear()
    yield
    cache.clear()


def _open(
    browser: Any, live_server: Any, user: Any, viewport: dict[str, int]
) -> tuple[Desk, list[str]]:
    desk = Desk(browser, live_server, user, viewport)
    requests: list[str] = []
    desk.context.on("request", lambda request: requests.append(request.url))
    return desk, requests


def _drawn(page: Any, selector: str = "#grid-map") -> dict[str, Any]:
    page.wait_for_selector(f'{selector}[data-drawn="true"]')
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector);
            const chart = window.echarts.getInstanceByDom(box);
            const option = chart.getOption();
            const canvas = box.querySelector("canvas");
            return {
              count: Number(box.getAttribute("data-outlines-count")),
              regions: option.geo[0].regions.map((r) => r.name),
              points: option.series[0].data.length,
              canvasWidth: canvas ? canvas.width : 0,
              boxWidth: box.getBoundingClientRect().width,
              pageWidth: document.documentElement.scrollWidth,
            };
        }""",
        selector,
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_VIEWPORT], ids=["desk", "phone"])
def test_the_street_map_draws_its_outlines_from_local_data_only(
    browser, live_server, district, admin, viewport
):
    grids_import(actor=admin, data=collection(*layout()))
    desk, requests = _open(browser, live_server, admin, viewport)
    try:
        desk.go(f"/staff/grid/?street={STREET}")
        drawn = _drawn(desk.page)
        assert drawn["count"] == 7  # the street, 2 communities, 4 grids
        assert sorted(drawn["regions"]) == sorted(f["properties"]["code"] for f in layout())
        assert drawn["canvasWidth"] > 0
        # The map fits the screen: nothing wider than the viewport.
        assert drawn["boxWidth"] <= viewport["width"]
        assert drawn["pageWidth"] <= viewport["width"]
        assert f"{live_server.url}/staff/grid/outlines.geojson?region=440103001" in requests
        assert requests and all(url.startswith(live_server.url) for url in requests), requests
    finally:
        desk.close()


def test_the_grid_page_pins_the_grid_and_a_tap_gives_its_place(
    browser, live_server, district, admin
):
    grids_import(actor=admin, data=collection(*layout()))
    desk, requests = _open(browser, live_server, admin, PHONE_VIEWPORT)
    try:
        page = desk.go(f"/staff/grid/{FIRST}01/")
        drawn = _drawn(page)
        assert drawn["count"] == 4  # the street, the community, its 2 grids
        assert drawn["points"] == 1
        # The module's API, as a report page uses it: a map that tells where it was tapped.
        page.evaluate(
            """() => {
                const box = document.createElement("div");
                box.id = "pick-map";
                box.style.cssText = "";
                box.className = "gridmap";
                document.querySelector("main, body").appendChild(box);
                window.picked = null;
                window.OneWindowGridMap.render(box, {
                  outlines: "/staff/grid/outlines.geojson?region=440103001001",
                  points: [{lon: 113.231, lat: 23.111, light: "red", label: "垃圾", href: ""}],
                  heat: [{lon: 113.231, lat: 23.111, value: 3}],
                  onPick: (lon, lat) => { window.picked = [lon, lat]; },
                });
            }"""
        )
        page.wait_for_selector('#pick-map[data-drawn="true"]')
        box = page.locator("#pick-map")
        box.scroll_into_view_if_needed()
        bounds = box.bounding_box()
        page.mouse.click(bounds["x"] + bounds["width"] / 2, bounds["y"] + bounds["height"] / 2)
        page.wait_for_function("window.picked !== null")
        lon, lat = page.evaluate("window.picked")
        # The middle of the map is the middle of its outlines: the street's block (113.230–
        # 113.238 × 23.110–23.114), give or take a pixel.
        assert 113.2335 < lon < 113.2345 and 23.1115 < lat < 23.1125
        assert box.get_attribute("data-picked") == f"{lon},{lat}"
        assert all(url.startswith(live_server.url) for url in requests), requests
    finally:
        desk.close()
