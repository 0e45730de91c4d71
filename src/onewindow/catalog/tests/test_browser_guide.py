"""A citizen on a phone finds an item and reads its guide, in a real headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from onewindow.catalog.codes import Audience, MaterialNecessity, MaterialType
from onewindow.testing.factories import DepartmentFactory, TopicFactory, create_item, material

SCREENSHOT_DIR = Path("/tmp")

pytestmark = pytest.mark.browser


def page_metrics(page) -> dict:
    return page.evaluate(
        """() => ({
            scrollWidth: document.scrollingElement.scrollWidth,
            innerWidth: window.innerWidth,
            bodyFontSize: parseFloat(getComputedStyle(document.body).fontSize),
            smallestText: Math.min(...Array.from(
                document.querySelectorAll('main p, main li, main dd, main td, main a')
            ).filter(el => el.offsetParent !== null && el.innerText.trim() !== '')
             .map(el => parseFloat(getComputedStyle(el).fontSize))),
        })"""
    )


def assert_fits_phone(page) -> None:
    metrics = page_metrics(page)
    assert metrics["innerWidth"] == 390
    assert metrics["scrollWidth"] <= metrics["innerWidth"], metrics
    assert metrics["bodyFontSize"] >= 16, metrics
    # Secondary text (counts, labels) may be a little smaller, never tiny.
    assert metrics["smallestText"] >= 15, metrics


def test_citizen_on_a_phone_searches_and_reads_an_item_guide(live_server, phone_page):
    department = DepartmentFactory(
        name="广州市荔湾区民政局", name_en="Liwan District Civil Affairs Bureau"
    )
    topic = TopicFactory(
        code="marriage",
        name="婚姻家庭",
        name_en="Marriage and family",
        audience=Audience.NATURAL_PERSON,
    )
    item = create_item(
        department=department,
        name="内地居民婚姻登记",
        name_en="Marriage registration for mainland residents",
        keywords="结婚 领证 婚姻",
        guide_summary="两个人结婚，一起到这里领结婚证。",
        guide_you_get="两本结婚证，一人一本。",
        guide_who="男方年满22周岁、女方年满20周岁的内地居民。",
        guide_bring="两人都要带身份证和户口本。",
        handling_location="荔湾区政务服务中心一楼婚姻登记处",
        basic_code="000107001000",
        materials=[
            material(name="申请结婚登记声明书"),
            material(
                name="居民户口簿",
                material_type=MaterialType.CERTIFICATE,
                paper_copies=2,
                paper_spec="原件及复印件",
            ),
            material(
                name="近期半身免冠合影照片",
                material_type=MaterialType.CERTIFICATE,
                necessity=MaterialNecessity.DEFERRABLE,
                paper_copies=3,
            ),
        ],
    )
    item.topics.add(topic)
    create_item(department=department, name="婚姻登记档案查询", keywords="婚姻 档案")
    page = phone_page

    # Home: a search box, and life events to browse.
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".tile__name", has_text="婚姻家庭")).to_be_visible()
    assert_fits_phone(page)
    page.screenshot(path=str(SCREENSHOT_DIR / "onewindow-home-phone.png"), full_page=True)

    # Search the everyday word; without JavaScript help the form is a plain GET.
    page.locator("#home-search").fill("结婚")
    page.locator("#home-search").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    cards = page.locator(".item-card__name")
    expect(cards.first).to_have_text("内地居民婚姻登记")
    assert_fits_phone(page)

    # Typing again updates the results in place (htmx), and the address follows.
    page.evaluate("window.__samePage = true")
    page.locator("#q").fill("档案")
    expect(page.locator("#search-results .item-card__name")).to_have_text(["婚姻登记档案查询"])
    # The filters of the search form travel with the words (empty: no filter).
    page.wait_for_url(re.compile(r"/search/\?q=%E6%A1%A3%E6%A1%88&department=$"))
    assert page.evaluate("window.__samePage") is True
    page.locator("#q").fill("婚姻")
    expect(page.locator("#search-results")).to_contain_text("内地居民婚姻登记")

    # Open the guide.
    page.locator(".item-card__link", has_text="内地居民婚姻登记").tap()
    page.wait_for_url(f"**/items/{item.pk}/")
    expect(page.locator("h1")).to_have_text("内地居民婚姻登记")
    plain, official = page.locator("#plain"), page.locator("#official")
    expect(plain).to_contain_text("两个人结婚，一起到这里领结婚证。")
    expect(plain).to_contain_text("居民户口簿")
    expect(plain.locator(".checklist__item--later")).to_contain_text("近期半身免冠合影照片")
    expect(official).to_contain_text(item.implementation_code)
    plain_box, official_box = plain.bounding_box(), official.bounding_box()
    assert plain_box is not None and official_box is not None
    assert plain_box["y"] + plain_box["height"] <= official_box["y"]
    assert page.evaluate(
        "document.getElementById('plain').compareDocumentPosition("
        "document.getElementById('official')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert_fits_phone(page)
    # Big tap targets for the jump links and the search button.
    header_search = page.locator(".site-header [role=search] button")
    for locator in (page.locator(".jump a").first, header_search):
        box = locator.bounding_box()
        assert box is not None and box["height"] >= 44, box
    page.screenshot(path=str(SCREENSHOT_DIR / "onewindow-guide-phone.png"), full_page=True)

    # Switch to English: same guide, English labels and the English item name.
    page.locator(".lang-switch a[hreflang='en']").tap()
    page.wait_for_url(f"**/en/items/{item.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Marriage registration for mainland residents")
    expect(page.locator("#plain-title")).to_have_text("In plain words")
    expect(page.locator("#official-title")).to_have_text("Official service guide")
    expect(plain.locator(".badge--later")).to_have_text("Can be brought later (容缺后补)")
    assert_fits_phone(page)
    page.screenshot(path=str(SCREENSHOT_DIR / "onewindow-guide-phone-en.png"), full_page=True)
