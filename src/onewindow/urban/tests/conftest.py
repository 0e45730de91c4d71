"""The scene of the grid case flow: a street with a community and its grid (a grid worker
posted to it), another community's worker, the supervision centre's 值班长, the command
centre's 派遣员, the street's sanitation unit (proposed for exposed rubbish in this street), a
district bureau (anywhere) and each unit's staff."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onewindow.hotline.codes import UnitKind
from onewindow.org.codes import Role
from onewindow.papers.samples import sample_jpeg, sample_pdf, sample_png
from onewindow.testing.browser import PHONE_VIEWPORT
from onewindow.testing.factories import CommunityFactory, StreetFactory, staff_with_role
from onewindow.testing.grid_factories import (
    category_make,
    grid_case_make,
    grid_make,
    grid_worker_make,
    unit_make,
)
from onewindow.urban.models import CategoryUnit, GridCase

# A Monday, 09:30 in the city (a working day).
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 30))


@dataclass
class Scene:
    street: Any
    community: Any
    grid: Any
    worker: Any
    other_worker: Any
    chief: Any
    dispatcher: Any
    sanitation: Any  # 沙面街环卫站: this street's rubbish
    bureau: Any  # 区城管局: anywhere
    sanitation_staff: Any
    bureau_staff: Any
    auditor: Any
    category: Any  # E0101 暴露垃圾, one stage of 4 working hours


@pytest.fixture
def scene(db: Any) -> Scene:
    street = StreetFactory(code="440103001000", name="沙面街道")
    community = CommunityFactory(code="440103001001", name="沙面社区", parent=street)
    other_community = CommunityFactory(code="440103002001", name="别的社区")
    grid = grid_make(community=community)
    other_grid = grid_make(community=other_community, sequence=5)
    sanitation = unit_make(kind=UnitKind.STREET, region=street, name="沙面街环卫站")
    bureau = unit_make(kind=UnitKind.FUNCTIONAL, name="荔湾区城市管理局")
    category = category_make(units=(bureau,))
    CategoryUnit.objects.create(category=category, department=sanitation, region=street, order=5)
    return Scene(
        street=street,
        community=community,
        grid=grid,
        worker=grid_worker_make(grid),
        other_worker=grid_worker_make(other_grid),
        chief=staff_with_role(Role.GRID_CHIEF),
        dispatcher=staff_with_role(Role.GRID_DISPATCHER),
        sanitation=sanitation,
        bureau=bureau,
        sanitation_staff=staff_with_role(Role.DEPT_APPROVER, department=sanitation),
        bureau_staff=staff_with_role(Role.DEPT_APPROVER, department=bureau),
        auditor=staff_with_role(Role.AUDITOR),
        category=category,
    )


def case_in(scene: Scene, state: str, **fields: Any) -> GridCase:
    fields.setdefault("category", scene.category)
    return grid_case_make(state=state, grid=scene.grid, **fields)


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sample_jpeg(), content_type="image/jpeg")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sample_png(), content_type="image/png")


def pdf(name: str = "photo.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, sample_pdf(), content_type="application/pdf")


def fresh(case: GridCase) -> GridCase:
    return GridCase.objects.get(pk=case.pk)


PHONE_PASSWORD = "pass-1234-word"  # UserFactory's


@contextmanager
def report_phone(browser: Any, live_server: Any, worker: Any) -> Iterator[Any]:
    """A grid worker's phone (390 px, touch, zh-CN) signed in on the report page; the page."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/staff/sign-in/?next=/staff/urban/report/")
        page.locator("#id_username").fill(worker.username)
        page.locator("#id_password").fill(PHONE_PASSWORD)
        page.locator("#id_password").press("Enter")
        page.wait_for_url(re.compile(r"/staff/urban/report/$"))
        yield page
    finally:
        context.close()
