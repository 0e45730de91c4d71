"""Issue 9, done when: a citizen books a slot on a phone, gets the booking code by SMS, takes a
ticket by the booking code at the kiosk page, is called on the calling screen and served — in
real headless Chromium (Debian's), each party in its own browser context."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.citizens.tests.conftest import last_code
from onewindow.hall.codes import BookingState, TicketState
from onewindow.hall.models import Booking, OpeningPeriod, ServiceGroup, Ticket
from onewindow.hall.tests.conftest import PHONE, last_booking_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation of the Content-Security-Policy a page reports (htmx polling, the chime).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def mid_morning():
    """The walk happens tomorrow at 10:00 in the hall's time zone, whatever the hour the suite
    runs (near midnight no slot of the day would be left to book). The clock ticks on from
    there, for the server's threads too; tomorrow is ahead of the browser's own clock, so its
    cookies stay fresh."""
    import time_machine

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    moment = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(10, 0)))
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture
def all_day(mid_morning, hall):
    """Group C of the hall takes bookings all day in 10-minute slots, served at window 03: the
    next slot is minutes away."""
    group = ServiceGroup.objects.create(
        centre=hall.centre, letter="C", name="综合受理", slot_minutes=10, capacity=3
    )
    group.windows.set([hall.windows[2]])
    for weekday in range(7):
        OpeningPeriod.objects.create(
            group=group, weekday=weekday, starts=dt.time(0, 0), ends=dt.time(23, 50)
        )
    return group


def test_a_citizen_books_takes_a_ticket_by_code_is_called_on_the_screen_and_served(
    live_server, browser, phone_page, mid_morning, hall, all_day
):
    from onewindow.cases.tests.test_browser_walks import Desk

    base = live_server.url
    # The citizen, on a phone: the booking page asks to sign in first, by SMS code.
    phone_page.goto(f"{base}/hall/book/")
    phone_page.fill("#sign-in-phone", PHONE)
    phone_page.locator("#sign-in-send").click()
    phone_page.fill("#sign-in-code", last_code())
    phone_page.locator("#sign-in-submit").click()
    phone_page.locator('[data-group="C"]').click()
    expect(phone_page.locator("#hall-group")).to_contain_text("综合受理")
    phone_page.locator(".hall-slot input:not([disabled])").first.check()
    phone_page.locator("#hall-book-submit").click()
    code = phone_page.locator("#hall-code").inner_text()
    assert code == last_booking_code()  # the SMS, as the gateway gets it
    booking = Booking.objects.get()
    assert booking.state == BookingState.BOOKED and booking.group_id == all_day.pk
    assert timezone.localdate(booking.starts_at) == timezone.localdate(mid_morning)

    # The hall's TV: the calling screen, sound unlocked by a click.
    tv_context = browser.new_context(
        viewport={"width": 1280, "height": 720}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    tv_context.set_default_timeout(10_000)
    tv_context.add_init_script(WATCH_VIOLATIONS)
    tv = tv_context.new_page()
    tv.goto(f"{base}/hall/{hall.centre.code}/screen/")
    tv.locator("#screen-sound").click()
    expect(tv.locator("body")).to_have_attribute("data-chimed", "1")

    # The kiosk: no sign-in; the booking code from the SMS.
    kiosk_context = browser.new_context(
        viewport={"width": 1080, "height": 1920}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    kiosk_context.set_default_timeout(10_000)
    kiosk_context.add_init_script(WATCH_VIOLATIONS)
    kiosk = kiosk_context.new_page()
    kiosk.goto(f"{base}/hall/{hall.centre.code}/kiosk/")
    height = kiosk.evaluate(
        "() => document.querySelector('#kiosk-code-submit').getBoundingClientRect().height"
    )
    assert height >= 64
    kiosk.screenshot(path="/tmp/hall-kiosk.png")
    kiosk.fill("#kiosk-code", code.lower())
    kiosk.locator("#kiosk-code-submit").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("C001")
    expect(kiosk.locator("#ticket-group")).to_have_text("C · 综合受理")
    expect(kiosk.locator("#ticket-ahead")).to_have_text("您前面还有 0 人")
    assert Booking.objects.get().state == BookingState.CHECKED_IN

    # The clerk at window 03 calls next.
    desk = Desk(browser, live_server, hall.clerk)
    try:
        page = desk.go("/staff/hall/")
        page.locator('#hall-windows [data-window="03"]').click()
        page.locator("#desk-call-next").click()
        expect(page.locator("#desk-number")).to_have_text("C001")

        # The screen shows the number and the window within its 2-second poll, and chimes.
        call = tv.locator('.screen__current [data-number="C001"]')
        expect(call).to_have_attribute("data-window", "03")
        expect(call).to_contain_text("03 号窗口")
        expect(tv.locator("body")).to_have_attribute("data-chimed", "2")
        tv.screenshot(path="/tmp/hall-screen.png")
        kiosk.screenshot(path="/tmp/hall-ticket.png")

        page.locator("#desk-finish").click()
        expect(page.locator("#desk-call-next")).to_be_visible()
        expect(tv.locator('.screen__recent [data-number="C001"]')).to_be_visible()
        expect(tv.locator(".screen__current .screen__call")).to_have_count(0)
        assert tv.evaluate("window.__cspViolations") == []
        assert kiosk.evaluate("window.__cspViolations") == []
    finally:
        desk.close()
        tv_context.close()
        kiosk_context.close()
    ticket = Ticket.objects.get()
    assert (ticket.state, ticket.window_id, ticket.booking_id) == (
        TicketState.DONE,
        hall.windows[2].pk,
        booking.pk,
    )
