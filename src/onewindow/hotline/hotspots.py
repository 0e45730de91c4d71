"""Hot spots of the 12345 hotline (热点): how many orders of each category came from each street
in each ISO week of a period, and the recurring problems — the same category in the same street
(or, for an order without a street, at the same place) with at least ``least`` orders in the
period, with their order numbers.

Counted: the orders *received* in ``[since, until)`` (days in the project's time zone), except
those not accepted (不予受理); a duplicate merged into another order still counts — each is a
call about the matter. The street of an order is the street its region code lies in (the first
nine digits of the division code), so a community's orders count for its street.

Constant queries whatever the volume: ``week_counts`` groups by (category, street, day) in the
database — at most categories × streets × days groups — and folds days into ISO weeks in
Python (no database has to agree on week numbers), plus one query for the streets' names;
``recurring`` is one ``GROUP BY … HAVING`` and one query for the numbers of the top groups.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case as Switch
from django.db.models import Count, Q, Value, When
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from onewindow.hotline.models import WorkOrder
from onewindow.hotline.transitions import OrderState
from onewindow.org.models import Region

STREET_PREFIX = 9


def _instant(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


def counted(since: dt.date, until: dt.date) -> Any:
    """The orders a hot spot counts: received in ``[since, until)``, accepted (or waiting)."""
    return WorkOrder.objects.filter(
        received_at__gte=_instant(since), received_at__lt=_instant(until)
    ).exclude(state=OrderState.NOT_ACCEPTED)


def _street_names(prefixes: set[str]) -> dict[str, str]:
    codes = {p + "0" * (12 - STREET_PREFIX): p for p in prefixes if p}
    return {
        codes[r["code"]]: r["name"]
        for r in Region.objects.filter(code__in=codes).values("code", "name")
    }


@dataclass(frozen=True)
class WeekCount:
    category_id: int | None
    category: str
    street_code: str
    street: str
    week: str  # ISO week, "2026-W45"
    count: int


def _category_name(row: dict[str, Any]) -> str:
    name, parent = row.get("category__name"), row.get("category__parent__name")
    if not name:
        return ""
    return f"{parent} › {name}" if parent else name


def week_counts(*, since: dt.date, until: dt.date) -> list[WeekCount]:
    """Orders per category × street × ISO week; ordered by week, then most orders first.
    Two queries."""
    groups = (
        counted(since, until)
        .annotate(street=Substr("region_code", 1, STREET_PREFIX), day=TruncDate("received_at"))
        .values("category_id", "category__name", "category__parent__name", "street", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    folded: dict[tuple[Any, str, str], int] = defaultdict(int)
    names: dict[Any, str] = {}
    for g in groups:
        day = g["day"]
        if isinstance(day, dt.datetime):  # some back ends hand a datetime back
            day = day.date()
        iso = day.isocalendar()
        key = (g["category_id"], g["street"] or "", f"{iso.year}-W{iso.week:02d}")
        folded[key] += g["n"]
        names[g["category_id"]] = _category_name(g)
    streets = _street_names({street for _, street, _ in folded})
    rows = [
        WeekCount(
            category_id=category_id,
            category=names[category_id],
            street_code=street,
            street=streets.get(street, ""),
            week=week,
            count=n,
        )
        for (category_id, street, week), n in folded.items()
    ]
    rows.sort(key=lambda r: (r.week, -r.count, r.category, r.street_code))
    return rows


@dataclass
class Recurring:
    category_id: int | None
    category: str
    street_code: str
    street: str
    place: str
    count: int
    numbers: list[str] = field(default_factory=list)


def recurring(
    *, since: dt.date, until: dt.date, least: int = 3, limit: int = 20
) -> list[Recurring]:
    """The same category in the same street (or at the same place, without a street) with at
    least ``least`` orders received in the period: the ``limit`` largest, with their numbers
    (oldest first). Three queries."""
    keyed = counted(since, until).annotate(
        street=Substr("region_code", 1, STREET_PREFIX),
        spot=Switch(When(region_code="", then="place"), default=Value("")),
    )
    groups = list(
        keyed.exclude(category__isnull=True)
        .values("category_id", "category__name", "category__parent__name", "street", "spot")
        .annotate(n=Count("id"))
        .filter(n__gte=least)
        .order_by("-n", "category_id", "street", "spot")[:limit]
    )
    if not groups:
        return []
    streets = _street_names({g["street"] for g in groups})
    found = {
        (g["category_id"], g["street"] or "", g["spot"] or ""): Recurring(
            category_id=g["category_id"],
            category=_category_name(g),
            street_code=g["street"] or "",
            street=streets.get(g["street"] or "", ""),
            place=g["spot"] or "",
            count=g["n"],
        )
        for g in groups
    }
    which = Q()
    for category_id, street, spot in found:
        which |= Q(category_id=category_id, street=street, spot=spot)
    for number, category_id, street, spot in (
        keyed.filter(which)
        .order_by("received_at", "id")
        .values_list("number", "category_id", "street", "spot")
    ):
        found[(category_id, street or "", spot or "")].numbers.append(number)
    return list(found.values())


__all__ = ["Recurring", "WeekCount", "counted", "recurring", "week_counts"]
