"""The hall's pages and API: who may open what (anonymous / another centre's clerk / the
right role, each asserting nothing changed and the refusal audited), the citizen's booking
page and API, the kiosk, the ticket page, the calling screen and the manager's figures under
query-count guards."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.citizens.tests.conftest import app_sign_in, browser_sign_in
from onewindow.core.models import AuditLog
from onewindow.hall import services
from onewindow.hall.codes import TicketState
from onewindow.hall.models import Booking, Ticket
from onewindow.hall.tests.conftest import PHONE, at, last_booking_code

pytestmark = pytest.mark.django_db


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _walk_in(hall, group=None):
    return services.ticket_take(centre=hall.centre, group_id=(group or hall.a).pk)


def _snapshot():
    return sorted(Ticket.objects.values_list("pk", "state", "revision", "window_id"))


# --- the window desk --------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_sign_in_and_nothing_is_called(hall):
    ticket = _walk_in(hall)
    window = hall.windows[0]
    client = Client()
    for answer in (
        client.get(f"/staff/hall/windows/{window.pk}/"),
        client.post(f"/staff/hall/windows/{window.pk}/call-next/"),
        client.post(f"/staff/hall/windows/{window.pk}/tickets/{ticket.pk}/finish/"),
    ):
        assert answer.status_code == 302
        assert answer["Location"].startswith("/staff/sign-in/")
    assert Ticket.objects.get().state == TicketState.WAITING


def test_another_centres_clerk_gets_404_changes_nothing_and_is_audited(hall):
    ticket = _walk_in(hall)
    window = hall.windows[0]
    client = staff_client(hall.other_clerk)
    before = _snapshot()
    refusals = AuditLog.objects.filter(allowed=False).count()
    answers = [
        client.get(f"/staff/hall/windows/{window.pk}/"),
        client.post(f"/staff/hall/windows/{window.pk}/call-next/"),
        # At their own window, another centre's ticket.
        client.post(f"/staff/hall/windows/{hall.other_window.pk}/tickets/{ticket.pk}/finish/"),
        client.get("/staff/hall/windows/999999/"),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert _snapshot() == before
    assert AuditLog.objects.filter(allowed=False).count() == refusals + 4


def test_a_manager_who_cannot_serve_gets_404_at_a_desk_and_403_at_the_windows(hall):
    client = staff_client(hall.manager)
    answer = client.get(f"/staff/hall/windows/{hall.windows[0].pk}/")
    assert answer.status_code == 404
    assert client.get("/staff/hall/").status_code == 403


def test_the_clerk_calls_next_calls_again_and_marks_served_through_the_page(hall):
    ticket = _walk_in(hall)
    window = hall.windows[0]
    client = staff_client(hall.clerk)
    page = client.get("/staff/hall/")
    assert page.status_code == 200
    assert f'href="/staff/hall/windows/{window.pk}/"' in page.content.decode()
    answer = client.post(f"/staff/hall/windows/{window.pk}/call-next/")
    assert answer.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.state, ticket.window_id, ticket.clerk_id) == (
        TicketState.CALLED,
        window.pk,
        hall.clerk.pk,
    )
    desk = client.get(f"/staff/hall/windows/{window.pk}/").content.decode()
    assert 'id="desk-number">A001<' in desk
    # A stale page (an older revision) is refused and changes nothing.
    stale = client.post(
        f"/staff/hall/windows/{window.pk}/tickets/{ticket.pk}/recall/", {"revision": "0"}
    )
    assert stale.status_code == 409
    assert Ticket.objects.get().revision == ticket.revision
    client.post(
        f"/staff/hall/windows/{window.pk}/tickets/{ticket.pk}/recall/",
        {"revision": str(ticket.revision)},
    )
    # A post without the revision, or with a malformed one, is a page to reload as well.
    for posted in ({}, {"revision": "x"}, {"revision": "１"}, {"revision": "9" * 12}):
        again = client.post(f"/staff/hall/windows/{window.pk}/tickets/{ticket.pk}/finish/", posted)
        assert again.status_code == 409, posted
    assert Ticket.objects.get().state == TicketState.RECALLED
    client.post(
        f"/staff/hall/windows/{window.pk}/tickets/{ticket.pk}/finish/",
        {"revision": str(Ticket.objects.get().revision)},
    )
    assert Ticket.objects.get().state == TicketState.DONE
    empty = client.post(f"/staff/hall/windows/{window.pk}/call-next/")
    assert empty.status_code == 409
    assert "本窗口办理的业务暂无人排队。" in empty.content.decode()
    assert "Nobody is waiting for the services of this window." in empty.content.decode()


def test_an_unknown_ticket_action_is_404(hall):
    ticket = _walk_in(hall)
    client = staff_client(hall.clerk)
    answer = client.post(f"/staff/hall/windows/{hall.windows[0].pk}/tickets/{ticket.pk}/delete/")
    assert answer.status_code == 404
    assert Ticket.objects.get().state == TicketState.WAITING


def test_the_desk_costs_the_same_queries_whatever_the_queue(hall, django_assert_max_num_queries):
    for _ in range(30):
        _walk_in(hall)
    client = staff_client(hall.clerk)
    client.post(f"/staff/hall/windows/{hall.windows[0].pk}/call-next/")
    with django_assert_max_num_queries(16):
        assert client.get(f"/staff/hall/windows/{hall.windows[0].pk}/").status_code == 200


# --- the manager ------------------------------------------------------------------------------


def test_the_manager_sees_queue_lengths_and_figures_by_hour(hall, django_assert_max_num_queries):
    for _ in range(25):
        _walk_in(hall)
    _walk_in(hall, hall.b)
    called = services.ticket_call_next(clerk=hall.clerk, window=hall.windows[0])
    services.ticket_move(action="finish", clerk=hall.clerk, ticket_id=called.pk)
    client = staff_client(hall.manager)
    with django_assert_max_num_queries(14):
        page = client.get("/staff/hall/manager/")
    assert page.status_code == 200
    overview = page.context["overview"]
    assert [(g.group.letter, g.waiting_now, g.issued, g.served) for g in overview.groups] == [
        ("A", 24, 25, 1),
        ("B", 1, 1, 0),
    ]
    hour = timezone.localtime().hour
    assert sum(h.issued for h in overview.hours) == 26
    assert [h.issued for h in overview.hours if h.hour == hour] == [26]
    assert 'id="hall-chart"' in page.content.decode()


def test_a_clerk_may_not_read_the_figures_and_another_centre_is_404(hall):
    assert staff_client(hall.clerk).get("/staff/hall/manager/").status_code == 403
    street_manager = staff_client(hall.other_manager)
    assert street_manager.get(f"/staff/hall/manager/?centre={hall.centre.code}").status_code == 404
    # The district hall's manager oversees the street centre as well.
    answer = staff_client(hall.manager).get(f"/staff/hall/manager/?centre={hall.other_centre.code}")
    assert answer.status_code == 200


# --- booking ----------------------------------------------------------------------------------


def test_the_booking_page_needs_a_citizen_and_a_staff_session_is_none(hall):
    answer = Client().get("/hall/book/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/my/sign-in/?next=")
    assert staff_client(hall.clerk).get("/hall/book/").status_code == 302


def test_a_citizen_books_on_the_page_and_a_second_booking_is_refused(hall):
    client = Client()
    browser_sign_in(client, PHONE)
    page = client.get(f"/hall/book/?group={hall.a.pk}&day={hall.tomorrow:%Y-%m-%d}")
    assert page.status_code == 200
    starts = at(hall.tomorrow, 9).isoformat()
    assert f'value="{starts}"' in page.content.decode()
    done = client.post("/hall/book/", {"group": hall.a.pk, "starts_at": starts})
    assert done.status_code == 200
    code = last_booking_code()
    assert f'id="hall-code">{code}<' in done.content.decode()
    again = client.post("/hall/book/", {"group": hall.a.pk, "starts_at": starts})
    assert again.status_code == 409
    body = again.content.decode()
    assert "您在这一天已预约了此项服务" in body and "You already hold a booking" in body
    assert Booking.objects.count() == 1
    mine = client.get("/hall/bookings/").content.decode()
    assert mine.count('class="hall-booking"') == 1
    booking = Booking.objects.get()
    assert client.post(f"/hall/bookings/{booking.pk}/cancel/").status_code == 302
    assert Booking.objects.get().state == "cancelled"


@pytest.mark.parametrize(
    "fields",
    [
        {"group": "x", "starts_at": "2026-01-01T09:00"},
        {"group": "1", "starts_at": "not a time"},
        {"group": "99999", "starts_at": ""},
        {"group": "\x00", "starts_at": "\x00"},
        {"group": "1", "starts_at": "2026-13-45T09:00:00"},
    ],
)
def test_bad_input_on_the_booking_page_is_a_clear_422(hall, fields):
    client = Client()
    browser_sign_in(client, PHONE)
    answer = client.post("/hall/book/", fields)
    assert answer.status_code == 422
    assert "预约未成功" in answer.content.decode()
    assert Booking.objects.count() == 0


def test_the_api_books_with_a_bearer_token_and_refuses_the_double_booking(hall):
    client = Client()
    token = app_sign_in(client, PHONE)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    slots = client.get(f"/api/hall/groups/{hall.a.pk}/slots?day={hall.tomorrow:%Y-%m-%d}")
    assert slots.status_code == 200
    first = slots.json()[0]
    assert first["seats_left"] == 2
    body = {"group_id": hall.a.pk, "starts_at": first["starts_at"]}
    made = client.post("/api/hall/bookings", body, content_type="application/json", **headers)
    assert made.status_code == 201, made.content
    assert made.json()["code"] == last_booking_code()
    again = client.post("/api/hall/bookings", body, content_type="application/json", **headers)
    assert again.status_code == 409
    assert again.json()["code"] == "double_booked"
    assert again.json()["message_en"].startswith("You already hold a booking")
    anonymous = client.post("/api/hall/bookings", body, content_type="application/json")
    assert anonymous.status_code == 401
    mine = client.get("/api/hall/bookings", **headers).json()
    assert [b["group_letter"] for b in mine] == ["A"]
    assert Booking.objects.count() == 1


def test_a_phone_agent_books_for_a_caller_and_another_centres_clerk_is_refused(hall):
    agent = staff_client(hall.agent)
    starts = at(hall.tomorrow, 10).isoformat()
    page = agent.post(
        "/staff/hall/phone-booking/",
        {"group": hall.a.pk, "starts_at": starts, "phone": "139 1234 5678"},
    )
    assert page.status_code == 200
    assert f'id="hall-code">{last_booking_code()}<' in page.content.decode()
    booking = Booking.objects.get()
    assert (booking.channel, booking.booked_by_id, booking.phone_masked) == (
        "phone",
        hall.agent.pk,
        "139****5678",
    )
    other = staff_client(hall.other_clerk).post(
        "/staff/hall/phone-booking/",
        {
            "group": hall.a.pk,
            "starts_at": at(hall.tomorrow, 11).isoformat(),
            "phone": "13700000000",
        },
    )
    assert other.status_code == 404
    assert Booking.objects.count() == 1
    assert staff_client(hall.manager).get("/staff/hall/phone-booking/").status_code == 200
    assert Client().get("/staff/hall/phone-booking/").status_code == 302


# --- the kiosk, the ticket and the screen -----------------------------------------------------


def test_the_kiosk_gives_a_ticket_by_code_and_the_ticket_page_shows_it(hall):
    services.booking_create(
        group_id=hall.a.pk,
        starts_at=at(hall.tomorrow, 9),
        agent=hall.agent,
        phone=PHONE,
        now=at(hall.tomorrow, 7),
    )
    client = Client()
    kiosk = client.get(f"/hall/{hall.centre.code}/kiosk/")
    assert kiosk.status_code == 200
    assert "取号" in kiosk.content.decode()
    walk_in = client.post(f"/hall/{hall.centre.code}/kiosk/", {"mode": "group", "group": hall.b.pk})
    assert walk_in.status_code == 302
    ticket = client.get(walk_in["Location"]).content.decode()
    assert 'id="ticket-number">B001<' in ticket
    assert "您前面还有 0 人" in ticket
    wrong = client.post(f"/hall/{hall.centre.code}/kiosk/", {"mode": "code", "code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 422
    assert "本中心今天没有此预约码的预约" in wrong.content.decode()
    assert Client().get("/hall/nope/kiosk/").status_code == 404
    assert Client().get("/hall/tickets/not-a-token/").status_code == 404


def test_the_screen_shows_the_calls_and_its_fragment_costs_few_queries(
    hall, django_assert_max_num_queries
):
    for _ in range(20):
        _walk_in(hall)
    first = services.ticket_call_next(clerk=hall.clerk, window=hall.windows[0])
    services.ticket_call_next(clerk=hall.clerk, window=hall.windows[1])
    client = Client()
    page = client.get(f"/hall/{hall.centre.code}/screen/")
    assert page.status_code == 200
    assert 'hx-trigger="every 2s"' in page.content.decode()
    with django_assert_max_num_queries(6):
        calls = client.get(f"/hall/{hall.centre.code}/screen/calls/")
    body = calls.content.decode()
    assert 'data-number="A002" data-window="02"' in body
    assert 'data-number="A001" data-window="01"' in body
    assert body.index("A002") < body.index("A001")
    key = calls.context["state"].chime_key
    services.ticket_move(action="recall", clerk=hall.clerk, ticket_id=first.pk)
    again = client.get(f"/hall/{hall.centre.code}/screen/calls/")
    assert again.context["state"].chime_key != key
    assert again.context["state"].current[0].number == "A001"


def test_the_ticket_page_counts_the_people_ahead_and_estimates_the_wait(hall, settings):
    settings.HALL_DEFAULT_SERVICE_MINUTES = 7
    tickets = [_walk_in(hall) for _ in range(4)]
    page = Client().get(f"/hall/tickets/{tickets[3].token}/").content.decode()
    assert "您前面还有 3 人" in page
    assert "预计等候约 21 分钟" in page
    now = timezone.now()
    called = services.ticket_call_next(clerk=hall.clerk, window=hall.windows[0])
    Ticket.objects.filter(pk=called.pk).update(called_at=now - dt.timedelta(minutes=4))
    services.ticket_move(action="finish", clerk=hall.clerk, ticket_id=called.pk)
    Ticket.objects.filter(pk=called.pk).update(finished_at=now)
    page = Client().get(f"/hall/tickets/{tickets[3].token}/").content.decode()
    assert "您前面还有 2 人" in page
    assert "预计等候约 8 分钟" in page


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "0", "1e3"])
def test_ids_out_of_range_are_the_one_404_or_422_never_a_500(hall, value):
    clerk = staff_client(hall.clerk)
    window = hall.windows[0]
    big = "99999999999999999999"
    assert clerk.get(f"/staff/hall/windows/{big}/").status_code == 404
    assert clerk.post(f"/staff/hall/windows/{window.pk}/tickets/{big}/finish/").status_code == 404
    kiosk = Client().post(f"/hall/{hall.centre.code}/kiosk/", {"mode": "group", "group": value})
    assert kiosk.status_code == 422
    citizen = Client()
    browser_sign_in(citizen, PHONE)
    assert citizen.post(f"/hall/bookings/{big}/cancel/").status_code == 404
    answer = citizen.post("/hall/book/", {"group": value, "starts_at": at(hall.tomorrow, 9)})
    assert answer.status_code == 422
    assert Ticket.objects.count() == 0 and Booking.objects.count() == 0


def test_a_clerk_gets_404_for_another_windows_ticket_on_the_desk_page(hall):
    for _ in range(2):
        _walk_in(hall)
    first, second = hall.windows[0], hall.windows[1]
    client = staff_client(hall.clerk)
    assert client.post(f"/staff/hall/windows/{first.pk}/call-next/").status_code == 302
    assert client.post(f"/staff/hall/windows/{second.pk}/call-next/").status_code == 302
    theirs = Ticket.objects.get(window=second)
    refusals = AuditLog.objects.filter(allowed=False).count()
    answers = [
        client.post(f"/staff/hall/windows/{first.pk}/tickets/{theirs.pk}/{action}/")
        for action in ("finish", "skip")
    ]
    assert [a.status_code for a in answers] == [404, 404]
    missing = client.post(f"/staff/hall/windows/{first.pk}/tickets/999999/finish/")
    assert missing.status_code == 404

    def blanked(answer, pk):
        body = answer.content.decode().replace(f"/tickets/{pk}/", "/tickets/ID/")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", body)

    assert blanked(answers[0], theirs.pk) == blanked(missing, 999999)
    assert AuditLog.objects.filter(allowed=False).count() == refusals + 3
    assert Ticket.objects.get(pk=theirs.pk).state == TicketState.CALLED
    done = client.post(
        f"/staff/hall/windows/{second.pk}/tickets/{theirs.pk}/finish/",
        {"revision": str(theirs.revision)},
    )
    assert done.status_code == 302
    assert Ticket.objects.get(pk=theirs.pk).state == TicketState.DONE
