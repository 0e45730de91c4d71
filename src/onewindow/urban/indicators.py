"""The monthly indicators of grid management (GB/T 30428), per unit grid, community, street,
handling unit and grid worker, and the district's monthly score: the one definition of each,
written out in ``docs/grid-indicators.md``.

Each figure is a numerator over a denominator, both counted with ``Count(filter=...)`` in a
fixed number of ``GROUP BY`` queries whatever the number of cases (``month_indicators``: seven,
and three for the names). Every family of counts belongs to the month of the moment that makes
its denominator — reported, filed, dispatched, handled or closed, checked — taken as instants
``[start, end)`` in the project's time zone (``hotline.indicators.Month``). A case the unit
still holds past its deadline counts in the month its deadline passed ("due and not done"),
until it is handled or closed. The queries group by the finest key (grid, community code, unit,
reporter); grids, communities, streets, units and workers are sums of those rows in Python
(their number is bounded by the grids and units, not by the cases).

The condition of each count is a ``Q`` below, written once, so the page, the export, the
assessment and the score read the same figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.grid.models import Grid, GridPost
from onewindow.hotline.indicators import Month, percent
from onewindow.org.models import Department, Region
from onewindow.urban.codes import PUBLIC_SOURCES, Source
from onewindow.urban.models import GridCase, GridCaseEvent
from onewindow.urban.transitions import CaseState

S = CaseState
STREET_DIGITS, COMMUNITY_DIGITS = 9, 12

# --- the conditions, written once -------------------------------------------------------------


def not_self_handled() -> Q:
    """自行处置 is counted apart: a worker's on-the-spot fix is no report, case or dispatch."""
    return ~Q(source=Source.SELF_HANDLED)


def self_handled() -> Q:
    return Q(source=Source.SELF_HANDLED)


def valid() -> Q:
    """有效上报: the report became a case (立案), whenever it was filed."""
    return Q(filed_at__isnull=False)


def filed_on_time() -> Q:
    """按时立案: filed by its filing deadline (a report with no deadline is on time)."""
    return Q(file_due_at__isnull=True) | Q(filed_at__lte=F("file_due_at"))


def public_report() -> Q:
    return Q(source__in=sorted(PUBLIC_SOURCES))


def overdue_at_unit(month: Month, now: dt.datetime) -> Q:
    """A unit holds the case (being handled, not parked), its handling not fed back, and its
    deadline passed within the month (before ``now`` in the current month)."""
    until = min(month.end, now)
    return Q(
        state=S.HANDLING,
        handled_on_time__isnull=True,
        due_at__gte=month.start,
        due_at__lt=until,
    )


def due_to_handle(month: Month, now: dt.datetime) -> Q:
    """应处置: fed back in the month (the latest handling; a rework's redo replaces it), or
    still held past a deadline that passed in the month."""
    return (
        Q(handled_on_time__isnull=False, dispatched_at__isnull=False)
        & month.within("handled_at")
        & not_self_handled()
    ) | overdue_at_unit(month, now)


def handled_on_time() -> Q:
    return Q(handled_on_time=True)


def overdue_pending(month: Month, now: dt.datetime) -> Q:
    """超期未处置: of the cases due to be handled, those still not fed back."""
    return overdue_at_unit(month, now)


def still_open_overdue(month: Month, now: dt.datetime) -> Q:
    """Dispatched, not closed, not parked, its deadline passed within the month."""
    until = min(month.end, now)
    return Q(
        state__in=[S.HANDLING, S.TO_CHECK, S.TO_CLOSE],
        due_at__gte=month.start,
        due_at__lt=until,
    )


def due_to_close(month: Month, now: dt.datetime) -> Q:
    """应结案: closed in the month (after a dispatch: not 自行处置), or still open past a
    deadline that passed in the month."""
    return (
        Q(state=S.CLOSED, dispatched_at__isnull=False) & month.within("closed_at")
    ) | still_open_overdue(month, now)


def closed_on_time() -> Q:
    return Q(state=S.CLOSED, closed_on_time=True)


def reworked() -> Q:
    return Q(rework_count__gt=0)


def extended() -> Q:
    return Q(extension_count__gt=0)


