"""What a leader reads on a phone (/staff/urban/today/) and the data of the grid maps: today's
numbers, the cases overdue now, the open cases as points with their light, and the month's
cases per grid as a heat map. Each is a fixed number of queries whatever the number of cases:
the points are the newest ``POINTS_LIMIT`` open cases plus a count per grid (the map shows a
grid's count where its points are not all drawn), so the answer's size is bounded by the grids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from onewindow.hotline.indicators import Month
from onewindow.urban.figures_reports import readable_cases
from onewindow.urban.models import GridCase
from onewindow.urban.transitions import OPEN_STATES, CaseState
from onewindow.workflow.clock import LIGHT_BY_RANK, Light, light_boundaries

POINTS_LIMIT = 300
OVERDUE_LIMIT = 30
OPEN = sorted(OPEN_STATES)


def _scoped(user: Any, prefix: str) -> QuerySet[GridCase]:
    cases = readable_cases(user) if user is not None else GridCase.objects.all()
    return cases.filter(region_code__startswith=prefix) if prefix else cases


# The unit's clock runs while it holds the case; parked (挂账) it is paused.
CLOCKED = Q(state__in=[CaseState.HANDLING, CaseState.PARKED])


def _light_rank(now: dt.datetime) -> Any:
    return light_boundaries(now).rank_expression(
        due="due_at", paused=Q(paused_since__isnull=False), running=CLOCKED
    )


def _overdue(now: dt.datetime) -> Q:
    """Overdue now: held by a unit, the clock running, past its deadline."""
    return Q(state=CaseState.HANDLING, paused_since__isnull=True, due_at__lt=now)


CASE_PAGE = "urban_staff:case"
_PLACEHOLDER = "WG0000000000"


def case_href(number: str) -> str:
    """The staff page of a case, where the flow's pages are installed ("" otherwise)."""
    template = _case_page()
    return template.replace(_PLACEHOLDER, number) if template else ""


def _case_page() -> str:
    try:
        return reverse(CASE_PAGE, args=[_PLACEHOLDER])
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class TodayCounts:
    reported: int
    filed: int
    dispatched: int
    closed: int
    overdue: int
    open: int


def today_counts(*, user: Any, prefix: str = "", now: dt.datetime | None = None) -> TodayCounts:
    """Today's reports, filings, dispatches and closings (自行处置 included in reports and
    closings), the cases overdue now and the open ones. One query."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))
    end = start + dt.timedelta(days=1)

    def today(path: str) -> Q:
        return Q(**{f"{path}__gte": start, f"{path}__lt": end})

    found = (
        _scoped(user, prefix)
        .filter(
            today("reported_at")
            | today("filed_at")
            | today("dispatched_at")
            | today("closed_at")
            | Q(state__in=OPEN)
        )
        .aggregate(
            reported=Count("id", filter=today("reported_at")),
            filed=Count("id", filter=today("filed_at")),
            dispatched=Count("id", filter=today("dispatched_at")),
            closed=Count("id", filter=today("closed_at") & Q(state=CaseState.CLOSED)),
            overdue=Count("id", filter=_overdue(now)),
            open=Count("id", filter=Q(state__in=OPEN)),
        )
    )
    return TodayCounts(**{k: v or 0 for k, v in found.items()})


def overdue_cases(
    *, user: Any, prefix: str = "", now: dt.datetime | None = None, limit: int = OVERDUE_LIMIT
) -> list[dict[str, Any]]:
    """The cases overdue now, the longest overdue first (at most ``limit``). One query."""
    now = now or timezone.now()
    rows = (
        _scoped(user, prefix)
        .filter(_overdue(now))
        .order_by("due_at", "id")
        .values(
            "number",
            "due_at",
            "place",
            "category__name",
            "unit__name",
            "grid__code",
            "grid__name",
        )[:limit]
    )
    page = _case_page()
    out: list[dict[str, Any]] = []
    for found in rows:
        row: dict[str, Any] = dict(found)
        row["href"] = page.replace(_PLACEHOLDER, row["number"]) if page else ""
        row["late_hours"] = int((now - row["due_at"]).total_seconds() // 3600)
        out.append(row)
    return out


def open_case_points(
    *, prefix: str, user: Any, now: dt.datetime | None = None, limit: int = POINTS_LIMIT
) -> dict[str, Any]:
    """The open cases as map points ``{lon, lat, light, label, href}`` — the newest ``limit``
    with a place — and every grid's open, red and yellow counts at its label point (what the
    map draws where points are left out). Two queries."""
    now = now or timezone.now()
    cases = _scoped(user, prefix).filter(state__in=OPEN)
    rank = _light_rank(now)
    page = _case_page()
    points = []
    for row in (
        cases.filter(longitude__isnull=False, latitude__isnull=False)
        .annotate(light_rank=rank)
        .order_by("-reported_at", "-id")
        .values("number", "longitude", "latitude", "light_rank", "category__name", "state")[:limit]
    ):
        light: Light = LIGHT_BY_RANK[row["light_rank"]]
        points.append(
            {
                "lon": row["longitude"],
                "lat": row["latitude"],
                "light": light.value,
                "label": f"{row['number']} {row['category__name']}",
                "href": page.replace(_PLACEHOLDER, row["number"]) if page else "",
            }
        )
    bounds = light_boundaries(now)
    lights = bounds.conditions(due="due_at", paused=Q(paused_since__isnull=False), running=CLOCKED)
    grids = [
        {
            "grid": row["grid__code"],
            "name": row["grid__name"],
            "lon": row["grid__label_lon"],
            "lat": row["grid__label_lat"],
            "open": row["open"],
            "red": row["red"],
            "yellow": row["yellow"],
        }
        for row in cases.filter(grid__isnull=False)
        .values("grid__code", "grid__name", "grid__label_lon", "grid__label_lat")
        .annotate(
            open=Count("id"),
            red=Count("id", filter=lights[Light.RED]),
            yellow=Count("id", filter=lights[Light.YELLOW]),
        )
        .order_by("grid__code")
    ]
    total = sum(g["open"] for g in grids)
    return {"points": points, "grids": grids, "shown": len(points), "total_in_grids": total}


def category_heat(
    *, prefix: str, month: Month, user: Any = None, category: str = ""
) -> list[dict[str, Any]]:
    """The month's reports (自行处置 included) per grid, at the grid's label point: the heat
    map ``[{lon, lat, value}]``; ``category`` (a code, major class or subclass) keeps one kind
    of problem. One query."""
    cases = _scoped(user, prefix).filter(month.within("reported_at"), grid__isnull=False)
    if category:
        cases = cases.filter(Q(category__code=category) | Q(category__parent__code=category))
    return [
        {
            "lon": row["grid__label_lon"],
            "lat": row["grid__label_lat"],
            "value": row["value"],
            "grid": row["grid__code"],
        }
        for row in cases.values("grid__code", "grid__label_lon", "grid__label_lat")
        .annotate(value=Count("id"))
        .order_by("grid__code")
    ]


__all__ = [
    "POINTS_LIMIT",
    "TodayCounts",
    "case_href",
    "category_heat",
    "open_case_points",
    "overdue_cases",
    "today_counts",
]
