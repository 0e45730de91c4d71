"""Writes of the grids: the GeoJSON import (boundaries of streets and communities, unit grids),
its export, and grid workers posted to grids.

``grids_import`` checks the whole file first and refuses it whole, every problem located by
feature (its index in ``features``, its code and the property); nothing is written then. A
correct file updates the grids and boundaries it names (by code) and creates the others; grids
it does not name are left as they are."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree
from shapely.validation import explain_validity

from onewindow.core.audit import audit_record
from onewindow.core.errors import ApplicationError, ErrorList, FieldError, ValidationFailed
from onewindow.core.validation import DAY_MAX, DAY_MIN, checked_text
from onewindow.grid.geometry import POLYGON_TYPES, shape_of
from onewindow.grid.models import GRID_CODE_LENGTH, Boundary, Grid, GridPost
from onewindow.org.codes import RegionLevel, Role
from onewindow.org.models import Region, RoleAssignment
from onewindow.org.permissions import Action, require, scope_queryset

LEVELS = ("street", "community", "grid")
NAME_MAX_LENGTH = 64
# A grid must lie inside its community's boundary but for this share of its area (the two are
# often drawn by different hands); two grids may overlap by this share of the smaller one.
CONTAINMENT_TOLERANCE = 0.02
OVERLAP_TOLERANCE = 0.001
# Metres per degree (WGS 84, near enough for a district): for the area shown on the pages.
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0
MAX_FEATURES = 20_000
IMPORT_REFUSED = _("The grid file cannot be imported; nothing was written.")


@dataclass
class FeatureError(FieldError):
    """A problem of one feature of the file: its index in ``features`` (from 0; ``None`` for
    the file as a whole), its code and the property at fault."""

    feature: int | None = None
    feature_code: str = ""
    property: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data.update(feature=self.feature, feature_code=self.feature_code, property=self.property)
        return data


@dataclass
class GridImportResult:
    boundaries_created: int = 0
    boundaries_updated: int = 0
    grids_created: int = 0
    grids_updated: int = 0
    codes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.boundaries_created
            + self.boundaries_updated
            + self.grids_created
            + self.grids_updated
        )


@dataclass
class _Planned:
    index: int
    level: str
    code: str
    name: str
    geojson: dict[str, Any]
    geometry: BaseGeometry
    region: Region


class _Problems:
    """The problems of one import, each located."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(
        self,
        index: int | None,
        feature_code: str,
        prop: str,
        kind: str,
        message: str | Promise,
        /,
        **params: Any,
    ) -> None:
        where = "file" if index is None else f"features[{index}]"
        self.errors.append(
            FeatureError(
                field=f"{where}.{prop}" if prop else where,
                code=kind,
                message=message,
                params=params,
                feature=index,
                feature_code=feature_code,
                property=prop,
            )
        )

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(IMPORT_REFUSED, self.errors, code="grid_import_invalid")


def _refuse(kind: str, message: str | Promise, **params: Any) -> ValidationFailed:
    problems = _Problems()
    problems.add(None, "", "", kind, message, **params)
    return ValidationFailed(IMPORT_REFUSED, problems.errors, code="grid_import_invalid")


def _read_collection(data: bytes) -> list[Any]:
    if not isinstance(data, bytes | bytearray):
        raise _refuse("not_json", _("The file is not GeoJSON (JSON text in UTF-8)."))
    limit = settings.GRID_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise _refuse(
            "too_large",
            _("The file is larger than %(mb)s MB."),
            mb=f"{limit / 1024 / 1024:g}",
        )
    try:
        document = json.loads(bytes(data).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refuse("not_json", _("The file is not GeoJSON (JSON text in UTF-8).")) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise _refuse("not_feature_collection", _("The file is not a GeoJSON FeatureCollection."))
    features = document.get("features")
    if not isinstance(features, list):
        raise _refuse("not_feature_collection", _("The file is not a GeoJSON FeatureCollection."))
    if len(features) > MAX_FEATURES:
        raise _refuse(
            "too_many", _("The file has more than %(count)s features."), count=MAX_FEATURES
        )
    return features


def _position_ok(position: Any) -> bool:
    if not isinstance(position, list) or len(position) not in (2, 3):
        return False
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position):
        return False
    lon, lat = position[0], position[1]
    return bool(
        math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
    )


