"""Tickets at the kiosk and at the window: by booking code (checked in, called first from its
time), by resident ID (never telling whether anybody has that number), by choosing a service;
call next, recall, skip and queue again once, served; two windows never call one ticket."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from onewindow.core.models import AuditLog
from onewindow.hall import services
from onewindow.hall.codes import BookingState, TicketState
from onewindow.hall.models import Booking, Ticket, TicketEvent
from onewindow.hall.tests.conftest import PHONE, at
from onewindow.testing.factories import make_resident_id

pytestmark = pytest.mark.django_db


def _booked(hall, *, hour=9, phone=PHONE, id_number=""):
    return services.booking_create(
        group_id=hall.a.pk,
        starts_at=at(hall.tomorrow, hour),
        agent=hall.agent,
        phone=phone,
        id_number=id_number,
        now=at(hall.tomorrow, 7),
    )


def test_numbers_count_up_per_group_and_day(hall):
    now = at(hall.tomorrow, 9)
    numbers = [
        services.ticket_take(centre=hall.centre, group_id=g.pk, now=now).number
        for g in (hall.a, hall.a, hall.b, hall.a)
    ]
    assert numbers == ["A001", "A002", "B001", "A003"]
    next_day = services.ticket_take(
        centre=hall.centre, group_id=hall.a.pk, now=now + dt.timedelta(days=1)
    )
    assert next_day.number == "A001"
    assert TicketEvent.objects.filter(action="issue").count() == 5


def test_a_booking_code_checks_in_and_its_ticket_is_called_before_walk_ins(hall):
    made = _booked(hall)
    walk_in = services.ticket_take(
        centre=hall.centre, group_id=hall.a.pk, now=at(hall.tomorrow, 8, 50)
    )
    typed = made.code_shown.lower().replace("-", " ")
    ticket = services.ticket_take_by_code(
        centre=hall.centre, code=typed, now=at(hall.tomorrow, 8, 55)
    )
    assert ticket.number == "A002" and ticket.booking_id == made.booking.pk
    assert Booking.objects.get().state == BookingState.CHECKED_IN
    # Before its time the booked ticket waits its turn; from its time it goes first.
    first = services.ticket_call_next(
        clerk=hall.clerk, window=hall.windows[0], now=at(hall.tomorrow, 8, 58)
    )
    assert first.pk == walk_in.pk
    services.ticket_move(action="finish", clerk=hall.clerk, ticket_id=first.pk)
    later = services.ticket_take(
        centre=hall.centre, group_id=hall.a.pk, now=at(hall.tomorrow, 8, 59)
    )
    second = services.ticket_call_next(
        clerk=hall.clerk, window=hall.windows[0], now=at(hall.tomorrow, 9, 1)
    )
    assert second.pk == ticket.pk
    assert Ticket.objects.get(pk=later.pk).state == TicketState.WAITING
    # The code works once.
    with pytest.raises(Exception) as again:
        services.ticket_take_by_code(centre=hall.centre, code=made.code, now=at(hall.tomorrow, 9))
    assert again.value.code == "booking_code_unknown"


@pytest.mark.parametrize(
    "code", ["", "ABCD-EFGH", "1234", "A" * 40, "ABCD\x00EFG", "ＡＢＣＤ－ＥＦＧＨ"]
)
def test_a_wrong_code_gets_the_one_answer_and_gives_no_ticket(hall, code):
    from django.core.cache import cache

    cache.clear()  # the anonymous refusals of an address are written once a minute
    _booked(hall)
    with pytest.raises(Exception) as refused:
        services.ticket_take_by_code(
            centre=hall.centre, code=code, address="10.0.0.9", now=at(hall.tomorrow, 9)
        )
    data = refused.value.as_dict()
    assert (refused.value.status, data["code"]) == (422, "booking_code_unknown")
    assert data["message"] == (
        "本中心今天没有此预约码的预约。请核对短信中的预约码，或选择业务直接取号。"
    )
    assert Ticket.objects.count() == 0
    assert AuditLog.objects.filter(action="denied:hall.ticket_by_code", allowed=False).count() == 1


def test_a_code_of_another_centre_or_day_is_unknown_and_too_early_is_told(hall):
    made = _booked(hall)
    for centre, now in (
        (hall.other_centre, at(hall.tomorrow, 9)),
        (hall.centre, at(hall.tomorrow + dt.timedelta(days=1), 9)),
    ):
        with pytest.raises(Exception) as refused:
            services.ticket_take_by_code(centre=centre, code=made.code, now=now)
        assert refused.value.code == "booking_code_unknown"
    with pytest.raises(Exception) as early:
        services.ticket_take_by_code(centre=hall.centre, code=made.code, now=at(hall.tomorrow, 8))
    assert early.value.as_dict()["message_en"] == (
        "Your booking starts at 09:00: check in from 08:30."
    )
    assert Booking.objects.get().state == BookingState.BOOKED
    assert Ticket.objects.count() == 0


def _kiosk_answer(client, hall, id_number):
    """The kiosk's answer to a resident ID (group A) and the ticket page it leads to, with the
    ticket's number, its token and the form tokens blanked."""
    import re

    answer = client.post(
        f"/hall/{hall.centre.code}/kiosk/",
        {"mode": "id", "id_number": id_number, "group": hall.a.pk},
    )
    token = answer["Location"].rstrip("/").rsplit("/", 1)[-1]
    page = client.get(answer["Location"])
    ticket = Ticket.objects.get(token=token)
    body = page.content.decode().replace(token, "TOKEN").replace(ticket.number, "NUMBER")
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", body)
    body = re.sub(r'nonce="[^"]*"', "NONCE", body)
    location = answer["Location"].replace(token, "TOKEN")
    return (answer.status_code, location, page.status_code, body), ticket


