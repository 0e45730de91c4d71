"""A small district for the grid tests: one street (440103001000) of two communities, each
with its boundary block; an administrator; GeoJSON helpers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from onewindow.org.codes import Role
from onewindow.testing.factories import CommunityFactory, StreetFactory, staff_with_role
from onewindow.testing.grid_factories import square

STREET = "440103001000"
FIRST = "440103001001"
SECOND = "440103001002"
# The street is the block 113.230–113.238 × 23.110–23.114: the first community its western
# half (113.230–113.234), the second its eastern half.
LON, LAT = 113.230, 23.110


def rectangle(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(level: str, code: str, name: str, geometry: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"level": level, "code": code, "name": name},
        "geometry": geometry,
    }


def collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def layout() -> list[dict[str, Any]]:
    """The street, its two communities and two grids in each (0.002° squares)."""
    return [
        feature("street", STREET, "沙面街道", rectangle(113.230, 23.110, 113.238, 23.114)),
        feature("community", FIRST, "沙面社区", rectangle(113.230, 23.110, 113.234, 23.114)),
        feature("community", SECOND, "沙基社区", rectangle(113.234, 23.110, 113.238, 23.114)),
        feature("grid", f"{FIRST}01", "沙面第1网格", square(113.230, 23.110)),
        feature("grid", f"{FIRST}02", "沙面第2网格", square(113.232, 23.110)),
        feature("grid", f"{SECOND}01", "沙基第1网格", square(113.234, 23.110)),
        feature("grid", f"{SECOND}02", "沙基第2网格", square(113.236, 23.112)),
    ]


@pytest.fixture
def district(db: Any) -> dict[str, Any]:
    street = StreetFactory(code=STREET, name="沙面街道")
    first = CommunityFactory(parent=street, code=FIRST, name="沙面社区")
    second = CommunityFactory(parent=street, code=SECOND, name="沙基社区")
    return {"street": street, "first": first, "second": second}


@pytest.fixture
def admin(db: Any) -> Any:
    return staff_with_role(Role.ADMIN)
