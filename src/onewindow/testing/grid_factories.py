"""Factories for grid management tests: a square unit grid in a community, a category with
staged limits and a responsible unit, and a grid case put straight into any state (to test a
later move without walking the earlier ones; the walks go through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from onewindow.grid.geometry import shape_of
from onewindow.grid.models import Grid, GridPost
from onewindow.hotline.codes import UnitKind
from onewindow.hotline.models import HandlingUnit
from onewindow.org.codes import Role
from onewindow.testing.factories import CommunityFactory, DepartmentFactory, staff_with_role
from onewindow.urban.codes import CaseKind, Source
from onewindow.urban.models import Category, CategoryStage, CategoryUnit, GridCase
from onewindow.urban.transitions import CaseState
from onewindow.workflow.clock import TimeUnit

# Liwan, roughly: grids are 0.002° squares laid out east of this corner.
ORIGIN_LON, ORIGIN_LAT = 113.230, 23.110
SIDE = 0.002


def square(lon: float, lat: float, side: float = SIDE) -> dict[str, Any]:
    """A GeoJSON Polygon: the square with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def grid_make(
    *,
    community: Any = None,
    sequence: int = 1,
    geometry: dict[str, Any] | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> Grid:
    """A unit grid of ``community`` (a new one by default): a square at (lon, lat), by default
    the ``sequence``-th square east of ``ORIGIN``."""
    community = community or CommunityFactory()
    if geometry is None:
        geometry = square(
            ORIGIN_LON + (sequence - 1) * SIDE if lon is None else lon,
            ORIGIN_LAT if lat is None else lat,
        )
    found = shape_of(geometry)
    return Grid.objects.create(
        code=f"{community.code}{sequence:02d}",
        name=f"{community.name}第{sequence}网格",
        community=community,
        geometry=geometry,
        min_lon=found.min_lon,
        min_lat=found.min_lat,
        max_lon=found.max_lon,
        max_lat=found.max_lat,
        label_lon=found.label_lon,
        label_lat=found.label_lat,
    )


def grid_worker_make(grid: Grid, **kwargs: Any) -> Any:
    """A grid worker posted to ``grid`` (the role scoped to its community)."""
    user = staff_with_role(Role.GRID_WORKER, region=grid.community, **kwargs)
    GridPost.objects.create(grid=grid, user=user, since=dt.date(2026, 1, 1))
    return user


def unit_make(*, kind: str = UnitKind.STREET, region: Any = None, **kwargs: Any) -> Any:
    """A department that handles grid cases (with its HandlingUnit row)."""
    department: Any = DepartmentFactory(**kwargs)
    HandlingUnit.objects.create(department=department, kind=kind, region=region)
    return department


def category_make(
    *,
    kind: str = CaseKind.EVENT,
    code: str = "E0101",
    name: str = "暴露垃圾",
    major_code: str | None = None,
    major_name: str = "市容环境",
    stages: tuple[tuple[str, int, str], ...] = (("处置", 4, TimeUnit.WORKING_HOUR),),
    units: tuple[Any, ...] = (),
    enforcement: bool = False,
    **fields: Any,
) -> Category:
    """A subclass (with its major class) and its stages ``(name, limit, unit)`` and units."""
    major_code = major_code or code[:3]
    major, _created = Category.objects.get_or_create(
        code=major_code, defaults={"kind": kind, "name": major_name}
    )
    category = Category.objects.create(
        kind=kind,
        code=code,
        name=name,
        parent=major,
        enforcement=enforcement,
        filing_condition=fields.pop("filing_condition", "道路、广场上有暴露垃圾"),
        closing_condition=fields.pop("closing_condition", "垃圾清理干净"),
        **fields,
    )
    for order, (stage_name, limit, unit) in enumerate(stages, start=1):
        CategoryStage.objects.create(
            category=category, order=order, name=stage_name, limit=limit, unit=unit
        )
    for order, department in enumerate(units, start=1):
        CategoryUnit.objects.create(category=category, department=department, order=order)
    return category


_case_serial = iter(range(1, 10**9))


def grid_case_make(
    *,
    state: str = CaseState.TO_FILE,
    category: Category | None = None,
    grid: Grid | None = None,
    **fields: Any,
) -> GridCase:
    """A grid case written straight in ``state`` (no events, no clock unless given)."""
    category = category or category_make(code=f"E01{next(_case_serial) % 90 + 10:02d}")
    grid = grid if grid is not None else grid_make()
    defaults: dict[str, Any] = {
        "number": f"WG20260101{next(_case_serial):06d}",
        "source": Source.INSPECTOR,
        "kind": category.kind,
        "category": category,
        "description": "人行道上有暴露垃圾",
        "grid": grid,
        "region_code": grid.community_code if grid else "",
        "longitude": grid.label_lon if grid else None,
        "latitude": grid.label_lat if grid else None,
        "state": state,
        "reported_at": timezone.now(),
    }
    defaults.update(fields)
    return GridCase.objects.create(**defaults)
