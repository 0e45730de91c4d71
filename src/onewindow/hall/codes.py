"""Code values of appointments and the queue (no models here, so the transitions and the
rules can use them without importing the model module)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class BookingState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not come")


class BookingChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    PHONE = "phone", _("By phone")


class TicketState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    RECALLED = "recalled", _("Called again")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Served")
    SKIPPED = "skipped", _("Skipped (did not come)")


class TicketSource(models.TextChoices):
    BOOKING_CODE = "booking_code", _("Booking code")
    ID_NUMBER = "id_number", _("Resident ID")
    GROUP = "group", _("Chosen at the kiosk")


# A ticket on the calling screen: called (or called again) and not yet served.
ON_SCREEN = (TicketState.CALLED, TicketState.RECALLED)
# Bookings that hold a seat of their slot.
HOLDING = (BookingState.BOOKED, BookingState.CHECKED_IN)