def _rings_of(geojson: dict[str, Any]) -> list[Any] | None:
    """The linear rings of a Polygon or MultiPolygon's coordinates, or None when their nesting
    is not that of the type."""
    coordinates = geojson.get("coordinates")
    polygons = [coordinates] if geojson["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return None
    rings = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                return None
            rings.append(ring)
    return rings


def _geometry(problems: _Problems, index: int, code: str, raw: Any) -> BaseGeometry | None:
    if not isinstance(raw, dict) or raw.get("type") not in POLYGON_TYPES:
        problems.add(
            index,
            code,
            "geometry",
            "not_polygon",
            _("The geometry is not a Polygon or MultiPolygon."),
        )
        return None
    rings = _rings_of(raw)
    if rings is None:
        problems.add(
            index,
            code,
            "geometry",
            "bad_coordinates",
            _("The coordinates are not those of a %(type)s (rings of at least 4 positions)."),
            type=raw["type"],
        )
        return None
    for ring in rings:
        for position in ring:
            if not _position_ok(position):
                problems.add(
                    index,
                    code,
                    "geometry",
                    "out_of_range",
                    _(
                        "A position is not [longitude, latitude] within −180…180 and −90…90: "
                        "%(position)s."
                    ),
                    position=json.dumps(position)[:60],
                )
                return None
        if ring[0] != ring[-1]:
            problems.add(
                index,
                code,
                "geometry",
                "ring_not_closed",
                _("A ring does not end where it starts."),
            )
            return None
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError):
        problems.add(index, code, "geometry", "bad_coordinates", _("The geometry cannot be read."))
        return None
    if geometry.is_empty or not geometry.is_valid:
        problems.add(
            index,
            code,
            "geometry",
            "invalid_polygon",
            _("The polygon is not valid (%(reason)s)."),
            reason=explain_validity(geometry),
        )
        return None
    return geometry


def _code_and_region(
    problems: _Problems,
    index: int,
    level: str,
    code: Any,
    regions: dict[str, Region],
) -> tuple[str, Region | None]:
    if not isinstance(code, str):
        problems.add(index, "", "code", "bad_code", _("The code must be text of digits."))
        return "", None
    shown = code[:20]
    length = GRID_CODE_LENGTH if level == "grid" else 12
    if len(code) != length or not (code.isascii() and code.isdigit()):
        problems.add(
            index,
            shown,
            "code",
            "bad_code",
            _("A %(level)s code has %(length)s digits."),
            level=level,
            length=length,
        )
        return code, None
    if level == "grid":
        community = regions.get(code[:12])
        if community is None or community.level != RegionLevel.COMMUNITY:
            problems.add(
                index,
                code,
                "code",
                "unknown_community",
                _("No community has the code %(community)s (the grid code's first 12 digits)."),
                community=code[:12],
            )
            return code, None
        if code[12:] == "00":
            problems.add(
                index, code, "code", "bad_code", _("A grid's sequence number starts at 01.")
            )
            return code, None
        return code, community
    region = regions.get(code)
    if region is None or region.level != level:
        problems.add(
            index,
            code,
            "code",
            "unknown_region",
            _("No %(level)s has the code %(code)s."),
            level=level,
            code=code,
        )
        return code, None
    return code, region


def _square_metres(geometry: BaseGeometry) -> float:
    centroid = geometry.centroid
    scale = METRES_PER_DEGREE_LAT * METRES_PER_DEGREE_LON_AT_EQUATOR
    return float(geometry.area * scale * math.cos(math.radians(centroid.y)))


def _plan(features: list[Any]) -> list[_Planned]:
    problems = _Problems()
    region_codes = set()
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict) and isinstance(props.get("code"), str):
            region_codes.add(props["code"][:12])
    regions = {r.code: r for r in Region.objects.filter(code__in=sorted(region_codes))}
    planned: list[_Planned] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.add(index, "", "", "not_feature", _("This is not a GeoJSON Feature."))
            continue
        props = feature.get("properties")
        if not isinstance(props, dict):
            problems.add(
                index, "", "properties", "no_properties", _("The feature has no properties.")
            )
            continue
        level = props.get("level")
        if level not in LEVELS:
            problems.add(
                index,
                str(props.get("code", ""))[:20],
                "level",
                "bad_level",
                _("The level must be street, community or grid."),
            )
            continue
        code, region = _code_and_region(problems, index, level, props.get("code"), regions)
        errors = ErrorList()
        name = checked_text(
            errors, "name", props.get("name"), max_length=NAME_MAX_LENGTH, multiline=False
        )
        for error in errors:
            problems.add(index, code, "name", error.code, error.message, **error.params)
        if code and code in seen:
            problems.add(
                index,
                code,
                "code",
                "duplicate",
                _("The code %(code)s is also that of feature %(other)s."),
                code=code,
                other=seen[code],
            )
        elif code:
            seen[code] = index
        geometry = _geometry(problems, index, code, feature.get("geometry"))
        if geometry is not None and region is not None and not errors:
            planned.append(
                _Planned(index, level, code, name, feature["geometry"], geometry, region)
            )
    problems.raise_if_any()
    _check_layout(planned, problems)
    problems.raise_if_any()
    return planned


