"""Grid workers posted to grids and their posts ended: only to a grid of the community (or
street) their role covers, by an administrator; ``grids_of_worker`` reads the posts of a day."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.core.errors import (
    ApplicationError,
    NotFoundOrForbidden,
    PermissionDenied,
    ValidationFailed,
)
from onewindow.core.models import AuditLog
from onewindow.grid.models import GridPost
from onewindow.grid.selectors import grids_of_worker
from onewindow.grid.services import grid_post_end, grid_post_set
from onewindow.org.codes import Role
from onewindow.testing.factories import staff_with_role
from onewindow.testing.grid_factories import grid_make

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 1)


def test_a_worker_of_the_community_is_posted_and_reads_their_grids(district, admin):
    grid = grid_make(community=district["first"])
    other = grid_make(community=district["second"], lon=113.240)
    worker = staff_with_role(Role.GRID_WORKER, region=district["first"])
    post = grid_post_set(actor=admin, grid=grid, user=worker, since=DAY)
    assert (post.grid, post.user, post.since, post.until) == (grid, worker, DAY, None)
    assert AuditLog.objects.filter(action="grid.post_set", object_id=str(grid.pk)).count() == 1
    assert list(grids_of_worker(worker, on=DAY)) == [grid]
    assert list(grids_of_worker(worker, on=DAY - dt.timedelta(days=1))) == []
    # A street-wide grid worker may be posted to any grid of the street.
    street_worker = staff_with_role(Role.GRID_WORKER, region=district["street"])
    grid_post_set(actor=admin, grid=other, user=street_worker, since=DAY)
    assert list(grids_of_worker(street_worker, on=DAY)) == [other]


def test_an_ended_post_no_longer_counts_and_cannot_end_twice(district, admin):
    grid = grid_make(community=district["first"])
    worker = staff_with_role(Role.GRID_WORKER, region=district["first"])
    post = grid_post_set(actor=admin, grid=grid, user=worker, since=DAY)
    ended = grid_post_end(actor=admin, post=post, until=DAY + dt.timedelta(days=30))
    assert ended.until == dt.date(2026, 3, 31)
    assert list(grids_of_worker(worker, on=dt.date(2026, 3, 31))) == [grid]
    assert list(grids_of_worker(worker, on=dt.date(2026, 4, 1))) == []
    with pytest.raises(ApplicationError) as caught:
        grid_post_end(actor=admin, post=post, until=dt.date(2026, 4, 2))
    assert caught.value.code == "post_ended"
    assert GridPost.objects.get().until == dt.date(2026, 3, 31)
    # After the post ended, a new one may begin.
    grid_post_set(actor=admin, grid=grid, user=worker, since=dt.date(2026, 5, 1))
    assert GridPost.objects.count() == 2


def test_a_post_cannot_end_before_it_began(district, admin):
    grid = grid_make(community=district["first"])
    post = grid_post_set(
        actor=admin,
        grid=grid,
        user=staff_with_role(Role.GRID_WORKER, region=district["first"]),
        since=DAY,
    )
    with pytest.raises(ValidationFailed) as caught:
        grid_post_end(actor=admin, post=post, until=DAY - dt.timedelta(days=1))
    assert [e.code for e in caught.value.errors] == ["before_since"]
    assert GridPost.objects.get().until is None


def test_someone_without_the_grid_worker_role_for_that_community_is_not_posted(district, admin):
    grid = grid_make(community=district["first"])
    elsewhere = staff_with_role(Role.GRID_WORKER, region=district["second"])
    clerk = staff_with_role(Role.INTAKE_CLERK)
    for user in (elsewhere, clerk):
        with pytest.raises(ValidationFailed) as caught:
            grid_post_set(actor=admin, grid=grid, user=user, since=DAY)
        assert [e.code for e in caught.value.errors] == ["not_grid_worker"]
    assert not GridPost.objects.exists()


def test_twice_on_the_same_grid_is_refused(district, admin):
    grid = grid_make(community=district["first"])
    worker = staff_with_role(Role.GRID_WORKER, region=district["first"])
    grid_post_set(actor=admin, grid=grid, user=worker, since=DAY)
    with pytest.raises(ApplicationError) as caught:
        grid_post_set(actor=admin, grid=grid, user=worker, since=DAY)
    assert (caught.value.code, caught.value.status) == ("already_posted", 409)
    assert GridPost.objects.count() == 1


@pytest.mark.parametrize(
    "since", [dt.date(1999, 12, 31), "2026-03-01", dt.datetime(2026, 3, 1), None]
)
def test_a_bad_day_is_refused(district, admin, since):
    grid = grid_make(community=district["first"])
    worker = staff_with_role(Role.GRID_WORKER, region=district["first"])
    with pytest.raises(ValidationFailed) as caught:
        grid_post_set(actor=admin, grid=grid, user=worker, since=since)
    assert [e.field for e in caught.value.errors] == ["since"]
    assert not GridPost.objects.exists()


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.GRID_CHIEF, Role.GRID_DISPATCHER])
def test_only_an_administrator_posts_and_ends_posts(district, admin, role):
    grid = grid_make(community=district["first"])
    worker = staff_with_role(Role.GRID_WORKER, region=district["first"])
    post = grid_post_set(actor=admin, grid=grid, user=worker, since=DAY)
    actor = (
        staff_with_role(role, region=district["first"])
        if role == Role.GRID_WORKER
        else staff_with_role(role)
    )
    with pytest.raises((PermissionDenied, NotFoundOrForbidden)):
        grid_post_set(actor=actor, grid=grid, user=worker, since=DAY)
    with pytest.raises((PermissionDenied, NotFoundOrForbidden)):
        grid_post_end(actor=actor, post=post, until=DAY)
    assert GridPost.objects.get().until is None
    assert AuditLog.objects.filter(actor=actor, action="denied:grid.manage").count() == 2


def test_grids_of_nobody(district):
    from django.contrib.auth.models import AnonymousUser

    assert list(grids_of_worker(AnonymousUser())) == []
    assert list(grids_of_worker(None)) == []
