"""The care-mode switch in Debian's Chromium: it persists across pages and reloads (the cookie),
works without JavaScript, sends nowhere off the site, and leaves staff pages alone; care mode's
type, targets, focus ring and single column read back from the browser."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.care.mode import COOKIE, COOKIE_ON
from onewindow.org.models import Role
from onewindow.testing.browser import PHONE_VIEWPORT
from onewindow.testing.factories import TopicFactory, create_item, staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"  # UserFactory's
DESKTOP = {"width": 1366, "height": 900}


def _context(browser, **options):
    values = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": PHONE_VIEWPORT}
    values.update(options)
    context = browser.new_context(**values)
    context.set_default_timeout(10_000)
    return context


def html_class(page) -> str:
    return page.locator("html").get_attribute("class") or ""


def care_cookie(page):
    return [c for c in page.context.cookies() if c["name"] == COOKIE]


def test_care_mode_persists_across_pages_and_reloads_until_switched_off(browser, live_server):
    item = create_item(name="既有住宅增设电梯")
    context = _context(browser)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/items/{item.pk}/")
        assert html_class(page) == ""
        assert page.locator("#care-switch").inner_text() == "关怀模式"
        page.locator("#care-switch").click()
        page.wait_for_selector("html.care")
        assert page.url == f"{live_server.url}/items/{item.pk}/"
        [cookie] = care_cookie(page)
        assert cookie["value"] == COOKIE_ON
        assert cookie["sameSite"] == "Lax"
        assert cookie["httpOnly"] is True
        a_year_on = dt.datetime.now(dt.UTC) + dt.timedelta(days=364)
        assert cookie["expires"] > a_year_on.timestamp()
        # The official guide folds under "More" and opens on demand.
        assert page.locator("#care-more > summary").inner_text() == "更多：官方办事指南"
        assert not page.locator("#official").is_visible()
        page.locator("#care-more > summary").click()
        assert page.locator("#official").is_visible()

        page.locator(".site-progress-link").click()
        page.wait_for_url(f"{live_server.url}/progress/")
        assert html_class(page) == "care"
        page.reload()
        assert html_class(page) == "care"
        page.goto(f"{live_server.url}/en/")
        assert html_class(page) == "care"
        assert page.locator("#care-switch").inner_text() == "Back to standard mode"

        page.locator("#care-switch").click()
        page.wait_for_url(f"{live_server.url}/en/")
        assert html_class(page) == ""
        assert care_cookie(page) == []
        page.reload()
        assert html_class(page) == ""
        assert page.locator("#care-switch").inner_text() == "Care mode"
    finally:
        context.close()


def test_the_switch_works_without_javascript(browser, live_server):
    context = _context(browser, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/power-list/")
        page.locator("#care-switch").click()
        page.wait_for_url(f"{live_server.url}/power-list/")
        assert html_class(page) == "care"
        assert care_cookie(page)[0]["value"] == COOKIE_ON
        page.locator("#care-switch").click()
        page.wait_for_url(f"{live_server.url}/power-list/")
        assert html_class(page) == ""
        assert care_cookie(page) == []
    finally:
        context.close()


def test_a_next_address_on_another_host_lands_on_the_home_page(browser, live_server):
    context = _context(browser)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/power-list/")
        page.evaluate(
            "document.querySelector('#care-switch').form.next.value = 'https://evil.example/'"
        )
        page.locator("#care-switch").click()
        page.wait_for_selector("html.care")
        assert page.url == f"{live_server.url}/"
    finally:
        context.close()


def test_staff_pages_stay_standard_with_care_mode_on(browser, live_server):
    clerk = staff_with_role(Role.INTAKE_CLERK)
    context = _context(browser, viewport=DESKTOP)
    context.add_cookies([{"name": COOKIE, "value": COOKIE_ON, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/staff/sign-in/")
        assert html_class(page) == ""
        assert page.locator("#care-switch").count() == 0
        page.locator("#id_username").fill(clerk.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#id_password").press("Enter")
        page.wait_for_url(f"{live_server.url}/staff/")
        assert html_class(page) == ""
        assert page.locator("#care-switch").count() == 0
        root = page.evaluate("getComputedStyle(document.documentElement).fontSize")
        assert root == "16px"  # the staff stylesheet's own size, as without the cookie
        # The public home in the same browser is in care mode.
        page.goto(f"{live_server.url}/")
        assert html_class(page) == "care"
    finally:
        context.close()


SIZES = """() => {
  const px = (el, p) => parseFloat(getComputedStyle(el)[p]);
  const body = document.body;
  const tiles = document.querySelector('.tiles');
  return {
    root: getComputedStyle(document.documentElement).fontSize,
    bodyLineHeight: px(body, 'lineHeight') / px(body, 'fontSize'),
    switchHeight: document.querySelector('#care-switch').getBoundingClientRect().height,
    searchButton: document.querySelector('.search-form button').getBoundingClientRect().height,
    searchInput: document.querySelector('#home-search').getBoundingClientRect().height,
    tileColumns: getComputedStyle(tiles).gridTemplateColumns.split(' ').length,
    text: getComputedStyle(body).color,
    page: getComputedStyle(body).backgroundColor,
    more: !!document.querySelector('#care-more'),
  };
}"""


@pytest.mark.parametrize(
    ("care", "expected"),
    [
        (
            False,
            {"root": "18px", "tileColumns": 4, "text": "rgb(26, 26, 26)"},
        ),
        (
            True,
            {"root": "22px", "tileColumns": 1, "text": "rgb(0, 0, 0)"},
        ),
    ],
)
def test_the_home_page_sizes_in_each_mode(browser, live_server, care, expected):
    item = create_item(name="城乡居民养老保险待遇核定")
    item.topics.add(TopicFactory(name="生育"), TopicFactory(name="养老"))
    context = _context(browser, viewport=DESKTOP)
    if care:
        context.add_cookies([{"name": COOKIE, "value": COOKIE_ON, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        sizes = page.evaluate(SIZES)
        assert sizes["root"] == expected["root"]
        assert sizes["tileColumns"] == expected["tileColumns"]
        assert sizes["text"] == expected["text"]
        assert sizes["more"] is care
        if care:
            assert sizes["page"] == "rgb(255, 255, 255)"
            assert sizes["bodyLineHeight"] >= 1.6
            assert sizes["switchHeight"] >= 48
            assert sizes["searchButton"] >= 48
            assert sizes["searchInput"] >= 48
            # The focus ring: 4 px, with an 8 px black halo, from the keyboard.
            page.locator("#care-switch").focus()
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")
            ring = page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return [document.activeElement.id, s.outlineWidth, s.outlineStyle,"
                " s.boxShadow]; })()"
            )
            assert ring == ["care-switch", "4px", "solid", "rgb(0, 0, 0) 0px 0px 0px 8px"]
    finally:
        context.close()
