"""12345 and Open311 into the grid case flow: the district's grid command centre
(``URBAN_COMMAND_CENTRE``, a department with its ``hotline.HandlingUnit``) is a unit the hotline
dispatches work orders to, like any other. Its 值班长 takes them in:

- ``hotline_orders_take`` — every order dispatched to the centre (the lead, not returned) and
  not yet a grid case becomes one, its category from the mapping of the 12345 dispatch
  catalogue onto the grid categories (``data/hotline_categories.toml``); an order whose
  category is not mapped is left for ``hotline_order_to_case``, with the category chosen.
- ``hotline_order_to_case`` — one order: signed for through the hotline's own service
  (``hotline.services.order_sign``), then a grid case (source ``hotline``, or ``open311`` for
  an Open311 order; to be verified on site), both in one transaction; a second call returns
  the case the first made.
- ``hotline_reply_for`` — when the grid case is closed (or not filed, or voided), the centre
  replies on the work order through ``hotline.services.order_reply``: the hotline then calls
  the caller back as for every order.

The 值班长 signs and replies as the centre: they hold ``urban.file`` and, in the centre's
department, a unit role that gives ``hotline.handle`` (``dept_approver``); the hotline's
services check that themselves.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError, ErrorList, NotFoundOrForbidden
from onewindow.grid.selectors import grid_at
from onewindow.hotline.codes import Channel, Truth, UnitRole
from onewindow.hotline.models import OrderUnit, WorkOrder
from onewindow.hotline.services import ReplyInput, order_reply, order_sign
from onewindow.hotline.transitions import WORK_ORDER_MACHINE, OrderState
from onewindow.org.models import Department
from onewindow.org.permissions import Action, require
from onewindow.urban.codes import Source
from onewindow.urban.events import CASE_EVENTS
from onewindow.urban.models import Category, GridCase
from onewindow.urban.services.intake import NOT_SAVED, case_number_next, category_checked
from onewindow.urban.transitions import CASE_MACHINE, CaseState
from onewindow.workflow import mover
from onewindow.workflow.clock import TimeUnit, due_after

MAP_FILE = Path(__file__).resolve().parent.parent / "data" / "hotline_categories.toml"
# The hotline states in which the centre holds the order and may still take it in.
TAKEN_STATES = frozenset({OrderState.DISPATCHED, OrderState.HANDLING})
ENDED_STATES = frozenset({CaseState.CLOSED, CaseState.NOT_FILED, CaseState.VOID})


@cache
def hotline_category_map() -> dict[str, str]:
    """12345 dispatch category code → grid category (subclass) code, from the data file."""
    data = tomllib.loads(MAP_FILE.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.get("map", {}).items()}


def command_centre() -> Department | None:
    """The grid command centre's department (by ``URBAN_COMMAND_CENTRE``), or ``None``."""
    return Department.objects.filter(name=settings.URBAN_COMMAND_CENTRE, is_active=True).first()


def _held_by_centre(order: WorkOrder, centre: Department) -> bool:
    return OrderUnit.objects.filter(
        order=order, department=centre, role=UnitRole.LEAD, returned_at__isnull=True
    ).exists()


def _point(order: WorkOrder) -> tuple[float | None, float | None]:
    if order.longitude is None or order.latitude is None:
        return None, None
    return float(order.longitude), float(order.latitude)


def hotline_order_to_case(
    *, actor: Any, order: WorkOrder, category: Category | str, now: dt.datetime | None = None
) -> GridCase:
    """One work order the hotline dispatched to the command centre made a grid case, the order
    signed for (签收) in the same transaction. The grid is the one holding the order's point
    (none: the order's region). An order not held by the centre is "not found"; a second call
    returns the first case."""
    require(actor, Action.URBAN_FILE)
    centre = command_centre()
    if centre is None or not _held_by_centre(order, centre):
        raise NotFoundOrForbidden()
    existing = GridCase.objects.filter(hotline_order=order).first()
    if existing is not None:
        return existing
    errors = ErrorList()
    found = category_checked(errors, category)
    errors.raise_if_any(NOT_SAVED)
    assert found is not None
    now = now or timezone.now()
    lon, lat = _point(order)
    grid = grid_at(lon=lon, lat=lat) if lon is not None and lat is not None else None
    try:
        with transaction.atomic():
            row = mover.lock(WORK_ORDER_MACHINE, order)
            if row.state not in TAKEN_STATES:
                raise WORK_ORDER_MACHINE.not_allowed(
                    action=str(CASE_EVENTS.verb("report_public")),
                    state=WORK_ORDER_MACHINE.state_label(row.state),
                )
            if row.state == OrderState.DISPATCHED:
                row = order_sign(actor=actor, order=row, expected_revision=row.revision, now=now)
            case = GridCase(
                source=Source.OPEN311 if row.channel == Channel.OPEN311 else Source.HOTLINE,
                kind=found.kind,
                category=found,
                description=row.content,
                place=row.place,
                longitude=lon,
                latitude=lat,
                grid=grid,
                region_code=grid.community_code if grid else row.region_code,
                hotline_order=row,
                reported_at=now,
                verify_due_at=due_after(
                    now, settings.URBAN_VERIFY_LIMIT_HOURS, TimeUnit.WORKING_HOUR
                ),
                state="",
            )
            case.number = case_number_next(today=timezone.localtime(now).date())
            # The caller is the hotline's: it tells them (its reply, its call-back); the case
            # keeps no phone of its own.
            mover.move(
                CASE_MACHINE,
                case,
                "report_public",
                actor=actor,
                now=now,
                reason=row.title,
                data={"source": case.source, "hotline_order": row.number},
            )
    except IntegrityError:
        existing = GridCase.objects.filter(hotline_order=order).first()
        if existing is None:
            raise
        return existing
    return case


