"""Reads of appointments and the queue: the bookable slots, a citizen's bookings, the ticket
page, the calling screen, a window's desk and the manager's figures. Each costs a fixed
number of queries, whatever the number of rows (guarded by the tests)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from onewindow.core.errors import NotFoundOrForbidden
from onewindow.hall.codes import ON_SCREEN, BookingState, TicketState
from onewindow.hall.models import Booking, ServiceGroup, Slot, Ticket
from onewindow.hall.services import (
    bookable_days,
    call_order,
    record_id,
    slot_times,
    window_scope,
)
from onewindow.org.models import ServiceCentre, Window
from onewindow.org.permissions import Action, TargetScope, require, scope_queryset


def centre_by_code(code: str) -> ServiceCentre:
    centre = (
        ServiceCentre.objects.select_related("region")
        .filter(code=str(code)[:32], is_active=True)
        .first()
    )
    if centre is None:
        raise NotFoundOrForbidden()
    return centre


def centres_with_groups() -> list[ServiceCentre]:
    """The active centres that have at least one active group, with their groups."""
    from django.db.models import Prefetch

    return list(
        ServiceCentre.objects.filter(is_active=True, service_groups__is_active=True)
        .distinct()
        .order_by("level", "code")
        .prefetch_related(
            Prefetch(
                "service_groups",
                queryset=ServiceGroup.objects.filter(is_active=True).order_by("order", "letter"),
                to_attr="active_groups",
            )
        )
    )


def groups_of(centre: ServiceCentre) -> list[ServiceGroup]:
    return list(
        ServiceGroup.objects.filter(centre=centre, is_active=True).order_by("order", "letter")
    )


def bookable_group(group_id: Any) -> ServiceGroup:
    pk = record_id(group_id)
    group = (
        ServiceGroup.objects.select_related("centre")
        .prefetch_related("periods")
        .filter(pk=pk, is_active=True, bookable=True, centre__is_active=True)
        .first()
    )
    if group is None:
        raise NotFoundOrForbidden()
    return group


def visit_group_for(*, centre: ServiceCentre, item: Any) -> ServiceGroup | None:
    """The bookable group of ``centre`` where an applicant brings the originals for ``item``
    (an online application accepted on papers that must be seen): the group that lists the
    item, else one serving one of its topics, else one serving its department, else a general
    group (one that names no item, topic nor department — 综合受理); ``None`` when the centre
    books none of them (one query)."""
    topics = item.topics.all()
    groups = (
        ServiceGroup.objects.filter(centre=centre, is_active=True, bookable=True)
        .annotate(
            by_item=Count("items", filter=Q(items=item), distinct=True),
            by_topic=Count("topics", filter=Q(topics__in=topics), distinct=True),
            by_department=Count(
                "departments", filter=Q(departments=item.department_id), distinct=True
            ),
            serves=Count("items", distinct=True)
            + Count("topics", distinct=True)
            + Count("departments", distinct=True),
        )
        .order_by("-by_item", "-by_topic", "-by_department", "serves", "order", "letter")
    )
    for group in groups[:1]:
        if group.by_item or group.by_topic or group.by_department or not group.serves:
            return group
    return None


@dataclass(frozen=True)
class SlotOffer:
    starts_at: dt.datetime
    ends_at: dt.datetime
    seats_left: int


def slots_offered(
    group: ServiceGroup, day: dt.date, *, now: dt.datetime | None = None
) -> list[SlotOffer]:
    """The times of ``day`` still to come, with their free seats (one query for the taken)."""
    now = now or timezone.now()
    if day not in bookable_days(today=timezone.localdate(now)):
        return []
    times = [(s, e) for s, e in slot_times(group, day) if s > now]
    if not times:
        return []
    taken = dict(
        Slot.objects.filter(group=group, starts_at__in=[s for s, _e in times]).values_list(
            "starts_at", "booked"
        )
    )
    return [SlotOffer(s, e, max(group.capacity - taken.get(s, 0), 0)) for s, e in times]


def my_bookings(*, account: Any) -> list[Booking]:
    return list(
        Booking.objects.filter(account=account)
        .select_related("group__centre")
        .order_by("-starts_at", "-id")[:50]
    )


# --- waits ------------------------------------------------------------------------------------


def service_minutes_today(centre_id: int, day: dt.date) -> dict[int, float]:
    """The average service time per group today (minutes, from the call to served)."""
    rows = Ticket.objects.filter(
        centre_id=centre_id, day=day, state=TicketState.DONE, called_at__isnull=False
    ).values_list("group_id", "called_at", "finished_at")
    spans: dict[int, list[float]] = defaultdict(list)
    for group_id, called, finished in rows:
        if finished and called:
            spans[group_id].append((finished - called).total_seconds() / 60)
    return {group: sum(values) / len(values) for group, values in spans.items()}


def assumed_minutes(group: ServiceGroup, measured: dict[int, float]) -> float:
    if group.pk in measured:
        return measured[group.pk]
    return float(group.service_minutes or settings.HALL_DEFAULT_SERVICE_MINUTES)


@dataclass(frozen=True)
class TicketView:
    ticket: Ticket
    ahead: int
    wait_minutes: int


def ticket_view(token: str, *, now: dt.datetime | None = None) -> TicketView:
    """The printed-ticket page: the number, its group, the people ahead of it in the group's
    call order and the wait estimated from them (people ahead × the group's average service
    time today, or the assumed one)."""
    now = now or timezone.now()
    ticket = (
        Ticket.objects.select_related("group", "centre", "window")
        .filter(token=str(token)[:40])
        .first()
    )
    if ticket is None:
        raise NotFoundOrForbidden()
    ahead = 0
    if ticket.state == TicketState.WAITING:
        order = list(
            call_order(
                Ticket.objects.filter(
                    group_id=ticket.group_id, day=ticket.day, state=TicketState.WAITING
                ),
                now=now,
            ).values_list("pk", flat=True)
        )
        ahead = order.index(ticket.pk) if ticket.pk in order else 0
    measured = service_minutes_today(ticket.centre_id, ticket.day)
    wait = round(ahead * assumed_minutes(ticket.group, measured))
    return TicketView(ticket=ticket, ahead=ahead, wait_minutes=wait)


# --- the calling screen -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenState:
    current: list[Ticket]
    recent: list[Ticket]
    waiting: list[tuple[Any, int, int]]  # group, people waiting, minutes
    chime_key: str  # changes whenever a number is called (again): the page plays its chime


def screen_state(centre: ServiceCentre, *, now: dt.datetime | None = None) -> ScreenState:
    """What the hall's TV shows: the numbers called now (newest first), the last few served,
    and each group's queue with its estimated wait. Four queries."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    today = Ticket.objects.filter(centre=centre, day=day).select_related("window", "group")
    current = list(today.filter(state__in=list(ON_SCREEN)).order_by("-called_at", "-id")[:6])
    recent = list(
        today.filter(state__in=[TicketState.SERVING, TicketState.DONE])
        .exclude(called_at__isnull=True)
        .order_by("-called_at", "-id")[:6]
    )
    groups = list(
        ServiceGroup.objects.filter(centre=centre, is_active=True)
        .annotate(
            waiting_count=Count(
                "tickets",
                filter=Q(tickets__day=day, tickets__state=TicketState.WAITING),
            )
        )
        .order_by("order", "letter")
    )
    measured = service_minutes_today(centre.pk, day)
    waiting = [
        (g, g.waiting_count, round(g.waiting_count * assumed_minutes(g, measured))) for g in groups
    ]
    chime = f"{current[0].pk}:{current[0].revision}" if current else ""
    return ScreenState(current=current, recent=recent, waiting=waiting, chime_key=chime)


