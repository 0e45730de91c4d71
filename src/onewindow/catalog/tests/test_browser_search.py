"""A citizen on a phone searches in everyday words and gets one card per item, with their own
street's office first and filters that update the results in place (real headless Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from onewindow.catalog.codes import CaseType, OnlineDepth
from onewindow.catalog.tests.test_browser_guide import assert_fits_phone
from onewindow.testing.factories import DepartmentFactory, StreetFactory, create_item

SCREENSHOT_DIR = Path("/tmp")

pytestmark = pytest.mark.browser


def test_citizen_on_a_phone_gets_grouped_results_for_their_street_and_filters_them(
    live_server, phone_page
):
    offices = []
    for number, name in enumerate(("沙面", "岭南", "华林"), start=1):
        street = StreetFactory(name=f"{name}街道", code=f"440103{number:03d}000")
        offices.append(
            DepartmentFactory(
                name=f"广州市荔湾区{name}街道办事处", short_name=f"{name}街道", region=street
            )
        )
    rewards = [
        create_item(
            basic_code="059000005001",
            name="企业退休人员计划生育奖励申领",
            keywords="独生子女奖励 退休奖励",
            department=office,
            is_online=True,
            online_depth=[OnlineDepth.RECEIVE, OnlineDepth.PRE_REVIEW],
        )
        for office in offices
    ]
    labour = DepartmentFactory(name="广州市荔湾区人力资源和社会保障局")
    create_item(
        name="企业职工基本养老保险待遇申领",
        keywords="退休金 养老金 办退休",
        department=labour,
        case_type=CaseType.INSTANT,
        promised_limit=0,
    )
    page = phone_page

    page.goto(f"{live_server.url}/search/?q=退休 养老金")
    cards = page.locator("#search-results .item-card")
    expect(cards).to_have_count(2)
    expect(page.locator(".result-count")).to_have_text("找到2项与“退休 养老金”有关的服务")
    reward_card = cards.nth(1)
    expect(reward_card.locator(".item-card__name")).to_have_text("企业退休人员计划生育奖励申领")
    expect(reward_card.locator("summary")).to_have_text("3个单位可办理，请选择你所在的")
    assert_fits_phone(page)

    # Choose a street: the results update in place, that street's office first.
    page.evaluate("window.__samePage = true")
    page.locator("#filter-street").select_option("440103002000")
    expect(reward_card.locator(".item-card__dept")).to_have_text(
        "你所在街道：广州市荔湾区岭南街道办事处"
    )
    expect(reward_card.locator(".item-card__link")).to_have_attribute(
        "href", f"/items/{rewards[1].pk}/"
    )
    expect(reward_card.locator("summary")).to_have_text("另有2个单位可办理")
    page.wait_for_url(re.compile(r"street=440103002000"))

    # The other offices are one tap away.
    reward_card.locator("summary").tap()
    expect(reward_card.locator(".link-list a")).to_have_text(
        ["广州市荔湾区沙面街道办事处", "广州市荔湾区华林街道办事处"]
    )
    box = reward_card.locator("summary").bounding_box()
    assert box is not None and box["height"] >= 44, box

    # Filters narrow the same list: only items that can be applied for online.
    page.locator("label", has_text="可网上办").tap()
    expect(cards).to_have_count(1)
    expect(cards.first.locator(".item-card__name")).to_have_text("企业退休人员计划生育奖励申领")
    page.wait_for_url(re.compile(r"online=1"))
    assert page.evaluate("window.__samePage") is True
    assert_fits_phone(page)
    page.screenshot(path=str(SCREENSHOT_DIR / "onewindow-search-phone.png"), full_page=True)

    # The street is remembered: a new search from the header keeps it.
    page.goto(f"{live_server.url}/search/?q=计划生育奖励")
    expect(page.locator("#filter-street")).to_have_value("440103002000")
    expect(page.locator("#search-results .item-card__link").first).to_have_attribute(
        "href", f"/items/{rewards[1].pk}/"
    )