def test_an_id_number_answers_the_same_page_whether_or_not_a_booking_matched(hall):
    import time_machine
    from django.test import Client

    booked_id, stranger_id = make_resident_id(), make_resident_id()
    made = _booked(hall, id_number=booked_id)
    client = Client()
    with time_machine.travel(at(hall.tomorrow, 9, 10), tick=False):
        without, plain = _kiosk_answer(client, hall, stranger_id)
        with_booking, booked = _kiosk_answer(client, hall, booked_id)
    assert (booked.booking_id, plain.booking_id) == (made.booking.pk, None)
    assert (booked.number, plain.number) == ("A002", "A001")
    assert with_booking == without
    assert with_booking[:3] == (302, "/hall/tickets/TOKEN/", 200)
    assert 'id="ticket-booked"' not in with_booking[3]
    assert f"{hall.tomorrow:%Y-%m-%d} 09:10" in with_booking[3]
    assert "09:00" not in with_booking[3]
    # No person was looked up or written.
    from onewindow.applicants.models import Person

    assert Person.objects.count() == 0


def test_an_id_number_gives_the_chosen_groups_ticket_and_leaves_other_bookings_alone(hall):
    """Another person's ID typed with another group: a plain ticket of that group, the
    booking untouched and its code still checks its holder in."""
    booked_id = make_resident_id()
    made = _booked(hall, id_number=booked_id)
    now = at(hall.tomorrow, 9)
    ticket = services.ticket_take_by_id_number(
        centre=hall.centre, id_number=booked_id, group_id=hall.b.pk, now=now
    )
    assert (ticket.number, ticket.group_id, ticket.booking_id, ticket.priority_from) == (
        "B001",
        hall.b.pk,
        None,
        None,
    )
    assert Booking.objects.get().state == BookingState.BOOKED
    holder = services.ticket_take_by_code(centre=hall.centre, code=made.code, now=now)
    assert (holder.number, holder.booking_id) == ("A001", made.booking.pk)
    assert Booking.objects.get().state == BookingState.CHECKED_IN


def test_an_id_number_with_a_booking_in_the_chosen_group_gives_priority_and_the_code_its_ticket(
    hall,
):
    booked_id = make_resident_id()
    made = _booked(hall, id_number=booked_id)
    now = at(hall.tomorrow, 9, 5)
    walk_in = services.ticket_take(centre=hall.centre, group_id=hall.a.pk, now=at(hall.tomorrow, 8))
    ticket = services.ticket_take_by_id_number(
        centre=hall.centre, id_number=booked_id, group_id=hall.a.pk, address="10.0.0.5", now=now
    )
    assert (ticket.number, ticket.group_id, ticket.booking_id, ticket.priority_from) == (
        "A002",
        hall.a.pk,
        made.booking.pk,
        at(hall.tomorrow, 9),
    )
    assert Booking.objects.get().state == BookingState.CHECKED_IN
    # Called before the walk-in who came earlier.
    called = services.ticket_call_next(clerk=hall.clerk, window=hall.windows[0], now=now)
    assert called.pk == ticket.pk
    # The holder's code gives back that same ticket (twice), not "unknown".
    for _ in range(2):
        again = services.ticket_take_by_code(
            centre=hall.centre, code=made.code, now=at(hall.tomorrow, 9, 10)
        )
        assert again.pk == ticket.pk
    assert Ticket.objects.count() == 2
    assert Ticket.objects.get(pk=walk_in.pk).state == TicketState.WAITING


