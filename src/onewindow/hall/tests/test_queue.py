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
    services.ticket_finish(clerk=hall.clerk, ticket_id=first.pk)
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


def test_an_id_number_finds_todays_booking_else_gives_a_plain_ticket_the_same_way(hall):
    booked_id, stranger_id = make_resident_id(), make_resident_id()
    made = _booked(hall, id_number=booked_id)
    now = at(hall.tomorrow, 9)
    with_booking = services.ticket_take_by_id_number(
        centre=hall.centre, id_number=booked_id, group_id=hall.b.pk, now=now
    )
    without = services.ticket_take_by_id_number(
        centre=hall.centre, id_number=stranger_id, group_id=hall.b.pk, now=now
    )
    assert with_booking.booking_id == made.booking.pk and with_booking.group_id == hall.a.pk
    assert without.booking_id is None and without.group_id == hall.b.pk
    assert type(with_booking) is type(without)
    # No person was looked up or written.
    from onewindow.applicants.models import Person

    assert Person.objects.count() == 0


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
        centre=hall.centre, id_number=number, group_id=hall.b.pk, now=at(hall.tomorrow, 8, 45)
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
    services.ticket_skip(clerk=hall.clerk, ticket_id=ticket.pk)
    services.ticket_requeue(clerk=hall.clerk, ticket_id=ticket.pk)
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.WAITING
    services.ticket_call_next(clerk=hall.clerk, window=window, now=now)
    services.ticket_skip(clerk=hall.clerk, ticket_id=ticket.pk)
    with pytest.raises(Exception) as twice:
        services.ticket_requeue(clerk=hall.clerk, ticket_id=ticket.pk)
    assert twice.value.code == "requeued_once"
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.SKIPPED
    other = services.ticket_take(centre=hall.centre, group_id=hall.a.pk, now=now)
    services.ticket_call_next(clerk=hall.clerk, window=window, now=now)
    services.ticket_recall(clerk=hall.clerk, ticket_id=other.pk)
    services.ticket_start(clerk=hall.clerk, ticket_id=other.pk)
    done = services.ticket_finish(clerk=hall.clerk, ticket_id=other.pk)
    assert done.state == TicketState.DONE
    actions = TicketEvent.objects.filter(ticket=other).order_by("id")
    assert list(actions.values_list("action", flat=True)) == [
        "issue", "call", "recall", "start", "finish",
    ]  # fmt: skip
    with pytest.raises(Exception) as refused:
        services.ticket_skip(clerk=hall.clerk, ticket_id=other.pk)
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
                services.ticket_finish(clerk=hall.clerk, ticket_id=ticket.pk)
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
