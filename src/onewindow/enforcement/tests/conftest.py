"""The scene of the enforcement tests: a district with a street and a community, the
comprehensive enforcement team (三名执法队员 and its lead), a second team with its own officer,
a functional department that is no team, the grid command centre's dispatcher and a 值班长."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from onewindow.enforcement.models import EnforcementTask
from onewindow.enforcement.services import PartyInput, task_open
from onewindow.hotline.codes import UnitKind
from onewindow.hotline.models import HandlingUnit
from onewindow.org.codes import Role
from onewindow.testing.factories import (
    CommunityFactory,
    DepartmentFactory,
    DistrictFactory,
    StreetFactory,
    make_resident_id,
    make_uscc,
    staff_with_role,
)

__all__ = ["COMPANY_USCC", "Scene", "company", "person", "scene", "scene_make"]

COMPANY_USCC = make_uscc(123456, prefix="91440103")
PERSON_ID = make_resident_id(birth="19800101")
PHOTO_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class Scene:
    community: Any
    team: Any
    other_team: Any
    not_team: Any
    officer: Any
    officer2: Any
    officer3: Any
    lead: Any
    other_officer: Any
    other_lead: Any
    dispatcher: Any
    chief: Any
    auditor: Any

    def task(self, **fields: Any) -> EnforcementTask:
        """A task opened through the service (by the dispatcher, as a grid case would)."""
        values: dict[str, Any] = {
            "actor": self.dispatcher,
            "team": self.team,
            "matter": "违法搭建：天台加建铁皮房",
            "place": "多宝路88号天台",
            "region_code": self.community.code,
            "longitude": 113.2341,
            "latitude": 23.1187,
            "origin": "WG20261202000001",
            "due_at": timezone.now() + dt.timedelta(days=7),
        }
        values.update(fields)
        return task_open(**values)


def company(**fields: Any) -> PartyInput:
    values = {
        "kind": "company",
        "name": "广州市荔湾区多宝餐饮有限公司",
        "uscc": COMPANY_USCC,
        "legal_representative": "李大明",
        "phone": "020-81234567",
    }
    values.update(fields)
    return PartyInput(**values)


def person(**fields: Any) -> PartyInput:
    values = {"kind": "person", "name": "王小明", "id_number": PERSON_ID, "phone": "13800138000"}
    values.update(fields)
    return PartyInput(**values)


@pytest.fixture
def scene(db: Any) -> Scene:
    return scene_make()


def scene_make() -> Scene:
    """The scene, for tests of other apps that need an enforcement team (urban's)."""
    district = DistrictFactory()
    street = StreetFactory(code="440103005000", name="多宝街道", parent=district)
    community = CommunityFactory(code="440103005001", name="多宝社区", parent=street)
    team = DepartmentFactory(name="荔湾区综合行政执法局执法一队", short_name="执法一队")
    other = DepartmentFactory(name="荔湾区综合行政执法局执法二队", short_name="执法二队")
    not_team = DepartmentFactory(name="荔湾区住房和建设局", short_name="区住建局")
    HandlingUnit.objects.create(department=team, kind=UnitKind.ENFORCEMENT)
    HandlingUnit.objects.create(department=other, kind=UnitKind.ENFORCEMENT)
    HandlingUnit.objects.create(department=not_team, kind=UnitKind.FUNCTIONAL)

    def officer(dept: Any, name: str) -> Any:
        user = staff_with_role(Role.ENFORCEMENT_OFFICER, department=dept)
        user.last_name, user.first_name = name[0], name[1:]
        user.save()
        return user

    return Scene(
        community=community,
        team=team,
        other_team=other,
        not_team=not_team,
        officer=officer(team, "张伟"),
        officer2=officer(team, "陈静"),
        officer3=officer(team, "黄强"),
        lead=staff_with_role(Role.DEPT_LEAD, department=team),
        other_officer=officer(other, "刘洋"),
        other_lead=staff_with_role(Role.DEPT_LEAD, department=other),
        dispatcher=staff_with_role(Role.GRID_DISPATCHER),
        chief=staff_with_role(Role.GRID_CHIEF),
        auditor=staff_with_role(Role.AUDITOR),
    )