def dispatch_accurate() -> Q:
    return Q(dispatch_accurate=True)


def handled() -> Q:
    """处置: the unit fed its handling back (whenever)."""
    return Q(handled_at__isnull=False)


def parked_at_end(month: Month) -> Q:
    """挂账 at the month's end: a park (挂账) before the end not followed, before the end, by
    an unpark or a void. A case without its event history (imported rows) counts when it is
    parked now and was parked before the end."""
    end = month.end
    undone = GridCaseEvent.objects.filter(
        case=OuterRef("case_id"), action__in=["unpark", "void"], at__gte=OuterRef("at"), at__lt=end
    )
    parks = GridCaseEvent.objects.filter(case=OuterRef("pk"), action="park", at__lt=end)
    return Q(parked_at__lt=end) & (
        Q(Exists(parks.filter(~Exists(undone))))
        | (
            Q(state=S.PARKED)
            & ~Q(Exists(GridCaseEvent.objects.filter(case=OuterRef("pk"), action="park")))
        )
    )


# --- the figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Any
    numerator: str
    denominator: str
    # A rate where less is better (返工率, 延期率, 漏报率): the score takes 1 − rate.
    lower_is_better: bool = False


INDICATORS = (
    Indicator("valid_report", _("Valid reports (有效上报率)"), "valid", "reports"),
    Indicator("file_on_time", _("Filed on time (按时立案率)"), "filed_on_time", "filed"),
    Indicator(
        "dispatch_accurate", _("Dispatched accurately (准确派遣率)"), "accurate", "dispatched"
    ),
    Indicator("handling", _("Handling rate (处置率)"), "handled", "dispatched"),
    Indicator(
        "handle_on_time", _("Handled on time (按期处置率)"), "handled_on_time", "due_to_handle"
    ),
    Indicator("close_on_time", _("Closed on time (按期结案率)"), "closed_on_time", "due_to_close"),
    Indicator("rework", _("Rework rate (返工率)"), "reworked", "due_to_close", True),
    Indicator("extension", _("Extension rate (延期率)"), "extended", "dispatched", True),
    Indicator(
        "overdue_pending",
        _("Overdue, not handled (超期未处置率)"),
        "overdue_pending",
        "due_to_handle",
        True,
    ),
    Indicator("check_on_time", _("Checked on time (按时核查率)"), "checked_on_time", "checked"),
    Indicator("missed", _("Missed by the patrol (漏报率)"), "filed_public", "filed", True),
)
BY_CODE = {i.code: i for i in INDICATORS}

# The inspector's figures (a grid worker): 上报数 and 自行处置 are plain counts.
WORKER_CODES = ("valid_report", "check_on_time", "missed")

COUNTS = (
    "reports",
    "valid",
    "self_handled",
    "filed",
    "filed_on_time",
    "filed_public",
    "dispatched",
    "accurate",
    "extended",
    "handled",
    "due_to_handle",
    "handled_on_time",
    "overdue_pending",
    "due_to_close",
    "closed_on_time",
    "reworked",
    "checked",
    "checked_on_time",
    "parked",
)


class Level:
    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"
    UNIT = "unit"
    WORKER = "worker"


LEVELS = (Level.GRID, Level.COMMUNITY, Level.STREET, Level.UNIT, Level.WORKER)
LEVEL_LABELS = {
    Level.GRID: _("Unit grid"),
    Level.COMMUNITY: _("Community"),
    Level.STREET: _("Street"),
    Level.UNIT: _("Handling unit"),
    Level.WORKER: _("Grid worker"),
}


@dataclass
class Figures:
    """The counts of one grid, community, street, unit or worker (or the total, ``key`` "")
    in one month."""

    level: str
    key: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def fraction(self, code: str) -> tuple[int, int]:
        indicator = BY_CODE[code]
        return self.counts[indicator.numerator], self.counts[indicator.denominator]

    def exact(self, code: str) -> Fraction | None:
        part, whole = self.fraction(code)
        return Fraction(part, whole) if whole else None

    def rate(self, code: str) -> Decimal | None:
        """Percent with one decimal (half up); ``None`` when the denominator is 0."""
        return percent(*self.fraction(code))

    def rates(self) -> dict[str, Decimal | None]:
        return {i.code: self.rate(i.code) for i in INDICATORS}

    def add(self, counts: Mapping[str, int]) -> None:
        for key in COUNTS:
            self.counts[key] += counts.get(key, 0)


