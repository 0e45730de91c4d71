"""A small scene: three departments of the demo city (by their names, so the duties file
finds them), their leads, an approver, an agent and an administrator, and one draft answer."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.knowledge import services
from onewindow.org.models import Role
from onewindow.testing.factories import DepartmentFactory, staff_with_role


@pytest.fixture
def depts(db) -> dict[str, Any]:
    return {
        "scj": DepartmentFactory(name="荔湾区市场监督管理局", short_name="区市场监管局"),
        "rsj": DepartmentFactory(name="荔湾区人力资源和社会保障局", short_name="区人社局"),
        "cgj": DepartmentFactory(name="荔湾区城市管理和综合执法局", short_name="区城管执法局"),
    }


@pytest.fixture
def lead(depts):
    return staff_with_role(Role.DEPT_LEAD, department=depts["scj"])


@pytest.fixture
def other_lead(depts):
    return staff_with_role(Role.DEPT_LEAD, department=depts["rsj"])


@pytest.fixture
def approver(depts):
    return staff_with_role(Role.DEPT_APPROVER, department=depts["scj"])


@pytest.fixture
def agent(db):
    return staff_with_role(Role.HOTLINE_AGENT)


@pytest.fixture
def admin(db):
    return staff_with_role(Role.ADMIN)


@pytest.fixture
def grid_worker(db):
    from onewindow.testing.factories import StreetFactory

    return staff_with_role(Role.GRID_WORKER, region=StreetFactory())


@pytest.fixture
def draft(lead, depts):
    return services.article_create(
        actor=lead,
        kind="answer",
        title="办执照要交钱吗？",
        body="登记和营业执照都不收费。",
        keywords="执照 收费",
        department=depts["scj"],
    )


@pytest.fixture
def published(draft, lead):
    return services.article_publish(actor=lead, article=draft)
