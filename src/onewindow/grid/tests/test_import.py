"""The GeoJSON import: a correct file creates (and a second time updates) boundaries and grids
and comes back the same through the export; any problem refuses the file whole, located by
feature, code and property, with nothing written; only an administrator imports."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.grid.models import Boundary, Grid
from onewindow.grid.services import grids_export, grids_import
from onewindow.grid.tests.conftest import (
    FIRST,
    SECOND,
    STREET,
    collection,
    feature,
    layout,
    rectangle,
)
from onewindow.org.codes import Role
from onewindow.testing.factories import staff_with_role
from onewindow.testing.grid_factories import grid_make, square

pytestmark = pytest.mark.django_db


def test_a_correct_file_is_imported_and_comes_back_the_same_through_the_export(district, admin):
    result = grids_import(actor=admin, data=collection(*layout()))
    assert (result.boundaries_created, result.grids_created, result.grids_updated) == (3, 4, 0)
    grid = Grid.objects.get(code=f"{FIRST}01")
    assert (grid.name, grid.community, grid.is_active) == ("沙面第1网格", district["first"], True)
    assert (grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat) == (
        113.230,
        23.110,
        113.232,
        23.112,
    )
    # 0.002° × 0.002° at 23.11° N: about 204 m × 221 m.
    assert 45_000 < grid.area_m2 < 45_300
    assert Boundary.objects.get(region=district["street"]).max_lon == 113.238
    exported = grids_export(actor=admin)
    assert exported == {"type": "FeatureCollection", "features": layout()}
    again = grids_import(actor=admin, data=json.dumps(exported).encode())
    assert (again.boundaries_created, again.boundaries_updated) == (0, 3)
    assert (again.grids_created, again.grids_updated) == (0, 4)
    assert Grid.objects.count() == 4
    audit = AuditLog.objects.filter(action="grid.import").order_by("pk").last()
    assert audit.actor == admin
    assert audit.detail["grids_updated"] == 4


def test_the_export_of_a_prefix_holds_only_that_community(district, admin):
    grids_import(actor=admin, data=collection(*layout()))
    exported = grids_export(actor=admin, region_code_prefix=SECOND)
    assert [f["properties"]["code"] for f in exported["features"]] == [
        SECOND,
        f"{SECOND}01",
        f"{SECOND}02",
    ]


def test_an_update_moves_a_grid_and_keeps_the_grids_the_file_does_not_name(district, admin):
    grids_import(actor=admin, data=collection(*layout()))
    moved = feature("grid", f"{FIRST}02", "沙面第2网格", square(113.232, 23.112))
    result = grids_import(actor=admin, data=collection(moved))
    assert (result.grids_created, result.grids_updated) == (0, 1)
    assert Grid.objects.get(code=f"{FIRST}02").min_lat == 23.112
    assert Grid.objects.count() == 4


def _refused(actor: Any, data: bytes) -> list[tuple[Any, str, str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        grids_import(actor=actor, data=data)
    assert caught.value.code == "grid_import_invalid"
    assert caught.value.status == 422
    for error in caught.value.errors:
        text = error.as_dict()
        assert text["message"] and text["message_en"]
        assert text["message"] != text["message_en"]
    return [
        (e.feature, e.feature_code, e.property, e.code)  # type: ignore[attr-defined]
        for e in caught.value.errors
    ]


def _nothing_written() -> None:
    assert Grid.objects.count() == 0
    assert Boundary.objects.count() == 0
    assert not AuditLog.objects.filter(action="grid.import").exists()


def _with(index: int, **changes: Any) -> bytes:
    features = layout()
    for key, value in changes.items():
        if key == "geometry":
            features[index]["geometry"] = value
        else:
            features[index]["properties"][key] = value
    return collection(*features)


BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [
            [113.230, 23.110],
            [113.232, 23.112],
            [113.232, 23.110],
            [113.230, 23.112],
            [113.230, 23.110],
        ]
    ],
}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfenot json", [(None, "", "", "not_json")]),
        (b'{"type": "FeatureCollection", ', [(None, "", "", "not_json")]),
        (b"[]", [(None, "", "", "not_feature_collection")]),
        (b'{"type": "Feature"}', [(None, "", "", "not_feature_collection")]),
        (
            b'{"type": "FeatureCollection", "features": {}}',
            [(None, "", "", "not_feature_collection")],
        ),
        (collection("x"), [(0, "", "", "not_feature")]),
        (
            collection({"type": "Feature", "geometry": None}),
            [(0, "", "properties", "no_properties")],
        ),
        (_with(3, level="block"), [(3, f"{FIRST}01", "level", "bad_level")]),
        (_with(3, code="4401030010011"), [(3, "4401030010011", "code", "bad_code")]),
        (_with(3, code=f"{FIRST}0a"), [(3, f"{FIRST}0a", "code", "bad_code")]),
        (_with(3, code=f"{FIRST}00"), [(3, f"{FIRST}00", "code", "bad_code")]),
        (_with(3, code=12345678901234), [(3, "", "code", "bad_code")]),
        (_with(3, code="44010300109901"), [(3, "44010300109901", "code", "unknown_community")]),
        # A street's code given as a grid's community.
        (_with(3, code=f"{STREET}01"), [(3, f"{STREET}01", "code", "unknown_community")]),
        (_with(1, code="440103001099"), [(1, "440103001099", "code", "unknown_region")]),
        (_with(0, level="community"), [(0, STREET, "code", "unknown_region")]),
        (_with(3, name="沙面\x00网格"), [(3, f"{FIRST}01", "name", "control_characters")]),
        (_with(3, name="沙面\n网格"), [(3, f"{FIRST}01", "name", "control_characters")]),
        (_with(3, name=""), [(3, f"{FIRST}01", "name", "required")]),
        (_with(3, name="网" * 65), [(3, f"{FIRST}01", "name", "too_long")]),
        (_with(4, code=f"{FIRST}01"), [(4, f"{FIRST}01", "code", "duplicate")]),
        (
            _with(3, geometry={"type": "Point", "coordinates": [113.23, 23.11]}),
            [(3, f"{FIRST}01", "geometry", "not_polygon")],
        ),
        (_with(3, geometry=None), [(3, f"{FIRST}01", "geometry", "not_polygon")]),
        (
            _with(
                3, geometry={"type": "Polygon", "coordinates": [[[113.23, 23.11], [113.24, 23.11]]]}
            ),
            [(3, f"{FIRST}01", "geometry", "bad_coordinates")],
        ),
        (
            _with(3, geometry={"type": "MultiPolygon", "coordinates": "x"}),
            [(3, f"{FIRST}01", "geometry", "bad_coordinates")],
        ),
        (
            _with(3, geometry=rectangle(213.230, 23.110, 213.232, 23.112)),
            [(3, f"{FIRST}01", "geometry", "out_of_range")],
        ),
        (
            _with(3, geometry=rectangle(113.230, 93.110, 113.232, 93.112)),
            [(3, f"{FIRST}01", "geometry", "out_of_range")],
        ),
        (
            _with(
                3,
                geometry={
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [113.23, 23.11],
                            [113.232, 23.11],
                            [113.232, 23.112],
                            ["113.23", 23.112],
                            [113.23, 23.11],
                        ]
                    ],
                },
            ),
            [(3, f"{FIRST}01", "geometry", "out_of_range")],
        ),
        (
            _with(
                3,
                geometry={
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [113.23, 23.11],
                            [113.232, 23.11],
                            [113.232, 23.112],
                            [113.23, 23.112],
                            [113.231, 23.11],
                        ]
                    ],
                },
            ),
            [(3, f"{FIRST}01", "geometry", "ring_not_closed")],
        ),
        (_with(3, geometry=BOWTIE), [(3, f"{FIRST}01", "geometry", "invalid_polygon")]),
        # Half of the grid in the other community.
        (
            _with(4, geometry=square(113.233, 23.112)),
            [(4, f"{FIRST}02", "geometry", "outside_community")],
        ),
        # Two grids of one community on top of each other (also shows the second grid's
        # other check passing: it is inside its community).
        (_with(4, geometry=square(113.2305, 23.1105)), [(3, f"{FIRST}01", "geometry", "overlap")]),
    ],
)
def test_a_bad_file_is_refused_whole_each_problem_located_and_nothing_written(
    district, admin, data, expected
):
    assert _refused(admin, data) == expected
    _nothing_written()


def test_every_problem_of_a_file_is_listed_at_once(district, admin):
    features = layout()
    features[1]["properties"]["code"] = "440103001099"
    features[3]["properties"]["name"] = "\x07"
    features[6]["geometry"] = BOWTIE
    assert _refused(admin, collection(*features)) == [
        (1, "440103001099", "code", "unknown_region"),
        (3, f"{FIRST}01", "name", "control_characters"),
        (6, f"{SECOND}02", "geometry", "invalid_polygon"),
    ]
    _nothing_written()


def test_the_reason_a_polygon_is_invalid_is_named(district, admin):
    with pytest.raises(ValidationFailed) as caught:
        grids_import(actor=admin, data=_with(3, geometry=BOWTIE))
    assert "Self-intersection" in caught.value.errors[0].as_dict()["message_en"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(district, admin, settings):
    settings.GRID_IMPORT_MAX_BYTES = 1000
    data = collection(*layout())
    assert len(data) > 1000
    assert _refused(admin, data) == [(None, "", "", "too_large")]
    _nothing_written()


def test_a_grid_overlapping_a_kept_grid_is_refused(district, admin):
    kept = grid_make(community=district["second"], sequence=9, lon=113.236, lat=23.110)
    data = collection(feature("grid", f"{SECOND}01", "沙基第1网格", square(113.2355, 23.110)))
    assert _refused(admin, data) == [(0, f"{SECOND}01", "geometry", "overlap")]
    assert list(Grid.objects.all()) == [kept]


def test_a_grid_is_checked_against_a_kept_community_boundary(district, admin):
    grids_import(actor=admin, data=collection(*layout()[:3]))
    outside = feature("grid", f"{FIRST}03", "沙面第3网格", square(113.240, 23.110))
    assert _refused(admin, collection(outside)) == [
        (0, f"{FIRST}03", "geometry", "outside_community")
    ]
    assert Grid.objects.count() == 0


def test_grids_sharing_an_edge_and_barely_crossing_it_are_accepted(district, admin):
    features = layout()
    # Within the tolerance: a sliver of 0.1% of the grid's area.
    features[4]["geometry"] = rectangle(113.231998, 23.110, 113.234, 23.112)
    result = grids_import(actor=admin, data=collection(*features))
    assert result.grids_created == 4


@pytest.mark.parametrize("role", [None, Role.GRID_WORKER, Role.GRID_CHIEF, Role.AUDITOR])
def test_only_an_administrator_imports_and_the_refusal_is_audited(district, role):
    from django.contrib.auth.models import AnonymousUser

    actor = (
        AnonymousUser()
        if role is None
        else staff_with_role(role, region=district["first"])
        if role == Role.GRID_WORKER
        else staff_with_role(role)
    )
    with pytest.raises(PermissionDenied):
        # Permission comes first: even a malformed file is not looked at.
        grids_import(actor=actor, data=b"not json")
    _nothing_written()
    if role is not None:
        assert AuditLog.objects.filter(action="denied:grid.manage", allowed=False).count() == 1


def test_a_grid_worker_exports_only_their_community(district, admin):
    grids_import(actor=admin, data=collection(*layout()))
    worker = staff_with_role(Role.GRID_WORKER, region=district["second"])
    exported = grids_export(actor=worker)
    assert [f["properties"]["code"] for f in exported["features"]] == [
        SECOND,
        f"{SECOND}01",
        f"{SECOND}02",
    ]


@pytest.mark.parametrize("prefix", ["44010300100a", "4" * 15, "4401\x00", 44])
def test_a_bad_export_prefix_is_refused(district, admin, prefix):
    with pytest.raises(ValidationFailed):
        grids_export(actor=admin, region_code_prefix=prefix)


def test_the_export_needs_the_grid_view_permission(district):
    with pytest.raises(PermissionDenied):
        grids_export(actor=staff_with_role(Role.INTAKE_CLERK))
    assert copy.deepcopy(layout()) == layout()
