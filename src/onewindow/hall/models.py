"""Appointments and the queue of a service hall (ADR 0017).

- ``ServiceGroup`` — a centre's queue: a letter (A, B …), a name, what it serves (items,
  topics, departments), the windows that call from it, and its booking rules (opening periods
  per weekday, slot length, seats per slot).
- ``Slot`` — one bookable time of a group, created on the first booking of it: the lock row
  whose ``booked`` count the booking services change under ``SELECT … FOR UPDATE``.
- ``Booking`` — one seat of a slot, held by a mobile number (keyed blind index; the number
  itself only encrypted), with a booking code kept only as a keyed digest.
- ``Ticket`` with ``TicketEvent`` — a number taken at the kiosk, moved by ``TICKET_MACHINE``.
- ``TicketCounter`` — the last number of a group on a day (A001 …), a lock row as well.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.hall.codes import (
    HOLDING,
    BookingChannel,
    BookingState,
    TicketSource,
    TicketState,
    Weekday,
)
from onewindow.org.permissions import TargetScope
from onewindow.workflow.models import EventRecord

LETTER = RegexValidator(r"^[A-Z]{1,2}$", _("One or two capital letters, e.g. A."))


class ServiceGroup(models.Model):
    centre = models.ForeignKey(
        "org.ServiceCentre",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        related_name="service_groups",
    )
    letter = models.CharField(_("letter"), max_length=2, validators=[LETTER])
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    items = models.ManyToManyField(
        "catalog.ServiceItem", verbose_name=_("service items"), blank=True, related_name="+"
    )
    topics = models.ManyToManyField(
        "catalog.LifeEventTopic", verbose_name=_("topics"), blank=True, related_name="+"
    )
    departments = models.ManyToManyField(
        "org.Department", verbose_name=_("departments"), blank=True, related_name="+"
    )
    windows = models.ManyToManyField(
        "org.Window", verbose_name=_("windows"), blank=True, related_name="service_groups"
    )
    bookable = models.BooleanField(_("bookable online"), default=True)
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    capacity = models.PositiveSmallIntegerField(
        _("seats per slot"), default=4, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    service_minutes = models.PositiveSmallIntegerField(
        _("assumed service time (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("For the wait estimate before anybody was served today; empty: the default."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service group")
        verbose_name_plural = _("service groups")
        ordering = ["centre", "order", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "letter"], name="hall_group_letter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"

    def permission_scope(self) -> TargetScope:
        return TargetScope(centre_id=self.centre_id, region_code=self.centre.region.code)


class OpeningPeriod(models.Model):
    """A group takes bookings from ``starts`` to ``ends`` on ``weekday`` (when it is a working
    day of the calendar)."""

    group = models.ForeignKey(ServiceGroup, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("opening period")
        verbose_name_plural = _("opening periods")
        ordering = ["group", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="hall_period_order")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def permission_scope(self) -> TargetScope:
        return self.group.permission_scope()


class Slot(models.Model):
    """One bookable time of a group; the row booking services lock to count its seats."""

    group = models.ForeignKey(ServiceGroup, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("seats"))
    booked = models.PositiveSmallIntegerField(_("seats taken"), default=0)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["group", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "starts_at"], name="hall_slot_unique"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="hall_slot_not_overbooked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group.letter} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Booking(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    group = models.ForeignKey(ServiceGroup, on_delete=models.PROTECT, related_name="bookings")
    day = models.DateField(_("day"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    state = models.CharField(
        _("state"), max_length=16, choices=BookingState.choices, default=BookingState.BOOKED
    )
    channel = models.CharField(_("channel"), max_length=16, choices=BookingChannel.choices)
    # Who holds it: the mobile number's keyed blind index (context ``person.phone``, as
    # ``applicants.Person.phone_index`` and ``citizens.CitizenAccount.phone_index``).
    holder_index = models.CharField(_("mobile (blind index)"), max_length=64)
    phone_encrypted = models.TextField(_("mobile (encrypted)"))
    phone_masked = models.CharField(_("mobile"), max_length=32)
    # The resident ID's keyed blind index (context ``person.id_number``), when known: the kiosk
    # finds today's booking by it, without reading any person.
    id_index = models.CharField(_("resident ID (blind index)"), max_length=64, blank=True)
    id_masked = models.CharField(_("resident ID"), max_length=32, blank=True)
    account = models.ForeignKey(
        "citizens.CitizenAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by (phone agent)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The booking code is shown once and sent by SMS; only its keyed digest is kept.
    code_index = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        constraints = [
            # One live booking per person and group a day, and none at the same time: settled
            # by the database even for two requests at once.
            models.UniqueConstraint(
                fields=["holder_index", "group", "day"],
                condition=Q(state__in=list(HOLDING)),
                name="hall_booking_one_per_group_day",
            ),
            models.UniqueConstraint(
                fields=["holder_index", "starts_at"],
                condition=Q(state__in=list(HOLDING)),
                name="hall_booking_one_at_a_time",
            ),
        ]
        indexes = [
            models.Index(fields=["holder_index", "state"], name="hall_booking_holder"),
            models.Index(fields=["id_index", "day"], name="hall_booking_id_day"),
            models.Index(fields=["state", "ends_at"], name="hall_booking_sweep"),
        ]

    def __str__(self) -> str:
        return f"{self.group.letter} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def permission_scope(self) -> TargetScope:
        return self.group.permission_scope()


class TicketCounter(models.Model):
    group = models.ForeignKey(ServiceGroup, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "day"], name="hall_counter_unique")]

    def __str__(self) -> str:
        return f"{self.group_id} {self.day} {self.last}"


class Ticket(models.Model):
    centre = models.ForeignKey(
        "org.ServiceCentre", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey(ServiceGroup, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("day"))
    sequence = models.PositiveIntegerField()
    number = models.CharField(_("number"), max_length=8)
    state = models.CharField(
        _("state"), max_length=16, choices=TicketState.choices, default=TicketState.WAITING
    )
    revision = models.PositiveIntegerField(default=0)
    source = models.CharField(_("taken by"), max_length=16, choices=TicketSource.choices)
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="ticket"
    )
    # From this moment a booked ticket is called before walk-ins (its slot's time, a little
    # early); empty for a walk-in.
    priority_from = models.DateTimeField(null=True, blank=True)
    # The ticket page's address: unguessable, so nobody reads another's ticket.
    token = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(_("taken at"))
    # Its place in the queue: when it was taken, or queued again after a skip.
    queued_at = models.DateTimeField(_("queued at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("served at"), null=True, blank=True)
    window = models.ForeignKey(
        "org.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requeued = models.BooleanField(_("queued again"), default=False)

    class Meta:
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        ordering = ["day", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "day", "sequence"], name="hall_ticket_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["centre", "day", "state"], name="hall_ticket_centre_day"),
            models.Index(fields=["group", "day", "state"], name="hall_ticket_group_day"),
        ]

    def __str__(self) -> str:
        return self.number

    def permission_scope(self) -> TargetScope:
        return TargetScope(centre_id=self.centre_id, region_code=self.centre.region.code)


class TicketEvent(EventRecord):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")

    class Meta(EventRecord.Meta):
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["ticket", "at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"
