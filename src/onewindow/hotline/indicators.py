"""The monthly indicators of the 12345 hotline, per handling unit and city-wide: the one
definition of each, written out in ``docs/hotline-indicators.md``.

Each indicator is a numerator over a denominator, both counted with ``Count(filter=...)`` in a
fixed number of ``GROUP BY`` queries whatever the number of orders (``month_indicators``: five).
Every figure belongs to the month of the event that makes its denominator (a dispatch, a
reply, a closure, a call-back, an acceptance), taken as instants ``[start, end)`` in the
project's time zone (``assess.tables.Period`` is the same idea; it is re-declared here because
the hotline sits below ``assess``). The condition of each numerator and denominator is a ``Q``
below, written once, so a page, an export and the assessment read the same figure.

满意率 reuses the ratings' definition (``ratings.figures.satisfied``: levels 3–5), over the
call-backs that reached the caller and gave a level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.hotline.codes import CallbackOutcome, Channel, ExtensionDecision, UnitRole
from onewindow.hotline.models import (
    MERGED_AWAY,
    Callback,
    Closure,
    Extension,
    HandlingReply,
    OrderUnit,
    WorkOrder,
)
from onewindow.hotline.transitions import OrderState
from onewindow.ratings import figures as rating_figures

# --- the month ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    """A calendar month in the project's time zone: the instants ``start <= t < end``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None) -> Month | None:
        """``"2026-11"`` → the month; anything else → ``None``."""
        parts = str(text or "").strip().split("-")
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
            return None
        year, month = int(parts[0]), int(parts[1])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            return None
        return cls(year, month)

    @classmethod
    def of(cls, moment: dt.datetime) -> Month:
        day = timezone.localtime(moment).date()
        return cls(day.year, day.month)

    @property
    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime(self.year, self.month, 1))

    @property
    def end(self) -> dt.datetime:
        return self.next.start

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.key

    def within(self, path: str) -> Q:
        return Q(**{f"{path}__gte": self.start, f"{path}__lt": self.end})


# --- the conditions, written once ------------------------------------------------------------
# Over lead dispatches (``OrderUnit`` rows with role lead; every dispatch, a re-dispatch after a
# return too, is one row).


def lead_dispatch() -> Q:
    return Q(role=UnitRole.LEAD)


def signed_on_time() -> Q:
    """按时签收: signed for by the sign-for deadline."""
    return Q(signed_at__isnull=False, signed_at__lte=F("sign_due_at"))


def responded_on_time() -> Q:
    """响应: the unit acted on the order by the sign-for deadline — signed for it, or returned it
    (退单 with a reason is a response too; silence is not)."""
    return signed_on_time() | (
        Q(signed_at__isnull=True, returned_at__isnull=False, returned_at__lte=F("sign_due_at"))
        & ~Q(return_reason=MERGED_AWAY)
    )


def returned() -> Q:
    """退单: this dispatch was returned by the unit (not let go of by a merge)."""
    return Q(returned_at__isnull=False) & ~Q(return_reason=MERGED_AWAY)


def extended() -> Q:
    """延期: the unit of this dispatch got an extension of the order approved."""
    return Q(
        Exists(
            Extension.objects.filter(
                order=OuterRef("order_id"),
                department=OuterRef("department_id"),
                decision=ExtensionDecision.APPROVED,
            )
        )
    )


# Over handling replies (``HandlingReply``; every round counts, a redo's reply too).


def reply_on_time() -> Q:
    """按时办结: the reply was given by the handling deadline in force then."""
    return Q(on_time=True)


# Over closed orders (``WorkOrder`` closed after a unit's handling: not answered on the call,
# not the parent of a split).

HANDLED_CLOSURES = (Closure.CALLBACK, Closure.NOT_REACHED, Closure.NO_CALLBACK)


def closed_after_handling() -> Q:
    return Q(state=OrderState.CLOSED, closure__in=HANDLED_CLOSURES)


def redone() -> Q:
    """重办: handled again at least once after an unhappy call-back."""
    return Q(redo_count__gt=0)


def closed_after_callback() -> Q:
    """Closed on the call-back's answer (the caller said whether it was solved)."""
    return Q(state=OrderState.CLOSED, closure=Closure.CALLBACK, solved__isnull=False)


def solved() -> Q:
    """解决: the caller said it was solved at the closing call-back."""
    return Q(solved=True)


# Over call-backs (``Callback``).


def rated_callback() -> Q:
    """A call-back that reached the caller and gave a satisfaction level."""
    return Q(outcome=CallbackOutcome.REACHED, level__isnull=False)


def satisfied() -> Q:
    """满意: levels 3–5 — the ratings' definition (``ratings.figures.satisfied``)."""
    return rating_figures.satisfied()


# Over orders accepted (for 首呼解决率, the centre's own figure: no unit).


def taken_by_phone() -> Q:
    """Accepted on a call (taken, or answered on it), not refused (不予受理) nor merged."""
    return Q(channel=Channel.PHONE, taken_at__isnull=False) & ~Q(
        state__in=[OrderState.NOT_ACCEPTED, OrderState.MERGED]
    )


def answered_directly() -> Q:
    """首呼解决: closed on the call by a direct answer (直接答复)."""
    return Q(closure=Closure.DIRECT_ANSWER)


# --- the figures ----------------------------------------------------------------------------


# ``part ÷ whole`` in percent, one decimal (half up), ``None`` when ``whole`` is 0: the ratings'.
percent = rating_figures.percent


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Any
    numerator: str
    denominator: str