@dataclass(frozen=True)
class HotlineTaken:
    cases: list[GridCase]
    # The orders left for the 值班长 to give a category (``hotline_order_to_case``).
    unmapped: list[WorkOrder]


def hotline_orders_waiting() -> list[WorkOrder]:
    """The work orders the hotline dispatched to the command centre that are no grid case yet,
    oldest first (two queries)."""
    centre = command_centre()
    if centre is None:
        return []
    return list(
        WorkOrder.objects.filter(
            state__in=TAKEN_STATES,
            units__department=centre,
            units__role=UnitRole.LEAD,
            units__returned_at__isnull=True,
            grid_case__isnull=True,
        )
        .select_related("category")
        .order_by("dispatched_at", "id")
        .distinct()
    )


def hotline_orders_take(*, actor: Any, now: dt.datetime | None = None) -> HotlineTaken:
    """Every waiting order with a mapped category made a grid case (each in its own
    transaction: one refused order does not hold back the others)."""
    require(actor, Action.URBAN_FILE)
    mapping = hotline_category_map()
    cases, unmapped = [], []
    for order in hotline_orders_waiting():
        code = mapping.get(order.category.code if order.category else "")
        if not code or not Category.objects.filter(code=code, is_active=True).exists():
            unmapped.append(order)
            continue
        try:
            cases.append(hotline_order_to_case(actor=actor, order=order, category=code, now=now))
        except ApplicationError:
            # Changed meanwhile, or its point in no grid: left listed for the chief to see.
            unmapped.append(order)
    return HotlineTaken(cases=cases, unmapped=unmapped)


def hotline_reply_for(
    *, case: GridCase, actor: Any, now: dt.datetime | None = None
) -> WorkOrder | None:
    """The command centre's reply (办理回复) on the work order a grid case came from, once the
    case has ended: closed — true and solved; not filed or voided — not solved, with the
    reason. ``None`` when the case came from no work order, has not ended, or the order was
    already replied. Permission is the hotline's (``hotline.handle`` in the centre)."""
    if case.hotline_order_id is None or case.state not in ENDED_STATES:
        return None
    # Read afresh: the case's copy of the order may be older than the order's revision.
    order = WorkOrder.objects.get(pk=case.hotline_order_id)
    if order.state != OrderState.HANDLING:
        return None
    closed = case.state == CaseState.CLOSED
    refusal = (case.refusal or "").strip()
    if closed:
        public = _("The grid case %(number)s is closed: the problem has been handled.") % {
            "number": case.number
        }
        truth = Truth.TRUE
    else:
        public = _("The grid case %(number)s was not taken up: %(reason)s") % {
            "number": case.number,
            "reason": refusal or CaseState(case.state).label,
        }
        truth = Truth.FALSE if case.verified_true is False else Truth.PARTLY
    handling = _("Handled as grid case %(number)s (%(state)s).") % {
        "number": case.number,
        "state": CaseState(case.state).label,
    }
    reply = ReplyInput(
        truth=truth,
        solved=closed,
        handling=str(handling),
        public_reply=str(public),
        unsolved_reason="" if closed else str(refusal or CaseState(case.state).label),
    )
    return order_reply(
        actor=actor, order=order, expected_revision=order.revision, reply=reply, now=now
    )


__all__ = [
    "HotlineTaken",
    "command_centre",
    "hotline_category_map",
    "hotline_order_to_case",
    "hotline_orders_take",
    "hotline_orders_waiting",
    "hotline_reply_for",
]
