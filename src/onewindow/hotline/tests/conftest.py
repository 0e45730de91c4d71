"""The scene of the hotline tests: a district with two streets, three units — the urban
management bureau (路灯 is its matter), the housing bureau (where the street light is wrongly
dispatched first) and a street office — the dispatch catalogue, two agents and each unit's
staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from onewindow.hotline.codes import OrderType, UnitKind, Urgency
from onewindow.hotline.models import DispatchCategory, DispatchRule, HandlingUnit
from onewindow.hotline.services import CallerInput, OrderInput
from onewindow.knowledge.codes import ArticleKind
from onewindow.knowledge.services import article_create, article_publish
from onewindow.org.codes import Role
from onewindow.testing.factories import (
    CommunityFactory,
    DepartmentFactory,
    DistrictFactory,
    StreetFactory,
    staff_with_role,
)

__all__ = ["Scene", "caller", "light_input", "scene"]


@dataclass
class Scene:
    district: Any
    street: Any
    other_street: Any
    community: Any
    cgj: Any  # 区城管执法局: street lights, street vending
    zjj: Any  # 区住建局: wrongly given the street light
    street_office: Any  # the street's office
    agent: Any
    agent2: Any
    cgj_staff: Any
    zjj_staff: Any
    street_staff: Any
    auditor: Any
    lights: Any  # 市政设施 › 路灯 (functional)
    vending: Any  # 市容环境 › 占道经营 (the street office in its street)
    pension: Any  # a published answer of the knowledge base (城乡居民养老保险待遇申领)


@pytest.fixture
def scene(db: Any) -> Scene:
    district = DistrictFactory()
    street = StreetFactory(code="440103001000", name="沙面街道", parent=district)
    other = StreetFactory(code="440103002000", name="岭南街道", parent=district)
    community = CommunityFactory(code="440103001001", name="沙面社区", parent=street)
    cgj = DepartmentFactory(name="荔湾区城市管理和综合执法局", short_name="区城管执法局")
    zjj = DepartmentFactory(name="荔湾区住房和建设局", short_name="区住建局")
    office = DepartmentFactory(name="沙面街道办事处", short_name="沙面街", region=street)
    HandlingUnit.objects.create(department=cgj, kind=UnitKind.FUNCTIONAL)
    HandlingUnit.objects.create(department=zjj, kind=UnitKind.FUNCTIONAL)
    HandlingUnit.objects.create(department=office, kind=UnitKind.STREET, region=street)
    city = DispatchCategory.objects.create(code="01", name="市政设施")
    lights = DispatchCategory.objects.create(
        code="0101", name="路灯", parent=city, keywords="路灯 灯不亮 黑灯", functional=True
    )
    DispatchRule.objects.create(category=lights, lead=cgj)
    looks = DispatchCategory.objects.create(code="02", name="市容环境")
    vending = DispatchCategory.objects.create(
        code="0201", name="占道经营", parent=looks, keywords="摆摊 占道 小贩"
    )
    DispatchRule.objects.create(category=vending, lead=cgj)
    street_rule = DispatchRule.objects.create(category=vending, region=street, lead=office)
    street_rule.assists.add(cgj)
    admin = staff_with_role(Role.ADMIN)
    pension = article_create(
        actor=admin,
        kind=ArticleKind.ANSWER,
        title="城乡居民养老保险待遇怎么领",
        body="年满60周岁、缴费满15年的，带身份证和户口簿到户籍所在街道社保窗口申领退休金（养老金）。",
        keywords="退休金 养老金 养老保险 领取",
    )
    pension = article_publish(actor=admin, article=pension)
    return Scene(
        district=district,
        street=street,
        other_street=other,
        community=community,
        cgj=cgj,
        zjj=zjj,
        street_office=office,
        agent=staff_with_role(Role.HOTLINE_AGENT),
        agent2=staff_with_role(Role.HOTLINE_AGENT),
        cgj_staff=staff_with_role(Role.DEPT_APPROVER, department=cgj),
        zjj_staff=staff_with_role(Role.DEPT_APPROVER, department=zjj),
        street_staff=staff_with_role(Role.DEPT_APPROVER, department=office),
        auditor=staff_with_role(Role.AUDITOR),
        lights=lights,
        vending=vending,
        pension=pension,
    )


def light_input(**overrides: Any) -> OrderInput:
    values: dict[str, Any] = {
        "order_type": OrderType.HELP,
        "urgency": Urgency.NORMAL,
        "title": "沙面大街路灯不亮",
        "content": "沙面大街52号门口的路灯一连三晚不亮，晚上路很黑。",
        "place": "沙面大街52号",
        "region_code": "440103001001",
        "category_code": "0101",
    }
    values.update(overrides)
    return OrderInput(**values)


def caller(phone: str = "13800138000", name: str = "陈先生", **overrides: Any) -> CallerInput:
    return CallerInput(name=name, phone=phone, **overrides)