def _check_layout(planned: list[_Planned], problems: _Problems) -> None:
    """Each grid inside its community's boundary (when one is known, from the file or kept);
    no two grids overlapping (those of the file, and those kept that it does not replace)."""
    grids = [p for p in planned if p.level == "grid"]
    if not grids:
        return
    boundaries = {p.code: p.geometry for p in planned if p.level == "community"}
    communities = sorted({p.code[:12] for p in grids} - set(boundaries))
    for kept in Boundary.objects.filter(region__code__in=communities).select_related("region"):
        boundaries[kept.region.code] = shape(kept.geometry)
    for grid in grids:
        outline = boundaries.get(grid.code[:12])
        if outline is None:
            continue
        outside = grid.geometry.difference(outline).area
        if outside > CONTAINMENT_TOLERANCE * grid.geometry.area:
            problems.add(
                grid.index,
                grid.code,
                "geometry",
                "outside_community",
                _("%(share)s%% of the grid lies outside the boundary of its community."),
                share=f"{100 * outside / grid.geometry.area:.1f}",
            )
    # The file's grids, then the active grids it keeps, in one tree.
    others = [
        (g.code, shape(g.geometry))
        for g in Grid.objects.filter(is_active=True)
        .exclude(code__in=[p.code for p in grids])
        .only("code", "geometry")
    ]
    entries = [(p.code, p.geometry, p.index) for p in grids] + [
        (code, geometry, None) for code, geometry in others
    ]
    tree = STRtree([geometry for _code, geometry, _index in entries])
    for i, (code, geometry, index) in enumerate(entries[: len(grids)]):
        for j in sorted(int(k) for k in tree.query(geometry)):
            if j == i or (j < len(grids) and j < i):
                continue  # itself, or a pair of the file's grids already compared
            other_code, other, _index = entries[j]
            shared = geometry.intersection(other).area
            if shared > OVERLAP_TOLERANCE * min(geometry.area, other.area):
                problems.add(
                    index,
                    code,
                    "geometry",
                    "overlap",
                    _("The grid overlaps grid %(other)s."),
                    other=other_code,
                )


def _bbox(geometry: BaseGeometry) -> dict[str, float]:
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return {"min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat}


def grids_import(*, actor: Any, data: bytes) -> GridImportResult:
    """Import a GeoJSON FeatureCollection: each feature's properties ``{"level": "street" |
    "community" | "grid", "code", "name"}``. A street or community feature is the boundary of
    that existing region; a grid feature creates or updates the unit grid of that 14-digit code
    (its community's 12 digits and a 2-digit sequence). Refused whole (``ValidationFailed``,
    each error a ``FeatureError``), nothing written, on any problem."""
    require(actor, Action.GRID_MANAGE)
    planned = _plan(_read_collection(data))
    result = GridImportResult()
    with transaction.atomic():
        for item in planned:
            if item.level == "grid":
                found = shape_of(item.geojson)
                _grid, created = Grid.objects.update_or_create(
                    code=item.code,
                    defaults={
                        "name": item.name,
                        "community": item.region,
                        "geometry": item.geojson,
                        **_bbox(item.geometry),
                        "label_lon": found.label_lon,
                        "label_lat": found.label_lat,
                        "area_m2": round(_square_metres(item.geometry), 1),
                        "is_active": True,
                    },
                )
                if created:
                    result.grids_created += 1
                else:
                    result.grids_updated += 1
            else:
                _boundary, created = Boundary.objects.update_or_create(
                    region=item.region,
                    defaults={"geometry": item.geojson, **_bbox(item.geometry)},
                )
                if created:
                    result.boundaries_created += 1
                else:
                    result.boundaries_updated += 1
            result.codes.append(item.code)
        audit_record(
            actor=actor,
            action="grid.import",
            object_type="grid.grid",
            object_repr=f"{len(planned)} features",
            detail={
                "bytes": len(data),
                "boundaries_created": result.boundaries_created,
                "boundaries_updated": result.boundaries_updated,
                "grids_created": result.grids_created,
                "grids_updated": result.grids_updated,
            },
        )
    return result


def _feature(level: str, code: str, name: str, geometry: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"level": level, "code": code, "name": name},
        "geometry": geometry,
    }


def region_prefix_checked(prefix: Any) -> str:
    """A region code's start: "" (the district) or at most 14 ASCII digits; else
    ``ValidationFailed`` (422). The one rule of the export and of every map's ``?region=``."""
    if not isinstance(prefix, str) or not (
        prefix == "" or (prefix.isascii() and prefix.isdigit() and len(prefix) <= 14)
    ):
        raise ValidationFailed(
            _("The region code is not valid."),
            [
                FieldError(
                    field="region",
                    code="invalid",
                    message=_("Give the digits of a region code (at most 14)."),
                )
            ],
        )
    return prefix


