"""Ratings in a real headless Chromium: (a) a citizen rates a delivered case 非常不满意 from
the SMS link on a phone (390×844), which opens its rectification; (b) the centre manager pairs
a rating pad with window 02 on the staff page (a clerk may not), the pad (a tablet) waits, and
shows the on-site form as soon as the clerk finishes an instant item at that window; the
citizen rates, the pad thanks and waits again."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from onewindow.cases.models import Case
from onewindow.cases.notifications import message_for_event
from onewindow.cases.tests.test_browser_walks import (
    choose_window,
    desks,
    mark_received,
    read_id_and_pick_item,
)
from onewindow.cases.tests.test_progress import delivered_lift_case
from onewindow.org.models import Role
from onewindow.ratings.models import RatedStaff, Rating, RatingPad, Rectification
from onewindow.ratings.tests.rate.conftest import PERSONAL
from onewindow.testing.factories import staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["desks"]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth")


def test_a_citizen_rates_a_delivered_case_very_dissatisfied_from_the_sms_link_on_a_phone(
    live_server, phone_page, city, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    case = delivered_lift_case(city)
    with translation.override("zh-hans"):
        _code, text = message_for_event(case.events.get(action="deliver"))
    url = re.search(r"评价：(\S+)$", text).group(1)
    assert case.query_code not in url

    phone_page.goto(url)
    expect(phone_page.locator("#rate-case-name")).to_have_text("既有住宅增设电梯")
    expect(phone_page.locator("#rate-case-number")).to_have_text(case.number)
    expect(phone_page.locator("#rate-centre")).to_have_text("街道中心")
    levels = phone_page.locator("button.rate-level")
    assert levels.all_inner_texts() == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    heights = levels.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert min(heights) >= 56
    assert no_sideways_scroll(phone_page)
    phone_page.screenshot(path="/tmp/rate-phone-levels.png", full_page=True)

    phone_page.locator('button.rate-level[data-level="1"]').click()
    phone_page.wait_for_selector("#rate-form")
    expect(phone_page.locator("#rate-chosen-level")).to_have_text("非常不满意")
    # Every aspect starts at the level chosen; the citizen changes one.
    assert phone_page.locator(".rate-scale input:checked").evaluate_all(
        "els => els.map(e => e.name + '=' + e.value)"
    ) == [
        "dim_overall=1",
        "dim_efficiency=1",
        "dim_guide=1",
        "dim_convenience=1",
        "dim_usability=1",
    ]
    phone_page.locator('fieldset[data-dimension="guide"] label:has(input[value="2"])').click()
    # Only the reasons of a bad rating are offered.
    assert "比承诺时限快" not in phone_page.locator(".rate-options").inner_text()
    phone_page.locator('label.rate-option:has(input[value="slow"])').click()
    phone_page.locator('label.rate-option:has(input[value="more_visits"])').click()
    phone_page.fill("#rate-comment", "超过承诺时间很久，还让我多跑了一趟。")
    assert no_sideways_scroll(phone_page)
    phone_page.screenshot(path="/tmp/rate-phone-form.png", full_page=True)
    phone_page.locator("#rate-send").click()
    phone_page.wait_for_selector("#rate-thanks")
    assert phone_page.url == f"{live_server.url}/rate/thanks/"

    rating = Rating.objects.get()
    assert (rating.channel, rating.occasion, rating.level, rating.case_id) == (
        "sms",
        "case",
        1,
        case.pk,
    )
    assert rating.dimensions == {
        "overall": 1,
        "efficiency": 1,
        "guide": 2,
        "convenience": 1,
        "usability": 1,
    }
    assert rating.options == ["slow", "more_visits"]
    assert rating.comment == "超过承诺时间很久，还让我多跑了一趟。"
    rectification = Rectification.objects.get(rating=rating)
    assert (rectification.state, rectification.owner) == ("callback", city.clerk)

    # The link again: rated already, and nothing more is stored.
    phone_page.goto(url)
    expect(phone_page.locator("#rate-state")).to_have_attribute("data-state", "used")
    assert Rating.objects.count() == 1


def test_the_rating_pad_at_a_window_shows_the_form_when_the_clerk_completes_an_instant_item(
    live_server, browser, desks, city, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    manager = desks(staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre))
    page = manager.go("/staff/ratings/pads/")
    page.locator("#pad-window-choice").select_option(str(city.instant_window.pk))
    page.locator("#pad-issue button[type=submit]").click()
    pad_url = page.locator("#pad-url").inner_text()
    assert RatingPad.objects.get().window == city.instant_window
    clerk = desks(city.clerk)

    tablet = browser.new_context(
        viewport={"width": 800, "height": 1280},
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    tablet.set_default_timeout(15_000)
    pad = tablet.new_page()
    try:
        pad.goto(pad_url)
        expect(pad.locator("#pad-visit")).to_have_attribute("data-state", "waiting")
        expect(pad.locator("#pad-window")).to_have_text("02 号窗口")

        # The clerk finishes an instant item at window 02 ...
        page = clerk.go("/staff/cases/intake/")
        choose_window(page, "02")
        read_id_and_pick_item(page, "养老", "城乡居民养老保险待遇核定")
        mark_received(page)
        page.get_by_role("button", name=re.compile("即办|Complete now")).click()
        page.wait_for_url(re.compile(r"/staff/cases/intake/done/"))
        case = Case.objects.get()

        # ... and the pad, polling, asks for the rating of that visit.
        expect(pad.locator("#pad-visit")).to_have_attribute("data-state", "visit")
        expect(pad.locator("#pad-item")).to_have_text("城乡居民养老保险待遇核定")
        shown = pad.locator("#pad-number").inner_text()
        assert shown != case.number and shown[-4:] == case.number[-4:]
        body = pad.locator("body").inner_text()
        for value in [*PERSONAL, case.number]:
            assert value not in body
        pad.screenshot(path="/tmp/rate-pad-visit.png", full_page=True)

        pad.locator('button.rate-level[data-level="4"]').click()
        pad.wait_for_selector("#rate-form")
        pad.locator('label.rate-option:has(input[value="polite"])').click()
        pad.locator("#rate-send").click()
        pad.wait_for_selector("#pad-thanks")
        # Then back to waiting by itself, the visit rated.
        pad.wait_for_selector("#pad-waiting")
        expect(pad.locator("#pad-visit")).to_have_attribute("data-state", "waiting")
    finally:
        tablet.close()

    rating = Rating.objects.get()
    event = case.events.get(action="complete_instant")
    assert (rating.channel, rating.occasion, rating.occasion_key, rating.level) == (
        "pad",
        "visit",
        f"visit:{case.pk}:{event.pk}",
        4,
    )
    assert rating.options == ["polite"]
    assert rating.window == city.instant_window
    assert list(RatedStaff.objects.values_list("user_id", "role")) == [(city.clerk.pk, "window")]
    assert Rating.objects.get().pad == RatingPad.objects.get()
