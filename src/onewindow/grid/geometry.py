"""Geometry of grids with shapely: a GeoJSON geometry read and checked, its bounding box and
label point, and which of a few candidate polygons holds a point."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

POLYGON_TYPES = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class Shape:
    geometry: BaseGeometry
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    label_lon: float
    label_lat: float


def shape_of(geojson: dict[str, Any]) -> Shape:
    """The shapely geometry of a GeoJSON Polygon or MultiPolygon (ValueError when it is not
    one, or not valid)."""
    if not isinstance(geojson, dict) or geojson.get("type") not in POLYGON_TYPES:
        raise ValueError("not a Polygon or MultiPolygon")
    geometry = shape(geojson)
    if geometry.is_empty or not geometry.is_valid:
        raise ValueError("empty or invalid polygon")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    label = geometry.representative_point()
    return Shape(geometry, min_lon, min_lat, max_lon, max_lat, label.x, label.y)


def bbox_fields(geojson: dict[str, Any]) -> dict[str, float]:
    """The model columns a ``Grid`` or ``Boundary`` keeps beside its geometry."""
    found = shape_of(geojson)
    return {
        "min_lon": found.min_lon,
        "min_lat": found.min_lat,
        "max_lon": found.max_lon,
        "max_lat": found.max_lat,
    }


def first_containing(candidates: Iterable[Any], lon: float, lat: float) -> Any | None:
    """The first candidate (anything with a ``geometry`` GeoJSON attribute) whose polygon
    covers the point (a point on a shared edge goes to the first, by the caller's order)."""
    point = Point(lon, lat)
    for candidate in candidates:
        if shape(candidate.geometry).covers(point):
            return candidate
    return None