def grids_export(*, actor: Any, region_code_prefix: str = "") -> dict[str, Any]:
    """The boundaries and active grids whose code starts with ``region_code_prefix`` (those the
    actor may read), as a FeatureCollection that ``grids_import`` takes back. Three queries."""
    require(actor, Action.GRID_VIEW)
    prefix = region_prefix_checked(region_code_prefix)
    boundaries = scope_queryset(
        actor,
        Action.GRID_VIEW,
        Boundary.objects.filter(region__code__startswith=prefix[:12]).select_related("region"),
        region_code_path="region__code",
    )
    grids = scope_queryset(
        actor,
        Action.GRID_VIEW,
        Grid.objects.filter(is_active=True, code__startswith=prefix),
        region_code_path="community__code",
    )
    order = {RegionLevel.STREET: 0, RegionLevel.COMMUNITY: 1}
    features = [
        _feature(b.region.level, b.region.code, b.region.name, b.geometry)
        for b in sorted(boundaries, key=lambda b: (order.get(b.region.level, 2), b.region.code))
        if b.region.level in order
    ]
    features += [_feature("grid", g.code, g.name, g.geometry) for g in grids.order_by("code")]
    audit_record(
        actor=actor,
        action="grid.export",
        object_type="grid.grid",
        object_repr=prefix or "*",
        detail={"prefix": prefix, "features": len(features)},
    )
    return {"type": "FeatureCollection", "features": features}


def _holds_worker_role(user: Any, grid: Grid) -> bool:
    for assignment in RoleAssignment.objects.filter(
        user=user, role=Role.GRID_WORKER, region__isnull=False
    ).select_related("region"):
        if assignment.region and grid.community_code.startswith(assignment.region.prefix):
            return True
    return False


def _checked_day(errors: ErrorList, name: str, value: Any) -> dt.date | None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors.add(name, "invalid", _("This must be a date."))
        return None
    if not DAY_MIN <= value <= DAY_MAX:
        errors.add(
            name,
            "out_of_range",
            _("Give a date between %(first)s and %(last)s (YYYY-MM-DD)."),
            first=DAY_MIN.isoformat(),
            last=DAY_MAX.isoformat(),
        )
        return None
    return value


def grid_post_set(*, actor: Any, grid: Grid, user: Any, since: dt.date) -> GridPost:
    """Post ``user`` (who holds the grid worker role for the grid's community) to ``grid``
    from ``since``."""
    require(actor, Action.GRID_MANAGE, grid)
    errors = ErrorList()
    day = _checked_day(errors, "since", since)
    if user is None or not getattr(user, "is_active", False):
        errors.add("user", "invalid", _("Choose an active staff account."))
    elif not _holds_worker_role(user, grid):
        errors.add(
            "user",
            "not_grid_worker",
            _("%(user)s is not a grid worker of %(community)s."),
            user=user.get_username(),
            community=grid.community.name,
        )
    errors.raise_if_any(_("The grid worker cannot be posted."))
    assert day is not None
    try:
        with transaction.atomic():
            post = GridPost.objects.create(grid=grid, user=user, since=day)
            audit_record(
                actor=actor,
                action="grid.post_set",
                obj=grid,
                detail={"user": user.pk, "since": day.isoformat()},
            )
    except IntegrityError:
        raise ApplicationError(
            _("%(user)s is posted to this grid already."),
            code="already_posted",
            status=409,
            params={"user": user.get_username()},
        ) from None
    return post


def grid_post_end(*, actor: Any, post: GridPost, until: dt.date) -> GridPost:
    """End a grid worker's post on ``until`` (not before it began)."""
    require(actor, Action.GRID_MANAGE, post.grid)
    errors = ErrorList()
    day = _checked_day(errors, "until", until)
    if day is not None and day < post.since:
        errors.add("until", "before_since", _("A post cannot end before it began."))
    errors.raise_if_any(_("The post cannot be ended."))
    assert day is not None
    with transaction.atomic():
        fresh = GridPost.objects.select_for_update().get(pk=post.pk)
        if fresh.until is not None:
            raise ApplicationError(_("This post has ended already."), code="post_ended", status=409)
        fresh.until = day
        fresh.save(update_fields=["until"])
        audit_record(
            actor=actor,
            action="grid.post_end",
            obj=fresh.grid,
            detail={"user": fresh.user_id, "until": day.isoformat()},
        )
    return fresh
