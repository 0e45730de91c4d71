"""The demo grids: every community cut into 2–4 valid grids that do not overlap, imported
through the grid import, each street's worker posted to its street's grids."""

from __future__ import annotations

import pytest
from shapely.geometry import shape

from onewindow.demo.generator import build_demo_city
from onewindow.demo.grids import build_demo_grids, demo_grid_layout
from onewindow.grid.models import Boundary, Grid, GridPost
from onewindow.grid.selectors import grid_at, grids_of_worker
from onewindow.org.models import Region

pytestmark = pytest.mark.django_db


def test_every_community_gets_two_to_four_grids_through_the_import():
    build_demo_city(seed=3, scale=0.05)
    made = build_demo_grids(seed=3)
    communities = list(Region.objects.filter(level="community"))
    streets = Region.objects.filter(level="street").count()
    assert made == Grid.objects.count()
    assert Boundary.objects.count() == len(communities) + streets
    for community in communities:
        assert 2 <= Grid.objects.filter(community=community).count() <= 4
    grids = list(Grid.objects.all())
    for grid in grids:
        outline = shape(grid.geometry)
        assert outline.is_valid
        assert 113.20 <= grid.min_lon < grid.max_lon <= 113.27
        assert 23.06 <= grid.min_lat < grid.max_lat <= 23.16
        # The label point lies in this grid and in no other.
        assert grid_at(lon=grid.label_lon, lat=grid.label_lat) == grid
    # grid01 (沙面街道's worker) patrols every grid of 沙面街道 and no other.
    grid01 = GridPost.objects.filter(user__username="grid01").first().user
    expected = sorted(g.code for g in grids if g.code.startswith("440103001"))
    assert [g.code for g in grids_of_worker(grid01)] == expected
    assert GridPost.objects.count() == len(grids)


def test_the_layout_is_the_same_for_the_same_seed():
    build_demo_city(seed=3, scale=0.05)
    assert demo_grid_layout(seed=3) == demo_grid_layout(seed=3)
    assert demo_grid_layout(seed=3) != demo_grid_layout(seed=4)