@dataclass
class MonthIndicators:
    month: Month
    levels: dict[str, list[Figures]]
    total: Figures

    def rows(self, level: str) -> list[Figures]:
        return self.levels[level]

    def row(self, level: str, key: str | int) -> Figures | None:
        return next((r for r in self.levels[level] if r.key == str(key)), None)


def _families(month: Month, now: dt.datetime) -> list[tuple[Q, dict[str, Q | None]]]:
    """(rows of the family, {count: its condition over those rows}), one query each."""
    return [
        (
            month.within("reported_at"),
            {
                "reports": not_self_handled(),
                "valid": not_self_handled() & valid(),
                "self_handled": self_handled(),
            },
        ),
        (
            month.within("filed_at") & not_self_handled(),
            {"filed": None, "filed_on_time": filed_on_time(), "filed_public": public_report()},
        ),
        (
            month.within("dispatched_at") & not_self_handled(),
            {
                "dispatched": None,
                "accurate": dispatch_accurate(),
                "extended": extended(),
                "handled": handled(),
            },
        ),
        (
            due_to_handle(month, now),
            {
                "due_to_handle": None,
                "handled_on_time": handled_on_time(),
                "overdue_pending": overdue_pending(month, now),
            },
        ),
        (
            due_to_close(month, now),
            {"due_to_close": None, "closed_on_time": closed_on_time(), "reworked": reworked()},
        ),
        (
            month.within("checked_at") & not_self_handled(),
            {"checked": None, "checked_on_time": Q(checked_on_time=True)},
        ),
        (parked_at_end(month), {"parked": None}),
    ]


GROUP_KEYS = ("grid_id", "region_code", "unit_id", "reported_by_id")


def _count_rows(cases: QuerySet[GridCase], month: Month, now: dt.datetime) -> list[dict[str, Any]]:
    """Every family's counts per (grid, community code, unit, reporter): seven queries."""
    out: list[dict[str, Any]] = []
    for rows, counts in _families(month, now):
        # "n_": some counts are named as fields (handled_on_time, closed_on_time …).
        annotations = {
            f"n_{name}": Count("id", filter=condition) if condition is not None else Count("id")
            for name, condition in counts.items()
        }
        for row in cases.filter(rows).values(*GROUP_KEYS).annotate(**annotations).order_by():
            out.append({**{k: row[k] for k in GROUP_KEYS}, **{n: row[f"n_{n}"] for n in counts}})
    return out


def _posts(month: Month, grid_ids: Iterable[int]) -> dict[int, list[int]]:
    """The workers posted to each grid at some time in the month: {grid id: [user ids]}."""
    last_day = month.end.date() - dt.timedelta(days=1)
    posts: dict[int, list[int]] = {}
    for grid_id, user_id in (
        GridPost.objects.filter(grid_id__in=list(grid_ids), since__lte=last_day)
        .filter(Q(until__isnull=True) | Q(until__gte=month.start.date()))
        .values_list("grid_id", "user_id")
        .order_by("grid_id", "user_id")
        .distinct()
    ):
        posts.setdefault(grid_id, []).append(user_id)
    return posts


# A worker's figures of their grids (checks, filings): not their own reports.
GRID_WORKER_COUNTS = ("checked", "checked_on_time", "filed", "filed_public")
# A worker's own reports (reported_by).
OWN_WORKER_COUNTS = ("reports", "valid", "self_handled")