def test_every_id_number_use_is_audited_with_the_masked_number_only(hall):
    from onewindow.core import crypto

    booked_id, stranger_id = make_resident_id(), make_resident_id()
    made = _booked(hall, id_number=booked_id)
    now = at(hall.tomorrow, 9)
    first = services.ticket_take_by_id_number(
        centre=hall.centre, id_number=booked_id, group_id=hall.a.pk, address="10.0.0.5", now=now
    )
    second = services.ticket_take_by_id_number(
        centre=hall.centre, id_number=stranger_id, group_id=hall.b.pk, address="10.0.0.5", now=now
    )
    rows = list(
        AuditLog.objects.filter(action="hall.ticket_by_id_number")
        .order_by("id")
        .values_list("actor_id", "object_type", "object_id", "allowed", "detail")
    )
    assert rows == [
        (
            None,
            "hall.ticket",
            str(first.pk),
            True,
            {
                "id_masked": crypto.mask_id_number(booked_id),
                "address": "10.0.0.5",
                "booking": made.booking.pk,
            },
        ),
        (
            None,
            "hall.ticket",
            str(second.pk),
            True,
            {
                "id_masked": crypto.mask_id_number(stranger_id),
                "address": "10.0.0.5",
                "booking": None,
            },
        ),
    ]
    for number in (booked_id, stranger_id):
        assert not AuditLog.objects.filter(detail__icontains=number).exists()
        assert not AuditLog.objects.filter(object_repr__icontains=number).exists()


def test_id_number_tries_are_limited_per_kiosk_address(hall, settings):
    from django.core.cache import cache

    cache.clear()
    settings.HALL_KIOSK_ID_TRIES_PER_MINUTE = 2
    now = at(hall.tomorrow, 9, 0)

    def take(address, moment=now, number=None):
        return services.ticket_take_by_id_number(
            centre=hall.centre,
            id_number=number or make_resident_id(),
            group_id=hall.a.pk,
            address=address,
            now=moment,
        )

    take("10.0.0.7")
    with pytest.raises(Exception) as malformed:
        take("10.0.0.7", number="123")
    assert malformed.value.status == 422  # a wrong number is a try too
    for _ in range(2):
        with pytest.raises(Exception) as refused:
            take("10.0.0.7")
        data = refused.value.as_dict()
        assert (refused.value.status, data["code"]) == (429, "too_many_kiosk_tries")
        assert data["message"] == (
            "一分钟内在本取号机输入的身份证号过多。请稍等一分钟，或凭预约码或选择业务取号。"
        )
        assert data["message_en"] == (
            "Too many resident ID numbers were typed at this kiosk in the last minute. "
            "Wait a minute, or take a ticket with your booking code or by service."
        )
    assert Ticket.objects.count() == 1
    # Audited once a minute per address, as the code mode's refusals are.
    refusals = AuditLog.objects.filter(action="denied:hall.ticket_by_id_number", allowed=False)
    assert refusals.count() == 1
    assert refusals.get().detail["reason"] == "too_many_tries"
    # Another kiosk, and the next minute, are served.
    assert take("10.0.0.8").number == "A002"
    assert take("10.0.0.7", moment=at(hall.tomorrow, 9, 1)).number == "A003"


def test_the_kiosk_page_refuses_too_many_id_tries_in_both_languages(hall, settings):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    settings.HALL_KIOSK_ID_TRIES_PER_MINUTE = 1
    client = Client(REMOTE_ADDR="10.0.0.9")
    url = f"/hall/{hall.centre.code}/kiosk/"
    form = {"mode": "id", "id_number": make_resident_id(), "group": hall.a.pk}
    assert client.post(url, form).status_code == 302
    refused = client.post(url, form)
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "一分钟内在本取号机输入的身份证号过多。" in body
    assert "Too many resident ID numbers were typed at this kiosk in the last minute." in body
    assert Ticket.objects.count() == 1


def test_a_real_name_citizens_online_booking_is_found_by_their_id_card(hall, account):
    from onewindow.testing.factories import create_person

    number = make_resident_id()
    account.person = create_person(id_number=number, name="王小明", phone=PHONE)
    account.save()
    made = services.booking_create(
        group_id=hall.a.pk, starts_at=at(hall.tomorrow, 9), account=account
    )
    assert made.booking.id_masked == account.person.id_number_masked
    ticket = services.ticket_take_by_id_number(
        centre=hall.centre, id_number=number, group_id=hall.a.pk, now=at(hall.tomorrow, 8, 45)
    )
    assert (ticket.booking_id, ticket.group_id) == (made.booking.pk, hall.a.pk)