# --- the window's desk ------------------------------------------------------------------------


def windows_for_clerk(user: Any) -> list[Window]:
    """The active windows of the centres where ``user`` may serve."""
    return list(
        scope_queryset(
            user,
            Action.HALL_SERVE,
            Window.objects.filter(is_active=True, centre__is_active=True).select_related("centre"),
            centre_path="centre_id",
            region_code_path="centre__region__code",
        ).order_by("centre__code", "number")
    )


@dataclass
class DeskState:
    window: Window
    groups: list[ServiceGroup]
    current: Ticket | None
    waiting: dict[int, int] = field(default_factory=dict)
    skipped: list[Ticket] = field(default_factory=list)
    served_today: int = 0


def desk_state(*, clerk: Any, window: Window, now: dt.datetime | None = None) -> DeskState:
    require(clerk, Action.HALL_SERVE, window_scope(window), hide=True)
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    groups = list(window.service_groups.filter(is_active=True).order_by("order", "letter"))
    ids = [g.pk for g in groups]
    current = (
        Ticket.objects.filter(window=window, state__in=[*ON_SCREEN, TicketState.SERVING])
        .select_related("group", "booking")
        .order_by("-called_at")
        .first()
    )
    counts = dict(
        Ticket.objects.filter(group_id__in=ids, day=day, state=TicketState.WAITING)
        .values_list("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    for group in groups:
        group.waiting_count = counts.get(group.pk, 0)  # type: ignore[attr-defined]
    skipped = list(
        Ticket.objects.filter(group_id__in=ids, day=day, state=TicketState.SKIPPED, requeued=False)
        .select_related("group")
        .order_by("-called_at")[:10]
    )
    served = Ticket.objects.filter(window=window, day=day, state=TicketState.DONE).count()
    return DeskState(
        window=window,
        groups=groups,
        current=current,
        waiting=counts,
        skipped=skipped,
        served_today=served,
    )


# --- the manager ------------------------------------------------------------------------------


@dataclass
class GroupFigures:
    group: ServiceGroup
    waiting_now: int = 0
    issued: int = 0
    served: int = 0
    average_wait: int | None = None  # minutes from ticket to call


@dataclass
class HourFigures:
    hour: int
    issued: int = 0
    served: int = 0
    average_wait: int | None = None


@dataclass
class Overview:
    centre: ServiceCentre
    day: dt.date
    groups: list[GroupFigures]
    hours: list[HourFigures]
    bookings: int
    no_shows: int


def manageable_centres(user: Any) -> list[ServiceCentre]:
    return list(
        scope_queryset(
            user,
            Action.HALL_MANAGE,
            ServiceCentre.objects.filter(is_active=True, service_groups__isnull=False)
            .select_related("region")
            .distinct(),
            centre_path="id",
            region_code_path="region__code",
        ).order_by("level", "code")
    )


def manager_overview(*, user: Any, centre: ServiceCentre, day: dt.date) -> Overview:
    """Queue lengths now, and per group and per hour of ``day`` the tickets taken, served
    and the average wait from ticket to call. Four queries whatever the day's volume."""
    require(
        user,
        Action.HALL_MANAGE,
        TargetScope(centre_id=centre.pk, region_code=centre.region.code),
        hide=True,
    )
    groups = {g.pk: GroupFigures(group=g) for g in groups_of(centre)}
    hours = {hour: HourFigures(hour=hour) for hour in range(8, 19)}
    waits: dict[int, list[float]] = defaultdict(list)
    hour_waits: dict[int, list[float]] = defaultdict(list)
    rows = Ticket.objects.filter(centre=centre, day=day).values_list(
        "group_id", "state", "issued_at", "called_at"
    )
    for group_id, state, issued, called in rows:
        figures = groups.get(group_id)
        hour = timezone.localtime(issued).hour
        row = hours.setdefault(hour, HourFigures(hour=hour))
        row.issued += 1
        if figures is not None:
            figures.issued += 1
            if state == TicketState.WAITING:
                figures.waiting_now += 1
        if state == TicketState.DONE:
            row.served += 1
            if figures is not None:
                figures.served += 1
        if called is not None:
            minutes = (called - issued).total_seconds() / 60
            waits[group_id].append(minutes)
            hour_waits[hour].append(minutes)
    for group_id, figures in groups.items():
        if waits[group_id]:
            figures.average_wait = round(sum(waits[group_id]) / len(waits[group_id]))
    for hour, row in hours.items():
        if hour_waits[hour]:
            row.average_wait = round(sum(hour_waits[hour]) / len(hour_waits[hour]))
    booked = Booking.objects.filter(group__centre=centre, day=day).aggregate(
        total=Count("id", filter=~Q(state=BookingState.CANCELLED)),
        missed=Count("id", filter=Q(state=BookingState.NO_SHOW)),
    )
    return Overview(
        centre=centre,
        day=day,
        groups=list(groups.values()),
        hours=[hours[h] for h in sorted(hours)],
        bookings=booked["total"],
        no_shows=booked["missed"],
    )
