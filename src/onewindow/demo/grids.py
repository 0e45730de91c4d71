"""The demo district's unit grids: a plausible, deterministic layout of Liwan (荔湾区, about
lon 113.20–113.27, lat 23.06–23.16) — each street a block of a 4-column map, its communities
side by side inside it, each community cut into 2–4 unit grids — written as one GeoJSON
FeatureCollection and imported through ``grid.services.grids_import`` by the demo
administrator, so the demo goes through every check of the import. The street's grid worker
(``grid01``…, scoped to their street) is then posted to each grid of the street.

The shapes are not the real boundaries: rectangles sharing their edges exactly (no overlap,
no gap), the same for the same seed."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from django.contrib.auth import get_user_model

from onewindow.grid.models import Grid
from onewindow.grid.services import grid_post_set, grids_import
from onewindow.org.codes import RegionLevel, Role
from onewindow.org.models import Region, RoleAssignment

WEST, EAST, SOUTH, NORTH = 113.200, 113.270, 23.060, 23.160
COLUMNS = 4
POSTED_SINCE = dt.date(2026, 1, 1)
ADMIN = "admin"


def _rectangle(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    w, s, e, n = (round(v, 6) for v in (west, south, east, north))
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _feature(level: str, code: str, name: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"level": level, "code": code, "name": name},
        "geometry": geometry,
    }


def demo_grid_layout(*, seed: int = 2026) -> dict[str, Any]:
    """The FeatureCollection of the demo district's streets, communities and unit grids."""
    rng = random.Random(f"{seed}:grids")
    streets = list(Region.objects.filter(level=RegionLevel.STREET).order_by("code"))
    communities: dict[str, list[Region]] = {}
    for community in Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("code"):
        communities.setdefault(community.code[:9], []).append(community)
    rows = max(1, -(-len(streets) // COLUMNS))
    width, height = (EAST - WEST) / COLUMNS, (NORTH - SOUTH) / rows
    features: list[dict[str, Any]] = []
    for index, street in enumerate(streets):
        # Street 1 in the north-west corner, row by row southwards (the old town by the river).
        row, column = divmod(index, COLUMNS)
        west, north = WEST + column * width, NORTH - row * height
        east, south = west + width, north - height
        features.append(
            _feature("street", street.code, street.name, _rectangle(west, south, east, north))
        )
        members = communities.get(street.code[:9], [])
        for number, community in enumerate(members):
            c_west = west + number * width / len(members)
            c_east = west + (number + 1) * width / len(members)
            features.append(
                _feature(
                    "community",
                    community.code,
                    community.name,
                    _rectangle(c_west, south, c_east, north),
                )
            )
            count = rng.randint(2, 4)
            for sequence in range(1, count + 1):
                g_north = north - (sequence - 1) * height / count
                g_south = north - sequence * height / count
                features.append(
                    _feature(
                        "grid",
                        f"{community.code}{sequence:02d}",
                        f"{community.name}第{sequence}网格",
                        _rectangle(c_west, g_south, c_east, g_north),
                    )
                )
    return {"type": "FeatureCollection", "features": features}


def build_demo_grids(*, seed: int = 2026) -> int:
    """Import the demo layout and post each street's grid workers to its grids; returns the
    number of grids (0 without the demo administrator)."""
    admin = get_user_model().objects.filter(username=ADMIN).first()
    if admin is None:
        return 0
    data = json.dumps(demo_grid_layout(seed=seed), ensure_ascii=False).encode("utf-8")
    result = grids_import(actor=admin, data=data)
    grids = list(Grid.objects.filter(code__in=result.codes).select_related("community"))
    workers = (
        RoleAssignment.objects.filter(role=Role.GRID_WORKER, region__isnull=False)
        .select_related("user", "region")
        .order_by("user__username")
    )
    for assignment in workers:
        for grid in grids:
            if assignment.region and grid.code.startswith(assignment.region.prefix):
                grid_post_set(actor=admin, grid=grid, user=assignment.user, since=POSTED_SINCE)
    return len(grids)
