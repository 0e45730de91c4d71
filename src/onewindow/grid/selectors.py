"""Reads of the grids."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.grid.geometry import first_containing
from onewindow.grid.models import Boundary, Grid


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


def grids_of_worker(user: Any, *, on: dt.date | None = None) -> QuerySet[Grid]:
    """The active grids ``user`` is posted to on the day ``on`` (today by default)."""
    day = on or timezone.localdate()
    if user is None or not getattr(user, "is_authenticated", False):
        return Grid.objects.none()
    return (
        Grid.objects.filter(is_active=True, posts__user=user, posts__since__lte=day)
        .filter(Q(posts__until__isnull=True) | Q(posts__until__gte=day))
        .select_related("community")
        .distinct()
        .order_by("code")
    )


def _outline(level: str, code: str, name: str, geometry: Any, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"level": level, "code": code, "name": name, **extra},
        "geometry": geometry,
    }


def grids_geojson(*, prefix: str) -> dict[str, Any]:
    """The outlines for a map of the region ``prefix`` (a street's 9 digits, a community's 12,
    or "" for the district): its street's boundary, the community boundaries and the active
    grids under it, as a FeatureCollection (properties ``level``, ``code``, ``name``; a grid's
    also ``label``: [lon, lat] of a point inside it). Two queries, whatever the number of cases.
    """
    street_code = f"{prefix[:9]}000" if len(prefix) >= 9 else None
    boundaries = Boundary.objects.select_related("region").order_by("region__code")
    condition = Q(region__code__startswith=prefix[:12])
    if street_code:
        condition |= Q(region__code=street_code)
    features = [
        _outline(b.region.level, b.region.code, b.region.name, b.geometry)
        for b in boundaries.filter(condition)
    ]
    grids = Grid.objects.filter(is_active=True, code__startswith=prefix).order_by("code")
    features += [
        _outline(
            "grid", g.code, g.name, g.geometry, label=[round(g.label_lon, 6), round(g.label_lat, 6)]
        )
        for g in grids.only("code", "name", "geometry", "label_lon", "label_lat")
    ]
    return {"type": "FeatureCollection", "features": features}
