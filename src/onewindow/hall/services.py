"""Every write of appointments and the queue (ADR 0017). Keyword-only; permission checked
before the transaction; one transaction each; every move through ``workflow.mover.move``
(which writes the audit row, and a ticket's event row).

Bookings: ``booking_create`` (a signed-in citizen, or a phone agent for a caller),
``booking_cancel``, ``bookings_no_show_sweep``. Tickets at the kiosk: ``ticket_take_by_code``,
``ticket_take_by_id_number``, ``ticket_take``. At the window: ``ticket_call_next``,
``ticket_move`` (recall, start, finish, skip, requeue: ``DESK_ACTIONS``).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, DateTimeField, F, IntegerField, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.identifiers import check_document_number, normalise_phone
from onewindow.applicants.models import ID_NUMBER_INDEX_CONTEXT, PHONE_INDEX_CONTEXT, IdType
from onewindow.core import crypto
from onewindow.core.audit import audit_anonymous_refusal, audit_record
from onewindow.core.client import counted_address
from onewindow.core.errors import ErrorList, NotFoundOrForbidden
from onewindow.core.validation import MAX_ID
from onewindow.hall.codes import (
    ON_SCREEN,
    BookingChannel,
    BookingState,
    TicketSource,
    TicketState,
)
from onewindow.hall.errors import (
    BookingBlocked,
    BookingCodeUnknown,
    BookingNotCancellable,
    CheckInNotYet,
    CheckInTooLate,
    DoubleBooked,
    KioskTooManyCodes,
    KioskTooManyTries,
    QueueEmpty,
    RequeuedOnce,
    SlotFull,
    WindowBusy,
    WindowServesNothing,
)
from onewindow.hall.models import Booking, ServiceGroup, Slot, Ticket, TicketCounter
from onewindow.hall.transitions import BOOKING_MACHINE, TICKET_MACHINE
from onewindow.notify.services import message_enqueue
from onewindow.org.models import ServiceCentre, Window
from onewindow.org.permissions import Action, TargetScope, require
from onewindow.workcal.calendar import calendar_current
from onewindow.workflow import mover

CODE_CONTEXT = "hall.booking.code"
PHONE_CONTEXT = "hall.booking.phone"
# 32 letters and digits without the look-alikes 0/O, 1/I: 8 of them are 40 bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
BOOKING_SUBJECT = "hall.booking"

logger = logging.getLogger(__name__)


def record_id(value: Any) -> int:
    """A row id from outside (a form, an address): ``0`` — which matches nothing — for anything
    but a whole number from 1 to ``MAX_ID`` (a 30-digit id would overflow PostgreSQL's integer,
    a 500 instead of the one 404)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 0
    return number if 1 <= number <= MAX_ID else 0


# --- booking rules ------------------------------------------------------------------------


def bookable_days(*, today: dt.date | None = None) -> list[dt.date]:
    """The working days from today up to ``HALL_BOOKING_DAYS_AHEAD`` days ahead."""
    today = today or timezone.localdate()
    calendar = calendar_current()
    ahead = int(settings.HALL_BOOKING_DAYS_AHEAD)
    days = (today + dt.timedelta(days=offset) for offset in range(ahead + 1))
    return [day for day in days if calendar.is_working_day(day)]