def test_a_malformed_id_number_is_refused_before_anything_is_looked_up(hall):
    with pytest.raises(Exception) as refused:
        services.ticket_take_by_id_number(
            centre=hall.centre, id_number="11010119900307123", group_id=hall.a.pk
        )
    assert refused.value.status == 422
    assert [e["field"] for e in refused.value.as_dict()["errors"]] == ["id_number"]
    assert Ticket.objects.count() == 0


def test_another_centres_group_is_not_a_choice_at_the_kiosk(hall):
    other_group = hall.other_centre.service_groups.get()
    with pytest.raises(Exception) as refused:
        services.ticket_take(centre=hall.centre, group_id=other_group.pk)
    assert refused.value.status == 422
    assert Ticket.objects.count() == 0


def test_call_skip_requeue_once_recall_and_serve(hall):
    now = at(hall.tomorrow, 10)
    ticket = services.ticket_take(centre=hall.centre, group_id=hall.a.pk, now=now)
    window = hall.windows[1]
    called = services.ticket_call_next(clerk=hall.clerk, window=window, now=now)
    assert (called.pk, called.state, called.window_id) == (ticket.pk, TicketState.CALLED, window.pk)
    with pytest.raises(Exception) as busy:
        services.ticket_call_next(clerk=hall.clerk, window=window, now=now)
    assert busy.value.code == "window_busy"
    services.ticket_move(action="skip", clerk=hall.clerk, ticket_id=ticket.pk)
    services.ticket_move(action="requeue", clerk=hall.clerk, ticket_id=ticket.pk)
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.WAITING
    services.ticket_call_next(clerk=hall.clerk, window=window, now=now)
    services.ticket_move(action="skip", clerk=hall.clerk, ticket_id=ticket.pk)
    with pytest.raises(Exception) as twice:
        services.ticket_move(action="requeue", clerk=hall.clerk, ticket_id=ticket.pk)
    assert twice.value.code == "requeued_once"
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.SKIPPED
    other = services.ticket_take(centre=hall.centre, group_id=hall.a.pk, now=now)
    services.ticket_call_next(clerk=hall.clerk, window=window, now=now)
    services.ticket_move(action="recall", clerk=hall.clerk, ticket_id=other.pk)
    services.ticket_move(action="start", clerk=hall.clerk, ticket_id=other.pk)
    done = services.ticket_move(action="finish", clerk=hall.clerk, ticket_id=other.pk)
    assert done.state == TicketState.DONE
    actions = TicketEvent.objects.filter(ticket=other).order_by("id")
    assert list(actions.values_list("action", flat=True)) == [
        "issue", "call", "recall", "start", "finish",
    ]  # fmt: skip
    with pytest.raises(Exception) as refused:
        services.ticket_move(action="skip", clerk=hall.clerk, ticket_id=other.pk)
    assert refused.value.status == 409


def test_a_window_calls_only_from_the_groups_it_serves(hall):
    services.ticket_take(centre=hall.centre, group_id=hall.b.pk)
    with pytest.raises(Exception) as empty:
        services.ticket_call_next(clerk=hall.clerk, window=hall.windows[0])
    assert empty.value.code == "queue_empty"
    called = services.ticket_call_next(clerk=hall.clerk, window=hall.windows[2])
    assert called.number == "B001"


@pytest.mark.django_db(transaction=True)
def test_two_windows_pressing_call_next_at_once_never_get_the_same_ticket(hall):
    """PostgreSQL: ``FOR UPDATE SKIP LOCKED``, one thread per window with its own connection,
    many rounds; SQLite writes one transaction at a time."""
    for _ in range(12):
        services.ticket_take(centre=hall.centre, group_id=hall.a.pk)
    windows = hall.windows[:2]
    calls: dict[int, list[str]] = {w.pk: [] for w in windows}
    failures: list[BaseException] = []

    def desk(window) -> None:
        try:
            for _ in range(6):
                ticket = services.ticket_call_next(clerk=hall.clerk, window=window)
                calls[window.pk].append(ticket.number)
                services.ticket_move(action="finish", clerk=hall.clerk, ticket_id=ticket.pk)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            if connection.vendor == "postgresql":
                connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=desk, args=(w,)) for w in windows]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for window in windows:
            desk(window)
    assert failures == []
    numbers = calls[windows[0].pk] + calls[windows[1].pk]
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 13)]
    assert TicketEvent.objects.filter(action="call").count() == 12


