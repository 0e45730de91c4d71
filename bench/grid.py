"""The ``grid`` group: grid management at Liwan's volume (18,000 grid cases in four months,
issue 12) and ten times that history, the figures a street's pages read: its case list, the
map's points and the month's indicators — each against a raw SELECT of the rows it shows, and
each at 1× and 10×, so that ``vs_1x`` (median at 10× ÷ median at 1×, in ``extra``) says
whether it stays constant in the number of cases (near 1).

10× is ten times the history at the same rate (40 months of 4,500 a month): a city's cases
grow with the years, while what is open, and what one month holds, stays the month's. The
cases are bulk-created (``bulk_create``, not services: the volume, not the path, is what is
varied): a street of ``GRIDS`` unit grids in two communities, one handling unit; cases older
than three weeks are closed (a few void, not filed or parked), the newest open in every state.
``BENCH_GRID_CASES`` sets the 1× volume (the smoke test sets ``CASES`` tiny).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

from bench.timing import Figure

CASES = int(os.environ.get("BENCH_GRID_CASES") or 18000)
MONTHS_1X = 4
GRIDS = 24
PAGE_ROWS = 50


def _scene(actors: Any) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from onewindow.grid.geometry import shape_of
    from onewindow.grid.models import Grid
    from onewindow.org.codes import RegionLevel, Role
    from onewindow.org.models import Department, Region, RoleAssignment
    from onewindow.urban.codes import CaseKind
    from onewindow.urban.models import Category, CategoryStage
    from onewindow.workflow.clock import TimeUnit

    street = Region.objects.filter(level=RegionLevel.STREET).order_by("code").first()
    assert street is not None, "the city has no street"
    communities = []
    for n in (1, 2):
        code = f"{street.code[:9]}{900 + n:03d}"
        community, _created = Region.objects.get_or_create(
            code=code,
            defaults={"name": f"基准社区{n}", "level": RegionLevel.COMMUNITY, "parent": street},
        )
        communities.append(community)
    grids = []
    for n in range(GRIDS):
        community = communities[n % 2]
        code = f"{community.code}{n // 2 + 1:02d}"
        lon, lat = 113.30 + (n % 6) * 0.002, 23.20 + (n // 6) * 0.002
        ring = [[lon, lat], [lon + 0.002, lat], [lon + 0.002, lat + 0.002], [lon, lat + 0.002]]
        geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
        found = shape_of(geometry)
        grid, _created = Grid.objects.get_or_create(
            code=code,
            defaults={
                "name": f"基准网格{n + 1}",
                "community": community,
                "geometry": geometry,
                "min_lon": found.min_lon,
                "min_lat": found.min_lat,
                "max_lon": found.max_lon,
                "max_lat": found.max_lat,
                "label_lon": found.label_lon,
                "label_lat": found.label_lat,
            },
        )
        grids.append(grid)
    major, _created = Category.objects.get_or_create(
        code="E99", defaults={"kind": CaseKind.EVENT, "name": "基准大类"}
    )
    category, created = Category.objects.get_or_create(
        code="E9901", defaults={"kind": CaseKind.EVENT, "name": "暴露垃圾", "parent": major}
    )
    if created:
        CategoryStage.objects.create(
            category=category, order=1, name="处置", limit=4, unit=TimeUnit.WORKING_HOUR
        )
    unit = Department.objects.get(pk=actors.lead_department_id)
    users = get_user_model()
    chief, created = users.objects.get_or_create(username="bench-grid-chief")
    if created:
        RoleAssignment.objects.create(user=chief, role=Role.GRID_CHIEF)
    return {
        "street": street,
        "grids": grids,
        "category": category,
        "unit": unit,
        "chief": chief,
    }


def _bulk_cases(scene: dict[str, Any], count: int, start: int, *, newest: dt.datetime) -> None:
    """``count`` cases, case ``start + i`` reported ``(start + i) × step`` before ``newest``
    at 4,500 a month: the newest three weeks open in every state, the older ones closed (one
    in twenty void, not filed or parked)."""
    from onewindow.urban.codes import Source
    from onewindow.urban.models import GridCase
    from onewindow.urban.transitions import CaseState as S

    step = dt.timedelta(days=30) / (CASES / MONTHS_1X)
    open_cycle = [
        S.TO_VERIFY,
        S.TO_FILE,
        S.TO_DISPATCH,
        S.HANDLING,
        S.HANDLING,
        S.TO_CHECK,
        S.TO_CLOSE,
        S.HANDLING,
    ]
    grids, category, unit = scene["grids"], scene["category"], scene["unit"]
    for chunk in range(start, start + count, 2000):
        rows = []
        for n in range(chunk, min(chunk + 2000, start + count)):
            reported = newest - n * step
            grid = grids[n % len(grids)]
            age = newest - reported
            is_open = age < dt.timedelta(days=21)
            state = open_cycle[n % len(open_cycle)] if is_open else S.CLOSED
            if not is_open and n % 20 == 7:
                state = (S.VOID, S.NOT_FILED, S.PARKED)[n % 3]
            filed = state not in (S.TO_VERIFY, S.TO_FILE, S.NOT_FILED)
            dispatched = filed and state != S.TO_DISPATCH
            handled = state in (S.TO_CHECK, S.TO_CLOSE, S.CLOSED)
            closed = state == S.CLOSED
            rows.append(
                GridCase(
                    number=f"GB{n:010d}",
                    source=Source.PUBLIC if n % 7 == 0 else Source.INSPECTOR,
                    kind=category.kind,
                    category=category,
                    description="人行道上有暴露垃圾",
                    grid=grid,
                    region_code=grid.code[:12],
                    longitude=grid.label_lon,
                    latitude=grid.label_lat,
                    state=state,
                    reported_at=reported,
                    file_due_at=reported + dt.timedelta(hours=1),
                    filed_at=reported + dt.timedelta(minutes=40 + n % 40) if filed else None,
                    unit=unit if dispatched else None,
                    dispatched_at=reported + dt.timedelta(hours=2) if dispatched else None,
                    dispatch_accurate=(n % 13 != 0) if dispatched else None,
                    due_at=reported + dt.timedelta(hours=30) if dispatched else None,
                    handled_at=reported + dt.timedelta(hours=20 + n % 20) if handled else None,
                    handled_on_time=(n % 9 != 0) if handled else None,
                    checked_at=reported + dt.timedelta(hours=42) if closed else None,
                    checked_on_time=(n % 11 != 0) if closed else None,
                    closed_at=reported + dt.timedelta(hours=44) if closed else None,
                    closed_on_time=(n % 9 != 0) if closed else None,
                    rework_count=1 if n % 17 == 0 else 0,
                    extension_count=1 if n % 19 == 0 else 0,
                    parked_at=reported + dt.timedelta(days=3) if state == S.PARKED else None,
                    paused_since=reported + dt.timedelta(days=3) if state == S.PARKED else None,
                )
            )
        GridCase.objects.bulk_create(rows)


def _analyse() -> None:
    """Planner statistics and the visibility map of the grid cases just added (PostgreSQL),
    as autovacuum would keep them: a plan made from the empty table would read every row."""
    from django.db import connection

    from onewindow.urban.models import GridCase

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {GridCase._meta.db_table}")


def _list_subject(client: Any, user: Any, street: Any) -> tuple[str, Callable[[], Any]]:
    """The street's case list: the flow's page where it is installed, else the same read as
    its first page (the cases the user may read, in the street, newest first)."""
    from django.urls import NoReverseMatch, reverse

    from onewindow.urban.figures_reports import readable_cases

    for name in ("urban_staff:cases", "urban_staff:case_list", "urban_staff:centre"):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue

        def page(url: str = url) -> Any:
            response = client.get(url, {"region": street.code})
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")
            return response

        return f"GET {url}?region=<street> (grid chief)", page
    prefix = street.prefix

    def first_page() -> Any:
        return list(
            readable_cases(user)
            .filter(region_code__startswith=prefix)
            .select_related("category", "grid", "unit")
            .order_by("-reported_at", "-id")[:PAGE_ROWS]
        )

    return f"the street's first {PAGE_ROWS} cases, newest first (readable_cases)", first_page


def grid_figures(
    actors: Any,
    *,
    rounds: int,
    warmup: int,
    say: Callable[[str], None],
    figure: Callable[..., Figure],
    raw_select: Callable[[str, list[Any]], Callable[[], Any]],
    signed_in: Callable[[Any], Any],
) -> list[Figure]:
    from django.db import connection
    from django.utils import timezone

    from onewindow.hotline.indicators import Month
    from onewindow.urban.indicators import month_indicators
    from onewindow.urban.models import GridCase

    scene = _scene(actors)
    street, chief = scene["street"], scene["chief"]
    client = signed_in(chief)
    newest = timezone.now() - dt.timedelta(minutes=5)
    month = Month.of(newest - dt.timedelta(days=31))  # the last complete month (about)
    case_t = GridCase._meta.db_table
    like = f"{street.prefix}%"

    def moment(value: dt.datetime) -> Any:
        if connection.vendor == "sqlite":
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
        return value

    out: list[Figure] = []
    medians: dict[str, float] = {}
    added = 0
    for times in (1, 10):
        add = CASES if times == 1 else 9 * CASES
        say(f"  adding {add} grid cases …")
        _bulk_cases(scene, add, added, newest=newest)
        added += add
        _analyse()
        total = GridCase.objects.filter(region_code__startswith=street.prefix).count()
        label, subject = _list_subject(client, chief, street)
        points_url = f"/staff/urban/map/points.json?region={street.code}"

        def points(url: str = points_url) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")
            return response

        prefix = street.prefix
        for name, subject_label, run, baseline in (
            (
                f"grid street list ({times}×)",
                f"{label}, {total} cases in the street",
                subject,
                raw_select(
                    f"SELECT * FROM {case_t} WHERE region_code LIKE %s "
                    f"ORDER BY reported_at DESC, id DESC LIMIT {PAGE_ROWS}",
                    [like],
                ),
            ),
            (
                f"grid map points ({times}×)",
                f"GET {points_url.split('?')[0]} (the street's open cases), {total} cases",
                points,
                raw_select(
                    f"SELECT number, longitude, latitude, due_at FROM {case_t} WHERE "
                    "region_code LIKE %s AND state IN ('to_verify','to_file','to_dispatch',"
                    "'handling','to_check','to_close','parked') "
                    "ORDER BY reported_at DESC, id DESC LIMIT 300",
                    [like],
                ),
            ),
            (
                f"grid indicators month ({times}×)",
                f"urban.indicators.month_indicators({month.key}, the street), {total} cases",
                lambda m=month, p=prefix: month_indicators(month=m, prefix=p),
                raw_select(
                    f"SELECT grid_id, count(*) FROM {case_t} WHERE region_code LIKE %s AND "
                    "reported_at >= %s AND reported_at < %s GROUP BY grid_id",
                    [like, moment(month.start), moment(month.end)],
                ),
            ),
        ):
            found = figure(
                name,
                subject_label,
                "raw SELECT of the rows it shows (one statement)",
                subject=run,
                baseline=baseline,
                baseline_queries=1,
                rounds=rounds,
                warmup=warmup,
                say=say,
            )
            found.extra = {"cases": total}
            kind = name.rsplit(" (", 1)[0]
            if times == 1:
                medians[kind] = found.median_ms
            elif medians.get(kind):
                found.extra["vs_1x"] = round(found.median_ms / medians[kind], 2)
            out.append(found)
    return out