def slot_times(group: ServiceGroup, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The slots a group offers on ``day`` by its opening periods (none on a day off).
    Reads ``group.periods`` (prefetch it for several groups)."""
    if not calendar_current().is_working_day(day):
        return []
    length = dt.timedelta(minutes=group.slot_minutes)
    times = []
    for period in group.periods.all():
        if period.weekday != day.weekday():
            continue
        start = timezone.make_aware(dt.datetime.combine(day, period.starts))
        end = timezone.make_aware(dt.datetime.combine(day, period.ends))
        while start + length <= end:
            times.append((start, start + length))
            start += length
    return sorted(times)


def no_show_block_until(holder_index: str, *, now: dt.datetime) -> tuple[int, dt.datetime] | None:
    """``(count, until)`` when the holder missed ``HALL_NO_SHOW_LIMIT`` bookings within
    ``HALL_NO_SHOW_WINDOW_DAYS`` and the last of them is less than ``HALL_NO_SHOW_BAN_DAYS``
    ago; else ``None``."""
    limit = int(settings.HALL_NO_SHOW_LIMIT)
    window = dt.timedelta(days=int(settings.HALL_NO_SHOW_WINDOW_DAYS))
    ban = dt.timedelta(days=int(settings.HALL_NO_SHOW_BAN_DAYS))
    if limit <= 0:
        return None
    missed = sorted(
        Booking.objects.filter(
            holder_index=holder_index,
            state=BookingState.NO_SHOW,
            ends_at__gte=now - ban - window,
        ).values_list("ends_at", flat=True),
        reverse=True,
    )
    for latest in missed:
        if latest + ban <= now:
            break
        within = [when for when in missed if latest - window <= when <= latest]
        if len(within) >= limit:
            return len(within), latest + ban
    return None


@dataclass(frozen=True)
class BookingMade:
    booking: Booking
    code: str  # shown once, and sent by SMS; only its digest is stored

    @property
    def code_shown(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_index(code: str) -> str | None:
    """The digest a typed booking code is looked up by (``None``: not a code's shape)."""
    text = crypto.normalise_identifier(code or "")
    if len(text) != CODE_LENGTH or set(text) - set(CODE_ALPHABET):
        return None
    return crypto.blind_index(text, context=CODE_CONTEXT)


def _clock(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%H:%M}"


def _when(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _check_group_and_time(
    errors: ErrorList, *, group_id: Any, starts_at: Any, now: dt.datetime
) -> tuple[ServiceGroup | None, dt.datetime | None, dt.datetime | None]:
    group = (
        ServiceGroup.objects.select_related("centre__region")
        .prefetch_related("periods")
        .filter(pk=record_id(group_id), is_active=True, bookable=True, centre__is_active=True)
        .first()
    )
    if group is None:
        errors.add("group", "unknown_group", _("Choose one of the services offered for booking."))
        return None, None, None
    if not isinstance(starts_at, dt.datetime):
        errors.add("starts_at", "invalid_time", _("Choose one of the times shown."))
        return group, None, None
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    day = timezone.localtime(starts_at).date()
    offered = (
        dict(slot_times(group, day)) if day in bookable_days(today=timezone.localdate(now)) else {}
    )
    ends_at = offered.get(starts_at)
    if ends_at is None or starts_at <= now:
        errors.add(
            "starts_at",
            "slot_not_offered",
            _("This time is not offered for booking: choose one of the times shown."),
        )
        return group, None, None
    return group, starts_at, ends_at


def booking_create(
    *,
    group_id: Any,
    starts_at: Any,
    account: Any = None,
    agent: Any = None,
    phone: str = "",
    id_number: str = "",
    now: dt.datetime | None = None,
) -> BookingMade:
    """Book one seat of a group's slot for a signed-in citizen (``account``: its mobile, and
    its resident ID when the real name is bound) or, by a phone agent (``agent``), for a
    caller's mobile (and resident ID, optional).

    The slot's row is locked (``SELECT … FOR UPDATE``) and its ``booked`` count compared with
    its seats: the last seat cannot be taken twice. One live booking per mobile, group and day,
    and none at the same time, is kept by two partial unique constraints: a second one (even
    at the same instant) answers ``double_booked`` and writes nothing. A mobile with too many
    no-shows is refused (``too_many_no_shows``). Side effect: an SMS with the booking code
    (through the outbox, after commit); the code itself is stored only as a keyed digest."""
    now = now or timezone.now()
    errors = ErrorList()
    if agent is not None:
        # Refuse before reveal: an agent without the right learns nothing about the group.
        require(agent, Action.HALL_BOOK_FOR_CALLER, None)
        canonical = normalise_phone(str(phone)[:32])
        if not canonical or "-" in canonical:
            errors.add(
                "phone",
                "invalid_phone",
                _("Enter the caller's mobile number (11 digits starting with 1)."),
            )
        mobile = canonical or ""
        number = ""
        if str(id_number).strip():
            number = check_document_number(
                errors, id_type=IdType.RESIDENT_ID, id_number=str(id_number)[:32]
            )
        channel = BookingChannel.PHONE
    elif account is not None:
        from onewindow.citizens.models import ACCOUNT_PHONE_CONTEXT

        mobile = crypto.decrypt(account.phone_encrypted, context=ACCOUNT_PHONE_CONTEXT)
        number = ""
        channel = BookingChannel.ONLINE
    else:
        raise NotFoundOrForbidden()
    group, starts, ends = _check_group_and_time(
        errors, group_id=group_id, starts_at=starts_at, now=now
    )
    errors.raise_if_any(_("The booking was not made: correct the marked fields."))
    assert group is not None and starts is not None and ends is not None
    if agent is not None:
        require(agent, Action.HALL_BOOK_FOR_CALLER, group, hide=True)
    holder = crypto.blind_index(mobile, context=PHONE_INDEX_CONTEXT)
    blocked = no_show_block_until(holder, now=now)
    if blocked is not None:
        audit_record(
            actor=agent,
            action="denied:hall.booking_book",
            obj=group,
            allowed=False,
            detail={"reason": "too_many_no_shows", "phone": crypto.mask_phone(mobile)},
        )
        raise BookingBlocked(
            count=blocked[0],
            days=int(settings.HALL_NO_SHOW_WINDOW_DAYS),
            until=f"{timezone.localtime(blocked[1]):%Y-%m-%d}",
        )
    if account is not None and account.person_id is not None:
        id_index = account.person.id_number_index
        id_masked = account.person.id_number_masked
    elif number:
        id_index = crypto.blind_index(number, context=ID_NUMBER_INDEX_CONTEXT)
        id_masked = crypto.mask_id_number(number)
    else:
        id_index = id_masked = ""
    code = _new_code()
    with transaction.atomic():
        slot, _created = Slot.objects.get_or_create(
            group=group, starts_at=starts, defaults={"ends_at": ends, "capacity": group.capacity}
        )
        slot = Slot.objects.select_for_update().get(pk=slot.pk)
        if slot.booked >= slot.capacity:
            raise SlotFull()
        booking = Booking(
            slot=slot,
            group=group,
            day=timezone.localtime(starts).date(),
            starts_at=starts,
            ends_at=ends,
            state="",
            channel=channel,
            holder_index=holder,
            phone_encrypted=crypto.encrypt(mobile, context=PHONE_CONTEXT),
            phone_masked=crypto.mask_phone(mobile),
            id_index=id_index,
            id_masked=id_masked,
            account=account,
            booked_by=agent,
            code_index=crypto.blind_index(code, context=CODE_CONTEXT),
            created_at=now,
        )
        try:
            with transaction.atomic():
                mover.move(
                    BOOKING_MACHINE,
                    booking,
                    "book",
                    actor=agent,
                    now=now,
                    audit_detail={
                        "channel": str(channel),
                        "phone": booking.phone_masked,
                        "slot": _when(starts),
                    },
                )
        except IntegrityError:
            raise DoubleBooked() from None
        slot.booked += 1
        slot.save(update_fields=["booked"])
        with translation.override(settings.LANGUAGE_CODE):
            text = str(
                _(
                    "[OneWindow] Booked: %(group)s at %(centre)s, %(when)s. Booking code "
                    "%(code)s: take your ticket with it at the kiosk."
                )
            ) % {
                "group": group.name,
                "centre": group.centre.name,
                "when": _when(starts),
                "code": f"{code[:4]}-{code[4:]}",
            }
        message_enqueue(
            subject_type=BOOKING_SUBJECT,
            subject_id=booking.pk,
            channel="sms",
            recipient=mobile,
            template_code="hall_booking_made",
            text=text,
            idempotency_key=f"hall.booking:{booking.pk}:made",
            secrets=(f"{code[:4]}-{code[4:]}",),
            now=now,
        )
    return BookingMade(booking=booking, code=code)


def booking_cancel(*, account: Any, booking_id: Any, now: dt.datetime | None = None) -> Booking:
    """The citizen cancels their own booking before its time; its seat is free again.
    Another's or a missing booking: the one 404 (audited)."""
    now = now or timezone.now()
    pk = record_id(booking_id)
    if not Booking.objects.filter(pk=pk, account=account).exists():
        # Written outside the transaction, so that the refusal's row stays.
        audit_record(
            actor=None,
            action="denied:hall.booking_cancel",
            object_type="hall.booking",
            object_id=str(pk),
            allowed=False,
            detail={"account": account.pk},
        )
        raise NotFoundOrForbidden()
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("group__centre__region")
            .get(pk=pk, account=account)
        )
        setattr(booking, mover.LOCKED, True)
        if booking.state != BookingState.BOOKED or booking.starts_at <= now:
            raise BookingNotCancellable()
        booking.cancelled_at = now
        mover.move(
            BOOKING_MACHINE,
            booking,
            "cancel",
            actor=None,
            now=now,
            audit_detail={"account": account.pk},
        )
        slot = Slot.objects.select_for_update().get(pk=booking.slot_id)
        slot.booked -= 1
        slot.save(update_fields=["booked"])
    return booking


def bookings_no_show_sweep(*, now: dt.datetime | None = None) -> int:
    """Every booking still ``booked`` after its slot (and the late check-in) ended becomes a
    no-show. Safe to run twice at once: each row is moved under its lock, once."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=int(settings.HALL_CHECK_IN_LATE_MINUTES))
    moved = 0
    pks = list(
        Booking.objects.filter(state=BookingState.BOOKED, ends_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    for pk in pks:
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update().filter(pk=pk, state=BookingState.BOOKED).first()
            )
            if booking is None:
                continue
            setattr(booking, mover.LOCKED, True)
            mover.move(BOOKING_MACHINE, booking, "no_show", actor=None, now=now)
            moved += 1
    return moved


# --- tickets at the kiosk -----------------------------------------------------------------


def _ticket_issue(
    *,
    group: ServiceGroup,
    source: str,
    now: dt.datetime,
    booking: Booking | None = None,
) -> Ticket:
    day = timezone.localtime(now).date()
    counter, _created = TicketCounter.objects.get_or_create(group=group, day=day)
    counter = TicketCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    ticket = Ticket(
        centre_id=group.centre_id,
        group=group,
        day=day,
        sequence=counter.last,
        number=f"{group.letter}{counter.last:03d}",
        state="",
        source=source,
        booking=booking,
        priority_from=booking.starts_at if booking is not None else None,
        token=secrets.token_urlsafe(18),
        issued_at=now,
        queued_at=now,
    )
    mover.move(
        TICKET_MACHINE,
        ticket,
        "issue",
        actor=None,
        now=now,
        data={"source": source},
    )
    return ticket


def _kiosk_group(centre: ServiceCentre, group_id: Any, errors: ErrorList) -> ServiceGroup | None:
    pk = record_id(group_id)
    group = (
        ServiceGroup.objects.select_related("centre")
        .filter(pk=pk, centre=centre, is_active=True)
        .first()
    )
    if group is None:
        errors.add("group", "unknown_group", _("Choose one of the services shown."))
    return group


def _check_in(booking: Booking, *, now: dt.datetime, source: str) -> Ticket:
    """Check the booking in and give its ticket, called before walk-ins from its time."""
    early = dt.timedelta(minutes=int(settings.HALL_CHECK_IN_EARLY_MINUTES))
    late = dt.timedelta(minutes=int(settings.HALL_CHECK_IN_LATE_MINUTES))
    if now < booking.starts_at - early:
        raise CheckInNotYet(
            starts=_clock(booking.starts_at), opens=_clock(booking.starts_at - early)
        )
    if now > booking.ends_at + late:
        raise CheckInTooLate()
    with transaction.atomic():
        locked = mover.lock(BOOKING_MACHINE, booking, related=("group__centre",))
        if locked.state != BookingState.BOOKED:
            raise BookingCodeUnknown()
        locked.checked_in_at = now
        mover.move(BOOKING_MACHINE, locked, "check_in", actor=None, now=now)
        return _ticket_issue(group=locked.group, source=source, now=now, booking=locked)


def ticket_take_by_code(
    *, centre: ServiceCentre, code: str, address: str = "", now: dt.datetime | None = None
) -> Ticket:
    """The kiosk: a booking code of today's booking at this centre checks it in and gives its
    ticket; a booking already checked in by its holder's resident ID (``ticket_take_by_id_number``)
    gives back that same ticket. Any other code — malformed, unknown, another centre's or
    day's, used, cancelled — gets the one answer ``booking_code_unknown`` (audited once a
    minute per address). Tries are limited per kiosk address
    (``HALL_KIOSK_CODE_TRIES_PER_MINUTE``, 429), so that codes cannot be guessed in bulk."""
    now = now or timezone.now()
    _kiosk_try(
        kind="code",
        action=CODE_TRIES_ACTION,
        limit=int(settings.HALL_KIOSK_CODE_TRIES_PER_MINUTE),
        centre=centre,
        address=address,
        now=now,
        refusal=KioskTooManyCodes,
    )
    index = code_index(str(code)[:32])
    booking = None
    if index is not None:
        booking = (
            Booking.objects.select_related("group__centre")
            .filter(
                code_index=index,
                group__centre=centre,
                day=timezone.localtime(now).date(),
                state__in=[BookingState.BOOKED, BookingState.CHECKED_IN],
            )
            .first()
        )
    if booking is not None and booking.state == BookingState.CHECKED_IN:
        by_id = Ticket.objects.filter(booking=booking, source=TicketSource.ID_NUMBER).first()
        if by_id is not None:
            return by_id
        booking = None
    if booking is None:
        audit_anonymous_refusal(
            action="denied:hall.ticket_by_code",
            address=address or "unknown",
            object_type="org.servicecentre",
            object_id=str(centre.pk),
        )
        raise BookingCodeUnknown()
    return _check_in(booking, now=now, source=TicketSource.BOOKING_CODE)


ID_TRIES_ACTION = "denied:hall.ticket_by_id_number"
CODE_TRIES_ACTION = "denied:hall.kiosk_code_tries"


def _kiosk_try(
    *,
    kind: str,
    action: str,
    limit: int,
    centre: ServiceCentre,
    address: str,
    now: dt.datetime,
    refusal: type[KioskTooManyTries] | type[KioskTooManyCodes] = KioskTooManyTries,
) -> None:
    """Count one try of this kiosk (client address, an IPv6 one by its /64) in the current
    minute for ``kind`` (``id`` or ``code``); beyond ``limit`` refuse (429), audited as the
    code mode's refusals are (``audit_anonymous_refusal``: a row a minute per address). The
    cache only counts: when it fails the try goes on."""
    if limit <= 0:
        return
    minute = int(now.timestamp() // 60)
    key = f"hall.kiosk.{kind}_tries:{counted_address(address or 'unknown')}:{minute}"
    try:
        cache.add(key, 0, timeout=120)
        tries = int(cache.incr(key))
    except Exception as error:  # any cache backend's own errors (Redis down, a timeout)
        logger.warning("kiosk tries not counted: the cache failed (%s)", type(error).__name__)
        return
    if tries > limit:
        audit_anonymous_refusal(
            action=action,
            address=address or "unknown",
            object_type="org.servicecentre",
            object_id=str(centre.pk),
            detail={"reason": "too_many_tries", "limit": limit},
        )
        raise refusal(limit=limit)


def _kiosk_id_try(*, centre: ServiceCentre, address: str, now: dt.datetime) -> None:
    """One resident-ID try (``HALL_KIOSK_ID_TRIES_PER_MINUTE``)."""
    _kiosk_try(
        kind="id",
        action=ID_TRIES_ACTION,
        limit=int(settings.HALL_KIOSK_ID_TRIES_PER_MINUTE),
        centre=centre,
        address=address,
        now=now,
    )


def ticket_take_by_id_number(
    *,
    centre: ServiceCentre,
    id_number: str,
    group_id: Any,
    address: str = "",
    now: dt.datetime | None = None,
) -> Ticket:
    """The kiosk: a ticket of the group chosen on the form, always. A booking of today at this
    centre in that same group, held by this resident ID (blind index) and in its check-in
    time, is checked in silently and only gives the ticket its priority: the answer and the
    ticket look the same whether or not a booking matched, and its code still gives back
    this ticket. Every use is audited with the masked number (never the clear one) and tries
    are limited per kiosk address (``HALL_KIOSK_ID_TRIES_PER_MINUTE``)."""
    now = now or timezone.now()
    _kiosk_id_try(centre=centre, address=address, now=now)
    errors = ErrorList()
    number = check_document_number(
        errors, id_type=IdType.RESIDENT_ID, id_number=str(id_number)[:32]
    )
    group = _kiosk_group(centre, group_id, errors)
    errors.raise_if_any(_("No ticket was given: correct the marked fields."))
    assert group is not None
    index = crypto.blind_index(number, context=ID_NUMBER_INDEX_CONTEXT)
    early = dt.timedelta(minutes=int(settings.HALL_CHECK_IN_EARLY_MINUTES))
    late = dt.timedelta(minutes=int(settings.HALL_CHECK_IN_LATE_MINUTES))
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update()
            .filter(
                id_index=index,
                group=group,
                day=timezone.localtime(now).date(),
                state=BookingState.BOOKED,
                starts_at__lte=now + early,
                ends_at__gte=now - late,
            )
            .order_by("starts_at")
            .first()
        )
        if booking is not None:
            setattr(booking, mover.LOCKED, True)
            booking.checked_in_at = now
            mover.move(BOOKING_MACHINE, booking, "check_in", actor=None, now=now)
        ticket = _ticket_issue(group=group, source=TicketSource.ID_NUMBER, now=now, booking=booking)
        audit_record(
            actor=None,
            action="hall.ticket_by_id_number",
            object_type="hall.ticket",
            object_id=str(ticket.pk),
            object_repr=ticket.number,
            detail={
                "id_masked": crypto.mask_id_number(number),
                "address": address or "unknown",
                "booking": booking.pk if booking is not None else None,
            },
        )
        return ticket


def ticket_take(*, centre: ServiceCentre, group_id: Any, now: dt.datetime | None = None) -> Ticket:
    """The kiosk: a plain ticket of the chosen group."""
    now = now or timezone.now()
    errors = ErrorList()
    group = _kiosk_group(centre, group_id, errors)
    errors.raise_if_any(_("No ticket was given: correct the marked fields."))
    assert group is not None
    with transaction.atomic():
        return _ticket_issue(group=group, source=TicketSource.GROUP, now=now)


# --- the window -----------------------------------------------------------------------------


def window_scope(window: Window) -> TargetScope:
    return TargetScope(centre_id=window.centre_id, region_code=window.centre.region.code)


def window_for_clerk(*, clerk: Any, window_id: Any) -> Window:
    """The active window ``window_id`` when ``clerk`` may serve at its centre; otherwise (and
    for a missing one) the one 404, audited."""
    require(clerk, Action.HALL_SERVE, None, hide=True)
    pk = record_id(window_id)
    window = Window.objects.select_related("centre__region").filter(pk=pk, is_active=True).first()
    if window is None:
        audit_record(
            actor=clerk,
            action="denied:hall.window",
            object_type="org.window",
            object_id=str(pk),
            allowed=False,
        )
        raise NotFoundOrForbidden()
    require(clerk, Action.HALL_SERVE, window_scope(window), hide=True)
    return window


def call_order(queryset: Any, *, now: dt.datetime) -> Any:
    """Booked tickets whose time has come first (by their time), then everybody by the time
    they joined the queue."""
    return queryset.annotate(
        call_rank=Case(
            When(priority_from__lte=now, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        call_at=Case(
            When(priority_from__lte=now, then=F("priority_from")),
            default=F("queued_at"),
            output_field=DateTimeField(),
        ),
    ).order_by("call_rank", "call_at", "id")


def ticket_call_next(*, clerk: Any, window: Window, now: dt.datetime | None = None) -> Ticket:
    """Call the next ticket of the groups this window serves to this window.

    Two windows pressing at once never get the same ticket: on PostgreSQL the candidate is
    read with ``FOR UPDATE SKIP LOCKED`` (a row another window is calling is passed over, not
    waited for); SQLite runs one writing transaction at a time (IMMEDIATE)."""
    require(clerk, Action.HALL_SERVE, window_scope(window), hide=True)
    now = now or timezone.now()
    group_ids = list(window.service_groups.filter(is_active=True).values_list("pk", flat=True))
    if not group_ids:
        raise WindowServesNothing()
    with transaction.atomic():
        # The window's row first: two presses on one window take turns here, so the second
        # sees the first one's call (``window_busy``) instead of calling another person.
        window = (
            Window.objects.select_related("centre__region")
            .select_for_update(of=("self",))
            .get(pk=window.pk)
        )
        busy = Ticket.objects.filter(
            window=window, state__in=[*ON_SCREEN, TicketState.SERVING]
        ).first()
        if busy is not None:
            raise WindowBusy(number=busy.number)
        waiting = Ticket.objects.filter(
            group_id__in=group_ids,
            day=timezone.localtime(now).date(),
            state=TicketState.WAITING,
        )
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True, of=("self",))
        ticket = call_order(waiting, now=now).first()
        if ticket is None:
            raise QueueEmpty()
        setattr(ticket, mover.LOCKED, True)
        ticket.window = window
        ticket.clerk = clerk
        ticket.called_at = now
        mover.move(
            TICKET_MACHINE,
            ticket,
            "call",
            actor=clerk,
            now=now,
            data={"window": window.number},
        )
    return ticket


def _ticket_for_clerk(
    clerk: Any, ticket_id: Any, action: str, window: Window | None = None
) -> Ticket:
    """The ticket ``ticket_id`` for this clerk's move; with ``window``, only a ticket at that
    window (except ``requeue``: a skipped ticket has no window). Missing, another centre's
    and another window's get the one 404, audited."""
    require(clerk, TICKET_MACHINE.permission_for(action), None, hide=True)
    pk = record_id(ticket_id)
    ticket = Ticket.objects.select_related("centre__region", "window").filter(pk=pk).first()
    if (
        ticket is not None
        and window is not None
        and action != "requeue"
        and ticket.window_id != window.pk
    ):
        ticket = None
    if ticket is None:
        audit_record(
            actor=clerk,
            action=f"denied:hall.ticket_{action}",
            object_type="hall.ticket",
            object_id=str(pk),
            allowed=False,
        )
        raise NotFoundOrForbidden()
    require(clerk, TICKET_MACHINE.permission_for(action), ticket, hide=True)
    return ticket


# The desk's moves of a called ticket (``ticket_move``); calling is ``ticket_call_next``.
DESK_ACTIONS = ("recall", "start", "finish", "skip", "requeue")


def ticket_move(
    *,
    clerk: Any,
    ticket_id: Any,
    action: str,
    expected_revision: int | None = None,
    window: Window | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """One desk move (``DESK_ACTIONS``): recall (the number shows and sounds again), start,
    finish, skip (the called person did not come), requeue (a skipped person came after all:
    back at the end of the queue, once). An unknown action is the one "not found"."""
    if action not in DESK_ACTIONS:
        raise NotFoundOrForbidden()
    ticket = _ticket_for_clerk(clerk, ticket_id, action, window)
    now = now or timezone.now()
    with transaction.atomic():
        ticket = mover.lock(TICKET_MACHINE, ticket, related=("centre__region", "window"))
        mover.check_revision(TICKET_MACHINE, ticket, expected_revision)
        if TICKET_MACHINE.target(action, ticket.state) is None:
            # The table's own refusal ("… cannot <verb> now"), nothing written.
            mover.move(TICKET_MACHINE, ticket, action, actor=clerk, now=now)
        if action == "recall":
            ticket.called_at = now
        elif action == "start":
            ticket.started_at = now
        elif action == "finish":
            ticket.finished_at = now
            ticket.started_at = ticket.started_at or now
        elif action == "requeue":
            if ticket.requeued:
                raise RequeuedOnce()
            ticket.requeued = True
            ticket.queued_at = now
            ticket.priority_from = None
            ticket.window = None
            ticket.called_at = None
        mover.move(
            TICKET_MACHINE,
            ticket,
            action,
            actor=clerk,
            now=now,
            data={"window": ticket.window.number} if ticket.window else {},
        )
    return ticket
