"""The no-show sweep runs on the schedule of ``core.tasks`` and from cron."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from onewindow.core.tasks import periodic_tasks
from onewindow.hall import tasks
from onewindow.hall.codes import BookingState
from onewindow.hall.models import Booking
from onewindow.hall.services import booking_create
from onewindow.hall.tests.conftest import PHONE, at

pytestmark = pytest.mark.django_db


def test_the_sweep_is_a_periodic_task_every_five_minutes():
    assert periodic_tasks()[tasks.hall_no_shows_sweep.name] == 300.0


def test_the_command_marks_past_bookings_as_no_shows(hall, working_days):
    booking_create(
        group_id=hall.a.pk,
        starts_at=at(working_days, 9),
        agent=hall.agent,
        phone=PHONE,
        now=at(working_days, 8),
    )
    # Its slot ended a day ago.
    ended = timezone.now() - dt.timedelta(days=1)
    Booking.objects.update(starts_at=ended - dt.timedelta(minutes=30), ends_at=ended)
    out = io.StringIO()
    call_command("hall_no_shows", stdout=out)
    assert out.getvalue().strip() == "1"
    assert Booking.objects.get().state == BookingState.NO_SHOW
    assert tasks.hall_no_shows_sweep() == 0