def month_indicators(
    *,
    month: Month,
    cases: QuerySet[GridCase] | None = None,
    prefix: str = "",
    unit_ids: Iterable[int] | None = None,
    now: dt.datetime | None = None,
) -> MonthIndicators:
    """The indicators of every grid, community, street, unit and worker with anything counted
    in ``month``, and their total. ``cases`` is the (already scoped) set to count, by default
    every case; ``prefix`` keeps the cases of a street or community (region code prefix);
    ``unit_ids`` those of some handling units. Seven counting queries and at most four for the
    names and posts, whatever the number of cases."""
    now = now or timezone.now()
    base = cases if cases is not None else GridCase.objects.all()
    if prefix:
        base = base.filter(region_code__startswith=prefix)
    if unit_ids is not None:
        base = base.filter(unit_id__in=list(unit_ids))

    fine: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in _count_rows(base, month, now):
        key = tuple(row[k] for k in GROUP_KEYS)
        target = fine.setdefault(key, dict.fromkeys(COUNTS, 0))
        for name in COUNTS:
            target[name] += row.get(name, 0)

    sums: dict[str, dict[str, dict[str, int]]] = {level: {} for level in LEVELS}
    total = Figures(level="", key="", name="")

    def bump(level: str, key: Any, counts: Mapping[str, int], only: Iterable[str] = COUNTS) -> None:
        if key in (None, ""):
            return
        target = sums[level].setdefault(str(key), dict.fromkeys(COUNTS, 0))
        for name in only:
            target[name] += counts.get(name, 0)

    per_grid: dict[int, dict[str, int]] = {}
    for (grid_id, region_code, unit_id, reporter_id), counts in fine.items():
        total.add(counts)
        bump(Level.GRID, grid_id, counts)
        bump(Level.COMMUNITY, region_code[:COMMUNITY_DIGITS] if region_code else "", counts)
        bump(Level.STREET, region_code[:STREET_DIGITS] if region_code else "", counts)
        bump(Level.UNIT, unit_id, counts)
        bump(Level.WORKER, reporter_id, counts, OWN_WORKER_COUNTS)
        if grid_id is not None:
            target = per_grid.setdefault(grid_id, dict.fromkeys(COUNTS, 0))
            for name in GRID_WORKER_COUNTS:
                target[name] += counts[name]
    for grid_id, users in _posts(month, per_grid).items():
        for user_id in users:
            bump(Level.WORKER, user_id, per_grid[grid_id], GRID_WORKER_COUNTS)

    names = _names(sums)
    levels: dict[str, list[Figures]] = {}
    for level in LEVELS:
        rows = [
            Figures(level=level, key=key, name=names[level].get(key, key), counts=counts)
            for key, counts in sums[level].items()
        ]
        if level in (Level.COMMUNITY, Level.STREET):
            rows.sort(key=lambda r: r.key)
        else:  # grids by code (their name starts with it), units and workers by name
            rows.sort(key=lambda r: (r.name, r.key))
        levels[level] = rows
    return MonthIndicators(month=month, levels=levels, total=total)


def _names(sums: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Display names of the keys (three queries at most: grids, regions, units, users)."""
    names: dict[str, dict[str, str]] = {level: {} for level in LEVELS}
    if sums[Level.GRID]:
        for pk, code, name in Grid.objects.filter(
            pk__in=[int(k) for k in sums[Level.GRID]]
        ).values_list("pk", "code", "name"):
            names[Level.GRID][str(pk)] = f"{code} {name}"
    codes = [*sums[Level.COMMUNITY], *(f"{k}000" for k in sums[Level.STREET])]
    if codes:
        for code, name in Region.objects.filter(code__in=codes).values_list("code", "name"):
            if code.endswith("000") and code[:STREET_DIGITS] in sums[Level.STREET]:
                names[Level.STREET][code[:STREET_DIGITS]] = name
            if code in sums[Level.COMMUNITY]:
                names[Level.COMMUNITY][code] = name
    if sums[Level.UNIT]:
        for pk, name in Department.objects.filter(
            pk__in=[int(k) for k in sums[Level.UNIT]]
        ).values_list("pk", "name"):
            names[Level.UNIT][str(pk)] = name
    if sums[Level.WORKER]:
        for user in get_user_model().objects.filter(pk__in=[int(k) for k in sums[Level.WORKER]]):
            names[Level.WORKER][str(user.pk)] = user.get_full_name() or user.get_username()
    return names


__all__ = [
    "COUNTS",
    "INDICATORS",
    "LEVELS",
    "LEVEL_LABELS",
    "WORKER_CODES",
    "Figures",
    "Indicator",
    "Level",
    "Month",
    "MonthIndicators",
    "month_indicators",
]
