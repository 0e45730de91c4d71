"""Which grid holds a point (``grid_at``): inside, outside, on an edge two grids share, in a
MultiPolygon's second part, in a hole — one query each."""

from __future__ import annotations

import pytest

from onewindow.grid.selectors import grid_at
from onewindow.testing.factories import CommunityFactory
from onewindow.testing.grid_factories import grid_make, square

pytestmark = pytest.mark.django_db


def test_a_point_inside_a_grid_finds_it_in_one_query(django_assert_num_queries):
    grid = grid_make(lon=113.230, lat=23.110)
    grid_make(community=grid.community, sequence=2, lon=113.240, lat=23.110)
    with django_assert_num_queries(1):
        assert grid_at(lon=113.231, lat=23.111) == grid


def test_a_point_outside_every_grid_finds_none():
    grid_make(lon=113.230, lat=23.110)
    assert grid_at(lon=113.2325, lat=23.111) is None  # east of it, inside its bounding row
    assert grid_at(lon=113.231, lat=23.1125) is None  # north of it
    assert grid_at(lon=0.0, lat=0.0) is None


def test_a_point_on_a_shared_edge_goes_to_the_first_grid_by_code():
    community = CommunityFactory()
    west = grid_make(community=community, sequence=1, lon=113.230, lat=23.110)
    east = grid_make(community=community, sequence=2, lon=113.232, lat=23.110)
    assert grid_at(lon=113.232, lat=23.111) == west
    assert grid_at(lon=113.2321, lat=23.111) == east


def test_a_point_in_the_second_part_of_a_multipolygon():
    parts = [square(113.230, 23.110)["coordinates"], square(113.250, 23.130)["coordinates"]]
    grid = grid_make(geometry={"type": "MultiPolygon", "coordinates": parts})
    assert grid_at(lon=113.251, lat=23.131) == grid
    # Between the parts: inside the bounding box, outside both polygons.
    assert grid_at(lon=113.240, lat=23.120) is None


def test_a_point_in_a_hole_is_not_in_the_grid_but_in_the_grid_that_fills_it():
    outer = square(113.230, 23.110, side=0.006)["coordinates"][0]
    hole = square(113.232, 23.112)["coordinates"][0]
    community = CommunityFactory()
    ring = grid_make(
        community=community, sequence=1, geometry={"type": "Polygon", "coordinates": [outer, hole]}
    )
    assert grid_at(lon=113.233, lat=23.113) is None
    assert grid_at(lon=113.231, lat=23.111) == ring
    island = grid_make(community=community, sequence=2, lon=113.232, lat=23.112)
    assert grid_at(lon=113.233, lat=23.113) == island


def test_an_inactive_grid_holds_no_point():
    grid = grid_make(lon=113.230, lat=23.110)
    grid.is_active = False
    grid.save()
    assert grid_at(lon=113.231, lat=23.111) is None
