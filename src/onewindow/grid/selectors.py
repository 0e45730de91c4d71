"""Reads of the grids."""

from __future__ import annotations

from onewindow.grid.geometry import first_containing
from onewindow.grid.models import Grid


def grid_at(*, lon: float, lat: float) -> Grid | None:
    """The active unit grid that holds the point: the database narrows to grids whose
    bounding box holds it (an indexed range), shapely decides. One query."""
    candidates = Grid.objects.filter(
        is_active=True,
        min_lon__lte=lon,
        max_lon__gte=lon,
        min_lat__lte=lat,
        max_lat__gte=lat,
    ).order_by("code")
    return first_containing(candidates, lon, lat)
