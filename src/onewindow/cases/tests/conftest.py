"""A small city for case tests: a district hall and a street centre, a lift item that eight
departments review jointly, an instant item, staff for every step, and an applicant."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from stdnum.cn import ric

from onewindow.applicants.services import person_register
from onewindow.cases.models import MaterialStatus
from onewindow.cases.services import Intake, MaterialReceipt
from onewindow.catalog.codes import CaseType, ItemType, MaterialNecessity, MaterialType
from onewindow.org.models import CentreLevel, Role, Window, WindowKind
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    StreetFactory,
    create_item,
    material,
    staff_with_role,
)


def resident_id(serial: int = 1) -> str:
    body = f"44010319900307{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


@dataclass
class City:
    hall: Any
    street_centre: Any
    intake_window: Any
    instant_window: Any
    lead_department: Any
    joint_departments: list[Any]
    lift: Any
    instant: Any
    clerk: Any
    hall_clerk: Any
    output_clerk: Any
    person: Any
    approvers: dict[int, Any] = field(default_factory=dict)
    leads: dict[int, Any] = field(default_factory=dict)

    def intake(self, item: Any = None, **overrides: Any) -> Intake:
        item = item or self.lift
        receipts = [
            MaterialReceipt(name=m.name, status=MaterialStatus.RECEIVED)
            for m in item.materials.all()
        ]
        values: dict[str, Any] = {
            "item": item,
            "centre": self.street_centre,
            "window": self.intake_window,
            "clerk": self.clerk,
            "person": self.person,
            "materials": receipts,
        }
        values.update(overrides)
        return Intake(**values)

    def receipts(self, item: Any = None, **status_by_name: Any) -> list[MaterialReceipt]:
        item = item or self.lift
        out = []
        for m in item.materials.all():
            spec = status_by_name.get(m.name, MaterialStatus.RECEIVED)
            if isinstance(spec, MaterialReceipt):
                out.append(spec)
            else:
                out.append(MaterialReceipt(name=m.name, status=spec))
        return out


LIFT_MATERIALS = [
    material(name="既有住宅增设电梯申请表"),
    material(name="业主表决意见书", material_type=MaterialType.CERTIFICATE),
    material(
        name="房屋安全鉴定报告",
        material_type=MaterialType.CERTIFICATE,
        necessity=MaterialNecessity.DEFERRABLE,
    ),
]


@pytest.fixture
def city(db) -> City:
    street = StreetFactory()
    hall = CentreFactory(
        level=CentreLevel.DISTRICT_HALL, region=street.parent, name="区政务服务中心"
    )
    street_centre = CentreFactory(level=CentreLevel.STREET_CENTRE, region=street, name="街道中心")
    intake_window = Window.objects.create(centre=street_centre, number="01", kind=WindowKind.INTAKE)
    Window.objects.create(centre=street_centre, number="09", kind=WindowKind.OUTPUT)
    lead_department = DepartmentFactory(name="区住房和建设局")
    joint = [DepartmentFactory(name=f"联办部门{n}") for n in range(1, 9)]
    lift = create_item(
        name="既有住宅增设电梯",
        department=lead_department,
        materials=[
            m
            for m in (
                material(name=x.name, material_type=x.material_type, necessity=x.necessity)
                for x in LIFT_MATERIALS
            )
        ],
    )
    from onewindow.catalog.services import ItemContent, item_save

    content = ItemContent(
        item=lift,
        materials=list(lift.materials.all()),
        steps=list(lift.steps.all()),
        joint_department_ids=[d.pk for d in joint],
    )
    lift = item_save(content=content)
    assert lift.version == 2 and len(lift.versions.get(number=2).snapshot["joint_departments"]) == 8

    social_security = DepartmentFactory(name="区社会保险基金管理局")
    instant = create_item(
        name="城乡居民养老保险待遇核定",
        department=social_security,
        item_type=ItemType.CONFIRMATION,
        case_type=CaseType.INSTANT,
        promised_limit=0,
    )
    instant_window = Window.objects.create(
        centre=street_centre, number="02", kind=WindowKind.INTAKE
    )
    instant_window.delegated_departments.add(social_security)

    clerk = staff_with_role(Role.INTAKE_CLERK, centre=street_centre)
    hall_clerk = staff_with_role(Role.INTAKE_CLERK, centre=hall)
    output_clerk = staff_with_role(Role.OUTPUT_CLERK, centre=street_centre)
    person = person_register(
        id_type="111",
        id_number=resident_id(),
        name="陈大文",
        phone="13800138000",
        identity_check="card_read",
        actor=clerk,
    )
    city = City(
        hall=hall,
        street_centre=street_centre,
        intake_window=intake_window,
        instant_window=instant_window,
        lead_department=lead_department,
        joint_departments=joint,
        lift=lift,
        instant=instant,
        clerk=clerk,
        hall_clerk=hall_clerk,
        output_clerk=output_clerk,
        person=person,
    )
    for department in [lead_department, *joint]:
        city.approvers[department.pk] = staff_with_role(Role.DEPT_APPROVER, department=department)
        city.leads[department.pk] = staff_with_role(Role.DEPT_LEAD, department=department)
    return city