@pytest.mark.django_db(transaction=True)
def test_two_presses_of_call_next_at_one_window_call_one_person(hall):
    """PostgreSQL: the window's row is locked first, so of two presses at once on one window
    one calls and the other is told the window is busy (409); SQLite takes turns."""
    for _ in range(6):
        services.ticket_take(centre=hall.centre, group_id=hall.a.pk)
    window = hall.windows[0]
    threaded = connection.vendor == "postgresql"

    def press(barrier: threading.Barrier, answers: list[tuple[str, object]]) -> None:
        try:
            barrier.wait()
            ticket = services.ticket_call_next(clerk=hall.clerk, window=window)
            answers.append(("called", ticket.number))
        except BaseException as exc:  # compared below
            answers.append(("refused", (getattr(exc, "status", None), getattr(exc, "code", ""))))
        finally:
            if threaded:
                connection.close()

    for round_number in range(3):
        answers: list[tuple[str, object]] = []
        if threaded:
            barrier = threading.Barrier(2)
            threads = [threading.Thread(target=press, args=(barrier, answers)) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        else:
            press(threading.Barrier(1), answers)
            press(threading.Barrier(1), answers)
        expected = f"A{round_number + 1:03d}"
        assert sorted(answers) == [("called", expected), ("refused", (409, "window_busy"))]
        at_window = Ticket.objects.filter(window=window, state=TicketState.CALLED)
        assert list(at_window.values_list("number", flat=True)) == [expected]
        services.ticket_move(action="finish", clerk=hall.clerk, ticket_id=at_window.get().pk)
    assert TicketEvent.objects.filter(action="call").count() == 3
    assert Ticket.objects.filter(state=TicketState.WAITING).count() == 3


def test_a_clerk_cannot_move_another_windows_ticket(hall):
    now = at(hall.tomorrow, 9)
    for _ in range(2):
        services.ticket_take(centre=hall.centre, group_id=hall.a.pk, now=now)
    first, second = hall.windows[0], hall.windows[1]
    mine = services.ticket_call_next(clerk=hall.clerk, window=first, now=now)
    theirs = services.ticket_call_next(clerk=hall.clerk, window=second, now=now)
    for action in ("recall", "start", "finish", "skip"):
        with pytest.raises(Exception) as refused:
            services.ticket_move(action=action, clerk=hall.clerk, ticket_id=theirs.pk, window=first)
        assert (refused.value.status, refused.value.code) == (404, "not_found")
    denied = AuditLog.objects.filter(allowed=False, object_id=str(theirs.pk)).order_by("id")
    assert list(denied.values_list("action", flat=True)) == [
        "denied:hall.ticket_recall",
        "denied:hall.ticket_start",
        "denied:hall.ticket_finish",
        "denied:hall.ticket_skip",
    ]
    assert Ticket.objects.get(pk=theirs.pk).state == TicketState.CALLED
    assert Ticket.objects.get(pk=theirs.pk).revision == theirs.revision
    # At its own window the move is done; a skipped ticket (no window once queued again) may
    # be queued again from any window of the centre.
    assert services.ticket_move(
        action="skip", clerk=hall.clerk, ticket_id=mine.pk, window=first
    ).state == (TicketState.SKIPPED)
    back = services.ticket_move(
        action="requeue", clerk=hall.clerk, ticket_id=mine.pk, window=second
    )
    assert (back.state, back.window_id) == (TicketState.WAITING, None)


def test_booking_code_tries_are_limited_per_kiosk_address(hall, settings):
    from django.core.cache import cache

    cache.clear()
    settings.HALL_KIOSK_CODE_TRIES_PER_MINUTE = 2
    now = at(hall.tomorrow, 9, 0)
    for code in ("AAAA-2222", "BBBB-3333"):
        with pytest.raises(Exception) as unknown:
            services.ticket_take_by_code(centre=hall.centre, code=code, address="10.0.0.9", now=now)
        assert unknown.value.code == "booking_code_unknown"
    with pytest.raises(Exception) as refused:
        services.ticket_take_by_code(
            centre=hall.centre, code="CCCC-4444", address="10.0.0.9", now=now
        )
    data = refused.value.as_dict()
    assert (refused.value.status, data["code"]) == (429, "too_many_kiosk_tries")
    assert data["message"] == (
        "一分钟内在本取号机输入的预约码过多。请稍等一分钟，或选择业务取号，并告诉窗口您已预约。"
    )
    assert (
        AuditLog.objects.filter(
            action="denied:hall.kiosk_code_tries", detail__reason="too_many_tries"
        ).count()
        == 1
    )
    # Another kiosk is still asked about its code.
    with pytest.raises(Exception) as other:
        services.ticket_take_by_code(
            centre=hall.centre, code="DDDD-5555", address="10.0.0.10", now=now
        )
    assert other.value.code == "booking_code_unknown"