# The order of the table's columns; ``numerator``/``denominator`` name the counts of a row.
INDICATORS = (
    Indicator("sign_on_time", _("Signed for on time (按时签收率)"), "signed_on_time", "dispatched"),
    Indicator("response", _("Response rate (响应率)"), "responded", "dispatched"),
    Indicator("reply_on_time", _("Replied on time (按时办结率)"), "replies_on_time", "replies"),
    Indicator("redo", _("Redo rate (重办率)"), "redone", "closed"),
    Indicator("satisfaction", _("Satisfaction (满意率)"), "satisfied", "rated"),
    Indicator("solved", _("Solved (解决率)"), "solved", "closed_callback"),
    Indicator("return", _("Return rate (退单率)"), "returned", "dispatched"),
    Indicator("extension", _("Extension rate (延期率)"), "extended", "dispatched"),
)
FIRST_CALL = Indicator(
    "first_call", _("Solved on the first call (首呼解决率)"), "answered", "taken_by_phone"
)
COUNTS = (
    "dispatched",
    "signed_on_time",
    "responded",
    "returned",
    "extended",
    "replies",
    "replies_on_time",
    "closed",
    "redone",
    "closed_callback",
    "solved",
    "rated",
    "satisfied",
)


@dataclass
class UnitFigures:
    """The counts of one unit (or of the city, ``department_id`` None) in one month."""

    department_id: int | None
    department: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def fraction(self, code: str) -> tuple[int, int]:
        indicator = next(i for i in (*INDICATORS, FIRST_CALL) if i.code == code)
        return self.counts.get(indicator.numerator, 0), self.counts.get(indicator.denominator, 0)

    def rate(self, code: str) -> Decimal | None:
        return percent(*self.fraction(code))

    def rates(self) -> dict[str, Decimal | None]:
        return {i.code: self.rate(i.code) for i in INDICATORS}

    def add(self, other: UnitFigures) -> None:
        for key, value in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + value


@dataclass
class MonthIndicators:
    month: Month
    units: list[UnitFigures]
    city: UnitFigures

    def unit(self, department_id: int) -> UnitFigures | None:
        return next((u for u in self.units if u.department_id == department_id), None)


def month_indicators(
    *, month: Month, department_ids: set[int] | frozenset[int] | None = None
) -> MonthIndicators:
    """The indicators of every unit with anything counted in ``month`` (``department_ids``
    limits the units; the city total is then theirs only). Five queries whatever the volume."""
    rows: dict[int | None, UnitFigures] = {}

    def row(department_id: int | None, name: str | None) -> UnitFigures:
        if department_id not in rows:
            rows[department_id] = UnitFigures(department_id=department_id, department=name or "")
        return rows[department_id]

    def scoped(queryset: Any, path: str) -> Any:
        if department_ids is None:
            return queryset
        return queryset.filter(**{f"{path}__in": department_ids})

    dispatches = scoped(
        OrderUnit.objects.filter(lead_dispatch(), month.within("dispatched_at")), "department_id"
    )
    for g in (
        dispatches.values("department_id", "department__name")
        .annotate(
            dispatched=Count("id"),
            signed_on_time=Count("id", filter=signed_on_time()),
            responded=Count("id", filter=responded_on_time()),
            returned=Count("id", filter=returned()),
            extended=Count("id", filter=extended()),
        )
        .order_by()
    ):
        r = row(g["department_id"], g["department__name"])
        for key in ("dispatched", "signed_on_time", "responded", "returned", "extended"):
            r.counts[key] += g[key]

    replies = scoped(HandlingReply.objects.filter(month.within("replied_at")), "department_id")
    for g in (
        replies.values("department_id", "department__name")
        .annotate(replies=Count("id"), replies_on_time=Count("id", filter=reply_on_time()))
        .order_by()
    ):
        r = row(g["department_id"], g["department__name"])
        r.counts["replies"] += g["replies"]
        r.counts["replies_on_time"] += g["replies_on_time"]

    closed = scoped(
        WorkOrder.objects.filter(closed_after_handling(), month.within("closed_at")),
        "lead_unit_id",
    )
    for g in (
        closed.values("lead_unit_id", "lead_unit__name")
        .annotate(
            closed=Count("id"),
            redone=Count("id", filter=redone()),
            closed_callback=Count("id", filter=closed_after_callback()),
            solved=Count("id", filter=closed_after_callback() & solved()),
        )
        .order_by()
    ):
        r = row(g["lead_unit_id"], g["lead_unit__name"])
        for key in ("closed", "redone", "closed_callback", "solved"):
            r.counts[key] += g[key]

    callbacks = scoped(
        Callback.objects.filter(rated_callback(), month.within("at")), "order__lead_unit_id"
    )
    for g in (
        callbacks.values("order__lead_unit_id", "order__lead_unit__name")
        .annotate(rated=Count("id"), satisfied=Count("id", filter=satisfied()))
        .order_by()
    ):
        r = row(g["order__lead_unit_id"], g["order__lead_unit__name"])
        r.counts["rated"] += g["rated"]
        r.counts["satisfied"] += g["satisfied"]

    city = UnitFigures(department_id=None, department="")
    for r in rows.values():
        city.add(r)
    if department_ids is None:
        first = WorkOrder.objects.filter(taken_by_phone(), month.within("taken_at")).aggregate(
            taken_by_phone=Count("id"), answered=Count("id", filter=answered_directly())
        )
    else:
        first = {"taken_by_phone": 0, "answered": 0}
    city.counts["taken_by_phone"] = first["taken_by_phone"]
    city.counts["answered"] = first["answered"]
    units = sorted(
        (r for key, r in rows.items() if key is not None),
        key=lambda r: (r.department, r.department_id or 0),
    )
    return MonthIndicators(month=month, units=units, city=city)


__all__ = [
    "COUNTS",
    "FIRST_CALL",
    "INDICATORS",
    "Month",
    "MonthIndicators",
    "UnitFigures",
    "month_indicators",
    "percent",
]
