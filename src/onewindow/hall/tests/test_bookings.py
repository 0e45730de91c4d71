"""Booking a slot: capacity, the double booking, cancelling, no-shows and their limit."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from onewindow.core.models import AuditLog
from onewindow.hall.codes import BookingState
from onewindow.hall.models import Booking, Slot
from onewindow.hall.services import (
    booking_cancel,
    booking_create,
    bookings_no_show_sweep,
    slot_times,
)
from onewindow.hall.tests.conftest import OTHER_PHONE, PHONE, at, last_booking_code
from onewindow.notify.models import Notification

pytestmark = pytest.mark.django_db


def _book(hall, *, phone=PHONE, group=None, hour=9, minute=0, day=None, now=None):
    return booking_create(
        group_id=(group or hall.a).pk,
        starts_at=at(day or hall.tomorrow, hour, minute),
        agent=hall.agent,
        phone=phone,
        now=now,
    )


def test_a_group_offers_its_slots_within_its_opening_periods(hall):
    times = slot_times(hall.a, hall.tomorrow)
    assert [f"{timezone.localtime(start):%H:%M}" for start, _end in times] == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30",
    ]  # fmt: skip


def test_a_citizen_books_and_gets_the_code_by_sms_stored_only_as_a_digest(hall, account):
    made = booking_create(group_id=hall.a.pk, starts_at=at(hall.tomorrow, 9), account=account)
    booking = made.booking
    assert booking.state == BookingState.BOOKED
    assert booking.phone_masked == "139****5678"
    assert last_booking_code() == made.code_shown
    assert made.code not in booking.code_index and PHONE not in booking.phone_encrypted
    sms = Notification.objects.get(template_code="hall_booking_made")
    assert made.code_shown not in sms.text_shown
    assert Slot.objects.get(group=hall.a).booked == 1
    assert (
        AuditLog.objects.filter(action="hall.booking_book", object_id=str(booking.pk)).count() == 1
    )


def test_the_last_seat_cannot_be_taken_twice(hall):
    _book(hall, phone="13800000001")
    _book(hall, phone="13800000002")
    with pytest.raises(Exception) as refused:
        _book(hall, phone="13800000003")
    assert refused.value.code == "slot_full"
    assert refused.value.status == 409
    assert Booking.objects.count() == 2
    assert Slot.objects.get(group=hall.a).booked == 2


def test_a_double_booked_slot_is_refused_in_both_languages_and_writes_nothing(hall):
    _book(hall)
    before = (Booking.objects.count(), Notification.objects.count(), AuditLog.objects.count())
    with pytest.raises(Exception) as refused:
        _book(hall, hour=10)  # same group, same day
    data = refused.value.as_dict()
    assert refused.value.status == 409
    assert data["code"] == "double_booked"
    assert data["message"] == (
        "您在这一天已预约了此项服务，或在同一时段另有预约。本次未预约：请先取消原预约，或改选其他日期、时段。"
    )
    assert data["message_en"].startswith("You already hold a booking for this service")
    with pytest.raises(Exception) as same_time:
        _book(hall, group=hall.b)  # another group, the same time
    assert same_time.value.code == "double_booked"
    after = (Booking.objects.count(), Notification.objects.count(), AuditLog.objects.count())
    assert after == before
    assert Slot.objects.get(group=hall.a).booked == 1
    assert not Slot.objects.filter(group=hall.b, booked__gt=0).exists()


def test_a_time_not_offered_is_refused(hall):
    with pytest.raises(Exception) as refused:
        _book(hall, hour=12)  # the lunch break
    assert refused.value.code == "invalid"
    assert refused.value.as_dict()["errors"][0]["code"] == "slot_not_offered"
    assert Booking.objects.count() == 0


def test_cancel_frees_the_seat_and_another_account_gets_404(hall, account):
    from onewindow.citizens.models import CitizenAccount

    made = booking_create(group_id=hall.a.pk, starts_at=at(hall.tomorrow, 9), account=account)
    stranger = CitizenAccount.objects.create(
        phone_index="x" * 64, phone_encrypted="-", phone_masked="137****5678"
    )
    with pytest.raises(Exception) as hidden:
        booking_cancel(account=stranger, booking_id=made.booking.pk)
    assert hidden.value.status == 404
    assert Booking.objects.get().state == BookingState.BOOKED
    assert AuditLog.objects.filter(action="denied:hall.booking_cancel", allowed=False).count() == 1
    booking_cancel(account=account, booking_id=made.booking.pk)
    assert Booking.objects.get().state == BookingState.CANCELLED
    assert Slot.objects.get(group=hall.a).booked == 0
    with pytest.raises(Exception) as again:
        booking_cancel(account=account, booking_id=made.booking.pk)
    assert again.value.code == "booking_not_cancellable"


def test_no_shows_are_counted_after_the_slot_and_three_close_booking(hall, settings):
    settings.HALL_NO_SHOW_LIMIT = 3
    days = [hall.tomorrow + dt.timedelta(days=n) for n in range(3)]
    for day in days:
        _book(hall, day=day)
    assert bookings_no_show_sweep(now=at(days[0], 9, 40)) == 0  # still in the late check-in
    assert bookings_no_show_sweep(now=at(days[0], 9, 46)) == 1
    later = at(days[2] + dt.timedelta(days=1), 8)
    assert bookings_no_show_sweep(now=later) == 2
    assert bookings_no_show_sweep(now=later) == 0
    assert set(Booking.objects.values_list("state", flat=True)) == {BookingState.NO_SHOW}
    with pytest.raises(Exception) as blocked:
        _book(hall, day=days[2] + dt.timedelta(days=2), now=later)
    data = blocked.value.as_dict()
    assert blocked.value.status == 403
    assert data["code"] == "too_many_no_shows"
    until = (days[2] + dt.timedelta(days=30)).isoformat()
    assert data["message_en"] == (
        f"Bookings were not kept 3 times in the last 30 days: booking is closed for this "
        f"mobile number until {until}. You can still take a ticket at the hall."
    )
    assert Booking.objects.count() == 3
    assert AuditLog.objects.filter(action="denied:hall.booking_book", allowed=False).count() == 1
    # Another number is not affected.
    _book(hall, phone=OTHER_PHONE, day=days[2] + dt.timedelta(days=2), now=later)


@pytest.mark.django_db(transaction=True)
def test_two_callers_for_the_last_seat_at_once_get_it_once(hall):
    """PostgreSQL: eight threads with their own connections race for two seats; SQLite, which
    writes one transaction at a time, takes them in turn."""
    phones = [f"1380000{n:04d}" for n in range(8)]
    outcomes: list[str] = []
    if connection.vendor == "postgresql":
        start = threading.Barrier(len(phones))

        def caller(phone: str) -> None:
            try:
                start.wait()
                _book(hall, phone=phone)
                outcomes.append("booked")
            except Exception as exc:  # the refusal, compared below
                outcomes.append(getattr(exc, "code", repr(exc)))
            finally:
                connection.close()

        threads = [threading.Thread(target=caller, args=(p,)) for p in phones]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for phone in phones:
            try:
                _book(hall, phone=phone)
                outcomes.append("booked")
            except Exception as exc:
                outcomes.append(getattr(exc, "code", repr(exc)))
    assert sorted(outcomes) == ["booked"] * 2 + ["slot_full"] * 6
    assert Booking.objects.count() == 2
    assert Slot.objects.get(group=hall.a).booked == 2
